// Screenshots of rendered mails in a real Chromium (puppeteer-core + @sparticuz/chromium, both
// ESM-only, hence a script of its own rather than jest code).
// Usage: node test/mail/screenshot.mjs <dir>   — every <dir>/<kind>.html becomes <dir>/<kind>.png.
//
// The headless browser has no CJK system fonts: for the screenshot only, Noto Sans SC from
// @fontsource/noto-sans-sc is injected as a web font. The mails themselves carry no web font.
/* global document -- page.evaluate callbacks run in the browser */
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const puppeteer = (await import(require.resolve('puppeteer-core'))).default;
const chromium = (await import(require.resolve('@sparticuz/chromium'))).default;

const dir = path.resolve(process.argv[2] ?? 'test-output/mail');
const fonts = path.dirname(require.resolve('@fontsource/noto-sans-sc/package.json'));
const face = (family, subset, weight) =>
  `@font-face{font-family:'${family}';font-weight:${weight};font-style:normal;src:url('${pathToFileURL(path.join(fonts, 'files', `noto-sans-sc-${subset}-${weight}-normal.woff2`)).href}') format('woff2');}`;
const css = [
  ...[400, 700].flatMap((w) => [face('Shot Latin', 'latin', w), face('Shot SC', 'chinese-simplified', w)]),
  `*{font-family:'Shot Latin','Shot SC',sans-serif !important;}`,
].join('\n');

const browser = await puppeteer.launch({ executablePath: await chromium.executablePath(), args: chromium.args, headless: true });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 760, height: 900, deviceScaleFactor: 1 });
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.html')).sort()) {
    await page.goto(pathToFileURL(path.join(dir, file)).href, { waitUntil: 'load' });
    await page.addStyleTag({ content: css });
    await page.evaluate(async () => {
      await document.fonts.ready;
      // Load the faces the page uses before the shot (fonts load lazily, per glyph range).
      await Promise.all([...document.fonts].map((f) => f.load().catch(() => undefined)));
    });
    const loaded = await page.evaluate(() => [...document.fonts].filter((f) => f.status === 'loaded').length);
    if (loaded < 2) throw new Error(`${file}: the Noto Sans SC faces did not load (${loaded})`);
    await page.screenshot({ path: path.join(dir, file.replace(/\.html$/, '.png')), fullPage: true });
    console.log(file.replace(/\.html$/, '.png'));
  }
} finally {
  await browser.close();
}
