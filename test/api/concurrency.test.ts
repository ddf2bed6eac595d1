import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { verifyPassword } from '../../lib/auth';
import { localDate } from '../../domain/calendar';
import { reviewedPeriod } from '../../domain/review/periods';
import { bearer, createTestApp, type OrgHarness, withOrgHarness } from '../support/api';
import { createDevServerEnv } from '../support/env';

/**
 * One effect per action (issue 14): for every write endpoint of notices, units, people, the
 * calendar and review cycles, 20 identical calls at once make one change and one audit event; the
 * others get the idempotent answer or 409/404, never a second row or a 5xx. The app runs on a task
 * queue no worker polls, so a review run it starts stays running for the whole test (a duplicate
 * cannot hide behind a run that has already ended).
 */
const N = 20;
const TZ = 'Asia/Shanghai';

describe('one effect per action: 20 concurrent identical calls', () => {
  let x: OrgHarness;
  withOrgHarness(createDevServerEnv, (ready) => (x = ready));
  let server: Server;
  /** On the worker's queue: a calendar change recomputes deadlines in a workflow that must run. */
  let working: Server;
  let admin: string;
  beforeAll(async () => {
    server = createTestApp({ ...x.h, taskQueue: `idle-${randomUUID()}` }).listen(0);
    working = createTestApp(x.h).listen(0);
    admin = await bearer(x.org.people.admin);
  });
  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    await new Promise<void>((done) => working.close(() => done()));
  });

  const burst = (send: () => request.Test) => Promise.all(Array.from({ length: N }, () => send()));
  const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();
  const audits = (action: string, targetId: string) => x.h.db.auditEvent.count({ where: { action, targetId } });
  const tag = () => randomUUID().slice(0, 8);

  test('签收: one acknowledgement and one audit event; every caller gets the same acknowledgement', async () => {
    const { people, units } = x.org;
    const task = await x.h.db.task.create({
      data: { title: '并发签收', unitId: units.officeA1.id, ownerId: people.staffA1.id, ownerEmail: people.staffA1.email, deadline: new Date(Date.now() - 86_400_000), reminderOffsetSeconds: 0 },
    });
    const year = Number(localDate(new Date(), TZ).slice(0, 4));
    const { last } = await x.h.db.noticeCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
    const notice = await x.h.db.notice.create({
      data: { taskId: task.id, level: 2, type: 'supervision_notice', color: 'yellow', year, seq: last, number: `督办〔${year}〕第${last}号`, recipients: [people.headA.email], requiresAck: true, idempotencyKey: `test:${randomUUID()}`, issuedAt: new Date() },
    });
    const headA = await bearer(people.headA);
    const rs = await burst(() => request(server).post(`/api/notices/${notice.id}/acknowledge`).set('Authorization', headA).send({}));
    expect(statuses(rs)).toEqual(Array(N).fill(200));
    expect(new Set(rs.map((r) => r.body.acknowledgedAt)).size).toBe(1);
    expect(await audits('notice.acknowledge', task.id)).toBe(1);
    expect(await x.h.db.notice.findUniqueOrThrow({ where: { id: notice.id } })).toMatchObject({ acknowledgedById: people.headA.id });
  });

  test('POST /api/units with one code: one unit, one audit event, the others 409', async () => {
    const code = `C-${tag()}`;
    const rs = await burst(() => request(server).post('/api/units').set('Authorization', admin).send({ code, name: '并发科', parentId: x.org.units.deptA.id }));
    expect(statuses(rs)).toEqual([201, ...Array(N - 1).fill(409)]);
    const units = await x.h.db.unit.findMany({ where: { code } });
    expect(units).toHaveLength(1);
    expect(await audits('unit.create', units[0]!.id)).toBe(1);
  });

  test('PATCH /api/units/{id}: one change, one audit event, every caller gets the unit as changed', async () => {
    const id = x.org.units.deptB.id;
    const name = `食品安全科-${tag()}`;
    const rs = await burst(() => request(server).patch(`/api/units/${id}`).set('Authorization', admin).send({ name }));
    expect(statuses(rs)).toEqual(Array(N).fill(200));
    expect(rs.every((r) => r.body.name === name)).toBe(true);
    expect(await audits('unit.update', id)).toBe(1);
  });

  test('POST /api/people with one e-mail: one person, one audit event, the others 409', async () => {
    const email = `same-${tag()}@example.gov.cn`;
    const rs = await burst(() => request(server).post('/api/people').set('Authorization', admin).send({ email, displayName: '并发新人', unitId: x.org.units.deptA.id, roles: ['staff'] }));
    expect(statuses(rs)).toEqual([201, ...Array(N - 1).fill(409)]);
    const person = await x.h.db.person.findUniqueOrThrow({ where: { email } });
    expect(await audits('person.create', person.id)).toBe(1);
  });

  test('PATCH /api/people/{id} (name, roles, password): one change, one audit event', async () => {
    const id = x.org.people.staffA1b.id;
    const body = { displayName: `窗口李四-${tag()}`, roles: ['staff', 'viewer'], password: 'a brand new long passphrase' };
    const rs = await burst(() => request(server).patch(`/api/people/${id}`).set('Authorization', admin).send(body));
    expect(statuses(rs)).toEqual(Array(N).fill(200));
    expect(rs.every((r) => r.body.displayName === body.displayName)).toBe(true);
    expect(await audits('person.update', id)).toBe(1);
    const row = await x.h.db.person.findUniqueOrThrow({ where: { id } });
    expect(await verifyPassword(row.passwordHash!, body.password)).toBe(true);
  });

  test('PUT and DELETE /api/calendar/days/{date}: one new calendar version and one audit event each', async () => {
    const date = `2098-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
    const put = await burst(() => request(working).put(`/api/calendar/days/${date}`).set('Authorization', admin).send({ kind: 'holiday', name: '并发放假' }));
    expect(statuses(put)).toEqual(Array(N).fill(200));
    expect(new Set(put.map((r) => r.body.version)).size).toBe(1);
    expect(await audits('calendar.change', date)).toBe(1);

    const del = await burst(() => request(working).delete(`/api/calendar/days/${date}`).set('Authorization', admin));
    expect(statuses(del)).toEqual([200, ...Array(N - 1).fill(404)]);
    expect(await audits('calendar.change', date)).toBe(2);
    expect(await x.h.db.calendarDay.findUnique({ where: { date: new Date(date) } })).toBeNull();
  });

  describe('review cycles', () => {
    const key = `c-${tag()}`;
    const runs = async () => {
      const ids: string[] = [];
      for await (const w of x.h.env.client.workflow.list({ query: "WorkflowType = 'reviewCycle'" })) if (w.workflowId.startsWith(`review-${key}-`)) ids.push(w.workflowId);
      return ids;
    };

    test('PUT /api/review-cycles/{key}: one cycle created, one audit event', async () => {
      const body = { name: '并发周期', period: 'monthly', reportType: 'dispatch', recipientRoles: ['office', 'leader'] };
      const rs = await burst(() => request(server).put(`/api/review-cycles/${key}`).set('Authorization', x.office).send(body));
      expect(statuses(rs)).toEqual(Array(N).fill(200));
      expect(await x.h.db.auditEvent.count({ where: { targetType: 'review_cycle', targetId: key } })).toBe(1);
      expect(await audits('review_cycle.create', key)).toBe(1);
    });

    test('pause and resume: one audit event each, every caller gets the cycle in its new state', async () => {
      const paused = await burst(() => request(server).post(`/api/review-cycles/${key}/pause`).set('Authorization', x.office).send({}));
      expect(statuses(paused)).toEqual(Array(N).fill(200));
      expect(paused.every((r) => r.body.paused === true)).toBe(true);
      expect(await audits('review_cycle.pause', key)).toBe(1);
      const resumed = await burst(() => request(server).post(`/api/review-cycles/${key}/resume`).set('Authorization', x.office).send({}));
      expect(statuses(resumed)).toEqual(Array(N).fill(200));
      expect(resumed.every((r) => r.body.paused === false)).toBe(true);
      expect(await audits('review_cycle.resume', key)).toBe(1);
    });

    test('trigger now: one run, one audit event, every caller the same answer', async () => {
      const period = reviewedPeriod('monthly', new Date(), TZ).key;
      const rs = await burst(() => request(server).post(`/api/review-cycles/${key}/trigger`).set('Authorization', x.office).send({}));
      expect(statuses(rs)).toEqual(Array(N).fill(202));
      expect(rs.every((r) => r.body.period === period)).toBe(true);
      expect(await audits('review_cycle.trigger', key)).toBe(1);
      const started = await runs();
      expect(started).toHaveLength(1);
    });

    test('backfill a past period: one run, one audit event, every caller the same answer', async () => {
      const today = localDate(new Date(), TZ);
      const past = reviewedPeriod('monthly', new Date(Date.parse(`${today.slice(0, 7)}-01T00:00:00Z`) - 40 * 86_400_000), TZ).key;
      const rs = await burst(() => request(server).post(`/api/review-cycles/${key}/backfill`).set('Authorization', x.office).send({ period: past }));
      expect(statuses(rs)).toEqual(Array(N).fill(202));
      expect(new Set(rs.map((r) => JSON.stringify(r.body))).size).toBe(1);
      expect(await audits('review_cycle.backfill', key)).toBe(1);
      expect(await runs()).toHaveLength(2); // the triggered one and this
    });
  });
});
