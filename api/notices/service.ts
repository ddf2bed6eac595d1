import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { noticeAcknowledgedSignal, noticeWorkflowId } from '../../domain/contract';
import { noticeTypeLabels } from '../../domain/supervision-policy';
import { paginate } from '../http/common';
import { type Actor, policy, type TaskScope } from '../policy';
import type { TListNoticesQuery, TNotice, TNoticeAction } from './schemas';

export interface NoticeServiceDeps {
  db: Db;
  temporal: Client;
  now?: () => Date;
}

export type NoticeService = ReturnType<typeof createNoticeService>;

type NoticeRow = {
  id: string;
  number: string;
  level: number;
  type: keyof typeof noticeTypeLabels;
  color: string | null;
  recipients: string[];
  requiresAck: boolean;
  issuedAt: Date;
  acknowledgedAt: Date | null;
};

/** A notice as the acknowledge endpoint and a task's detail show it. */
export const presentNotice = (n: NoticeRow): TNotice => ({
  id: n.id,
  number: n.number,
  level: n.level,
  type: n.type,
  typeLabel: noticeTypeLabels[n.type],
  color: n.color,
  recipients: n.recipients,
  requiresAck: n.requiresAck,
  issuedAt: n.issuedAt.toISOString(),
  acknowledgedAt: n.acknowledgedAt?.toISOString() ?? null,
});


const notFound = () => new AppError(ErrorCode.NOT_FOUND, '通知不存在 / notice not found');

const noticeInclude = {
  task: { select: { id: true, code: true, title: true, ownerId: true, supervisorId: true, unit: { select: { path: true } } } },
} satisfies Prisma.NoticeInclude;
type NoticeWithTask = Prisma.NoticeGetPayload<{ include: typeof noticeInclude }>;

const scopeOf = (n: NoticeWithTask): TaskScope => ({ unitPath: n.task.unit.path, ownerId: n.task.ownerId, supervisorId: n.task.supervisorId });

export function createNoticeService(deps: NoticeServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  const allowedActions = (actor: Actor, n: NoticeRow): TNoticeAction[] =>
    policy.acknowledgeNotice(actor, n) && n.requiresAck && !n.acknowledgedAt ? ['acknowledge'] : [];

  const summary = (actor: Actor, n: NoticeWithTask) => ({
    ...presentNotice(n),
    task: { id: n.task.id, code: n.task.code, title: n.task.title },
    allowedActions: allowedActions(actor, n),
  });

  /** The notice if the actor may read it; otherwise 404, whether or not it exists. */
  async function visible(actor: Actor, id: string): Promise<NoticeWithTask> {
    const notice = await db.notice.findUnique({ where: { id }, include: noticeInclude });
    if (!notice || !policy.readNotice(actor, notice, scopeOf(notice))) throw notFound();
    return notice;
  }

  return {
    async list(actor: Actor, q: TListNoticesQuery) {
      const where: Prisma.NoticeWhereInput = {
        AND: [
          policy.noticesWhere(actor),
          q.acknowledged === true ? { acknowledgedAt: { not: null } } : {},
          q.acknowledged === false ? { requiresAck: true, acknowledgedAt: null } : {},
        ],
      };
      const [rows, total] = await Promise.all([
        db.notice.findMany({ where, include: noticeInclude, orderBy: [{ issuedAt: 'desc' }, { id: 'desc' }], ...paginate(q) }),
        db.notice.count({ where }),
      ]);
      return { items: rows.map((n) => summary(actor, n)), total, page: q.page, pageSize: q.pageSize };
    },

    async get(actor: Actor, id: string) {
      const notice = await visible(actor, id);
      const [people, acknowledger] = await Promise.all([
        db.person.findMany({ where: { email: { in: notice.recipients } }, select: { id: true, email: true, displayName: true, unit: { select: { id: true, name: true } } } }),
        notice.acknowledgedById ? db.person.findUnique({ where: { id: notice.acknowledgedById }, select: { id: true, displayName: true, email: true } }) : null,
      ]);
      const byEmail = new Map(people.map((p) => [p.email, p]));
      return {
        ...summary(actor, notice),
        recipientDetails: notice.recipients.map((email) => {
          const p = byEmail.get(email);
          return {
            email,
            person: p ? { id: p.id, displayName: p.displayName, unit: p.unit } : null,
            acknowledged: notice.acknowledgedAt !== null && acknowledger?.email === email,
          };
        }),
        acknowledgement: notice.acknowledgedAt ? { at: notice.acknowledgedAt.toISOString(), by: acknowledger } : null,
      };
    },

    /**
     * 签收: once per notice. The acknowledgement is a conditional update (only while unsigned) in
     * the transaction of its audit event, so concurrent calls make one acknowledgement and one audit
     * row whatever the number of API replicas. The recipient who signed it gets the same answer again
     * (200, the same acknowledgement, nothing written); anyone else after it is signed gets 409
     * `notice.ack.once`. Then its reminder workflow is told (idempotent; a repeat repairs a lost signal).
     */
    async acknowledge(actor: Actor, id: string, requestId?: string): Promise<TNotice> {
      const notice = await visible(actor, id);
      if (!policy.acknowledgeNotice(actor, notice)) throw new AppError(ErrorCode.FORBIDDEN, '只有通知的接收人可以签收 / only a recipient acknowledges a notice');
      if (!notice.requiresAck) throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '此通知无需签收 / this notice needs no acknowledgement', { rule: 'notice.ack.required' });
      const signed = await db.$transaction(async (tx) => {
        const { count } = await tx.notice.updateMany({ where: { id, acknowledgedAt: null }, data: { acknowledgedAt: now(), acknowledgedById: actor.id } });
        const row = await tx.notice.findUniqueOrThrow({ where: { id } });
        if (count === 1) await recordAudit(tx, { actor, action: 'notice.acknowledge', targetType: 'task', targetId: notice.taskId, after: { number: notice.number }, requestId });
        return row;
      });
      if (signed.acknowledgedById !== actor.id) throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '通知已签收 / already acknowledged', { rule: 'notice.ack.once' });
      try {
        await deps.temporal.workflow.getHandle(noticeWorkflowId(id)).signal(noticeAcknowledgedSignal);
      } catch (err) {
        // Its reminder workflow has already ended (task closed, or reminders exhausted): nothing to stop.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return presentNotice(signed);
    },
  };
}
