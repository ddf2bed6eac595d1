import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { superviseTask } from '../../workflows';
import {
  acknowledgeUpdate,
  cancelUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  reportProgressUpdate,
  requestClosureUpdate,
  requestExtensionUpdate,
  type SuperviseTaskInput,
  type TaskState,
  taskStateQuery,
  type TaskStatus,
  taskWorkflowId,
  verifyUpdate,
} from '../../domain/contract';
import { createTimeSkippingEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';

const DAY = 24 * 3600_000;
type Handle = WorkflowHandle<typeof superviseTask>;

/**
 * Every move of the task lifecycle from every open state, on the time-skipping server: legal moves
 * land in the expected state, illegal ones are rejected by the Update validator (ILLEGAL_TRANSITION)
 * and leave the state exactly as it was.
 */
describe('superviseTask lifecycle: every legal and illegal transition', () => {
  let h: Harness;
  const by = randomUUID();

  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  async function start(deadlineInDays = 30, reminderOffsetSeconds = 0): Promise<Handle> {
    const now = await h.env.currentTimeMs();
    const task = await insertTask(h.db, { deadline: new Date(now + deadlineInDays * DAY), reminderOffsetSeconds });
    const input: SuperviseTaskInput = { taskId: task.id, title: task.title, ownerEmail: task.ownerEmail, deadline: task.deadline.toISOString(), reminderOffsetSeconds };
    return h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input] });
  }

  type Move = (handle: Handle) => Promise<TaskState>;
  const moves = {
    acknowledge: (w: Handle) => w.executeUpdate(acknowledgeUpdate, { args: [{ by }] }),
    reportProgress: (w: Handle) => w.executeUpdate(reportProgressUpdate, { args: [{ by, text: '已完成窗口人员培训' }] }),
    requestClosure: (w: Handle) => w.executeUpdate(requestClosureUpdate, { args: [{ by, evidenceIds: [randomUUID()] }] }),
    verifyAccept: (w: Handle) => w.executeUpdate(verifyUpdate, { args: [{ by, decision: 'accept' }] }),
    verifyReturn: (w: Handle) => w.executeUpdate(verifyUpdate, { args: [{ by, decision: 'return', reason: '佐证材料不全' }] }),
    requestExtension: (w: Handle) => w.executeUpdate(requestExtensionUpdate, { args: [{ by, requestedDeadline: new Date(Date.parse('2100-01-01')).toISOString(), reason: '需协调外单位' }] }),
    decideExtension: (w: Handle) => w.executeUpdate(decideExtensionUpdate, { args: [{ by, approve: true }] }),
    cancel: (w: Handle) => w.executeUpdate(cancelUpdate, { args: [{ by, reason: '问题已并入其他批次' }] }),
    complete: (w: Handle) => w.executeUpdate(completeTaskUpdate, { args: [{}] }),
  } satisfies Record<string, Move>;
  type MoveName = keyof typeof moves;

  /** How to reach each open state from a new task. */
  const pathTo: Record<Exclude<TaskStatus, 'closed' | 'cancelled'>, MoveName[]> = {
    assigned: [],
    acknowledged: ['acknowledge'],
    in_progress: ['acknowledge', 'reportProgress'],
    closure_requested: ['acknowledge', 'reportProgress', 'requestClosure'],
    returned: ['acknowledge', 'reportProgress', 'requestClosure', 'verifyReturn'],
  };

  /** The resulting status of each move from each state; absent: illegal. */
  const legal: Record<keyof typeof pathTo, Partial<Record<MoveName, TaskStatus>>> = {
    assigned: { acknowledge: 'acknowledged', requestExtension: 'assigned', cancel: 'cancelled', complete: 'closed' },
    acknowledged: { reportProgress: 'in_progress', requestClosure: 'closure_requested', requestExtension: 'acknowledged', cancel: 'cancelled', complete: 'closed' },
    in_progress: { reportProgress: 'in_progress', requestClosure: 'closure_requested', requestExtension: 'in_progress', cancel: 'cancelled', complete: 'closed' },
    closure_requested: { verifyAccept: 'closed', verifyReturn: 'returned', requestExtension: 'closure_requested', cancel: 'cancelled', complete: 'closed' },
    returned: { reportProgress: 'in_progress', requestClosure: 'closure_requested', requestExtension: 'returned', cancel: 'cancelled', complete: 'closed' },
  };

  const cases = (Object.keys(pathTo) as (keyof typeof pathTo)[]).flatMap((from) =>
    (Object.keys(moves) as MoveName[]).map((move): [string, MoveName, TaskStatus | 'rejected'] => [from, move, legal[from][move] ?? 'rejected']),
  );

  test.each(cases)('from %s, %s → %s', async (from, move, outcome) => {
    const expected = outcome === 'rejected' ? undefined : outcome;
    const w = await start();
    for (const step of pathTo[from as keyof typeof pathTo]) await moves[step](w);
    const before = await w.query(taskStateQuery);
    expect(before.status).toBe(from);

    if (expected) {
      const after = await moves[move](w);
      expect(after.status).toBe(expected);
      expect(after.seq).toBe(before.seq + 1);
      if (move === 'verifyReturn') expect(after.returnCount).toBe(before.returnCount + 1);
      if (move === 'requestExtension') expect(after.pendingExtension).not.toBeNull();
    } else {
      const err = await moves[move](w).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
      expect(cause).toBeInstanceOf(ApplicationFailure);
      expect(cause.type).toBe('ILLEGAL_TRANSITION');
      expect(await w.query(taskStateQuery)).toEqual(before);
    }
  });

  test('a return needs a reason, a closure request needs evidence, a second extension request waits for the first', async () => {
    const w = await start();
    await moves.acknowledge(w);
    const rejected = async (p: Promise<unknown>) => ((await p.then(() => null, (e: unknown) => e)) as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect((await rejected(w.executeUpdate(requestClosureUpdate, { args: [{ by, evidenceIds: [] }] }))).details).toEqual([{ rule: 'task.request_closure.evidence' }]);
    await moves.requestClosure(w);
    expect((await rejected(w.executeUpdate(verifyUpdate, { args: [{ by, decision: 'return', reason: '  ' }] }))).details).toEqual([{ rule: 'task.verify.return_reason' }]);
    await moves.requestExtension(w);
    expect((await rejected(moves.requestExtension(w))).details).toEqual([{ rule: 'task.request_extension.one_pending' }]);
    const state = await w.query(taskStateQuery);
    expect(state).toMatchObject({ status: 'closure_requested', returnCount: 0 });
  });

  test('closing or cancelling ends the workflow with the final state', async () => {
    const closed = await start();
    await moves.complete(closed);
    expect(await closed.result()).toMatchObject({ status: 'closed', completedAt: expect.any(String) });
    const cancelled = await start();
    await moves.cancel(cancelled);
    expect(await cancelled.result()).toMatchObject({ status: 'cancelled', completedAt: null });
  });

  test('an approved extension moves every pending reminder: nothing at the old instants, reminder and overdue at the new ones', async () => {
    // Deadline in 5 days, reminder 2 days before; extended at day 1 to day 10.
    const w = await start(5, 2 * 24 * 3600);
    const first = await w.query(taskStateQuery);
    const taskId = first.taskId;
    const ownerMails = async () => {
      const task = await h.db.task.findUniqueOrThrow({ where: { id: taskId } });
      return h.smtp.messages.filter((m) => m.envelopeTo.includes(task.ownerEmail));
    };
    await h.env.sleep(DAY);
    const newDeadline = new Date(Date.parse(first.deadline) + 5 * DAY).toISOString();
    await w.executeUpdate(requestExtensionUpdate, { args: [{ by, requestedDeadline: newDeadline, reason: '需协调外单位' }] });
    const decided = await w.executeUpdate(decideExtensionUpdate, { args: [{ by, approve: true, reason: '同意' }] });
    expect(decided).toMatchObject({ deadline: newDeadline, pendingExtension: null });

    await h.env.sleep(5 * DAY); // day 6: past the old reminder (day 3) and old deadline (day 5)
    expect(await ownerMails()).toHaveLength(0);
    expect(await w.query(taskStateQuery)).toMatchObject({ overdue: false, remindedAt: null });

    await h.env.sleep(2 * DAY + 3600_000); // day 8 + 1 h: the new reminder (day 8) has gone out
    await eventually(async () => expect((await ownerMails()).map((m) => m.parsed.subject)).toEqual([expect.stringContaining('【整改提醒】')]));
    expect((await w.query(taskStateQuery)).remindedFor).toBe(newDeadline);

    await h.env.sleep(2 * DAY); // day 10 + 1 h: overdue at the new deadline
    await eventually(async () => expect(await ownerMails()).toHaveLength(2));
    const state = await w.query(taskStateQuery);
    expect(state.overdue).toBe(true);
    expect(Math.abs(Date.parse(state.overdueAt!) - Date.parse(newDeadline))).toBeLessThan(60_000);

    // Both deadlines are kept: the extension request row records the old and the new.
    await eventually(async () => {
      const ext = await h.db.extensionRequest.findMany({ where: { taskId } });
      expect(ext).toEqual([expect.objectContaining({ status: 'approved', currentDeadline: new Date(first.deadline), requestedDeadline: new Date(newDeadline) })]);
    });
  });

  test('a rejected extension keeps the deadline and its timers', async () => {
    const w = await start(5, 0);
    const first = await w.query(taskStateQuery);
    await w.executeUpdate(requestExtensionUpdate, { args: [{ by, requestedDeadline: new Date(Date.parse(first.deadline) + DAY).toISOString(), reason: '人手不足' }] });
    const decided = await w.executeUpdate(decideExtensionUpdate, { args: [{ by, approve: false, reason: '理由不充分' }] });
    expect(decided).toMatchObject({ deadline: first.deadline, pendingExtension: null });
    await h.env.sleep(5 * DAY + 3600_000);
    expect((await w.query(taskStateQuery)).overdue).toBe(true);
  });
});
