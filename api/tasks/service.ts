import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import {
  completeTaskUpdate,
  type SuperviseTaskInput,
  type TaskState,
  taskWorkflowId,
  WorkflowErrorType,
} from '../../workflows/definitions';
import type { TCompleteTaskRequest, TCreateTaskRequest } from './schemas';

export interface TaskServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  now?: () => Date;
}

export type TaskService = ReturnType<typeof createTaskService>;

const notFound = (id: string) => new AppError(ErrorCode.NOT_FOUND, `任务不存在 / task ${id} not found`);
const alreadyCompleted = () =>
  new AppError(ErrorCode.ILLEGAL_TRANSITION, '任务已完成，不能重复完成 / task is already completed', { rule: 'task.complete.once' });

export function createTaskService(deps: TaskServiceDeps) {
  const now = deps.now ?? (() => new Date());

  async function get(id: string) {
    const task = await deps.db.task.findUnique({
      where: { id },
      include: {
        mails: { orderBy: { createdAt: 'asc' } },
        events: { orderBy: { at: 'asc' } },
      },
    });
    if (!task) throw notFound(id);
    return {
      id: task.id,
      title: task.title,
      ownerEmail: task.ownerEmail,
      status: task.status,
      deadline: task.deadline.toISOString(),
      reminderOffsetSeconds: task.reminderOffsetSeconds,
      completedAt: task.completedAt?.toISOString() ?? null,
      createdAt: task.createdAt.toISOString(),
      workflowId: taskWorkflowId(task.id),
      mails: task.mails.map((m) => ({
        kind: m.kind,
        to: m.to,
        subject: m.subject,
        status: m.status,
        messageId: m.messageId,
        sentAt: m.sentAt?.toISOString() ?? null,
      })),
      events: task.events.map((e) => ({ type: e.type, at: e.at.toISOString() })),
    };
  }

  return {
    get,

    /** Writes the task, then starts its supervising workflow; if the start fails the row is removed. */
    async create(input: TCreateTaskRequest) {
      const deadline = new Date(input.deadline);
      if (deadline.getTime() <= now().getTime()) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, '完成时限必须晚于当前时间 / deadline must be in the future', [
          { field: 'body.deadline', rule: 'future', message: 'deadline must be in the future' },
        ]);
      }
      const task = await deps.db.task.create({
        data: {
          title: input.title,
          ownerEmail: input.ownerEmail,
          deadline,
          reminderOffsetSeconds: input.reminderOffsetSeconds,
        },
      });
      const workflowInput: SuperviseTaskInput = {
        taskId: task.id,
        title: task.title,
        ownerEmail: task.ownerEmail,
        deadline: deadline.toISOString(),
        reminderOffsetSeconds: task.reminderOffsetSeconds,
      };
      try {
        await deps.temporal.workflow.start('superviseTask', {
          taskQueue: deps.taskQueue,
          workflowId: taskWorkflowId(task.id),
          args: [workflowInput],
        });
      } catch (err) {
        await deps.db.task.delete({ where: { id: task.id } });
        throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，任务未创建 / workflow service unavailable', undefined, { cause: err });
      }
      return get(task.id);
    },

    /** Completes a task through its workflow's validated update. */
    async complete(id: string, input: TCompleteTaskRequest): Promise<TaskState> {
      const task = await deps.db.task.findUnique({ where: { id }, select: { status: true } });
      if (!task) throw notFound(id);
      // A completed task's workflow has ended; answer from the projection without asking it.
      if (task.status === 'completed') throw alreadyCompleted();
      const handle = deps.temporal.workflow.getHandle(taskWorkflowId(id));
      try {
        return await handle.executeUpdate(completeTaskUpdate, { args: [input] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          if (err.cause.type === WorkflowErrorType.ILLEGAL_TRANSITION) throw alreadyCompleted();
        }
        // A concurrent completion may have ended the workflow between our read and the update.
        if (err instanceof WorkflowNotFoundError) {
          const now = await deps.db.task.findUnique({ where: { id }, select: { status: true } });
          if (now?.status === 'completed') throw alreadyCompleted();
          throw notFound(id);
        }
        throw err;
      }
    },
  };
}
