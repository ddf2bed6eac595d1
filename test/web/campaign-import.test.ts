import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, ElementHandle } from 'puppeteer-core';
import { hashPassword } from '../../lib/auth';
import { createTestApp } from '../support/api';
import { createTimeSkippingEnv, type Harness, startHarness } from '../support/env';
import { PASSWORD } from '../support/org';
import { createImportOrg } from '../spreadsheet/org';
import { byRole, launchBrowser } from './support/browser';
import { buildWebInto, checkPage, signIn, text } from './support/pages';

const fixtures = path.resolve(__dirname, '../fixtures/spreadsheets');

/**
 * 新建整改批次 by Excel, in the browser: the office drops the spreadsheet LibreOffice saved, tries it
 * (the preview lists the problems and tasks with their units and people resolved), and a hostile
 * file (a hidden sheet) is refused with the sheet, row and column of each problem shown.
 */
describe('campaign import in the browser', () => {
  let h: Harness;
  let server: http.Server;
  let base: string;
  let browser: Browser;
  let email: string;

  beforeAll(async () => {
    const webDist = buildWebInto('campaign-import');
    h = await startHarness(await createTimeSkippingEnv());
    const org = await createImportOrg(h.db);
    email = org.people.office.email;
    await h.db.person.update({ where: { id: org.people.office.id }, data: { passwordHash: await hashPassword(PASSWORD) } });
    server = http.createServer(createTestApp(h, { webDist }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await h?.teardown();
  });

  test('the office tries a LibreOffice workbook and sees its preview; a workbook with a hidden sheet is refused naming the rule', async () => {
    const campaignsBefore = await h.db.campaign.count();
    const page = await browser.newPage();
    await page.goto(`${base}/campaigns/new`);
    await signIn(page, email);
    await text(page, '从 Excel 导入');

    const choose = async (file: string) => {
      const input = (await page.waitForSelector('input[type="file"]')) as ElementHandle<HTMLInputElement>;
      await input.uploadFile(path.join(fixtures, file));
    };
    await choose('libreoffice-campaign.xlsx');
    await page.locator(byRole('button', '试导入')).click();
    await text(page, '个问题，');
    await page.waitForSelector('::-p-text(网络交易监管科)');
    await checkPage(page, 'campaign-import-preview');

    await choose('openpyxl-hidden.xlsx');
    await page.locator(byRole('button', '试导入')).click();
    await page.waitForSelector('.ant-alert-error');
    const alert = await page.$eval('.ant-alert-error', (e) => e.textContent ?? '');
    expect(alert).toMatch(/隐藏/);
    await checkPage(page, 'campaign-import-refused');
    // Nothing was stored by either try.
    expect(await h.db.campaign.count()).toBe(campaignsBefore);
  });
});
