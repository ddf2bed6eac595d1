import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
import type { TaskStatus } from '../workflows/definitions';
import { renderTaskMail, type TaskMailKind } from './mail-templates';

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

/** Message-ID derived from the idempotency key, so a receiver can recognise a repeat. */
const messageIdOf = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@rectify.local>`;

export function createTaskActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Sends a task mail once per idempotency key (task, kind, deadline). The outbox row is written
     * before sending and marked sent after; a retry finds it sent and does nothing.
     */
    async sendTaskMail(input: SendTaskMailInput): Promise<SendTaskMailResult> {
      const idempotencyKey = `task:${input.taskId}:${input.kind}:${input.deadline}`;
      const messageId = messageIdOf(idempotencyKey);
      const task = await deps.db.task.findUnique({ where: { id: input.taskId } });
      if (!task) throw ApplicationFailure.nonRetryable(`task ${input.taskId} not found`, 'TASK_NOT_FOUND');

      const mail = renderTaskMail(input.kind, {
        title: task.title,
        deadline: new Date(input.deadline),
        now: now(),
        link: `${deps.publicUrl}/api/tasks/${task.id}`,
        timeZone: deps.timeZone,
      });
      const row = await deps.db.mailMessage.upsert({
        where: { idempotencyKey },
        create: { idempotencyKey, taskId: task.id, kind: input.kind, to: task.ownerEmail, subject: mail.subject, messageId, attempts: 1 },
        update: { attempts: { increment: 1 } },
      });
      if (row.status === 'sent') return { idempotencyKey, messageId, alreadySent: true };

      await deps.mailer.sendMail({
        from: deps.mailFrom,
        to: task.ownerEmail,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        headers: { 'X-Idempotency-Key': idempotencyKey },
      });
      await deps.db.mailMessage.update({ where: { idempotencyKey }, data: { status: 'sent', sentAt: now() } });
      return { idempotencyKey, messageId, alreadySent: false };
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
