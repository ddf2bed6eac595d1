import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { localDate } from '../../domain/calendar';
import type { ReviewReportContent, ReviewSummary } from '../../lib/review/report';
import { readTaskList } from '../../lib/review/task-lists';
import type { ReviewCycleInput, ReviewCycleResult } from '../../domain/contract';
import { createTimeSkippingEnv, type Harness, startHarness } from '../support/env';
import { at, fixtureTask, type FixtureUnit, fixtureUnit } from '../support/review-fixture';

/**
 * 月调度、季讲评、年考核 over a fixture small enough to compute by hand (default weights: on-time
 * rate and closure rate 50/50 of 100 points; −2 per overdue item, −0.1 per overdue day, −0.5/1/2/3/5
 * per escalation of level 2/3/4/5/6, −1 per return, −0.5 per extension; 优秀 ≥ 85, 良好 ≥ 75,
 * 合格 ≥ 60; no 优秀 with a level-6 (问责) item or an on-time rate below 80 %).
 *
 * 2025, four units:
 * - 甲 A1, A2 closed on time in Q3.
 * - 乙 B0 closed on time in Q2; in Q3 B1 on time, B2 returned once then closed late (levels 1–2),
 *   B3 open and overdue since 25 Sep 18:00 (levels 1–3 in September).
 * - 丙 C3 overdue since 6 Jun, climbing the whole ladder to level 6 (问责) in June, extended on
 *   10 Jul to 31 Aug, closed on time on 20 Aug; C1, C2 closed on time in Q3.
 * - 丁 D1–D3 on time, D4 late (levels 1–2) in Q3.
 */
describe('review cycles over a hand-computable fixture', () => {
  let h: Harness;
  const tag = randomUUID().slice(0, 8);
  const u = {} as Record<'A' | 'B' | 'C' | 'D', FixtureUnit>;
  let office: string;
  let leaderEmail: string;
  const ids: Record<string, string> = {};
  const cycle = (name: string) => `${name}-${tag}`;

  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
    const db = h.db;
    u.A = await fixtureUnit(db, tag, 1, '甲分局');
    u.B = await fixtureUnit(db, tag, 2, '乙分局');
    u.C = await fixtureUnit(db, tag, 3, '丙分局');
    u.D = await fixtureUnit(db, tag, 4, '丁分局');
    office = (await db.person.create({ data: { email: `office-${tag}@example.gov.cn`, displayName: '督查室', unitId: u.A.id, roles: ['office'] } })).id;
    leaderEmail = (await db.person.create({ data: { email: `leader-${tag}@example.gov.cn`, displayName: '分管领导', unitId: u.A.id, roles: ['leader'] } })).email;
    const task = async (unit: FixtureUnit, code: string, spec: Omit<Parameters<typeof fixtureTask>[2], 'code'>) => (ids[code] = await fixtureTask(db, unit, { code: `${code}-${tag}`, ...spec }));
    const ack = (d: string) => ({ at: d, type: 'acknowledged' as const });
    const closed = (d: string) => ({ at: d, type: 'closed' as const, by: office });
    const notice = (d: string, level: number, number: number) => ({ at: d, type: 'notice' as const, level, number });
    const overdue = (d: string) => ({ at: d, type: 'overdue' as const });

    await task(u.A, 'A1', { created: '2025-07-01 10:00', deadline: '2025-08-15 18:00', steps: [ack('2025-07-02 09:00'), { at: '2025-08-09 10:00', type: 'closure_requested' }, closed('2025-08-10 10:00')] });
    await task(u.A, 'A2', { created: '2025-07-05 10:00', deadline: '2025-09-10 18:00', steps: [ack('2025-07-06 09:00'), closed('2025-09-08 10:00')] });
    await task(u.B, 'B0', { created: '2025-04-01 09:00', deadline: '2025-05-30 18:00', steps: [ack('2025-04-02 10:00'), closed('2025-05-20 10:00')] });
    await task(u.B, 'B1', { created: '2025-07-01 10:00', deadline: '2025-07-31 18:00', steps: [ack('2025-07-02 09:00'), closed('2025-07-20 10:00')] });
    await task(u.B, 'B2', {
      created: '2025-07-01 10:00',
      deadline: '2025-08-01 18:00',
      steps: [
        ack('2025-07-02 09:00'),
        { at: '2025-07-28 10:00', type: 'closure_requested' },
        { at: '2025-07-30 10:00', type: 'returned', by: office },
        notice('2025-08-01 18:00', 1, 31),
        overdue('2025-08-01 18:00'),
        notice('2025-08-04 09:00', 2, 32),
        { at: '2025-08-04 10:00', type: 'closure_requested' },
        closed('2025-08-05 10:00'),
      ],
    });
    await task(u.B, 'B3', {
      created: '2025-08-15 10:00',
      deadline: '2025-09-25 18:00',
      steps: [ack('2025-08-16 09:00'), notice('2025-09-25 18:00', 1, 41), overdue('2025-09-25 18:00'), notice('2025-09-26 09:00', 2, 42), notice('2025-09-30 09:00', 3, 43)],
    });
    await task(u.C, 'C1', { created: '2025-07-02 10:00', deadline: '2025-08-29 18:00', steps: [ack('2025-07-03 09:00'), closed('2025-08-28 10:00')] });
    await task(u.C, 'C2', { created: '2025-08-01 10:00', deadline: '2025-09-19 18:00', steps: [ack('2025-08-02 09:00'), closed('2025-09-18 10:00')] });
    await task(u.C, 'C3', {
      created: '2025-05-06 10:00',
      deadline: '2025-06-06 18:00',
      steps: [
        ack('2025-05-07 09:00'),
        notice('2025-06-06 18:00', 1, 11),
        overdue('2025-06-06 18:00'),
        notice('2025-06-09 09:00', 2, 12),
        notice('2025-06-11 09:00', 3, 13),
        notice('2025-06-13 09:00', 4, 14),
        notice('2025-06-20 09:00', 5, 15),
        notice('2025-06-27 09:00', 6, 16),
        { at: '2025-07-10 10:00', type: 'extended', to: '2025-08-31 18:00', by: office },
        closed('2025-08-20 10:00'),
      ],
    });
    await task(u.D, 'D1', { created: '2025-07-01 10:00', deadline: '2025-07-31 18:00', steps: [ack('2025-07-02 09:00'), closed('2025-07-25 10:00')] });
    await task(u.D, 'D2', { created: '2025-07-01 10:00', deadline: '2025-08-29 18:00', steps: [ack('2025-07-02 09:00'), closed('2025-08-25 10:00')] });
    await task(u.D, 'D3', { created: '2025-08-01 10:00', deadline: '2025-09-30 18:00', steps: [ack('2025-08-02 09:00'), closed('2025-09-29 10:00')] });
    await task(u.D, 'D4', {
      created: '2025-07-15 10:00',
      deadline: '2025-08-08 18:00',
      steps: [ack('2025-07-16 09:00'), notice('2025-08-08 18:00', 1, 21), overdue('2025-08-08 18:00'), notice('2025-08-11 09:00', 2, 22), closed('2025-08-12 10:00')],
    });

    const recipientRoles = ['leader' as const];
    await h.db.reviewCycle.createMany({
      data: [
        { key: cycle('monthly'), name: '月调度', period: 'monthly', reportType: 'dispatch', recipientRoles },
        { key: cycle('quarterly'), name: '季讲评', period: 'quarterly', reportType: 'review', recipientRoles },
        { key: cycle('annual'), name: '年考核', period: 'annual', reportType: 'assessment', recipientRoles },
      ],
    });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  const run = (cycleKey: string, period: string) =>
    h.env.client.workflow.execute('reviewCycle', { taskQueue: h.taskQueue, workflowId: `review-${cycleKey}-${period}-${randomUUID()}`, args: [{ cycleKey, period } satisfies ReviewCycleInput] }) as Promise<ReviewCycleResult>;
  /**
   * The stored report with this file's units' task lists read back from ReviewReportTasks (the content
   * holds the summary only; other files' units in the shared database are left with empty lists).
   */
  const content = async (reportId: string): Promise<ReviewReportContent> => {
    const summary = (await h.db.reviewReport.findUniqueOrThrow({ where: { id: reportId } })).content as unknown as ReviewSummary;
    expect(summary.units.every((x) => !('openTasks' in x) && !('closedTasks' in x))).toBe(true);
    const listsOf = async (unitId: string, list: 'open' | 'closed') => (await readTaskList(h.db, reportId, unitId, list))!;
    const units = await Promise.all(
      summary.units.map(async (x) => (x.code.startsWith(`RV-${tag}-`) ? { ...x, openTasks: await listsOf(x.unitId, 'open'), closedTasks: await listsOf(x.unitId, 'closed') } : { ...x, openTasks: [], closedTasks: [] })),
    );
    return { ...summary, units };
  };
  const mine = (c: ReviewReportContent) => c.units.filter((x) => x.code.startsWith(`RV-${tag}-`));
  const byName = (c: ReviewReportContent) => Object.fromEntries(mine(c).map((x) => [x.name, x]));

  test('monthly dispatch (September): per unit what was open, overdue and closed, as of 1 October 00:00', async () => {
    const result = await run(cycle('monthly'), '2025-09');
    expect(result.period).toBe('2025-09');
    const c = await content(result.reportId);
    expect(c.period).toMatchObject({ key: '2025-09', label: '2025年9月', start: at('2025-09-01 00:00').toISOString(), end: at('2025-10-01 00:00').toISOString() });
    expect(c.scoring).toBeNull();
    const units = byName(c);
    expect(Object.keys(units)).toEqual(['甲分局', '乙分局', '丙分局', '丁分局']);
    const metrics = (name: string) => units[name]!.metrics;
    expect(metrics('甲分局')).toMatchObject({ tasks: 1, open: 0, closed: 1, closedOnTime: 1, overdue: 0 });
    expect(metrics('乙分局')).toEqual({
      tasks: 1, open: 1, closed: 0, closedOnTime: 0, cancelled: 0, overdue: 1, overdueDays: 6, maxOverdueDays: 6,
      escalations: { '1': 1, '2': 1, '3': 1 }, returned: 0, extensions: 0, onTimeRate: null, closureRate: 0,
    });
    expect(metrics('丙分局')).toMatchObject({ tasks: 1, open: 0, closed: 1, closedOnTime: 1 });
    expect(metrics('丁分局')).toMatchObject({ tasks: 1, open: 0, closed: 1, closedOnTime: 1 });
    // Every open task, overdue ones flagged, and what was closed.
    expect(units['乙分局']!.openTasks).toEqual([
      expect.objectContaining({ code: `B3-${tag}`, status: 'acknowledged', deadline: at('2025-09-25 18:00').toISOString(), overdue: true, overdueDays: 6, level: 3, light: 'red' }),
    ]);
    expect(units['甲分局']!.closedTasks.map((t) => [t.code, t.onTime])).toEqual([[`A2-${tag}`, true]]);
    expect(units['丁分局']!.closedTasks.map((t) => [t.code, t.closedAt])).toEqual([[`D3-${tag}`, at('2025-09-29 10:00').toISOString()]]);
    expect(mine(c).every((x) => x.result === null)).toBe(true);
  });

  test('quarterly review (Q3): scores, ranking and the trend against Q2', async () => {
    const result = await run(cycle('quarterly'), '2025-Q3');
    const c = await content(result.reportId);
    expect(c.previousPeriod).toEqual({ key: '2025-Q2', label: '2025年第二季度' });
    const units = byName(c);
    expect(units['乙分局']!.metrics).toEqual({
      tasks: 3, open: 1, closed: 2, closedOnTime: 1, cancelled: 0, overdue: 1, overdueDays: 6, maxOverdueDays: 6,
      escalations: { '1': 2, '2': 2, '3': 1 }, returned: 1, extensions: 0, onTimeRate: 0.5, closureRate: 2 / 3,
    });
    expect(units['丙分局']!.metrics).toMatchObject({ tasks: 3, open: 0, closed: 3, closedOnTime: 3, escalations: {}, extensions: 1 });
    expect(units['丁分局']!.metrics).toMatchObject({ tasks: 4, closed: 4, closedOnTime: 3, onTimeRate: 0.75, closureRate: 1, escalations: { '1': 1, '2': 1 } });
    // 乙: 100 × (0.5 × 0.5 + 0.5 × 2/3) = 58.33 − 2 (overdue) − 0.6 (6 days) − 2 (2 × 0.5 + 1 × 1) − 1 (return) = 52.73
    expect(units['乙分局']!.result!.breakdown).toEqual({ base: 58.33, overdue: 2, overdueDays: 0.6, escalations: 2, returned: 1, extensions: 0 });
    // Ranked: 甲 100, 丙 100 − 0.5 (extension), 丁 87.5 − 0.5 (one level-2), 乙 52.73.
    expect(mine(c).map((x) => [x.name, x.result!.score, x.result!.rank, x.result!.previous])).toEqual([
      ['甲分局', 100, 1, null],
      ['丙分局', 99.5, 2, { score: 34, rank: 2 }], // Q2: 50 − 2 − 2.5 (25 days) − 11.5 (levels 2–6)
      ['丁分局', 87, 3, null],
      ['乙分局', 52.73, 4, { score: 100, rank: 1 }],
    ]);
    expect(mine(c).every((x) => x.result!.rating === undefined)).toBe(true);
  });

  test('annual assessment (2025): ratings with reasons; a 问责-level item or a low on-time rate keeps a unit from 优秀', async () => {
    const result = await run(cycle('annual'), '2025');
    const c = await content(result.reportId);
    const rows = mine(c).map((x) => [x.name, x.result!.score, x.result!.rank, x.result!.rating!.label]);
    expect(rows).toEqual([
      ['甲分局', 100, 1, '优秀'],
      ['丙分局', 88, 2, '良好'], // 100 − 11.5 (levels 2–6) − 0.5 (extension)
      ['丁分局', 87, 3, '良好'],
      ['乙分局', 56.03, 4, '不合格'], // 100 × (0.5 × 2/3 + 0.5 × 3/4) = 70.83 − 2 − 9.8 (98 days) − 2 − 1
    ]);
    const reasons = Object.fromEntries(mine(c).map((x) => [x.name, x.result!.rating!.reasons]));
    expect(reasons['甲分局']).toEqual(['综合得分 100（≥ 85），按分数为「优秀」']);
    expect(reasons['丙分局']).toEqual([
      '综合得分 88（≥ 85），按分数为「优秀」',
      '本期有第6级（问责）及以上督办事项 1 项（督办〔2025〕第16号），不得评定为优秀，调整为「良好」',
    ]);
    expect(reasons['丁分局']).toEqual(['综合得分 87（≥ 85），按分数为「优秀」', '按时销号率 75%，低于 80%，不得评定为优秀，调整为「良好」']);
    expect(reasons['乙分局']).toEqual(['综合得分 56.03（< 60），按分数为「不合格」']);
  });

  test('the report is mailed to the cycle’s recipients with an Excel workbook that reads back', async () => {
    const result = await run(cycle('quarterly'), '2025-Q3');
    expect(result.mailed).toBeGreaterThanOrEqual(1);
    const [mail] = await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(leaderEmail) && m.parsed.text!.includes('2025年第三季度') && m.parsed.messageId!.length > 0 && m.parsed.attachments.length === 1, 30_000);
    expect(mail!.parsed.subject).toBe('【季讲评】2025年第三季度整改督办讲评排名');
    expect(mail!.parsed.html).toContain('<table');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(mail!.parsed.attachments[0]!.content as unknown as ExcelJS.Buffer);
    const summary = workbook.getWorksheet('汇总')!;
    const rows = summary.getSheetValues().filter(Boolean).map((r) => (r as unknown[]).slice(1));
    const unitRows = rows.filter((r) => ['甲分局', '乙分局', '丙分局', '丁分局'].includes(r[1] as string));
    expect(unitRows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [1, '甲分局', '绿'],
      [2, '丙分局', '绿'],
      [3, '丁分局', '绿'],
      [4, '乙分局', '红'],
    ]);
    // The traffic light is a cell fill too.
    const red = summary.getRow(summary.getSheetValues().findIndex((r) => Array.isArray(r) && r[2] === '乙分局')).getCell(3);
    expect((red.fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFF8696B');
    // One sheet per unit listing its tasks.
    const sheetB = workbook.getWorksheet('乙分局')!;
    const codes = sheetB.getColumn(1).values.filter((v) => typeof v === 'string' && v.endsWith(tag));
    expect(codes).toEqual([`B3-${tag}`, `B1-${tag}`, `B2-${tag}`]);
  });

  test('re-running a past period gives identical snapshots, even after new activity', async () => {
    // This file's units (other test files share the database, and may add back-dated tasks of their own meanwhile).
    const report = async (key: Parameters<typeof cycle>[0], period: string) => {
      const c = await content((await run(cycle(key), period)).reportId);
      return { ...c, units: mine(c), totals: undefined };
    };
    const before = {
      monthly: await report('monthly', '2025-09'),
      quarterly: await report('quarterly', '2025-Q3'),
      annual: await report('annual', '2025'),
    };
    // Today: B3 gets an extension and is closed; a new task and a new notice appear; the task rows change.
    const now = new Date();
    const db = h.db;
    const b3 = ids.B3!;
    await db.extensionRequest.create({ data: { taskId: b3, requestedById: u.B.ownerId, currentDeadline: at('2025-09-25 18:00'), requestedDeadline: new Date(now.getTime() + 86_400_000), reason: '补充', status: 'approved', decidedAt: now, decidedById: office } });
    await db.taskEvent.createMany({
      data: [
        { idempotencyKey: `later:${b3}:1`, taskId: b3, type: 'extension_decided', at: now, data: { status: 'acknowledged', seq: 10, deadline: new Date(now.getTime() + 86_400_000).toISOString(), deadlineBefore: at('2025-09-25 18:00').toISOString() } },
        { idempotencyKey: `later:${b3}:2`, taskId: b3, type: 'verified', at: new Date(now.getTime() + 1000), data: { status: 'closed', seq: 11, deadline: new Date(now.getTime() + 86_400_000).toISOString() } },
      ],
    });
    await db.task.update({ where: { id: b3 }, data: { status: 'closed', completedAt: now, deadline: new Date(now.getTime() + 86_400_000) } });
    await db.task.update({ where: { id: ids.C1! }, data: { deadline: at('2025-08-01 18:00') } }); // the row no longer tells the truth of then
    await fixtureTask(db, u.A, { code: `A9-${tag}`, created: '2026-11-01 10:00', deadline: '2026-12-31 18:00', steps: [{ at: '2026-11-02 09:00', type: 'acknowledged' }] });
    // Numbered like every notice (gap-free per year, other test files count on it).
    const year = Number(localDate(now, 'Asia/Shanghai').slice(0, 4));
    const { last } = await db.noticeCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
    await db.notice.create({
      data: { taskId: ids.D4!, level: 3, type: 'supervision_notice', year, seq: last, number: `督办〔${year}〕第${last}号`, recipients: [], requiresAck: false, idempotencyKey: `later:${tag}`, issuedAt: now },
    });

    expect(await report('monthly', '2025-09')).toEqual(before.monthly);
    expect(await report('quarterly', '2025-Q3')).toEqual(before.quarterly);
    expect(await report('annual', '2025')).toEqual(before.annual);
  });
});
