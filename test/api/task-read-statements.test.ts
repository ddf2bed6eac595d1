import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { loadTimeline, timelineInclude } from '../../api/tasks/service';
import { createDb, rawDbOf } from '../../lib/db';
import { bearer, createTestApp, inHours } from '../support/api';
import { createTimeSkippingEnv, type Harness, startHarness, testDatabaseUrl } from '../support/env';
import { createOrg } from '../support/org';

/**
 * The status read (GET /api/tasks/:id, the task with its whole timeline) costs one SQL statement
 * (bench B3's target is at most 3): the task with every timeline relation and its audit entries;
 * authentication is served from the actor cache once warm.
 */
describe('the task read: the whole timeline in one statement', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  /**
   * Runs `fn` against an app on a client of its own, made as production makes it (createDb), that
   * records every statement its connections send: the ORM's, its transactions', and the raw ones
   * on the same pool (lib/db.ts rawDbOf).
   */
  async function withLoggedStatements(fn: (x: { app: ReturnType<typeof createTestApp>; statements: string[] }) => Promise<void>) {
    const db = createDb(testDatabaseUrl());
    const statements: string[] = [];
    rawDbOf(db)!.pool.on('connect', (client) => {
      const query = client.query.bind(client) as (config: unknown, ...rest: unknown[]) => unknown;
      client.query = ((config: unknown, ...rest: unknown[]) => {
        statements.push(typeof config === 'string' ? config : (config as { text: string }).text);
        return query(config, ...rest);
      }) as typeof client.query;
    });
    try {
      await fn({ app: createTestApp({ ...h, db }), statements });
    } finally {
      await db.$disconnect();
    }
  }

  test('a task with progress, an extension request and its audit trail is read in one statement, with everything in it', async () => {
    await withLoggedStatements(async ({ app, statements }) => {
      const org = await createOrg(h.db);
      const office = await bearer(org.people.office);
      const owner = await bearer(org.people.staffA1);
      const created = await request(app).post('/api/tasks').set('Authorization', office).send({ title: '规范窗口服务收费公示', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, deadline: inHours(24 * 20) }).expect(201);
      const t = `/api/tasks/${created.body.id}`;
      await request(app).post(`${t}/acknowledge`).set('Authorization', owner).send({}).expect(200);
      await request(app).post(`${t}/progress`).set('Authorization', owner).send({ text: '已完成窗口人员培训' }).expect(200);
      await request(app).post(`${t}/extension-request`).set('Authorization', owner).send({ requestedDeadline: inHours(24 * 40), reason: '需协调外单位' }).expect(200);
      await request(app).get(t).set('Authorization', office).expect(200); // warms the actor cache
      statements.length = 0;
      const read = await request(app).get(t).set('Authorization', office).expect(200);
      expect(statements).toHaveLength(1);
      expect(read.body).toMatchObject({
        status: 'in_progress',
        events: [expect.objectContaining({ type: 'acknowledged', label: '签收' }), expect.objectContaining({ type: 'progress_reported' }), expect.objectContaining({ type: 'extension_requested' })],
        progress: [expect.objectContaining({ text: '已完成窗口人员培训' })],
        extensions: [expect.objectContaining({ status: 'pending' })],
        allowedActions: expect.arrayContaining(['decide_extension', 'complete']),
      });
      expect(read.body.audit.map((a: { action: string }) => a.action)).toEqual(['task.create', 'task.acknowledge', 'task.report_progress', 'task.request_extension']);
      // Outside the caller's scope: nothing of it is answered.
      const other = await bearer(org.people.headB);
      expect((await request(app).get(t).set('Authorization', other)).status).toBe(404);
    });
  });

  test('the create is answered from the rows it wrote: no read-back, the same answer a read gives', async () => {
    await withLoggedStatements(async ({ app, statements }) => {
      const org = await createOrg(h.db);
      const office = await bearer(org.people.office);
      const body = { title: '规范窗口服务收费公示', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, supervisorId: org.people.leader.id, deadline: inHours(24 * 20) };
      await request(app).post('/api/tasks').set('Authorization', office).send(body).expect(201); // warms the actor cache
      statements.length = 0;
      // Another title: the same body again within the window is answered as the first (implicit key).
      const created = await request(app).post('/api/tasks').set('Authorization', office).send({ ...body, title: '规范窗口服务收费公示（二）' }).expect(201);
      // The unit, owner and supervisor in one statement; the task and its audit event in another
      // (no transaction around them) — and no read of the task after it. Beside them, the
      // idempotency claim and the answer it keeps (api/http/idempotency.ts).
      const ours = () => statements.filter((q) => !/"IdempotentRequest"/.test(q));
      expect(statements.filter((q) => /^SELECT/i.test(q) && /"Task"/.test(q))).toEqual([]);
      expect(statements.filter((q) => /^(BEGIN|COMMIT)/i.test(q))).toEqual([]);
      expect(ours()).toHaveLength(2);
      expect(statements).toHaveLength(4);
      const read = await request(app).get(`/api/tasks/${created.body.id}`).set('Authorization', office).expect(200);
      expect(created.body).toEqual(read.body);
      expect(created.body).toMatchObject({ status: 'assigned', supervisor: { id: org.people.leader.id }, audit: [expect.objectContaining({ action: 'task.create' })] });
      const audit = await h.db.auditEvent.findMany({ where: { targetType: 'task', targetId: created.body.id } });
      expect(audit).toMatchObject([{ action: 'task.create', actorId: org.people.office.id, after: { title: created.body.title, ownerId: org.people.staffA1.id, calendarVersion: null } }]);

      // A working-day deadline: the calendar's state is read in the same lookup statement (the
      // calendar itself once per client, by the first such create, then from loadCalendar's cache).
      const counting = { ...body, deadline: undefined, workingDays: 15 };
      await request(app).post('/api/tasks').set('Authorization', office).send({ ...counting, title: '首个按工作日计的任务' }).expect(201);
      statements.length = 0;
      const counted = await request(app).post('/api/tasks').set('Authorization', office).send(counting).expect(201);
      expect(ours()).toHaveLength(2);
      const row = await h.db.task.findUniqueOrThrow({ where: { id: counted.body.id } });
      expect(row).toMatchObject({ deadlineWorkingDays: 15, deadlineCalendarVersion: expect.any(Number) });
      expect(counted.body).toEqual((await request(app).get(`/api/tasks/${counted.body.id}`).set('Authorization', office).expect(200)).body);
    });
  });

  test('the one statement gives the rows Prisma’s include gives, every relation filled, dates as Dates', async () => {
    const org = await createOrg(h.db);
    const tag = randomUUID().slice(0, 8);
    const campaign = await h.db.campaign.create({ data: { code: `C-${tag}`, name: '窗口服务专项整治', source: 'inspection', ownerUnitId: org.units.bureau.id } });
    const problem = await h.db.problem.create({
      data: { campaignId: campaign.id, seq: 1, code: `C-${tag}-P1`, description: '收费未公示', source: 'inspection', category: '窗口', severity: 'serious', foundOn: new Date('2026-11-02') },
    });
    const at = (iso: string) => new Date(iso);
    const task = await h.db.task.create({
      data: {
        title: '规范窗口服务收费公示', problemId: problem.id, seq: 1, code: `C-${tag}-P1-T1`, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id,
        ownerEmail: org.people.staffA1.email, supervisorId: org.people.leader.id, deadline: at('2026-12-20T09:30:00.123Z'), reminderOffsetSeconds: 86_400,
        status: 'in_progress', returnCount: 1, completedAt: null,
        coUnits: { create: [{ unitId: org.units.deptB.id }] },
        events: { create: [
          { idempotencyKey: `${tag}:e2`, type: 'progress_reported', at: at('2026-12-03T02:00:00.456Z'), data: { text: '已培训', n: 2 } },
          { idempotencyKey: `${tag}:e1`, type: 'acknowledged', at: at('2026-12-02T01:00:00Z') },
        ] },
        mails: { create: [{ idempotencyKey: `${tag}:m1`, kind: 'assigned', to: org.people.staffA1.email, subject: '新任务', status: 'sent', messageId: `<${tag}@x>`, sentAt: at('2026-12-01T08:00:00.001Z') }] },
        progress: { create: [{ authorId: org.people.staffA1.id, text: '已完成窗口人员培训 "引号" \\ 反斜杠' }] },
        verifications: { create: [{ decision: 'return', reason: '证据不足', verifierId: org.people.office.id }] },
        extensions: { create: [
          { requestedById: org.people.staffA1.id, currentDeadline: at('2026-12-10T09:30:00Z'), requestedDeadline: at('2026-12-20T09:30:00.123Z'), reason: '需协调', status: 'approved', decidedById: org.people.office.id, decidedAt: at('2026-12-04T03:00:00Z'), decisionReason: '同意' },
          { requestedById: org.people.staffA1.id, currentDeadline: at('2026-12-20T09:30:00.123Z'), requestedDeadline: at('2027-01-05T09:30:00Z'), reason: '再延', status: 'pending' },
        ] },
        notices: { create: [
          { level: 2, type: 'supervision_notice', color: 'yellow', year: 2126, seq: Math.floor(Math.random() * 1e9), number: `督-${tag}`, recipients: ['a@x', 'b@x'], requiresAck: true, acknowledgedAt: at('2026-12-05T00:00:00Z'), idempotencyKey: `${tag}:n1`, issuedAt: at('2026-12-04T00:00:00Z') },
        ] },
      },
    });
    await h.db.auditEvent.createMany({ data: [
      { action: 'task.create', targetType: 'task', targetId: task.id, actorEmail: org.people.office.email, after: { title: task.title }, at: at('2026-12-01T00:00:00Z') },
      { action: 'task.acknowledge', targetType: 'task', targetId: task.id, before: { status: 'assigned' }, at: at('2026-12-02T01:00:00Z') },
      { action: 'campaign.create', targetType: 'campaign', targetId: task.id, at: at('2026-12-01T00:00:00Z') },
    ] });

    const read = await loadTimeline(h.db, task.id);
    const expected = {
      task: await h.db.task.findUnique({ where: { id: task.id }, include: timelineInclude }),
      audit: await h.db.auditEvent.findMany({ where: { targetType: 'task', targetId: task.id }, orderBy: { at: 'asc' } }),
    };
    expect(read).toEqual(expected);
    expect(read!.task).toMatchObject({ _count: { notices: 1, extensions: 1 }, coUnits: [{ unit: { id: org.units.deptB.id } }], problem: { campaign: { id: campaign.id } } });
    expect(read!.task.events.map((e) => e.type)).toEqual(['acknowledged', 'progress_reported']);
    expect(read!.task.extensions[0]!.decidedAt).toBeInstanceOf(Date);
    expect(read!.audit.map((a) => a.action)).toEqual(['task.create', 'task.acknowledge']);
    // A task with nothing around it: empty arrays and nulls, as the include gives them.
    const bare = await h.db.task.create({ data: { title: '独立任务', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, ownerEmail: org.people.staffB.email, deadline: at('2026-12-30T00:00:00Z'), reminderOffsetSeconds: 3600 } });
    expect(await loadTimeline(h.db, bare.id)).toEqual({ task: await h.db.task.findUnique({ where: { id: bare.id }, include: timelineInclude }), audit: [] });
    expect(await loadTimeline(h.db, randomUUID())).toBeNull();
  });
});
