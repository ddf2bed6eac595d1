import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
import type { TaskStatus } from '../workflows/definitions';
import { renderTaskMail, type TaskMailKind } from './mail-templates';
import { sendOnce } from './outbox';

export interface TaskActivityDeps {
  db: Db;
  mailer: Mailer;
  mailFrom: string;
  /** Base URL for links in mails, e.g. http://localhost:3000 */
  publicUrl: string;
  timeZone: string;
  now?: () => Date;
}

export interface SendTaskMailInput {
  taskId: string;
  kind: TaskMailKind;
  /** The deadline the mail is about (part of the idempotency key: a moved deadline is a new mail). */
  deadline: string;
}

export interface SendTaskMailResult {
  idempotencyKey: string;
  messageId: string;
  /** True when an earlier attempt already delivered this mail. */
  alreadySent: boolean;
}

export interface RecordTaskEventInput {
  taskId: string;
  type: string;
  at: string;
  status: TaskStatus;
}

export function createTaskActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Sends a task mail once per idempotency key (task, kind, deadline). The outbox row is written
     * before sending and marked sent after; a retry finds it sent and does nothing.
     */
    async sendTaskMail(input: SendTaskMailInput): Promise<SendTaskMailResult> {
      const task = await deps.db.task.findUnique({ where: { id: input.taskId } });
      if (!task) throw ApplicationFailure.nonRetryable(`task ${input.taskId} not found`, 'TASK_NOT_FOUND');
      const mail = renderTaskMail(input.kind, {
        title: task.title,
        deadline: new Date(input.deadline),
        now: now(),
        link: `${deps.publicUrl}/api/tasks/${task.id}`,
        timeZone: deps.timeZone,
      });
      return sendOnce(
        { ...deps, now },
        { idempotencyKey: `task:${input.taskId}:${input.kind}:${input.deadline}`, kind: input.kind, to: task.ownerEmail, taskId: task.id, ...mail },
      );
    },

    /** Projects a workflow transition into the database, once per (task, type, instant). */
    async recordTaskEvent(input: RecordTaskEventInput): Promise<{ written: boolean }> {
      const idempotencyKey = `task:${input.taskId}:${input.type}:${input.at}`;
      const at = new Date(input.at);
      return deps.db.$transaction(async (tx) => {
        const { count } = await tx.taskEvent.createMany({
          data: [{ idempotencyKey, taskId: input.taskId, type: input.type, at, data: { status: input.status } }],
          skipDuplicates: true,
        });
        if (count === 0) return { written: false };
        await tx.task.update({
          where: { id: input.taskId },
          data: { status: input.status, ...(input.status === 'completed' ? { completedAt: at } : {}) },
        });
        return { written: true };
      });
    },
  };
}

export type TaskActivities = ReturnType<typeof createTaskActivities>;
