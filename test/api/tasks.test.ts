import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { LeadUnitSearchAttribute, TaskStatusSearchAttribute, TrafficLightSearchAttribute } from '../../domain/contract';
import { bearer, createTestApp, inHours } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

/** Every error response has this shape and nothing else (no stack traces). */
function expectErrorShape(body: unknown, code: string) {
  expect(body).toEqual({
    error: {
      code,
      message: expect.any(String),
      requestId: expect.any(String),
      ...((body as { error: { details?: unknown } }).error.details ? { details: expect.anything() } : {}),
    },
  });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('tasks API, in-process against the dev server, the test database and an SMTP server', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  let office: string;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
    office = await bearer(org.people.office);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  const validTask = () => ({
    title: '整治“吃拿卡要”问题',
    unitId: org.units.officeA1.id,
    ownerId: org.people.staffA1.id,
    supervisorId: org.people.leader.id,
    deadline: inHours(72),
    reminderOffsetSeconds: 3600,
  });
  const post = (url: string) => request(app).post(url).set('Authorization', office);
  const get = (url: string) => request(app).get(url).set('Authorization', office);

  test('creating a task stores it, starts its workflow and returns it as open', async () => {
    const res = await post('/api/tasks').send(validTask()).expect(201);
    expect(res.body).toMatchObject({
      status: 'assigned',
      statusLabel: '已交办',
      overdue: false,
      trafficLight: 'yellow', // due in 72 h: within 3 days
      unit: { id: org.units.officeA1.id, name: '窗口服务股' },
      owner: { id: org.people.staffA1.id, email: org.people.staffA1.email },
      supervisor: { id: org.people.leader.id },
      mails: [],
      workflowId: `task-${res.body.id}`,
    });
    const described = await h.env.client.workflow.getHandle(res.body.workflowId).describe();
    expect(described.status.name).toBe('RUNNING');
    // Filterable in the Web UI and with `temporal workflow list --query` once its first workflow task ran.
    await eventually(async () => {
      const { typedSearchAttributes: sa } = await h.env.client.workflow.getHandle(res.body.workflowId).describe();
      expect([sa.get(LeadUnitSearchAttribute), sa.get(TaskStatusSearchAttribute), sa.get(TrafficLightSearchAttribute)]).toEqual([
        org.units.officeA1.code,
        'assigned',
        'yellow',
      ]);
    });
    const row = await h.db.task.findUnique({ where: { id: res.body.id } });
    expect(row?.title).toBe('整治“吃拿卡要”问题');
    const audit = await h.db.auditEvent.findMany({ where: { targetType: 'task', targetId: res.body.id } });
    expect(audit.map((a) => [a.action, a.actorId, a.requestId])).toEqual([['task.create', org.people.office.id, res.headers['x-request-id']]]);
  });

  test('the office closing a task directly returns its closed state; closing it again is a 409 naming the rule', async () => {
    const created = await post('/api/tasks').send(validTask()).expect(201);
    const done = await post(`/api/tasks/${created.body.id}/complete`).send({ note: '已整改' }).expect(200);
    expect(done.body.status).toBe('closed');

    const again = await post(`/api/tasks/${created.body.id}/complete`).send({}).expect(409);
    expectErrorShape(again.body, 'ILLEGAL_TRANSITION');
    expect(again.body.error.details).toEqual({ rule: 'task.complete.from_closed' });

    const read = await get(`/api/tasks/${created.body.id}`).expect(200);
    expect(read.body.status).toBe('closed');
    expect(read.body.events.map((e: { type: string }) => e.type)).toEqual(['completed']);
    expect(read.body.audit.map((a: { action: string }) => a.action)).toEqual(['task.create', 'task.complete']);
  });

  test.each([
    ['a missing title', { title: undefined }, 'body.title'],
    ['a malformed owner id', { ownerId: 'zhang-san' }, 'body.ownerId'],
    ['a deadline without time zone', { deadline: '2030-01-01T09:00:00' }, 'body.deadline'],
    ['a deadline in the past', { deadline: '2020-01-01T09:00:00+08:00' }, 'body.deadline'],
    ['a negative reminder offset', { reminderOffsetSeconds: -5 }, 'body.reminderOffsetSeconds'],
    ['an unknown field', { priority: 'high' }, 'body'],
  ])('%s is a 400 that names the field', async (_label, patch, field) => {
    const res = await post('/api/tasks').send({ ...validTask(), ...patch }).expect(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  test.each([
    ['an owner outside the lead unit', () => ({ ownerId: org.people.staffB.id }), 'body.ownerId', 'owner.in_unit'],
    ['an unknown lead unit', () => ({ unitId: randomUUID() }), 'body.unitId', 'exists'],
    ['a supervisor who is not a leader', () => ({ supervisorId: org.people.staffA1b.id }), 'body.supervisorId', 'supervisor.is_leader'],
  ])('%s is a 400 naming the field and the rule', async (_label, patch, field, rule) => {
    const res = await post('/api/tasks').send({ ...validTask(), ...patch() }).expect(400);
    expectErrorShape(res.body, 'VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([expect.objectContaining({ field, rule })]);
  });

  test('a body over 100 kB is a 413', async () => {
    const res = await post('/api/tasks').send({ ...validTask(), title: 'x'.repeat(200_000) }).expect(413);
    expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
  });

  test('a body that is not JSON is a 415, and the task is not touched', async () => {
    const created = await post('/api/tasks').send(validTask()).expect(201);
    const res = await post(`/api/tasks/${created.body.id}/complete`).set('Content-Type', 'text/plain').send('done').expect(415);
    expectErrorShape(res.body, 'UNSUPPORTED_MEDIA_TYPE');
    expect((await get(`/api/tasks/${created.body.id}`).expect(200)).body.status).toBe('assigned');
  });

  test('malformed JSON is a 400, not a 500', async () => {
    const res = await post('/api/tasks').set('Content-Type', 'application/json').send('{"title": ').expect(400);
    expectErrorShape(res.body, 'INVALID_JSON');
  });

  test('unknown ids are 404, malformed ids 400', async () => {
    expectErrorShape((await get(`/api/tasks/${randomUUID()}`).expect(404)).body, 'NOT_FOUND');
    expectErrorShape((await post(`/api/tasks/${randomUUID()}/complete`).send({}).expect(404)).body, 'NOT_FOUND');
    expectErrorShape((await get('/api/tasks/123').expect(400)).body, 'VALIDATION_FAILED');
    expectErrorShape((await get('/api/nothing-here').expect(404)).body, 'NOT_FOUND');
  });

  test('without credentials every task endpoint is a 401', async () => {
    expectErrorShape((await request(app).get('/api/tasks').expect(401)).body, 'UNAUTHENTICATED');
    expectErrorShape((await request(app).post('/api/tasks').send(validTask()).expect(401)).body, 'UNAUTHENTICATED');
    expectErrorShape((await request(app).get('/api/tasks').set('Authorization', 'Bearer not-a-token').expect(401)).body, 'UNAUTHENTICATED');
  });

  test('/healthz reports Temporal, database and SMTP as reachable (status only); an admin sees each check at /api/health', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    const details = await request(app).get('/api/health').set('Authorization', await bearer(org.people.admin)).expect(200);
    expect(details.body).toEqual({ status: 'ok', checks: { temporal: { ok: true, ms: expect.any(Number) }, database: { ok: true, ms: expect.any(Number) }, smtp: { ok: true, ms: expect.any(Number) } } });
    await request(app).get('/api/health').set('Authorization', office).expect(403);
    await request(app).get('/api/health').expect(401);
  });
});
