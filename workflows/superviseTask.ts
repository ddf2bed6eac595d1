import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { TaskActivities } from '../activities';
import {
  type CompleteTaskInput,
  completeTaskUpdate,
  type SuperviseTaskInput,
  TaskDeadlineSearchAttribute,
  type TaskState,
  taskStateQuery,
  TaskStatusSearchAttribute,
  WorkflowErrorType,
} from './definitions';

const { sendTaskMail, recordTaskEvent } = proxyActivities<TaskActivities>({
  startToCloseTimeout: '30 seconds',
  // A mail server outage delays mail, it never drops it: retry with backoff without a cap on attempts.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Supervises one task: a reminder `reminderOffsetSeconds` before the deadline, an overdue notice at
 * the deadline, unless the task is completed first (the `completeTask` update). The workflow is the
 * source of truth for the task's state; every transition is projected into the database.
 */
export async function superviseTask(input: SuperviseTaskInput): Promise<TaskState> {
  const deadlineMs = Date.parse(input.deadline);
  const state: TaskState = {
    taskId: input.taskId,
    status: 'open',
    deadline: input.deadline,
    remindedAt: null,
    overdueAt: null,
    completedAt: null,
  };

  setHandler(taskStateQuery, () => state);
  setHandler(
    completeTaskUpdate,
    async (_input: CompleteTaskInput) => {
      state.status = 'completed';
      state.completedAt = new Date().toISOString();
      upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: state.status }]);
      await recordTaskEvent({ taskId: input.taskId, type: 'completed', at: state.completedAt, status: 'completed' });
      return state;
    },
    {
      validator: (_input: CompleteTaskInput) => {
        if (state.status === 'completed') {
          throw ApplicationFailure.create({
            type: WorkflowErrorType.ILLEGAL_TRANSITION,
            message: '任务已完成，不能重复完成 / task is already completed',
            nonRetryable: true,
          });
        }
      },
    },
  );

  upsertSearchAttributes([
    { key: TaskStatusSearchAttribute, value: state.status },
    { key: TaskDeadlineSearchAttribute, value: new Date(deadlineMs) },
  ]);

  const completed = () => state.status === 'completed';
  /** Waits until the instant or completion; true when the instant was reached first. */
  const reached = async (instantMs: number): Promise<boolean> => {
    const wait = instantMs - Date.now();
    if (wait > 0) await condition(completed, wait);
    return !completed();
  };

  if (input.reminderOffsetSeconds > 0 && (await reached(deadlineMs - input.reminderOffsetSeconds * 1000))) {
    state.remindedAt = new Date().toISOString();
    await sendTaskMail({ taskId: input.taskId, kind: 'reminder', deadline: input.deadline });
  }

  if (await reached(deadlineMs)) {
    state.status = 'overdue';
    state.overdueAt = new Date().toISOString();
    upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: state.status }]);
    await recordTaskEvent({ taskId: input.taskId, type: 'overdue', at: state.overdueAt, status: 'overdue' });
    await sendTaskMail({ taskId: input.taskId, kind: 'overdue', deadline: input.deadline });
  }

  await condition(completed);
  // The completion handler projects the transition; return only after it has finished.
  await condition(allHandlersFinished);
  return state;
}
