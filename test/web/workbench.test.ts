import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org, PASSWORD } from '../support/org';
import { byRole, launchBrowser, screenshot, seriousAxeViolations } from './support/browser';

/**
 * The workbench end to end, through the browser only: the real app (API + built web app) on a
 * port, the Temporal dev server with a worker, PostgreSQL and the SMTP catcher; a real Chromium.
 * Every page visited is screenshotted and checked with axe-core (no serious or critical violation).
 */
describe('the web workbench, one scenario per role', () => {
  let h: Harness;
  let server: http.Server;
  let base: string;
  let org: Org;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const photo = path.join(mkdtempSync(path.join(tmpdir(), 'photo-')), '整改现场照片.png');

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [path.resolve(__dirname, '../../scripts/build-web.mjs')], { stdio: 'inherit' });
    expect(built.status).toBe(0);
    h = await startHarness(await createDevServerEnv());
    org = await createOrg(h.db);
    server = http.createServer(createTestApp(h));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    // A real (tiny) PNG photo of the site.
    writeFileSync(photo, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64'));
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.teardown();
  });

  /** A person's own browser (separate cookies), at the office's screen size or a phone's. */
  async function person(viewport = { width: 1366, height: 768 }): Promise<Page> {
    const context = await browser.createBrowserContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.setViewport(viewport);
    await page.emulateTimezone('Asia/Shanghai'); // the office's browsers: date pickers read local time
    // What the browser complains about is part of a failure's story.
    page.on('pageerror', (err) => console.error(`[browser] ${String(err)}`));
    page.on('requestfailed', (r) => console.error(`[browser] request failed ${r.url()} ${r.failure()?.errorText}`));
    page.on('console', (m) => m.type() === 'error' && console.error(`[browser console] ${m.text()}`));
    return page;
  }

  /** Screenshot and accessibility check of the page as the user sees it now. */
  async function check(page: Page, name: string) {
    await screenshot(page, name);
    expect({ page: name, violations: await seriousAxeViolations(page) }).toEqual({ page: name, violations: [] });
  }

  async function signIn(page: Page, email: string) {
    await page.locator(byRole('textbox', '邮箱')).fill(email);
    await page.locator(byRole('textbox', '密码')).fill(PASSWORD);
    await page.locator(byRole('button', '登录')).click();
  }

  const heading = (page: Page, name: string) => page.waitForSelector(byRole('heading', name));
  const text = (page: Page, t: string) => page.waitForSelector(`::-p-text(${t})`);

  /** Types a date into an antd date picker (as a user can) and confirms it. */
  async function typeDate(page: Page, label: string, value: string) {
    const input = await page.waitForSelector(byRole('textbox', label));
    await input!.click({ count: 3 }); // select what is there
    await page.keyboard.type(value);
    await page.keyboard.press('Tab');
  }

  async function pickOption(page: Page, label: string, search: string) {
    const box = await page.waitForSelector(byRole('combobox', label));
    await box!.click();
    await page.keyboard.type(search);
    await page.waitForSelector(`::-p-text(${search})`);
    await page.keyboard.press('Enter');
  }

  async function submitModal(page: Page) {
    const dialog = await page.waitForSelector('::-p-aria([role="dialog"])');
    // As a person would: click once the dialog has stopped moving (antd zooms it in; on a busy
    // machine a click aimed during the animation lands beside the button and nothing happens).
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await (await dialog!.waitForSelector(byRole('button', '提交')))!.click();
    // The dialog closes once the API has answered; a busy 2-core machine may take a while. If it does
    // not close, say what the page shows (a refusal, a field error) rather than just "timeout".
    try {
      await page.waitForSelector('::-p-aria([role="dialog"])', { hidden: true, timeout: 90_000 });
    } catch (err) {
      await screenshot(page, 'submit-dialog-stayed-open');
      const shown = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.ant-modal, .ant-message, .ant-form-item-explain-error, .ant-alert'), (e) => e.textContent?.trim()).join(' | '),
      );
      throw new Error(`the dialog did not close: ${shown}`, { cause: err });
    }
  }

  test('office creates a campaign; the owner follows his reminder mail to the task and works it; the office returns, then accepts; the leader sees it reconciled; another unit is told it does not exist', async () => {
    const { office, staffA1: owner, leader, headB } = org.people;
    const code = `WEB-${org.tag.toUpperCase()}`;

    // 督查室: sign in (the app asks first), create the campaign with the form.
    const officePage = await person();
    await officePage.goto(`${base}/campaigns/new`);
    await heading(officePage, '登录整改督办系统');
    await check(officePage, 'login');
    await signIn(officePage, office.email);
    await heading(officePage, '新建整改批次');
    await officePage.locator(byRole('textbox', '批次编号')).fill(code);
    await officePage.locator(byRole('textbox', '批次名称')).fill('2026 窗口作风攻坚行动');
    await officePage.locator(byRole('textbox', '问题描述')).fill('窗口服务存在推诿扯皮现象');
    await officePage.locator(byRole('textbox', '类别')).fill('作风建设');
    await officePage.locator(byRole('textbox', '整改措施')).fill('开展窗口作风专项整治');
    await pickOption(officePage, '牵头单位', org.units.officeA1.code);
    await officePage.locator(byRole('textbox', '责任人邮箱')).fill(owner.email);
    await officePage.locator(byRole('textbox', '分管领导邮箱')).fill(leader.email);
    // Due in about ten minutes; an extra reminder nine minutes before: it falls due within a minute.
    const deadline = new Date(Date.now() + 10 * 60_000);
    const local = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(deadline);
    await typeDate(officePage, '完成时限', local);
    await officePage.locator(byRole('spinbutton', '截止前额外提醒（分钟）')).fill('9');
    await check(officePage, 'campaign-create');
    await officePage.locator(byRole('button', '提交')).click();
    await heading(officePage, `${code} 2026 窗口作风攻坚行动`);
    await text(officePage, '窗口服务存在推诿扯皮现象');
    await check(officePage, 'campaign');
    await officePage.goto(`${base}/campaigns`);
    await text(officePage, code);
    await check(officePage, 'campaigns');

    // 责任人: the reminder mail's link, sign-in, and straight back to the task.
    const [reminder] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(owner.email), 90_000).catch(async (err: unknown) => {
      // The story of a missing mail: what the outbox and the task's events say.
      const task = await h.db.task.findFirst({ where: { ownerId: owner.id }, include: { mails: true, events: true } });
      console.error('no reminder', JSON.stringify({ deadline: task?.deadline, offset: task?.reminderOffsetSeconds, mails: task?.mails, events: task?.events.map((e) => e.type), smtp: h.smtp.messages.map((m) => m.envelopeTo) }));
      throw err;
    });
    const link = /https?:\/\/[^\s"<>]+\/tasks\/[0-9a-f-]{36}/.exec(String(reminder!.parsed.text ?? reminder!.parsed.html))?.[0];
    expect(link).toBeDefined();
    const taskPath = new URL(link!).pathname; // the harness mails links to its PUBLIC_URL; this server listens elsewhere
    const taskId = taskPath.split('/').pop()!;
    const ownerPage = await person({ width: 390, height: 844 }); // on his phone
    await ownerPage.goto(`${base}${taskPath}`);
    await heading(ownerPage, '登录整改督办系统');
    await signIn(ownerPage, owner.email);
    await heading(ownerPage, `${code}-001-1 开展窗口作风专项整治`);
    expect(new URL(ownerPage.url()).pathname).toBe(`/tasks/${taskId}`);
    await check(ownerPage, 'task-owner-phone');
    await ownerPage.locator(byRole('button', '签收')).click();
    await ownerPage.waitForSelector(byRole('button', '签收'), { hidden: true });
    await ownerPage.locator(byRole('button', '报送进展')).click();
    await ownerPage.locator(byRole('textbox', '进展情况')).fill('已完成窗口人员作风培训，设立意见箱');
    await submitModal(ownerPage);
    await text(ownerPage, '已完成窗口人员作风培训');
    const [chooser] = await Promise.all([ownerPage.waitForFileChooser(), ownerPage.locator(byRole('button', '上传佐证')).click()]);
    await chooser.accept([photo]);
    await text(ownerPage, '已上传 1 个文件');
    await ownerPage.waitForSelector(`::-p-aria([role="image"][name="整改现场照片.png"]), ::-p-aria([role="img"][name="整改现场照片.png"])`);
    await ownerPage.locator(byRole('button', '申请销号')).click();
    await submitModal(ownerPage);
    await ownerPage.waitForSelector(byRole('button', '申请销号'), { hidden: true });
    await check(ownerPage, 'task-closure-requested');

    // 分管领导: the dashboard before closure.
    const leaderPage = await person();
    await leaderPage.goto(`${base}/`);
    await signIn(leaderPage, leader.email);
    await leaderPage.waitForSelector(byRole('group', '已销号 0'));
    await leaderPage.waitForSelector(byRole('group', '在办任务 1'));
    await check(leaderPage, 'dashboard-leader-before');

    // 督查室: return with a reason; a refused move shows the API's message.
    await officePage.goto(`${base}/tasks/${taskId}`);
    await officePage.locator(byRole('button', '退回')).click();
    await officePage.locator(byRole('textbox', '退回理由')).fill('佐证照片不清晰，请补充整改前后对比');
    await submitModal(officePage);
    await text(officePage, '佐证照片不清晰');
    await officePage.waitForSelector(byRole('button', '复核通过'), { hidden: true });
    await check(officePage, 'task-returned');

    // 责任人 applies again; 督查室 accepts.
    await ownerPage.reload();
    await ownerPage.locator(byRole('button', '申请销号')).click();
    await submitModal(ownerPage);
    await officePage.reload();
    await officePage.locator(byRole('button', '复核通过')).click();
    await submitModal(officePage);
    await text(officePage, '已销号');
    await officePage.waitForSelector(byRole('button', '退回'), { hidden: true });

    // The ledger page of the office, the task list.
    await officePage.goto(`${base}/tasks`);
    // The office sees every task of the shared test database: find this one as a clerk would, by its code.
    await officePage.locator('input[placeholder="编号或整改措施"]').fill(`${code}-001-1`);
    await officePage.keyboard.press('Enter');
    await text(officePage, `${code}-001-1`);
    await check(officePage, 'tasks');

    // 分管领导: the campaign reconciled (the workflow closes the problem, then reconciles), the counts moved.
    const campaignId = (await h.db.task.findUniqueOrThrow({ where: { id: taskId }, select: { problem: { select: { campaignId: true } } } })).problem!.campaignId;
    await leaderPage.goto(`${base}/campaigns/${campaignId}`);
    for (let reloads = 0; !(await leaderPage.$('::-p-text(已对账)')); reloads += 1) {
      expect(reloads).toBeLessThan(60); // what a user does: look again until the office's system has reconciled it
      await leaderPage.waitForNetworkIdle({ idleTime: 500 });
      await leaderPage.reload();
      await heading(leaderPage, `${code} 2026 窗口作风攻坚行动`);
    }
    await leaderPage.locator(byRole('tab', '对账销号台账')).click();
    await text(leaderPage, '按时销号');
    await check(leaderPage, 'campaign-reconciled');
    await leaderPage.goto(`${base}/`);
    await leaderPage.waitForSelector(byRole('group', '已销号 1'));
    await leaderPage.waitForSelector(byRole('group', '在办任务 0'));
    await check(leaderPage, 'dashboard');

    // 督办通知 of the owner.
    await ownerPage.goto(`${base}/notices`);
    await heading(ownerPage, '督办通知');
    await check(ownerPage, 'notices');

    // 单位负责人 of another unit: the task's URL tells him it does not exist.
    const headPage = await person();
    await headPage.goto(`${base}/tasks/${taskId}`);
    await signIn(headPage, headB.email);
    await heading(headPage, '任务不存在');
    expect(await headPage.$(byRole('button', '签收'))).toBeNull();
    await check(headPage, 'task-other-unit');
  }, 300_000); // one long scenario through the browser: minutes when CI runs it beside another test file
});
