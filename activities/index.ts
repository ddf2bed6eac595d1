import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
import type { Prisma } from '../generated/prisma/client';
import type { TaskState } from '../domain/contract';
import { loadTaskMail, matterOf, pages } from './mail/context';
import { deadlineIcs, renderTaskMail, type TaskMailKind } from './mail-templates';
import { sendOnce } from './outbox';
import type { TaskEventType } from '../domain/events';

export interface TaskActivityDeps {
  db: Db;
  mailer: Mailer;
  mailFrom: string;
  /** Base URL for links in mails, e.g. http://localhost:3000 */
  publicUrl: string;
  timeZone: string;
  /** End of the office's working day (WORKDAY_END): working-day deadlines end then. */
  workdayEnd?: string;
  /** 发文机关 of the mails (MAIL_ISSUING_OFFICE); unset: the root unit's name + 督查室. */
  issuingOffice?: string;
  now?: () => Date;
}

export interface SendTaskMailInput {
  taskId: string;
  kind: TaskMailKind;
  /** The deadline the mail is about (part of the idempotency key: a moved deadline is a new mail). */
  deadline: string;
  /** The planned instant of this reminder, when a deadline has several (part of the key). */
  stepAt?: string;
}

export interface SendTaskMailResult {
  idempotencyKey: string;
  messageId: string;
  /** True when an earlier attempt already delivered this mail. */
  alreadySent: boolean;
  /** True when the mail server refused it for good (recorded, reported to the office). */
  rejected: boolean;
}

export interface RecordTaskEventInput {
  taskId: string;
  /** domain/events.ts: the event is `{ type, ...data }`. */
  type: TaskEventType;
  at: string;
  /** Identifies the workflow chain (first run id): a reopened task's new run has its own. */
  runKey: string;
  /** Transition number; orders projections so an older one never overwrites a newer one. */
  seq: number;
  state: TaskState;
  /** Transition details: who (`by`), reasons, texts, evidence ids. */
  data: Record<string, unknown>;
}

export function createTaskActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /**
     * Sends a task mail once per idempotency key (task, kind, deadline). The outbox row is written
     * before sending and marked sent after; a retry finds it sent and does nothing.
     */
    async sendTaskMail(input: SendTaskMailInput): Promise<SendTaskMailResult> {
      const deadline = new Date(input.deadline);
      const at = now();
      // One read for the mail and its .ics: the task, the issuing office and the calendar's state.
      const loaded = await loadTaskMail(deps, input.taskId, deadline, at);
      if (!loaded) throw ApplicationFailure.nonRetryable(`task ${input.taskId} not found`, 'TASK_NOT_FOUND');
      const { task, issuer, calendar } = loaded;
      const link = pages(deps.publicUrl).task(task.id);
      const mail = renderTaskMail(
        input.kind,
        { recipient: { person: task.owner.displayName, unit: task.owner.unit.name }, matter: matterOf(task, deadline), taskUrl: link },
        { issuer, timeZone: deps.timeZone, now: at, calendar },
      );
      return sendOnce(
        { ...deps, now },
        {
          idempotencyKey: `task:${input.taskId}:${input.kind}:${input.deadline}${input.stepAt ? `:${input.stepAt}` : ''}`,
          kind: input.kind,
          to: task.ownerEmail,
          taskId: task.id,
          ...mail,
          attachments: [
            { filename: 'deadline.ics', content: deadlineIcs({ id: task.id, title: task.title, deadline, link }), contentType: 'text/calendar; charset=utf-8; method=PUBLISH' },
          ],
        },
      );
    },

    /**
     * Projects a workflow transition into the database, once per (task, run, sequence number): the
     * event row, the task's current fields, and the business record the transition creates
     * (progress report, verification, extension request). A retried activity writes nothing more.
     */
    async recordTaskEvent(input: RecordTaskEventInput): Promise<{ written: boolean }> {
      const idempotencyKey = `task:${input.taskId}:${input.runKey}:${input.seq}`;
      const at = new Date(input.at);
      const { state, data } = input;
      const by = typeof data.by === 'string' ? data.by : null;
      return deps.db.$transaction(async (tx) => {
        // The deadline before and after the transition make the trail complete: a review can tell the
        // deadline in force at any past instant (lib/review/snapshot.ts).
        // The deadline before: the one a deadline move replaced (the workflow passes it); for a reopened
        // run, the one its previous run left; any other transition leaves the deadline as it was.
        const previous =
          input.type === 'reopened'
            ? await tx.taskEvent.findFirst({ where: { taskId: input.taskId, at: { lte: at }, NOT: { idempotencyKey } }, orderBy: { at: 'desc' }, select: { data: true } })
            : null;
        const deadlineBefore = (data.previousDeadline as string | undefined) ?? (previous?.data as { deadline?: string } | null)?.deadline ?? state.deadline;
        const { count } = await tx.taskEvent.createMany({
          data: [
            {
              idempotencyKey,
              taskId: input.taskId,
              type: input.type,
              at,
              data: { ...data, status: state.status, seq: input.seq, deadline: state.deadline, deadlineBefore } as Prisma.InputJsonValue,
            },
          ],
          skipDuplicates: true,
        });
        if (count === 0) return { written: false };
        await tx.task.updateMany({
          where: { id: input.taskId, projectionSeq: { lt: input.seq } },
          data: {
            status: state.status,
            overdue: state.overdue,
            returnCount: state.returnCount,
            deadline: new Date(state.deadline),
            completedAt: state.completedAt ? new Date(state.completedAt) : null,
            projectionSeq: input.seq,
          },
        });
        switch (input.type) {
          case 'progress_reported':
            if (by) await tx.progressReport.create({ data: { taskId: input.taskId, authorId: by, text: String(data.text ?? ''), createdAt: at } });
            break;
          case 'verified':
            if (by) {
              await tx.verification.create({
                data: { taskId: input.taskId, decision: data.decision === 'accept' ? 'accept' : 'return', reason: (data.reason as string | null) ?? null, verifierId: by, createdAt: at },
              });
            }
            break;
          case 'extension_requested':
            if (by) {
              await tx.extensionRequest.create({
                data: { taskId: input.taskId, requestedById: by, currentDeadline: new Date(state.deadline), requestedDeadline: new Date(String(data.requestedDeadline)), reason: String(data.reason ?? ''), createdAt: at },
              });
            }
            break;
          case 'extension_decided':
            await tx.extensionRequest.updateMany({
              where: { taskId: input.taskId, status: 'pending' },
              data: { status: data.approve ? 'approved' : 'rejected', decidedById: by, decidedAt: at, decisionReason: (data.reason as string | null) ?? null },
            });
            break;
        }
        return { written: true };
      });
    },
  };
}

export type TaskActivities = ReturnType<typeof createTaskActivities>;
