import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'puppeteer-core';
import request from 'supertest';
import { bearer, createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org } from '../support/org';
import { fixtureTask, type FixtureUnit, fixtureUnit } from '../support/review-fixture';
import { byRole, launchBrowser } from './support/browser';
import { buildWebInto, checkPage, heading, signIn, text } from './support/pages';

/**
 * 考核讲评 and 管理 through the browser, against the real stack (API + built workbench, Temporal dev
 * server with a worker, PostgreSQL, SMTP catcher) and a real Chromium at 1366×768.
 *
 * The assessment fixture (annual cycle of its own, 2019 against 2018), default weights and rules:
 * - 甲 2018: one item closed late (50, rank 2); 2019: two closed on time → 100, rank 1 (up 1).
 * - 乙 2018: one closed on time (100, rank 1); 2019: one on time, one late after climbing to level 6
 *   → 75 − 11.5 = 63.5, rank 3 (down 2), 合格.
 * - 丙 2019 only: overdue, a level-6 (问责) notice, extended and closed on time → 100 − 5 − 0.5 = 94.5,
 *   rank 2 with no previous data; 优秀 by score but 良好 by the rule (its reason names the notice).
 * - 丁 2019 only: 23 items open and overdue at the year's end (deadlines 1–23 December) → last; its
 *   expanded row pages them from the API, 20 at a time.
 */
describe('考核讲评 and 管理 in the browser', () => {
  let h: Harness;
  let server: http.Server;
  let base: string;
  let org: Org;
  let browser: Browser;
  let officeAuth: string;
  const u = {} as Record<'J' | 'Y' | 'B' | 'D', FixtureUnit>;
  let cycleKey: string;
  let cycleName: string;

  beforeAll(async () => {
    const webDist = buildWebInto('reviews-admin');
    h = await startHarness(await createDevServerEnv());
    org = await createOrg(h.db);
    officeAuth = await bearer(org.people.office);
    const app = createTestApp(h, { webDist });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const tag = org.tag;
    u.J = await fixtureUnit(h.db, tag, 1, `甲分局${tag.slice(0, 4)}`);
    u.Y = await fixtureUnit(h.db, tag, 2, `乙分局${tag.slice(0, 4)}`);
    u.B = await fixtureUnit(h.db, tag, 3, `丙分局${tag.slice(0, 4)}`);
    u.D = await fixtureUnit(h.db, tag, 4, `丁分局${tag.slice(0, 4)}`);
    const by = org.people.office.id;
    const ack = (at: string) => ({ at, type: 'acknowledged' as const });
    const closed = (at: string) => ({ at, type: 'closed' as const, by });
    const overdue = (at: string) => ({ at, type: 'overdue' as const });
    const notice = (at: string, level: number, number: number) => ({ at, type: 'notice' as const, level, number });
    const task = (unit: FixtureUnit, code: string, spec: Omit<Parameters<typeof fixtureTask>[2], 'code'>) => fixtureTask(h.db, unit, { code: `${code}-${tag}`, ...spec });
    await task(u.J, 'J0', { created: '2018-03-01 10:00', deadline: '2018-04-27 18:00', steps: [ack('2018-03-02 09:00'), overdue('2018-04-27 18:00'), closed('2018-05-10 10:00')] });
    await task(u.J, 'J1', { created: '2019-03-01 10:00', deadline: '2019-05-31 18:00', steps: [ack('2019-03-02 09:00'), closed('2019-05-20 10:00')] });
    await task(u.J, 'J2', { created: '2019-06-03 10:00', deadline: '2019-09-30 18:00', steps: [ack('2019-06-04 09:00'), closed('2019-09-20 10:00')] });
    await task(u.Y, 'Y0', { created: '2018-03-01 10:00', deadline: '2018-06-29 18:00', steps: [ack('2018-03-02 09:00'), closed('2018-06-01 10:00')] });
    await task(u.Y, 'Y1', { created: '2019-03-01 10:00', deadline: '2019-05-31 18:00', steps: [ack('2019-03-02 09:00'), closed('2019-05-30 10:00')] });
    await task(u.Y, 'Y2', {
      created: '2019-04-01 10:00',
      deadline: '2019-06-28 18:00',
      steps: [
        ack('2019-04-02 09:00'),
        notice('2019-06-28 18:00', 1, 901),
        overdue('2019-06-28 18:00'),
        notice('2019-07-01 09:00', 2, 902),
        notice('2019-07-03 09:00', 3, 903),
        notice('2019-07-05 09:00', 4, 904),
        notice('2019-07-12 09:00', 5, 905),
        notice('2019-07-19 09:00', 6, 906),
        closed('2019-08-01 10:00'),
      ],
    });
    await task(u.B, 'B1', {
      created: '2019-02-01 10:00',
      deadline: '2019-03-29 18:00',
      steps: [ack('2019-02-02 09:00'), overdue('2019-03-29 18:00'), notice('2019-04-15 09:00', 6, 907), { at: '2019-04-20 10:00', type: 'extended', to: '2019-06-28 18:00', by }, closed('2019-06-10 10:00')],
    });
    for (let i = 1; i <= 23; i++) await task(u.D, `D${String(i).padStart(2, '0')}`, { created: '2019-11-01 10:00', deadline: `2019-12-${String(i).padStart(2, '0')} 18:00`, steps: [ack('2019-11-02 09:00')] });

    // A cycle of this file's own (the database is shared with other test files).
    cycleKey = `ra-${tag}`;
    cycleName = `年考核${tag.slice(0, 4)}`;
    await request(app)
      .put(`/api/review-cycles/${cycleKey}`)
      .set('Authorization', officeAuth)
      .send({ name: cycleName, period: 'annual', reportType: 'assessment', recipientRoles: ['office'] })
      .expect(200);

    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.teardown();
  });

  /** A person's own browser context (own cookies), signed in, on the given page. */
  async function signedIn(email: string, pagePath: string): Promise<Page> {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 1366, height: 768 });
    await page.emulateTimezone('Asia/Shanghai');
    await page.goto(`${base}${pagePath}`);
    await heading(page, '登录整改督办系统');
    await signIn(page, email);
    return page;
  }

  const reportsOf = () => h.db.reviewReport.findMany({ where: { cycleKey }, orderBy: { createdAt: 'asc' }, select: { id: true, period: true } });

  test('the office backfills 2019 and runs the cycle now, reads the ranking with its trend and the ratings with their reasons, and downloads the workbook', async () => {
    const page = await signedIn(org.people.office.email, '/reviews?tab=cycles');
    await heading(page, '考核讲评');
    await page.waitForSelector(byRole('button', `立即执行 ${cycleName}`));
    await checkPage(page, 'reviews-cycles-office');

    // 补跑 2019.
    await page.locator(byRole('button', `补跑 ${cycleName}`)).click();
    await page.locator(byRole('textbox', '期次')).fill('2019');
    await checkPage(page, 'reviews-backfill-dialog');
    await page.locator(byRole('button', '提交')).click();
    await text(page, '已开始生成 2019 的报告');
    await page.waitForSelector('::-p-aria([role="dialog"])', { hidden: true });

    // 立即执行: reviews the year just ended (2025).
    await page.locator(byRole('button', `立即执行 ${cycleName}`)).click();
    await page.locator(byRole('button', '确定')).click();
    await text(page, '已开始生成 2025 的报告');

    // Both reports appear in the list (it re-reads until they are there).
    await page.locator(byRole('tab', '讲评报告')).click();
    await page.locator(byRole('combobox', '考核周期')).click();
    await page.keyboard.type(cycleName);
    await page.keyboard.press('Enter');
    await page.locator(byRole('button', '查询')).click();
    await page.waitForSelector(byRole('link', '2019年度'), { timeout: 60_000 });
    await page.waitForSelector(byRole('link', '2025年度'), { timeout: 60_000 });
    expect((await reportsOf()).map((r) => r.period).sort()).toEqual(['2019', '2025']);
    await checkPage(page, 'reviews-list');

    // The 2019 assessment.
    await page.locator(byRole('link', '2019年度')).click();
    await heading(page, `${cycleName} 2019年度`);
    await text(page, '得分排名');
    const rows = await page.$$eval('::-p-aria([role="row"])', (trs) => trs.map((tr) => tr.textContent ?? ''));
    const rowOf = (name: string) => rows.find((r) => r.includes(name)) ?? '';
    expect(rowOf(u.J.name)).toMatch(/^1/);
    expect(rowOf(u.J.name)).toContain('100');
    expect(rowOf(u.J.name)).toContain('上升1位');
    expect(rowOf(u.J.name)).toContain('优秀');
    expect(rowOf(u.B.name)).toMatch(/^2/);
    expect(rowOf(u.B.name)).toContain('94.5');
    expect(rowOf(u.B.name)).toContain('上期无数据');
    expect(rowOf(u.B.name)).toContain('良好');
    expect(rowOf(u.Y.name)).toMatch(/^3/);
    expect(rowOf(u.Y.name)).toContain('63.5');
    expect(rowOf(u.Y.name)).toContain('下降2位');
    expect(rowOf(u.Y.name)).toContain('合格');
    // The unit light of each unit is shown by name, not colour alone.
    expect(rowOf(u.J.name)).toContain('绿灯');
    // Ratings with their reasons: 丙 is kept from 优秀 by its 问责 notice.
    const reasons = await page.waitForSelector(`::-p-aria([role="list"][name="${u.B.name} 评定理由"])`);
    const reasonText = await reasons!.evaluate((el) => el.textContent ?? '');
    expect(reasonText).toContain('综合得分 94.5（≥ 85），按分数为「优秀」');
    expect(reasonText).toContain('本期有第6级（问责）及以上督办事项 1 项（督办〔2019〕第907号），不得评定为优秀，调整为「良好」');
    await checkPage(page, 'review-report-2019');

    const tag = org.tag;
    // A unit's row opens on its tasks, paged from the API: 丁's 23 open items, 20 on the first page.
    const expand = async (name: string) => {
      for (const r of await page.$$('tr.ant-table-row')) {
        if ((await r.evaluate((el) => el.textContent ?? '')).includes(name)) return (await r.$('button[aria-label="展开行"]'))!.click();
      }
      throw new Error(`no row of ${name}`);
    };
    const codesIn = (section: string) =>
      page.$eval(`::-p-aria([role="region"][name="${section}"])`, (el) => Array.from(el.querySelectorAll('tr.ant-table-row')).map((tr) => tr.querySelector('td')?.textContent ?? ''));
    await expand(u.D.name);
    const dOpen = `${u.D.name} 期末未销号事项`;
    await page.waitForSelector(`::-p-aria([role="region"][name="${dOpen}"]) ::-p-text(D01-${tag})`);
    expect(await codesIn(dOpen)).toEqual(Array.from({ length: 20 }, (_, i) => `D${String(i + 1).padStart(2, '0')}-${tag}`));
    await text(page, '共 23 条');
    await text(page, '逾期31天'); // D01: 1 December 18:00 to 1 January 00:00
    await checkPage(page, 'review-report-unit-tasks');
    await page.locator(`section[aria-label="${dOpen}"] li.ant-pagination-item-2`).click();
    await page.waitForSelector(`::-p-aria([role="region"][name="${dOpen}"]) ::-p-text(D23-${tag})`);
    expect(await codesIn(dOpen)).toEqual([`D21-${tag}`, `D22-${tag}`, `D23-${tag}`]);
    // 乙 has nothing open: its row opens on what it closed in the year, by closing time.
    await expand(u.Y.name);
    const yClosed = `${u.Y.name} 本期销号事项`;
    await page.waitForSelector(`::-p-aria([role="region"][name="${yClosed}"]) ::-p-text(Y2-${tag})`);
    expect(await codesIn(yClosed)).toEqual([`Y1-${tag}`, `Y2-${tag}`]);

    // The workbook downloads as the API serves it: an xlsx with a summary sheet and one per unit.
    const downloads = mkdtempSync(path.join(tmpdir(), 'workbook-'));
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads, eventsEnabled: true, browserContextId: page.browserContext().id });
    const finished = new Promise<void>((resolve, reject) => {
      cdp.on('Browser.downloadProgress', (e: { state: string }) => (e.state === 'completed' ? resolve() : e.state === 'canceled' ? reject(new Error('download canceled')) : undefined));
    });
    await page.locator(byRole('button', '下载工作簿')).click();
    await finished;
    const files = readdirSync(downloads);
    expect(files).toEqual([`${cycleName}-2019.xlsx`]);
    const bytes = readFileSync(path.join(downloads, files[0]!));
    expect(bytes.subarray(0, 2).toString()).toBe('PK'); // a zip container, as every xlsx is
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer);
    const sheets = workbook.worksheets.map((s) => s.name);
    expect(sheets[0]).toBe('汇总');
    expect(sheets).toEqual(expect.arrayContaining([u.J.name, u.Y.name, u.B.name]));
    await page.browserContext().close();
  });

  test('the office pauses and resumes a cycle', async () => {
    const page = await signedIn(org.people.office.email, '/reviews?tab=cycles');
    await page.locator(byRole('button', `暂停 ${cycleName}`)).click();
    await text(page, `「${cycleName}」已暂停`);
    await page.waitForSelector(byRole('button', `恢复 ${cycleName}`));
    expect((await h.db.reviewCycle.findUniqueOrThrow({ where: { key: cycleKey } })).paused).toBe(true);
    const schedule = await h.env.client.schedule.getHandle(`review-${cycleKey}`).describe();
    expect(schedule.state.paused).toBe(true);
    await checkPage(page, 'reviews-cycle-paused');

    await page.locator(byRole('button', `恢复 ${cycleName}`)).click();
    await text(page, `「${cycleName}」已恢复`);
    await page.waitForSelector(byRole('button', `暂停 ${cycleName}`));
    expect((await h.db.reviewCycle.findUniqueOrThrow({ where: { key: cycleKey } })).paused).toBe(false);
    expect((await h.env.client.schedule.getHandle(`review-${cycleKey}`).describe()).state.paused).toBe(false);
    await page.browserContext().close();
  });

  test('an admin marks a day as a holiday in the calendar grid and the grid shows it; the office reads the calendar without buttons', async () => {
    // A Saturday of this month with no exception yet: a holiday there moves no working-day deadline
    // of the tasks other test files keep open in the shared database.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const [y, m] = today.split('-').map(Number) as [number, number];
    const taken = new Set((await h.db.calendarDay.findMany({ where: { date: { gte: new Date(Date.UTC(y, m - 1, 1)), lt: new Date(Date.UTC(y, m, 1)) } } })).map((d) => d.date.toISOString().slice(0, 10)));
    const saturdays = Array.from({ length: 31 }, (_, i) => new Date(Date.UTC(y, m - 1, i + 1))).filter((d) => d.getUTCMonth() === m - 1 && d.getUTCDay() === 6);
    const date = saturdays.map((d) => d.toISOString().slice(0, 10)).find((d) => !taken.has(d))!;
    expect(date).toBeDefined();

    const page = await signedIn(org.people.admin.email, '/');
    await page.locator(byRole('link', '管理')).click();
    await heading(page, '管理');
    await page.waitForSelector(byRole('button', `修改 ${org.units.deptA.name}`));
    await checkPage(page, 'admin-units');
    await page.locator(byRole('tab', '人员与角色')).click();
    await text(page, '重置密码');
    await checkPage(page, 'admin-people');

    await page.locator(byRole('tab', '工作日历')).click();
    await page.locator(byRole('button', `${date} 休息日`)).click();
    // antd's radio names end in whitespace: the option is chosen by its text in the dialog, as a user does.
    await page.locator('::-p-aria([role="dialog"]) ::-p-text(放假)').click();
    await page.locator(byRole('textbox', '名称')).fill('区庆假日');
    await checkPage(page, 'admin-calendar-edit');
    await page.locator(byRole('button', '提交')).click();
    await text(page, '工作日历已更新');
    await page.waitForSelector(byRole('button', `${date} 放假 区庆假日`));
    expect(await h.db.calendarDay.findUnique({ where: { date: new Date(date) } })).toMatchObject({ kind: 'holiday', name: '区庆假日', source: 'admin' });
    await checkPage(page, 'admin-calendar');
    await page.browserContext().close();

    // The office reads the same grid: the day is shown, and no day is a button.
    const office = await signedIn(org.people.office.email, '/admin?tab=calendar');
    await office.waitForSelector(`::-p-text(${date.slice(0, 8)})`);
    await text(office, '区庆假日');
    await text(office, '只读：仅系统管理员可修改工作日历');
    expect(await office.$(byRole('button', `${date} 放假 区庆假日`))).toBeNull();
    await checkPage(office, 'admin-calendar-office');
    await office.browserContext().close();

    // Leave the shared calendar as it was.
    await request(server).delete(`/api/calendar/days/${date}`).set('Authorization', await bearer(org.people.admin)).expect(200);
  });

  test('a unit head sees no admin menu and no cycle buttons, but reads the reports', async () => {
    const page = await signedIn(org.people.headA.email, '/reviews');
    await heading(page, '考核讲评');
    await page.waitForSelector(byRole('link', '考核讲评'));
    expect(await page.$(byRole('link', '管理'))).toBeNull();
    await page.locator(byRole('combobox', '考核周期')).click();
    await page.keyboard.type(cycleName);
    await page.keyboard.press('Enter');
    await page.locator(byRole('button', '查询')).click();
    await page.waitForSelector(byRole('link', '2019年度'));
    await checkPage(page, 'reviews-list-unit-head');
    await page.locator(byRole('tab', '考核周期')).click();
    await text(page, '仅督查室或系统管理员可管理考核周期');
    expect(await page.$(byRole('button', `立即执行 ${cycleName}`))).toBeNull();
    expect(await page.$(byRole('button', `暂停 ${cycleName}`))).toBeNull();
    await checkPage(page, 'reviews-cycles-unit-head');
    await page.browserContext().close();
  });

  test('the API tells the page what the caller may do', async () => {
    const head = await bearer(org.people.headA);
    const admin = await bearer(org.people.admin);
    const cycleOf = async (auth: string) => ((await request(server).get('/api/review-cycles').set('Authorization', auth).expect(200)).body.items as { key: string; allowedActions: string[] }[]).find((c) => c.key === cycleKey)!;
    expect((await cycleOf(officeAuth)).allowedActions).toEqual(['save', 'pause', 'trigger', 'backfill']);
    expect((await cycleOf(head)).allowedActions).toEqual([]);
    const year = new Date().getUTCFullYear();
    expect((await request(server).get(`/api/calendar?year=${year}`).set('Authorization', admin).expect(200)).body.allowedActions).toEqual(['set_day', 'remove_day']);
    expect((await request(server).get(`/api/calendar?year=${year}`).set('Authorization', officeAuth).expect(200)).body.allowedActions).toEqual([]);
    expect((await request(server).get('/api/units').set('Authorization', admin).expect(200)).body.allowedActions).toEqual(['create', 'update']);
    expect((await request(server).get('/api/units').set('Authorization', head).expect(200)).body.allowedActions).toEqual([]);
    expect((await request(server).get('/api/people').set('Authorization', officeAuth).expect(200)).body.allowedActions).toEqual([]);
  });
});
