/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import axe from 'axe-core';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const screenshotDir = path.resolve(__dirname, '../../../test-output/screenshots');

/** A real headless Chromium (the @sparticuz/chromium binary; nothing is downloaded). */
export async function launchBrowser(): Promise<Browser> {
  // @sparticuz/chromium is ESM only (jest here runs CommonJS): ask it in a Node process of its own.
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "import c from '@sparticuz/chromium'; console.log(JSON.stringify({ path: await c.executablePath(), args: c.args }))"],
    { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' },
  );
  const chromium = JSON.parse(out.trim().split('\n').pop()!) as { path: string; args: string[] };
  return puppeteer.launch({
    executablePath: chromium.path,
    // Its Lambda defaults run Chromium as one process, which cannot host several browser contexts (one per person here).
    args: chromium.args.filter((a) => a !== '--single-process'),
    headless: true,
    defaultViewport: { width: 1366, height: 768 },
  });
}

/** Saves the page as test-output/screenshots/<name>.png (the whole page, at the current viewport width). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // Fonts first: a screenshot taken before Noto Sans SC has loaded shows boxes for Chinese.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) as `${string}.png`, fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core over the page as it is: the violations of impact serious or critical. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axe.source);
  const result = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** An element by its accessible role and name, the way a user finds it. */
export const byRole = (role: string, name: string) => `::-p-aria([role="${role}"][name="${name}"])`;
