import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { localDate } from '../../domain/calendar';
import { reviewedPeriod } from '../../domain/review/periods';
import { ensureDefaultCycles, syncReviewSchedules } from '../../lib/review/schedules';
import { bearer, type OrgHarness, withOrgHarness } from '../support/api';
import { createDevServerEnv } from '../support/env';
import { eventually } from '../support/eventually';
import { fixtureTask, fixtureUnit } from '../support/review-fixture';

const TZ = 'Asia/Shanghai';
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const sheetRows = (ws: ExcelJS.Worksheet) => ws.getSheetValues().filter(Array.isArray).map((r) => (r as unknown[]).slice(1));

/**
 * The review cycles on real Temporal Schedules (dev server): created at start-up and brought up to
 * date at the next without duplicates, run now through the API, backfilled for a past period,
 * paused and resumed.
 */
describe('review cycles on Temporal Schedules', () => {
  let x: OrgHarness;
  withOrgHarness(createDevServerEnv, (ready) => (x = ready));
  const ids = ['review-annual', 'review-monthly', 'review-quarterly'];

  test('two start-ups: one schedule per cycle, on the first working day of each period at 09:00 Beijing time', async () => {
    const opts = { taskQueue: x.h.taskQueue, timeZone: TZ };
    await ensureDefaultCycles(x.h.db);
    const first = await syncReviewSchedules(x.h.env.client, x.h.db, opts);
    expect(first.created).toEqual(expect.arrayContaining(ids));
    await ensureDefaultCycles(x.h.db);
    const second = await syncReviewSchedules(x.h.env.client, x.h.db, opts);
    expect(second.updated).toEqual(expect.arrayContaining(ids));
    expect(second.created.filter((id) => ids.includes(id))).toEqual([]);
    await eventually(async () => {
      const listed: string[] = [];
      for await (const s of x.h.env.client.schedule.list()) listed.push(s.scheduleId);
      expect(listed.filter((id) => ids.includes(id)).sort()).toEqual(ids);
    }, 20_000, 250);

    const quarterly = await x.h.env.client.schedule.getHandle('review-quarterly').describe();
    expect(quarterly.spec.timezone).toBe(TZ);
    expect(quarterly.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reviewCycle', taskQueue: x.h.taskQueue, args: [{ cycleKey: 'quarterly' }] });
    const calendar = (comment: string) => quarterly.spec.calendars?.find((c) => c.comment === comment);
    // 1–7 October 2026 are the National Day holiday: the fourth quarter's first working day is the 8th.
    expect(calendar('2026年第四季度首个工作日')).toMatchObject({
      year: [{ start: 2026, end: 2026, step: 1 }],
      month: [{ start: 'OCTOBER', end: 'OCTOBER', step: 1 }],
      dayOfMonth: [{ start: 8, end: 8, step: 1 }],
      hour: [{ start: 9, end: 9, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
    const monthly = await x.h.env.client.schedule.getHandle('review-monthly').describe();
    // 1–3 January 2026 are off; Sunday the 4th is a working day (调休).
    expect(monthly.spec.calendars?.find((c) => c.comment === '2026年1月首个工作日')).toMatchObject({ dayOfMonth: [{ start: 4, end: 4, step: 1 }] });
    // The next runs are at 09:00 local on working days.
    for (const next of monthly.info.nextActionTimes.slice(0, 3)) {
      expect(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit' }).format(next)).toBe('09:00');
    }
  });

  test('trigger now: the period just ended is reported, mailed with a workbook that reads back, and served by the API', async () => {
    const db = x.h.db;
    const tag = randomUUID().slice(0, 8);
    const period = reviewedPeriod('monthly', new Date(), TZ);
    const day = (n: number, time: string) => `${addDays(period.startDate, n)} ${time}`;
    const ontime = await fixtureUnit(db, tag, 1, `按时科${tag}`);
    const late = await fixtureUnit(db, tag, 2, `逾期科${tag}`);
    const office = x.org.people.office.id;
    await fixtureTask(db, ontime, { code: `T1-${tag}`, created: day(1, '10:00'), deadline: day(5, '18:00'), steps: [{ at: day(3, '10:00'), type: 'closed', by: office }] });
    await fixtureTask(db, late, { code: `T2-${tag}`, created: day(1, '10:00'), deadline: day(2, '18:00'), steps: [{ at: day(2, '18:00'), type: 'overdue' }] });
    const monthDays = (Date.parse(period.endDate) - Date.parse(period.startDate)) / 86_400_000;

    const res = await request(x.app).post('/api/review-cycles/monthly/trigger').set('Authorization', x.office).send({});
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ cycleKey: 'monthly', period: period.key });

    const leader = x.org.people.leader.email;
    const [mail] = await x.h.smtp.waitFor(1, (m) => m.envelopeTo.includes(leader) && (m.parsed.subject ?? '').startsWith('【月调度】'), 60_000);
    expect(mail!.parsed.subject).toBe(`【月调度】${period.label}整改督办调度通报`);
    const attachment = mail!.parsed.attachments[0]!;
    expect(attachment.filename).toBe(`月调度-${period.key}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(attachment.content as unknown as ExcelJS.Buffer);
    const mine = sheetRows(wb.getWorksheet('汇总')!).filter((r) => String(r[0]).endsWith(tag));
    // 单位, 状态灯, 在督事项, 期末未销号, 本期销号, 按时销号, 按时销号率, 期末逾期, 逾期天数, 督办升级, 退回, 延期
    expect(mine).toEqual([
      [`按时科${tag}`, '绿', 1, 0, 1, 1, '100%', 0, 0, 0, 0, 0],
      [`逾期科${tag}`, '红', 1, 1, 0, 0, '—', 1, monthDays - 2, 0, 0, 0],
    ]);
    const lateSheet = sheetRows(wb.getWorksheet(`逾期科${tag}`)!);
    expect(lateSheet.find((r) => r[0] === `T2-${tag}`)).toEqual([`T2-${tag}`, `整改措施 T2-${tag}`, `逾期科${tag}责任人`, expect.any(String), '已交办', '是', monthDays - 2, 0, '红']);

    // The API lists the report, returns it as JSON and serves the same workbook.
    const list = await request(x.app).get('/api/reviews').query({ cycle: 'monthly', period: period.key }).set('Authorization', x.office);
    expect(list.status).toBe(200);
    const summary = list.body.items[0];
    expect(summary).toMatchObject({ cycleKey: 'monthly', period: period.key, periodLabel: period.label, reportType: 'dispatch' });
    const one = await request(x.app).get(`/api/reviews/${summary.id}`).set('Authorization', await bearer(x.org.people.headA));
    expect(one.status).toBe(200);
    expect(one.body.content.units.find((u: { name: string }) => u.name === `逾期科${tag}`).metrics).toMatchObject({ open: 1, overdue: 1, overdueDays: monthDays - 2 });
    const file = await request(x.app).get(`/api/reviews/${summary.id}/excel`).set('Authorization', x.office).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const served = new ExcelJS.Workbook();
    await served.xlsx.load(file.body as ExcelJS.Buffer);
    expect(sheetRows(served.getWorksheet('汇总')!).filter((r) => String(r[0]).endsWith(tag))).toEqual(mine);
    // Staff do not read reviews.
    expect((await request(x.app).get(`/api/reviews/${summary.id}`).set('Authorization', await bearer(x.org.people.staffA1))).status).toBe(403);
  }, 120_000);

  test('backfill a past period, pause and resume; bad input is named', async () => {
    const today = localDate(new Date(), TZ);
    const past = reviewedPeriod('monthly', new Date(Date.parse(`${today.slice(0, 7)}-01T00:00:00Z`) - 40 * 86_400_000), TZ);
    const res = await request(x.app).post('/api/review-cycles/monthly/backfill').set('Authorization', x.office).send({ period: past.key });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ cycleKey: 'monthly', period: past.key });
    await eventually(async () => expect(await x.h.db.reviewReport.count({ where: { cycleKey: 'monthly', period: past.key } })).toBeGreaterThanOrEqual(1), 60_000, 250);

    const bad = await request(x.app).post('/api/review-cycles/monthly/backfill').set('Authorization', x.office).send({ period: '2026-Q3' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'period', rule: 'period.monthly' })]);
    const unfinished = await request(x.app).post('/api/review-cycles/monthly/backfill').set('Authorization', x.office).send({ period: today.slice(0, 7) });
    expect(unfinished.status).toBe(400);
    expect(unfinished.body.error.details).toEqual([expect.objectContaining({ field: 'period', rule: 'period.ended' })]);

    const paused = await request(x.app).post('/api/review-cycles/annual/pause').set('Authorization', x.office).send({});
    expect(paused.status).toBe(200);
    expect(paused.body.paused).toBe(true);
    expect((await x.h.env.client.schedule.getHandle('review-annual').describe()).state.paused).toBe(true);
    // A start-up keeps it paused (the configuration says so).
    await syncReviewSchedules(x.h.env.client, x.h.db, { taskQueue: x.h.taskQueue, timeZone: TZ }, 'annual');
    expect((await x.h.env.client.schedule.getHandle('review-annual').describe()).state.paused).toBe(true);
    const resumed = await request(x.app).post('/api/review-cycles/annual/resume').set('Authorization', x.office).send({});
    expect(resumed.body.paused).toBe(false);
    expect((await x.h.env.client.schedule.getHandle('review-annual').describe()).state.paused).toBe(false);
    // Only the office and admins manage cycles.
    expect((await request(x.app).post('/api/review-cycles/annual/pause').set('Authorization', await bearer(x.org.people.leader)).send({})).status).toBe(403);
  }, 120_000);

  test('an admin adds a weekly cycle (周排查) with its own weights; invalid weights are refused with the rule named', async () => {
    const admin = await bearer(x.org.people.admin);
    const body = { name: '周排查', period: 'weekly', reportType: 'review', time: '08:30', recipientRoles: ['office'], scoring: null };
    const res = await request(x.app).put('/api/review-cycles/weekly-check').set('Authorization', admin).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'weekly-check', period: 'weekly', time: '08:30', paused: false, schedule: { id: 'review-weekly-check' } });
    const d = await x.h.env.client.schedule.getHandle('review-weekly-check').describe();
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    const listed = await request(x.app).get('/api/review-cycles').set('Authorization', x.office);
    expect(listed.body.items.map((c: { key: string }) => c.key)).toEqual(expect.arrayContaining(['monthly', 'quarterly', 'annual', 'weekly-check']));

    const badWeights = await request(x.app)
      .put('/api/review-cycles/weekly-check')
      .set('Authorization', admin)
      .send({ ...body, scoring: { weights: { onTimeRate: 0.7, closureRate: 0.7, overdueTask: 2, overdueDay: 0.1, escalation: {}, returned: 1, extension: 0 }, ratingThresholds: { excellent: 85, good: 75, pass: 60 }, rules: [] } });
    expect(badWeights.status).toBe(400);
    expect(badWeights.body.error.details).toEqual([expect.objectContaining({ field: 'body.scoring.weights.onTimeRate' })]);
  }, 60_000);
});
