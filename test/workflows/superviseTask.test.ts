import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { completeTaskUpdate, taskStateQuery, taskWorkflowId, type SuperviseTaskInput } from '../../domain/contract';
import { createTimeSkippingEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';

const DAY = 24 * 3600 * 1000;

/** Timers fire within the server's scheduling slack (milliseconds), on a timeline of days. */
function expectInstant(iso: string | null, expectedMs: number) {
  expect(iso).not.toBeNull();
  expect(Math.abs(Date.parse(iso!) - expectedMs)).toBeLessThan(60_000);
}

describe('superviseTask on the time-skipping server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  async function startSupervision(deadlineInDays: number, reminderOffsetSeconds: number) {
    const now = await h.env.currentTimeMs();
    const task = await insertTask(h.db, { deadline: new Date(now + deadlineInDays * DAY), reminderOffsetSeconds });
    const input: SuperviseTaskInput = {
      taskId: task.id,
      title: task.title,
      ownerEmail: task.ownerEmail,
      deadline: task.deadline.toISOString(),
      reminderOffsetSeconds,
    };
    const handle = await h.env.client.workflow.start('superviseTask', {
      taskQueue: h.taskQueue,
      workflowId: taskWorkflowId(task.id),
      args: [input],
    });
    return { task, handle };
  }

  const mailsTo = (email: string) => h.smtp.messages.filter((m) => m.envelopeTo.includes(email));

  test('a deadline days away: the owner gets the reminder at the offset, then the overdue notice at the deadline', async () => {
    const { task, handle } = await startSupervision(5, 2 * 24 * 3600);

    await h.env.sleep(3 * DAY + 3600_000); // past the reminder instant (deadline - 2 days), before the deadline
    await h.smtp.waitFor(1, (m) => m.envelopeTo.includes(task.ownerEmail));
    const afterReminder = await handle.query(taskStateQuery);
    expect(afterReminder).toMatchObject({ status: 'assigned', overdue: false });
    expectInstant(afterReminder.remindedAt, task.deadline.getTime() - 2 * DAY);
    expect(mailsTo(task.ownerEmail).map((m) => m.parsed.subject)).toEqual([expect.stringContaining('【整改提醒】')]);

    await h.env.sleep(2 * DAY);
    const mails = await h.smtp.waitFor(2, (m) => m.envelopeTo.includes(task.ownerEmail));
    const afterDeadline = await handle.query(taskStateQuery);
    expect(afterDeadline).toMatchObject({ status: 'assigned', overdue: true });
    expectInstant(afterDeadline.overdueAt, task.deadline.getTime());
    expect(mails.map((m) => m.parsed.subject)).toEqual([expect.stringContaining('【整改提醒】'), expect.stringContaining('【逾期通知】')]);
    expect(mails[1]!.parsed.text).toContain(task.title);

    // The projection follows the workflow, and the outbox records each mail once.
    const row = await eventually(async () => {
      const r = await h.db.task.findUniqueOrThrow({ where: { id: task.id }, include: { mails: true } });
      expect(r.mails.filter((m) => m.status === 'sent')).toHaveLength(2);
      return r;
    });
    expect(row).toMatchObject({ status: 'assigned', overdue: true });
    expect(row.mails.map((m) => [m.kind, m.status]).sort()).toEqual([
      ['overdue', 'sent'],
      ['reminder', 'sent'],
    ]);

    // An overdue task can still be completed; the workflow then ends.
    await handle.executeUpdate(completeTaskUpdate, { args: [{}] });
    expect((await handle.result()).status).toBe('closed');
  });

  test('a task completed before its reminder gets no mail at all, even after the deadline has passed', async () => {
    const { task, handle } = await startSupervision(10, 24 * 3600);
    await h.env.sleep(2 * DAY);

    const state = await handle.executeUpdate(completeTaskUpdate, { args: [{ note: '已完成整改' }] });
    expect(state.status).toBe('closed');
    const result = await handle.result();
    expect(result.remindedAt).toBeNull();
    expect(result.overdueAt).toBeNull();

    await h.env.sleep(20 * DAY);
    expect(mailsTo(task.ownerEmail)).toHaveLength(0);
    const row = await h.db.task.findUniqueOrThrow({ where: { id: task.id }, include: { mails: true, events: true } });
    expect(row.status).toBe('closed');
    expect(row.mails).toHaveLength(0);
    expect(row.events.map((e) => e.type)).toEqual(['completed']);
  });

  test('completing twice: exactly one update is accepted, the other is rejected as an illegal transition', async () => {
    const { handle } = await startSupervision(10, 0);
    const results = await Promise.allSettled([
      handle.executeUpdate(completeTaskUpdate, { args: [{}] }),
      handle.executeUpdate(completeTaskUpdate, { args: [{}] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (rejected?.reason as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('ILLEGAL_TRANSITION');
    expect((await handle.result()).status).toBe('closed');
  });
});
