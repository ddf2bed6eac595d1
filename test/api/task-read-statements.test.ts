import { PrismaPg } from '@prisma/adapter-pg';
import request from 'supertest';
import { PrismaClient } from '../../generated/prisma/client';
import { bearer, createTestApp, inHours } from '../support/api';
import { createTimeSkippingEnv, type Harness, startHarness, testDatabaseUrl } from '../support/env';
import { createOrg } from '../support/org';

const queryLoggingClient = () => new PrismaClient({ adapter: new PrismaPg({ connectionString: testDatabaseUrl() }), log: [{ emit: 'event', level: 'query' }] });

/**
 * The status read (GET /api/tasks/:id, the task with its whole timeline) costs at most 3 SQL
 * statements (bench B3's target): the task with every timeline relation in one, its audit entries
 * in another; authentication is served from the actor cache once warm.
 */
describe('the task read: the whole timeline in at most 3 statements', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  /** Runs `fn` against an app whose database client records every statement it sends. */
  async function withLoggedStatements(fn: (x: { app: ReturnType<typeof createTestApp>; statements: string[] }) => Promise<void>) {
    const db = queryLoggingClient();
    const statements: string[] = [];
    db.$on('query', (e) => statements.push(e.query));
    try {
      await fn({ app: createTestApp({ ...h, db }), statements });
    } finally {
      await db.$disconnect();
    }
  }

  test('a task with progress, an extension request and its audit trail is read in ≤ 3 statements, with everything in it', async () => {
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
      expect(statements.length).toBeLessThanOrEqual(3);
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
});
