import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Db } from '../../lib/db';
import { localDate } from '../../domain/calendar';
import { bearer, type OrgHarness, withOrgHarness } from '../support/api';
import { createDevServerEnv } from '../support/env';
import type { Org } from '../support/org';

/** Numbered like every notice (gap-free per year: other test files count on it). */
async function issue(db: Db, taskId: string, fields: { level: number; type: 'supervision_notice' | 'circular'; recipients: string[]; requiresAck: boolean }) {
  const issuedAt = new Date();
  const year = Number(localDate(issuedAt, 'Asia/Shanghai').slice(0, 4));
  const { last } = await db.noticeCounter.upsert({ where: { year }, create: { year, last: 1 }, update: { last: { increment: 1 } } });
  return db.notice.create({
    data: { taskId, ...fields, color: fields.type === 'supervision_notice' ? 'yellow' : null, year, seq: last, number: `督办〔${year}〕第${last}号`, idempotencyKey: `test:${randomUUID()}`, issuedAt },
  });
}

describe('notices for the workbench: my notices, one notice, 签收', () => {
  let x: OrgHarness;
  withOrgHarness(createDevServerEnv, (ready) => (x = ready));
  const as = async (who: keyof Org['people']) => bearer(x.org.people[who]);

  let taskA: { id: string; code: string | null; title: string };
  let yellow: { id: string; number: string };
  let circular: { id: string };
  let other: { id: string };
  beforeAll(async () => {
    const { people, units, tag } = x.org;
    taskA = await x.h.db.task.create({
      data: { code: `A-${tag}`, title: '窗口服务整改', unitId: units.officeA1.id, ownerId: people.staffA1.id, ownerEmail: people.staffA1.email, deadline: new Date(Date.now() - 86_400_000), reminderOffsetSeconds: 0 },
    });
    const taskB = await x.h.db.task.create({
      data: { title: '食品安全整改', unitId: units.deptB.id, ownerId: people.staffB.id, ownerEmail: people.staffB.email, deadline: new Date(Date.now() - 86_400_000), reminderOffsetSeconds: 0 },
    });
    yellow = await issue(x.h.db, taskA.id, { level: 2, type: 'supervision_notice', recipients: [people.staffA1.email, people.headA.email], requiresAck: true });
    circular = await issue(x.h.db, taskA.id, { level: 5, type: 'circular', recipients: [people.headA.email, 'outside@example.gov.cn'], requiresAck: false });
    other = await issue(x.h.db, taskB.id, { level: 2, type: 'supervision_notice', recipients: [people.staffB.email], requiresAck: true });
  });

  test('a recipient lists their own notices, newest first, with the task and what they may do', async () => {
    const res = await request(x.app).get('/api/notices').set('Authorization', await as('headA')).expect(200);
    expect(res.body).toMatchObject({ total: 2, page: 1, pageSize: 20 });
    expect(res.body.items.map((n: { id: string }) => n.id)).toEqual([circular.id, yellow.id]);
    expect(res.body.items[1]).toMatchObject({
      number: yellow.number,
      typeLabel: '督办单',
      level: 2,
      task: { id: taskA.id, code: taskA.code, title: taskA.title },
      allowedActions: ['acknowledge'],
      acknowledgedAt: null,
    });
    expect(res.body.items[0].allowedActions).toEqual([]); // 通报 needs no 签收
    const awaiting = await request(x.app).get('/api/notices?acknowledged=false').set('Authorization', await as('headA')).expect(200);
    expect(awaiting.body.items.map((n: { id: string }) => n.id)).toEqual([yellow.id]);
    const paged = await request(x.app).get('/api/notices?pageSize=1&page=2').set('Authorization', await as('headA')).expect(200);
    expect(paged.body).toMatchObject({ total: 2, page: 2, pageSize: 1, items: [{ id: yellow.id }] });
    // Someone who is no recipient lists none of them; the office lists all.
    const viewer = await request(x.app).get('/api/notices').set('Authorization', await as('viewerA')).expect(200);
    expect(viewer.body.items).toEqual([]);
    const office = await request(x.app).get('/api/notices?pageSize=200').set('Authorization', x.office).expect(200);
    expect(office.body.items.map((n: { id: string }) => n.id)).toEqual(expect.arrayContaining([yellow.id, circular.id, other.id]));
    await request(x.app).get('/api/notices?acknowledged=maybe').set('Authorization', x.office).expect(400);
  });

  test('one notice: its recipients and acknowledgement; outside the scope it does not exist', async () => {
    const res = await request(x.app).get(`/api/notices/${yellow.id}`).set('Authorization', await as('staffA1')).expect(200);
    expect(res.body).toMatchObject({
      id: yellow.id,
      number: yellow.number,
      type: 'supervision_notice',
      typeLabel: '督办单',
      color: 'yellow',
      requiresAck: true,
      task: { id: taskA.id, code: taskA.code, title: taskA.title },
      allowedActions: ['acknowledge'],
      acknowledgement: null,
    });
    expect(res.body.recipientDetails).toEqual([
      { email: x.org.people.staffA1.email, person: { id: x.org.people.staffA1.id, displayName: '窗口张三', unit: { id: x.org.units.officeA1.id, name: '窗口服务股' } }, acknowledged: false },
      { email: x.org.people.headA.email, person: { id: x.org.people.headA.id, displayName: '登记科李科长', unit: { id: x.org.units.deptA.id, name: '登记注册科' } }, acknowledged: false },
    ]);
    const c = await request(x.app).get(`/api/notices/${circular.id}`).set('Authorization', await as('headA')).expect(200);
    expect(c.body.recipientDetails[1]).toEqual({ email: 'outside@example.gov.cn', person: null, acknowledged: false });
    // A reader of the task who is no recipient sees it, and may not sign it.
    const viewer = await request(x.app).get(`/api/notices/${yellow.id}`).set('Authorization', await as('viewerA')).expect(200);
    expect(viewer.body.allowedActions).toEqual([]);
    await request(x.app).get(`/api/notices/${yellow.id}`).set('Authorization', await as('staffB')).expect(404);
    await request(x.app).get(`/api/notices/${other.id}`).set('Authorization', await as('headA')).expect(404);
    await request(x.app).get(`/api/notices/${randomUUID()}`).set('Authorization', x.office).expect(404);
  });

  test('签收 once: the signer gets the same answer again, another recipient 409, one audit event', async () => {
    const first = await request(x.app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await as('headA')).send({}).expect(200);
    expect(first.body).toMatchObject({ id: yellow.id, acknowledgedAt: expect.any(String) });
    const again = await request(x.app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await as('headA')).send({}).expect(200);
    expect(again.body).toEqual(first.body);
    const late = await request(x.app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await as('staffA1')).send({}).expect(409);
    expect(late.body.error.details).toEqual({ rule: 'notice.ack.once' });
    await request(x.app).post(`/api/notices/${yellow.id}/acknowledge`).set('Authorization', await as('viewerA')).send({}).expect(403);
    expect(await x.h.db.auditEvent.count({ where: { action: 'notice.acknowledge', targetId: taskA.id } })).toBe(1);

    const detail = await request(x.app).get(`/api/notices/${yellow.id}`).set('Authorization', await as('staffA1')).expect(200);
    expect(detail.body.acknowledgement).toEqual({ at: first.body.acknowledgedAt, by: { id: x.org.people.headA.id, displayName: '登记科李科长', email: x.org.people.headA.email } });
    expect(detail.body.recipientDetails.map((r: { acknowledged: boolean }) => r.acknowledged)).toEqual([false, true]);
    expect(detail.body.allowedActions).toEqual([]);
    const signed = await request(x.app).get('/api/notices?acknowledged=true').set('Authorization', await as('staffA1')).expect(200);
    expect(signed.body.items.map((n: { id: string }) => n.id)).toEqual([yellow.id]);
  });
});
