import type { Express } from 'express';
import request from 'supertest';
import { bearer, createTestApp, inHours } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

/**
 * Role × endpoint × unit: each role can do exactly what api/policy.ts says and nothing more.
 * Fixture (test/support/org.ts): bureau ─┬─ deptA ── officeA1, └─ deptB.
 * Task A1 lies in officeA1 (owner staffA1, supervised by leader); task B in deptB (owner staffB).
 * Invisible items answer 404 (existence not revealed); visible items the role may not act on, 403.
 */
type Who = keyof Org['people'];
const everyone: Who[] = ['admin', 'office', 'leader', 'headA', 'headB', 'staffA1', 'staffA1b', 'staffB', 'viewerA'];

describe('access matrix: roles × endpoints × units', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  const auth: Partial<Record<Who, string>> = {};
  let taskA1: string;
  let taskB: string;

  const as = (who: Who) => ({
    get: (url: string) => request(app).get(url).set('Authorization', auth[who]!),
    post: (url: string, body: object = {}) => request(app).post(url).set('Authorization', auth[who]!).send(body),
    put: (url: string, body: object) => request(app).put(url).set('Authorization', auth[who]!).send(body),
    patch: (url: string, body: object) => request(app).patch(url).set('Authorization', auth[who]!).send(body),
    delete: (url: string) => request(app).delete(url).set('Authorization', auth[who]!),
  });

  /** A fresh task created by the office, for rows whose action changes it. */
  async function newTask(where: 'A1' | 'B'): Promise<string> {
    const body =
      where === 'A1'
        ? { title: '窗口服务整改', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, supervisorId: org.people.leader.id, deadline: inHours(240) }
        : { title: '食品安全整改', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, deadline: inHours(240) };
    const res = await as('office').post('/api/tasks', body).expect(201);
    return res.body.id as string;
  }

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
    for (const who of everyone) auth[who] = await bearer(org.people[who]);
    taskA1 = await newTask('A1');
    taskB = await newTask('B');
  });
  afterAll(async () => {
    await h?.teardown();
  });

  describe('reading a task', () => {
    const rows: [Who, 'A1' | 'B', number][] = [
      ['office', 'A1', 200], ['office', 'B', 200],
      ['leader', 'A1', 200], ['leader', 'B', 404], // supervises A1 only
      ['headA', 'A1', 200], ['headA', 'B', 404], // A1 is below deptA
      ['headB', 'A1', 404], ['headB', 'B', 200],
      ['staffA1', 'A1', 200], ['staffA1', 'B', 404], // owner of A1
      ['staffA1b', 'A1', 404], // same office, not the owner
      ['staffB', 'A1', 404], ['staffB', 'B', 200],
      ['viewerA', 'A1', 200], ['viewerA', 'B', 404],
      ['admin', 'A1', 404], ['admin', 'B', 404], // admins manage people and units, not tasks
    ];
    test.each(rows)('%s reading task %s → %i', async (who, task, status) => {
      const res = await as(who).get(`/api/tasks/${task === 'A1' ? taskA1 : taskB}`).expect(status);
      if (status === 404) expect(res.body.error.code).toBe('NOT_FOUND');
    });
  });

  describe('listing tasks shows exactly the visible ones', () => {
    const rows: [Who, ('A1' | 'B')[]][] = [
      ['office', ['A1', 'B']],
      ['leader', ['A1']],
      ['headA', ['A1']],
      ['headB', ['B']],
      ['staffA1', ['A1']],
      ['staffA1b', []],
      ['staffB', ['B']],
      ['viewerA', ['A1']],
      ['admin', []],
    ];
    test.each(rows)('%s sees %j', async (who, expected) => {
      const seen: string[] = [];
      for (const unit of [org.units.officeA1.id, org.units.deptB.id]) {
        const res = await as(who).get(`/api/tasks?unitId=${unit}&pageSize=200`).expect(200);
        seen.push(...res.body.items.map((t: { id: string }) => t.id));
      }
      const named = seen.map((id) => (id === taskA1 ? 'A1' : id === taskB ? 'B' : id));
      expect(named.filter((n) => n === 'A1' || n === 'B').sort()).toEqual(expected);
    });
  });

  describe('creating a task', () => {
    test.each(everyone.map((who): [Who, number] => [who, who === 'office' ? 201 : 403]))('%s → %i', async (who, status) => {
      const res = await as(who)
        .post('/api/tasks', { title: '新任务', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, deadline: inHours(100) })
        .expect(status);
      if (status === 403) expect(res.body.error.code).toBe('FORBIDDEN');
    });
  });

  describe('closing a task in officeA1 directly (销号)', () => {
    const rows: [Who, number][] = [
      ['office', 200], // only the supervision office closes
      ['headA', 403], ['staffA1', 403], ['leader', 403], ['viewerA', 403], // can see it, may not close it
      ['headB', 404], ['staffA1b', 404], ['staffB', 404], ['admin', 404], // cannot see it
    ];
    test.each(rows)('%s → %i', async (who, status) => {
      const id = await newTask('A1');
      await as(who).post(`/api/tasks/${id}/complete`).expect(status);
      const row = await h.db.task.findUniqueOrThrow({ where: { id } });
      expect(row.status).toBe(status === 200 ? 'closed' : 'assigned');
    });
  });

  describe('acknowledging (签收) a task in officeA1', () => {
    const rows: [Who, number][] = [
      ['staffA1', 200], ['headA', 200], // the owner and the unit head work on it
      ['office', 403], ['leader', 403], ['viewerA', 403],
      ['headB', 404], ['staffA1b', 404], ['staffB', 404], ['admin', 404],
    ];
    test.each(rows)('%s → %i', async (who, status) => {
      const id = await newTask('A1');
      await as(who).post(`/api/tasks/${id}/acknowledge`).expect(status);
      await eventually(async () => {
        const row = await h.db.task.findUniqueOrThrow({ where: { id } });
        expect(row.status).toBe(status === 200 ? 'acknowledged' : 'assigned');
      });
    });
  });

  describe('cancelling a task in officeA1', () => {
    const rows: [Who, number][] = [
      ['office', 200],
      ['headA', 403], ['staffA1', 403], ['leader', 403], ['viewerA', 403],
      ['headB', 404], ['staffB', 404], ['admin', 404],
    ];
    test.each(rows)('%s → %i', async (who, status) => {
      const id = await newTask('A1');
      await as(who).post(`/api/tasks/${id}/cancel`, { reason: '问题已由上级统一处理' }).expect(status);
    });
  });

  describe('assigning the responsible person of a task in officeA1', () => {
    const rows: [Who, number][] = [
      ['office', 200], ['headA', 200],
      ['staffA1', 403], ['leader', 403], ['viewerA', 403],
      ['headB', 404], ['staffB', 404], ['admin', 404],
    ];
    test.each(rows)('%s → %i', async (who, status) => {
      const id = await newTask('A1');
      await as(who).put(`/api/tasks/${id}/owner`, { ownerId: org.people.staffA1b.id }).expect(status);
      const row = await h.db.task.findUniqueOrThrow({ where: { id } });
      expect(row.ownerId).toBe(status === 200 ? org.people.staffA1b.id : org.people.staffA1.id);
    });

    test('a unit head cannot make someone outside the unit responsible (400, rule owner.in_unit)', async () => {
      const id = await newTask('A1');
      const res = await as('headA').put(`/api/tasks/${id}/owner`, { ownerId: org.people.staffB.id }).expect(400);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'body.ownerId', rule: 'owner.in_unit' })]);
    });
  });

  describe('units', () => {
    test.each(everyone)('%s reads the unit tree', async (who) => {
      const res = await as(who).get('/api/units').expect(200);
      expect(res.body.items.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([org.units.bureau.id, org.units.deptA.id]));
    });
    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' ? 201 : 403]))('%s creating a unit → %i', async (who, status) => {
      await as(who).post('/api/units', { code: `NEW-${who}-${org.tag}`, name: '新设科室', parentId: org.units.deptA.id }).expect(status);
    });
    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' ? 200 : 403]))('%s renaming a unit → %i', async (who, status) => {
      await as(who).patch(`/api/units/${org.units.deptB.id}`, { name: `食品安全科-${who}` }).expect(status);
    });
  });

  describe('people', () => {
    const listRows: [Who, number][] = [
      ['admin', 200], ['office', 200], ['headA', 200],
      ['leader', 403], ['staffA1', 403], ['viewerA', 403],
    ];
    test.each(listRows)('%s listing people → %i', async (who, status) => {
      await as(who).get(`/api/people?unitId=${org.units.officeA1.id}`).expect(status);
    });

    test('a unit head lists only the people of their unit subtree', async () => {
      const seen = new Set<string>();
      for (const unit of Object.values(org.units)) {
        const res = await as('headA').get(`/api/people?unitId=${unit.id}&pageSize=200`).expect(200);
        for (const p of res.body.items) seen.add(p.id);
      }
      const { headA, staffA1, staffA1b, viewerA } = org.people;
      expect([...seen].sort()).toEqual([headA.id, staffA1.id, staffA1b.id, viewerA.id].sort());
    });

    const readRows: [Who, Who, number][] = [
      ['staffA1', 'staffA1', 200], ['staffA1', 'staffB', 404], // self only
      ['headA', 'staffA1', 200], ['headA', 'staffB', 404], // own subtree only
      ['office', 'staffB', 200], ['admin', 'staffB', 200],
      ['viewerA', 'staffA1', 404], ['leader', 'staffA1', 404],
    ];
    test.each(readRows)('%s reading %s → %i', async (who, target, status) => {
      await as(who).get(`/api/people/${org.people[target].id}`).expect(status);
    });

    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' ? 201 : 403]))('%s creating a person → %i', async (who, status) => {
      await as(who)
        .post('/api/people', { email: `new-${who}-${org.tag}@example.gov.cn`, displayName: '新同事', unitId: org.units.deptA.id, roles: ['staff'] })
        .expect(status);
    });
    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' ? 200 : 403]))('%s changing a person → %i', async (who, status) => {
      await as(who).patch(`/api/people/${org.people.staffB.id}`, { displayName: `王五-${who}` }).expect(status);
    });
  });

  describe('audit trail', () => {
    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' || who === 'office' ? 200 : 403]))('%s reading it → %i', async (who, status) => {
      await as(who).get(`/api/audit-events?targetId=${taskA1}`).expect(status);
    });
    test('it records who created the task, and offers no way to change it', async () => {
      const res = await as('office').get(`/api/audit-events?targetType=task&targetId=${taskA1}`).expect(200);
      expect(res.body.items).toEqual([expect.objectContaining({ action: 'task.create', actorId: org.people.office.id })]);
      const id = res.body.items[0].id as string;
      for (const method of ['put', 'patch', 'delete'] as const) {
        await request(app)[method](`/api/audit-events/${id}`).set('Authorization', auth.admin!).send({}).expect(404);
      }
    });
  });

  describe('review cycles and reports', () => {
    const readers: Who[] = ['admin', 'office', 'leader', 'headA', 'headB', 'viewerA'];
    test.each(everyone.map((who): [Who, number] => [who, readers.includes(who) ? 200 : 403]))('%s listing review reports → %i', async (who, status) => {
      await as(who).get('/api/reviews').expect(status);
      await as(who).get('/api/review-cycles').expect(status);
    });
    test.each(everyone.map((who): [Who, number] => [who, who === 'admin' || who === 'office' ? 200 : 403]))('%s configuring a review cycle → %i', async (who, status) => {
      const key = `matrix-${who.toLowerCase()}`;
      await as(who).put(`/api/review-cycles/${key}`, { name: '周排查', period: 'weekly', reportType: 'dispatch', recipientRoles: ['office'] }).expect(status);
      if (status === 200) await as(who).post(`/api/review-cycles/${key}/pause`).expect(200);
    });
  });

  describe('API tokens', () => {
    test('each person manages their own tokens; someone else cannot see or revoke them, an admin can revoke them', async () => {
      const created = await as('staffA1').post('/api/auth/tokens', { name: '对接政务平台' }).expect(201);
      const token = created.body.token as string;
      await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);

      const listed = await as('staffA1').get('/api/auth/tokens').expect(200);
      expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, name: '对接政务平台' })]);
      expect(JSON.stringify(listed.body)).not.toContain(token);
      expect((await as('staffB').get('/api/auth/tokens').expect(200)).body.items).toEqual([]);

      await as('staffB').delete(`/api/auth/tokens/${created.body.id}`).expect(404);
      await as('office').delete(`/api/auth/tokens/${created.body.id}`).expect(404);
      await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);

      await as('admin').delete(`/api/auth/tokens/${created.body.id}`).expect(204);
      await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });
});
