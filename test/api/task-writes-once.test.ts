import request from 'supertest';
import type { Express } from 'express';
import { bearersOf, inHours, withOrgHarness } from '../support/api';
import { createTimeSkippingEnv, type Harness } from '../support/env';
import type { Org } from '../support/org';
import { eventually } from '../support/eventually';
import { taskIdOf } from '../../api/tasks/service';
import { taskWorkflowId } from '../../domain/contract';

/**
 * One effect per action: 20 concurrent identical calls of each task write endpoint change the
 * task once and leave one audit row; the others get the same answer (Idempotent-Replayed) — a
 * double click, or a client retrying while its first try is still running, is not a second act.
 */
describe('task writes: 20 concurrent identical calls, one effect and one audit row', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  let auth: Record<string, string> = {};
  const N = 20;

  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, app, org } = x));
  beforeAll(async () => {
    auth = await bearersOf(org);
  });

  const send = (who: string, method: 'post' | 'put', path: string, body: object, key?: string) => {
    const r = request(app)[method](path).set('Authorization', auth[who]!);
    return (key ? r.set('Idempotency-Key', key) : r).send(body);
  };
  const burst = (make: () => request.Test) => Promise.all(Array.from({ length: N }, make));
  const audits = (taskId: string, action: string) => h.db.auditEvent.count({ where: { targetType: 'task', targetId: taskId, action } });
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');

  async function newTask(title = '规范窗口服务收费公示') {
    const res = await send('office', 'post', '/api/tasks', { title, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, deadline: inHours(24 * 20) }).expect(201);
    return res.body.id as string;
  }
  const upload = async (id: string) => (await request(app).post(`/api/tasks/${id}/evidence`).set('Authorization', auth.staffA1!).attach('file', pdf, { filename: '整改报告.pdf', contentType: 'application/pdf' }).expect(201)).body.items[0].id as string;

  /** Every answer is the same success, all but one replayed. */
  function expectOneAnswer(responses: request.Response[], status: number) {
    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(status));
    expect(responses.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    for (const r of responses) expect(r.body).toEqual(responses[0]!.body);
  }

  test('creating a task: one task, one task.create', async () => {
    const title = `重复提交的任务-${org.tag}`;
    const deadline = inHours(48);
    const responses = await burst(() => send('office', 'post', '/api/tasks', { title, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, deadline }));
    expectOneAnswer(responses, 201);
    const tasks = await h.db.task.findMany({ where: { title } });
    expect(tasks).toHaveLength(1);
    expect(await audits(tasks[0]!.id, 'task.create')).toBe(1);
  });

  test('签收, 报送进展, 申请销号, 复核 one after another: each once', async () => {
    const id = await newTask();
    const evidenceId = await upload(id);
    const t = `/api/tasks/${id}`;
    expectOneAnswer(await burst(() => send('staffA1', 'post', `${t}/acknowledge`, {})), 200);
    expect(await audits(id, 'task.acknowledge')).toBe(1);

    expectOneAnswer(await burst(() => send('staffA1', 'post', `${t}/progress`, { text: '已完成窗口人员培训' })), 200);
    expect(await h.db.progressReport.count({ where: { taskId: id } })).toBe(1);
    expect(await audits(id, 'task.report_progress')).toBe(1);

    const requestedDeadline = inHours(24 * 40);
    expectOneAnswer(await burst(() => send('staffA1', 'post', `${t}/extension-request`, { requestedDeadline, reason: '需协调外单位' })), 200);
    expect(await h.db.extensionRequest.count({ where: { taskId: id } })).toBe(1);
    expectOneAnswer(await burst(() => send('office', 'post', `${t}/extension-decision`, { approve: true })), 200);
    expect(await audits(id, 'task.decide_extension')).toBe(1);

    expectOneAnswer(await burst(() => send('staffA1', 'post', `${t}/closure-request`, { evidenceIds: [evidenceId] })), 200);
    expect(await audits(id, 'task.request_closure')).toBe(1);

    expectOneAnswer(await burst(() => send('office', 'post', `${t}/verification`, { decision: 'return', reason: '佐证材料不全' })), 200);
    expect(await h.db.verification.count({ where: { taskId: id } })).toBe(1);
    const task = await h.db.task.findUniqueOrThrow({ where: { id } });
    expect(task.returnCount).toBe(1);
  });

  test('改派, 撤销, 直接销号 and 回头看: each once', async () => {
    const a = await newTask();
    expectOneAnswer(await burst(() => send('office', 'put', `/api/tasks/${a}/owner`, { ownerId: org.people.staffA1b.id })), 200);
    expect(await audits(a, 'task.assign_owner')).toBe(1);
    expectOneAnswer(await burst(() => send('office', 'post', `/api/tasks/${a}/cancel`, { reason: '问题已并入其他批次' })), 200);
    expect(await audits(a, 'task.cancel')).toBe(1);

    const b = await newTask();
    expectOneAnswer(await burst(() => send('office', 'post', `/api/tasks/${b}/complete`, { note: '现场核查已整改' })), 200);
    expect(await audits(b, 'task.complete')).toBe(1);
    const deadline = inHours(24 * 30);
    expectOneAnswer(await burst(() => send('office', 'post', `/api/tasks/${b}/reopen`, { reason: '回头看发现反弹', deadline })), 200);
    expect(await audits(b, 'task.reopen')).toBe(1);
    // The new run projects its reopening as it starts, after the API has answered.
    await eventually(async () => expect(await h.db.taskEvent.count({ where: { taskId: b, type: 'reopened' } })).toBe(1));
  });

  test('an upload with an Idempotency-Key is stored once; the same key for another request is refused naming the rule', async () => {
    const id = await newTask();
    const responses = await burst(() =>
      request(app).post(`/api/tasks/${id}/evidence`).set('Authorization', auth.staffA1!).set('Idempotency-Key', `upload-${id}`).attach('file', pdf, { filename: '整改报告.pdf', contentType: 'application/pdf' }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(await h.db.evidence.count({ where: { taskId: id } })).toBe(1);
    const reused = await send('staffA1', 'post', `/api/tasks/${id}/progress`, { text: '另一个请求' }, `upload-${id}`);
    expect(reused.status).toBe(400);
    expect(reused.body.error.details).toEqual([expect.objectContaining({ field: 'header.idempotency-key', rule: 'reused' })]);
  });

  test('a keyed create retried after its first try died (answer never stored) meets the task it made, and starts its run if that try died before', async () => {
    const body = { title: `崩溃后重试-${org.tag}`, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, deadline: inHours(24 * 20) };
    // Died after storing the task and starting its run: the retry finds both.
    const first = await send('office', 'post', '/api/tasks', body, `create-${org.tag}-1`).expect(201);
    await h.db.idempotentRequest.deleteMany({ where: { actorId: org.people.office.id, key: `key:create-${org.tag}-1` } }); // the claim of a replica that died
    const retry = await send('office', 'post', '/api/tasks', body, `create-${org.tag}-1`).expect(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(await h.db.task.count({ where: { title: body.title } })).toBe(1);

    // Died between storing the task and starting its run: the retry starts it, once.
    const id = taskIdOf(org.people.office.id, `create-${org.tag}-2`);
    await h.db.task.create({ data: { id, title: `${body.title}-2`, unitId: body.unitId, ownerId: body.ownerId, ownerEmail: org.people.staffA1.email, deadline: new Date(body.deadline), reminderOffsetSeconds: 0 } });
    const repaired = await send('office', 'post', '/api/tasks', { ...body, title: `${body.title}-2` }, `create-${org.tag}-2`).expect(201);
    expect(repaired.body.id).toBe(id);
    expect((await h.env.client.workflow.getHandle(taskWorkflowId(id)).describe()).status.name).toBe('RUNNING');
    expect(await h.db.task.count({ where: { title: `${body.title}-2` } })).toBe(1);
  });

  test('the same request later, past the window, is a new act (two progress reports)', async () => {
    const id = await newTask();
    await send('staffA1', 'post', `/api/tasks/${id}/acknowledge`, {}).expect(200);
    await send('staffA1', 'post', `/api/tasks/${id}/progress`, { text: '第一周进展' }).expect(200);
    // Age the first answer past the implicit 10 s window instead of waiting for it.
    await h.db.idempotentRequest.updateMany({ where: { actorId: org.people.staffA1.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const again = await send('staffA1', 'post', `/api/tasks/${id}/progress`, { text: '第一周进展' }).expect(200);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await h.db.progressReport.count({ where: { taskId: id } })).toBe(2);
  });
});
