import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { Prisma } from '../../generated/prisma/client';
import type { ReviewCycleInput, ReviewCycleResult } from '../../domain/contract';
import type { TaskRow } from '../../lib/review/snapshot';
import { TASK_CHUNK } from '../../lib/review/task-lists';
import { bearer, type OrgHarness, withOrgHarness } from '../support/api';
import { createTimeSkippingEnv } from '../support/env';
import { at, fixtureTask, type FixtureUnit, fixtureUnit } from '../support/review-fixture';

/**
 * A report's task lists live apart from its JSON content (ReviewReportTasks, chunks of 500 rows):
 * the report read answers the units without lists, GET /api/reviews/{id}/units/{unitId}/tasks
 * pages one unit's list in the report's order (across chunk boundaries), only within that report
 * and unit, for those who read reviews; the workbook still lists every open task; reports stored
 * before (lists inside its content, or chunks as text) read the same.
 *
 * March 2024, two units of this file: 大 with 1,234 open tasks (deadlines 10 March – 29 April, so
 * those before the 31st are overdue at the end) and 3 closed in March; 小 with one open task.
 */
const BIG = 1_234;

describe('paged task lists of a review report', () => {
  let x: OrgHarness;
  withOrgHarness(createTimeSkippingEnv, (ready) => (x = ready));
  const tag = randomUUID().slice(0, 8);
  const u = {} as Record<'big' | 'small' | 'absent', FixtureUnit>;
  const closedCodes: string[] = [];
  let reportId: string;
  let cycleKey: string;

  const get = (url: string, auth = x.office) => request(x.app).get(url).set('Authorization', auth);
  const tasksOf = (unitId: string, query: Record<string, string | number> = {}, id = reportId) => get(`/api/reviews/${id}/units/${unitId}/tasks`).query(query);
  /** Every row of a unit's list, page by page. */
  async function all(unitId: string, list: 'open' | 'closed', pageSize: number, id = reportId): Promise<TaskRow[]> {
    const rows: TaskRow[] = [];
    for (let page = 1; ; page++) {
      const res = await tasksOf(unitId, { list, page, pageSize }, id).expect(200);
      rows.push(...(res.body.items as TaskRow[]));
      if (rows.length >= res.body.total) return rows;
    }
  }

  beforeAll(async () => {
    const db = x.h.db;
    u.big = await fixtureUnit(db, tag, 1, `大分局${tag.slice(0, 4)}`);
    u.small = await fixtureUnit(db, tag, 2, `小分局${tag.slice(0, 4)}`);
    u.absent = await fixtureUnit(db, tag, 3, `无事项分局${tag.slice(0, 4)}`);
    // Open tasks as rows only (no transition: assigned, their own deadline), created in March.
    await db.$executeRawUnsafe(
      `INSERT INTO "Task"(id, code, title, "unitId", "ownerId", "ownerEmail", deadline, "reminderOffsetSeconds", status, "createdAt", "updatedAt")
       SELECT gen_random_uuid(), 'RT-${tag}-' || lpad(i::text, 4, '0'), '整改措施 ' || i, $1::uuid, $2::uuid, $3, timestamptz '2024-03-10 18:00+08' + (i % 51) * interval '1 day', 0, 'assigned', timestamptz '2024-03-05 10:00+08', now()
       FROM generate_series(1, ${BIG}) i`,
      u.big.id,
      u.big.ownerId,
      u.big.ownerEmail,
    );
    for (const [i, day] of ['2024-03-20', '2024-03-08', '2024-03-15'].entries()) {
      const code = `RC${i}-${tag}`;
      closedCodes.push(code);
      await fixtureTask(db, u.big, { code, created: '2024-03-01 10:00', deadline: '2024-03-18 18:00', steps: [{ at: '2024-03-02 09:00', type: 'acknowledged' }, { at: `${day} 10:00`, type: 'closed', by: x.org.people.office.id }] });
    }
    await fixtureTask(db, u.small, { code: `RS-${tag}`, created: '2024-03-01 10:00', deadline: '2024-04-10 18:00', steps: [{ at: '2024-03-02 09:00', type: 'acknowledged' }] });

    cycleKey = `rt-${tag}`;
    await db.reviewCycle.create({ data: { key: cycleKey, name: `月调度${tag.slice(0, 4)}`, period: 'monthly', reportType: 'dispatch', recipientRoles: ['office'] } });
    const result = (await x.h.env.client.workflow.execute('reviewCycle', {
      taskQueue: x.h.taskQueue,
      workflowId: `review-${cycleKey}-${randomUUID()}`,
      args: [{ cycleKey, period: '2024-03' } satisfies ReviewCycleInput],
    })) as ReviewCycleResult;
    reportId = result.reportId;
  }, 120_000);

  test('the stored content and the report read hold the units without their task lists', async () => {
    const stored = (await x.h.db.reviewReport.findUniqueOrThrow({ where: { id: reportId } })).content as { units: Record<string, unknown>[] };
    expect(stored.units.length).toBeGreaterThanOrEqual(2);
    expect(stored.units.every((unit) => !('openTasks' in unit) && !('closedTasks' in unit))).toBe(true);
    const res = await get(`/api/reviews/${reportId}`).expect(200);
    const big = (res.body.content.units as { unitId: string; metrics: { open: number; closed: number; overdue: number } }[]).find((unit) => unit.unitId === u.big.id)!;
    expect(big).not.toHaveProperty('openTasks');
    expect(big.metrics).toMatchObject({ open: BIG, closed: 3 });
    // Chunks of 500: 1,234 open rows in 3, the closed list in one, 小's two lists one each.
    const chunks = await x.h.db.reviewReportTasks.findMany({ where: { reportId, unitId: { in: [u.big.id, u.small.id] } }, select: { unitId: true, list: true, chunk: true, count: true }, orderBy: [{ unitId: 'asc' }, { list: 'asc' }, { chunk: 'asc' }] });
    expect(chunks.filter((c) => c.unitId === u.big.id).map((c) => [c.list, c.chunk, c.count])).toEqual([
      ['open', 0, TASK_CHUNK],
      ['open', 1, TASK_CHUNK],
      ['open', 2, BIG - 2 * TASK_CHUNK],
      ['closed', 0, 3],
    ]);
    expect(chunks.filter((c) => c.unitId === u.small.id).map((c) => [c.list, c.chunk, c.count])).toEqual([
      ['open', 0, 1],
      ['closed', 0, 0],
    ]);
  });

  test('a unit’s open tasks page by page, in the report’s order, across chunk boundaries', async () => {
    const open = await all(u.big.id, 'open', 200);
    expect(open).toHaveLength(BIG);
    expect(new Set(open.map((t) => t.code)).size).toBe(BIG);
    expect(open.every((t) => t.code!.startsWith(`RT-${tag}-`))).toBe(true);
    // By deadline, then code; overdue (deadline before 1 April 00:00) flagged red.
    const sorted = [...open].sort((a, b) => a.deadline.localeCompare(b.deadline) || a.code!.localeCompare(b.code!));
    expect(open.map((t) => t.code)).toEqual(sorted.map((t) => t.code));
    const end = at('2024-04-01 00:00').toISOString();
    expect(open.every((t) => t.overdue === t.deadline < end && (t.overdue ? t.light === 'red' : t.light !== 'red'))).toBe(true);
    expect(open[0]).toEqual({ taskId: expect.any(String), code: expect.any(String), title: expect.stringMatching(/^整改措施 /), owner: `${u.big.name}责任人`, deadline: at('2024-03-10 18:00').toISOString(), status: 'assigned', overdue: true, overdueDays: 22, level: 0, light: 'red', closedAt: null, onTime: null });

    // Any page size gives the same rows: 37 a page (page 14 runs from row 481 over the 500 boundary), and the default of 20.
    expect((await all(u.big.id, 'open', 37)).map((t) => t.taskId)).toEqual(open.map((t) => t.taskId));
    const page14 = await tasksOf(u.big.id, { page: 14, pageSize: 37 }).expect(200);
    expect(page14.body).toMatchObject({ unitId: u.big.id, list: 'open', total: BIG, page: 14, pageSize: 37 });
    expect(page14.body.items).toEqual(open.slice(481, 518));
    const first = await tasksOf(u.big.id).expect(200);
    expect(first.body).toMatchObject({ list: 'open', total: BIG, page: 1, pageSize: 20 });
    expect(first.body.items).toEqual(open.slice(0, 20));
    // The last page is short; past it, no rows (the total still says how many).
    expect((await tasksOf(u.big.id, { page: 7, pageSize: 200 }).expect(200)).body.items).toEqual(open.slice(1200));
    expect((await tasksOf(u.big.id, { page: 8, pageSize: 200 }).expect(200)).body).toMatchObject({ items: [], total: BIG });
  });

  test('the closed list, by closing time; a unit with nothing closed answers an empty page', async () => {
    const closed = (await tasksOf(u.big.id, { list: 'closed' }).expect(200)).body;
    expect(closed).toMatchObject({ list: 'closed', total: 3 });
    expect(closed.items.map((t: TaskRow) => [t.code, t.onTime])).toEqual([
      [closedCodes[1], true],
      [closedCodes[2], true],
      [closedCodes[0], false],
    ]);
    expect((await tasksOf(u.small.id, { list: 'closed' }).expect(200)).body).toMatchObject({ items: [], total: 0 });
    expect((await tasksOf(u.small.id).expect(200)).body.items.map((t: TaskRow) => t.code)).toEqual([`RS-${tag}`]);
  });

  test('the workbook still lists every open task of the unit, in the same order, then the closed ones', async () => {
    const row = await x.h.db.reviewReport.findUniqueOrThrow({ where: { id: reportId }, select: { excel: true } });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(row.excel) as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet(u.big.name)!;
    const codes = sheet.getColumn(1).values.filter((v): v is string => typeof v === 'string' && v.includes(tag));
    const open = await all(u.big.id, 'open', 200);
    expect(codes).toEqual([...open.map((t) => t.code), closedCodes[1], closedCodes[2], closedCodes[0]]);
  });

  test('only within the report and the unit, for those who read reviews; errors in the one error shape', async () => {
    // A unit the report does not list, a unit of another report, a report that does not exist.
    const none = await tasksOf(u.absent.id).expect(404);
    expect(none.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('报告中没有该单位') });
    const other = await x.h.env.client.workflow.execute('reviewCycle', { taskQueue: x.h.taskQueue, workflowId: `review-${cycleKey}-${randomUUID()}`, args: [{ cycleKey, period: '2023-01' } satisfies ReviewCycleInput] });
    expect((await tasksOf(u.big.id, {}, (other as ReviewCycleResult).reportId).expect(404)).body.error.code).toBe('NOT_FOUND');
    const missing = await tasksOf(u.big.id, {}, randomUUID()).expect(404);
    expect(missing.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('报告不存在') });
    // Readers of reviews, as for the report itself; staff do not.
    for (const who of ['headB', 'leader', 'viewerA'] as const) expect((await tasksOf(u.big.id, {}, reportId).set('Authorization', await bearer(x.org.people[who]))).status).toBe(200);
    const staff = await get(`/api/reviews/${reportId}/units/${u.big.id}/tasks`, await bearer(x.org.people.staffA1)).expect(403);
    expect(staff.body.error.code).toBe('FORBIDDEN');
    await request(x.app).get(`/api/reviews/${reportId}/units/${u.big.id}/tasks`).expect(401);
    // Checked input.
    expect((await tasksOf(u.big.id, { list: 'cancelled' }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await tasksOf(u.big.id, { pageSize: 201 }).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    expect((await get(`/api/reviews/${reportId}/units/not-a-uuid/tasks`).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
  }, 60_000);

  test('chunks stored as text before they were gzipped (kept as their UTF-8 bytes by the migration) read the same', async () => {
    const row = await x.h.db.reviewReportTasks.findUniqueOrThrow({ where: { reportId_unitId_list_chunk: { reportId, unitId: u.big.id, list: 'open', chunk: 1 } } });
    expect([...row.rows.subarray(0, 2)]).toEqual([0x1f, 0x8b]); // gzip
    const before = (await tasksOf(u.big.id, { page: 3, pageSize: 200 }).expect(200)).body;
    const { gunzipSync } = await import('node:zlib');
    await x.h.db.reviewReportTasks.update({ where: { reportId_unitId_list_chunk: { reportId, unitId: u.big.id, list: 'open', chunk: 1 } }, data: { rows: new Uint8Array(gunzipSync(row.rows)) } });
    try {
      // Rows 400–599: the end of chunk 0 (gzip) and the start of chunk 1 (text).
      expect((await tasksOf(u.big.id, { page: 3, pageSize: 200 }).expect(200)).body).toEqual(before);
    } finally {
      await x.h.db.reviewReportTasks.update({ where: { reportId_unitId_list_chunk: { reportId, unitId: u.big.id, list: 'open', chunk: 1 } }, data: { rows: row.rows } });
    }
  });

  test('a report stored before, with the lists inside its content, reads the same', async () => {
    const task = (i: number, closedAt: string | null): TaskRow => ({
      taskId: randomUUID(), code: `OLD${i}-${tag}`, title: `整改措施 ${i}`, owner: '张三', deadline: at('2024-02-20 18:00').toISOString(), status: closedAt ? 'closed' : 'acknowledged',
      overdue: !closedAt, overdueDays: closedAt ? 0 : 9, level: 0, light: closedAt ? 'none' : 'red', closedAt, onTime: closedAt ? true : null,
    });
    const open = [1, 2, 3, 4, 5].map((i) => task(i, null));
    const closed = [task(6, at('2024-02-10 10:00').toISOString())];
    const metrics = { tasks: 6, open: 5, closed: 1, closedOnTime: 1, cancelled: 0, overdue: 5, overdueDays: 45, maxOverdueDays: 9, escalations: {}, returned: 0, extensions: 0, onTimeRate: 1, closureRate: 1 / 6 };
    const content = {
      cycle: { key: cycleKey, name: '月调度', reportType: 'dispatch', reportTypeLabel: '月调度' },
      period: { kind: 'monthly', key: '2024-02', label: '2024年2月', start: at('2024-02-01 00:00').toISOString(), end: at('2024-03-01 00:00').toISOString() },
      previousPeriod: null,
      totals: metrics,
      units: [
        { unitId: u.small.id, code: u.small.code, name: u.small.name, metrics, openTasks: open, closedTasks: closed, notices: [], light: 'red', result: null },
        { unitId: u.big.id, code: u.big.code, name: u.big.name, metrics: { ...metrics, tasks: 0, open: 0, closed: 0 }, openTasks: [], closedTasks: [], notices: [], light: 'green', result: null },
      ],
      scoring: null,
    };
    const old = await x.h.db.reviewReport.create({
      data: { idempotencyKey: `old-${tag}`, cycleKey, period: '2024-02', periodStart: at('2024-02-01 00:00'), periodEnd: at('2024-03-01 00:00'), reportType: 'dispatch', content: content as unknown as Prisma.InputJsonValue, excel: new Uint8Array([1]) },
      select: { id: true },
    });
    const read = await get(`/api/reviews/${old.id}`).expect(200);
    expect(read.body).toMatchObject({ id: old.id, period: '2024-02', periodLabel: '2024年2月', units: 2 });
    expect(read.body.content).toEqual({ ...content, units: content.units.map(({ openTasks: _o, closedTasks: _c, ...unit }) => unit) });

    expect((await tasksOf(u.small.id, { page: 2, pageSize: 2 }, old.id).expect(200)).body).toEqual({ unitId: u.small.id, list: 'open', items: open.slice(2, 4), total: 5, page: 2, pageSize: 2 });
    expect((await tasksOf(u.small.id, { page: 3, pageSize: 2 }, old.id).expect(200)).body.items).toEqual(open.slice(4));
    expect((await tasksOf(u.small.id, { list: 'closed' }, old.id).expect(200)).body).toMatchObject({ items: closed, total: 1 });
    expect((await tasksOf(u.big.id, {}, old.id).expect(200)).body).toMatchObject({ items: [], total: 0 });
    expect((await tasksOf(u.absent.id, {}, old.id).expect(404)).body.error.code).toBe('NOT_FOUND');
  });
});
