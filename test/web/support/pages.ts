import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { PASSWORD } from '../../support/org';
import { byRole, screenshot, seriousAxeViolations } from './browser';

const root = path.resolve(__dirname, '../../..');

/**
 * Builds the workbench into a folder of the test file's own (served with createTestApp's `webDist`),
 * so a build started by another test file, which empties web/dist, cannot pull the page away mid-test.
 */
export function buildWebInto(name: string): string {
  const outDir = path.join(root, 'test-output', `web-dist-${name}`);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join(root, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
  if (r.status !== 0) throw new Error(`vite build into ${outDir} failed`);
  return outDir;
}

/** Signs in on the sign-in page as a person of test/support/org.ts (everyone's password is PASSWORD). */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.locator(byRole('textbox', '邮箱')).fill(email);
  await page.locator(byRole('textbox', '密码')).fill(PASSWORD);
  await page.locator(byRole('button', '登录')).click();
}

/** Screenshot of the page as the user sees it now, and axe-core over it: no serious or critical violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  // The resting state, not whichever control the last click left under the pointer (hover colours are the theme's).
  await page.mouse.move(0, 0);
  await screenshot(page, name);
  expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
}

/** Waits for the heading of that accessible name (the ARIA selector matches names exactly). */
export const heading = (page: Page, name: string) => page.waitForSelector(`::-p-aria([role="heading"][name="${name}"])`);
/** Waits for an element showing the text. */
export const text = (page: Page, t: string) => page.waitForSelector(`::-p-text(${t})`);
