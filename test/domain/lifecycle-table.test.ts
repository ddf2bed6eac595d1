import request from 'supertest';
import type { Express } from 'express';
import { allowedActions, mayTake, type Party, type TaskAction, taskActions, type TaskFacts, type TaskStatus } from '../../domain/lifecycle';
import { bearersOf, inHours, withOrgHarness } from '../support/api';
import { createTimeSkippingEnv } from '../support/env';
import type { Org } from '../support/org';

/**
 * The lifecycle table (domain/lifecycle.ts) against the product, through the real API on a real
 * workflow: for every state × action × role, the answer the API gives — which for an open task is
 * the workflow's Update validator's, for an ended one the projection's, and the caller's part in
 * the action the policy's — and the task read's `allowedActions` both equal the table's. Each
 * allowed move is really made (on a task of its own), each refused one is tried and must leave the
 * task as it was.
 */
describe('one lifecycle table: workflow validator, API refusal and allowedActions agree for every state × action × role', () => {
  let app: Express;
  let org: Org;
  let auth: Record<string, string> = {};

  withOrgHarness(createTimeSkippingEnv, (x) => ({ app, org } = x));
  beforeAll(async () => {
    auth = await bearersOf(org);
  });

  /** How each person stands to the fixture tasks (lead unit officeA1, owner staffA1, supervisor leader), said independently of api/policy.ts. */
  const roles: Record<string, Party[] | 'cannot_read'> = {
    office: ['office'],
    headA: ['unit_head'],
    staffA1: ['owner'],
    leader: [],
    viewerA: [],
    headB: 'cannot_read',
    staffA1b: 'cannot_read',
    admin: 'cannot_read',
  };

  type Fixture = { status: TaskStatus; pendingExtension: boolean };
  const fixtures: Fixture[] = [
    ...(['assigned', 'acknowledged', 'in_progress', 'closure_requested', 'returned', 'closed', 'cancelled'] as const).map((status) => ({ status, pendingExtension: false })),
    { status: 'in_progress', pendingExtension: true },
    { status: 'closure_requested', pendingExtension: true },
  ];
  const name = (f: Fixture) => `${f.status}${f.pendingExtension ? '+pending extension' : ''}`;

  const pdf = () => Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
  const farDeadline = () => inHours(24 * 365);

  const call = (who: string, method: 'post' | 'put' | 'get', path: string, body?: object) => {
    const r = request(app)[method](path).set('Authorization', auth[who]!);
    return body ? r.send(body) : r;
  };
  const ok = async (p: PromiseLike<request.Response>) => {
    const res = await p;
    if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };

  /** The request each action is, with a valid body, as `who`. */
  function act(who: string, id: string, action: Exclude<TaskAction, 'reschedule'>, evidenceId: string) {
    const t = `/api/tasks/${id}`;
    switch (action) {
      case 'acknowledge':
        return call(who, 'post', `${t}/acknowledge`, {});
      case 'report_progress':
        return call(who, 'post', `${t}/progress`, { text: '已完成窗口人员培训' });
      case 'upload_evidence':
        return request(app).post(`${t}/evidence`).set('Authorization', auth[who]!).attach('file', pdf(), { filename: '整改报告.pdf', contentType: 'application/pdf' });
      case 'request_closure':
        return call(who, 'post', `${t}/closure-request`, { evidenceIds: [evidenceId] });
      case 'verify':
        return call(who, 'post', `${t}/verification`, { decision: 'accept' });
      case 'request_extension':
        return call(who, 'post', `${t}/extension-request`, { requestedDeadline: farDeadline(), reason: '需协调外单位' });
      case 'decide_extension':
        return call(who, 'post', `${t}/extension-decision`, { approve: true });
      case 'cancel':
        return call(who, 'post', `${t}/cancel`, { reason: '问题已并入其他批次' });
      case 'complete':
        return call(who, 'post', `${t}/complete`, { note: '现场核查已整改' });
      case 'reopen':
        return call(who, 'post', `${t}/reopen`, { reason: '回头看发现反弹', deadline: inHours(24 * 30) });
      case 'assign_owner':
        return call(who, 'put', `${t}/owner`, { ownerId: org.people.staffA1b.id });
    }
  }

  /** A task of its own in the fixture's state, driven there through the API; with one evidence file. */
  async function taskIn(f: Fixture): Promise<{ id: string; evidenceId: string }> {
    const created = await ok(
      call('office', 'post', '/api/tasks', { title: '规范窗口服务收费公示', unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, supervisorId: org.people.leader.id, deadline: inHours(24 * 20) }),
    );
    const id = created.body.id as string;
    const uploaded = await ok(act('office', id, 'upload_evidence', ''));
    const evidenceId = uploaded.body.items[0].id as string;
    const path: [string, Exclude<TaskAction, 'reschedule'>][] = {
      assigned: [],
      acknowledged: [['staffA1', 'acknowledge']],
      in_progress: [['staffA1', 'acknowledge'], ['staffA1', 'report_progress']],
      closure_requested: [['staffA1', 'acknowledge'], ['staffA1', 'request_closure']],
      returned: [['staffA1', 'acknowledge'], ['staffA1', 'request_closure']],
      closed: [['staffA1', 'acknowledge'], ['staffA1', 'request_closure'], ['office', 'verify']],
      cancelled: [['office', 'cancel']],
    }[f.status] as [string, Exclude<TaskAction, 'reschedule'>][];
    if (f.pendingExtension) path.push(['staffA1', 'request_extension']);
    for (const [who, action] of path) await ok(act(who, id, action, evidenceId));
    if (f.status === 'returned') await ok(call('office', 'post', `/api/tasks/${id}/verification`, { decision: 'return', reason: '佐证材料不全' }));
    return { id, evidenceId };
  }

  const facts = (f: Fixture, deadline: string): TaskFacts => ({ status: f.status, pendingExtension: f.pendingExtension, deadline });
  const actions = taskActions.filter((a): a is Exclude<TaskAction, 'reschedule'> => a !== 'reschedule');

  test.each(fixtures.map((f) => [name(f), f] as const))('a task that is %s', async (_name, f) => {
    const task = await taskIn(f);
    const before = (await ok(call('office', 'get', `/api/tasks/${task.id}`))).body;
    expect({ status: before.status, pending: before.extensions.some((e: { status: string }) => e.status === 'pending') }).toEqual({ status: f.status, pending: f.pendingExtension });
    const table = (as: Party[]) => allowedActions(facts(f, before.deadline), as).filter((a) => a !== 'reschedule');

    const allowedMoves: [string, Exclude<TaskAction, 'reschedule'>][] = [];
    for (const [who, as] of Object.entries(roles)) {
      const read = await call(who, 'get', `/api/tasks/${task.id}`);
      if (as === 'cannot_read') {
        expect(read.status).toBe(404);
        for (const action of actions) expect([who, action, (await act(who, task.id, action, task.evidenceId)).status]).toEqual([who, action, 404]);
        continue;
      }
      expect(read.status).toBe(200);
      // allowedActions on the read equals the table.
      expect([who, read.body.allowedActions]).toEqual([who, table(as)]);
      for (const action of actions) {
        if (table(as).includes(action)) {
          allowedMoves.push([who, action]);
          continue;
        }
        // Refused: 403 when the table gives the caller no part in the action, else 409 with the state's rule.
        const res = await act(who, task.id, action, task.evidenceId);
        const expected = mayTake(action, as) ? 409 : 403;
        expect([who, action, res.status]).toEqual([who, action, expected]);
        if (expected === 409) expect(res.body.error.details.rule).toMatch(new RegExp(`^task\\.${action}\\.`));
      }
    }
    // Nothing refused changed the task.
    const after = (await ok(call('office', 'get', `/api/tasks/${task.id}`))).body;
    expect({ status: after.status, seq: after.events.length, owner: after.owner.id }).toEqual({ status: before.status, seq: before.events.length, owner: before.owner.id });

    // Every allowed move is made, each on a task of its own in the same state, and succeeds.
    for (const [who, action] of allowedMoves) {
      const fresh = await taskIn(f);
      const res = await act(who, fresh.id, action, fresh.evidenceId);
      expect([who, action, res.status < 300 ? 'ok' : `${res.status} ${JSON.stringify(res.body.error)}`]).toEqual([who, action, 'ok']);
    }
  });
});
