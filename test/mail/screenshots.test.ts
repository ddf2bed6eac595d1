import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { mailCases } from './kinds';

const OUT = path.resolve(__dirname, '../../test-output/mail');

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('mail screenshots: each kind rendered in a real Chromium, saved with the test output', () => {
  test('every kind becomes test-output/mail/<kind>.png', async () => {
    const cases = mailCases();
    await rm(OUT, { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    for (const c of cases) {
      await writeFile(path.join(OUT, `${c.kind}.html`), c.mail.html);
      await writeFile(path.join(OUT, `${c.kind}.txt`), `Subject: ${c.mail.subject}\n\n${c.mail.text}`);
    }
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'screenshot.mjs'), OUT], { timeout: 90_000 });
    expect(stdout.trim().split('\n')).toEqual(cases.map((c) => `${c.kind}.png`).sort());
    for (const c of cases) {
      const png = await readFile(path.join(OUT, `${c.kind}.png`));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      const { width, height } = pngSize(png);
      expect(width).toBe(760);
      // A whole notice (header to footer) is taller than the viewport's first screen.
      expect(height).toBeGreaterThan(900);
    }
  }, 120_000);
});
