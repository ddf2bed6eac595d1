import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { noticeTypeLabels } from '../../domain/supervision-policy';
import { noticeAcknowledgedSignal, noticeWorkflowId } from '../../domain/contract';
import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { policy } from '../policy';

export const ZNotice = z.object({
  id: z.string(),
  number: z.string(),
  level: z.number(),
  type: z.enum(['reminder', 'supervision_notice', 'admonition', 'circular', 'accountability']),
  typeLabel: z.string(),
  color: z.string().nullable(),
  recipients: z.array(z.string()),
  requiresAck: z.boolean(),
  issuedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
});

export const presentNotice = (n: {
  id: string;
  number: string;
  level: number;
  type: keyof typeof noticeTypeLabels;
  color: string | null;
  recipients: string[];
  requiresAck: boolean;
  issuedAt: Date;
  acknowledgedAt: Date | null;
}) => ({
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

/** Escalation notices: their recipients acknowledge them (签收), which stops the daily re-reminders. */
export function noticeRoutes(deps: { db: Db; temporal: Client }): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/notices/{id}/acknowledge',
      tag: 'notices',
      summary: '签收督办通知 / acknowledge an escalation notice',
      auth: 'user',
      params: ZIdParams,
      body: z.strictObject({}),
      success: { status: 200, description: 'the acknowledged notice', schema: ZNotice },
      errors: [403, 404, 409],
      async handler({ actor, params, req }) {
        const notice = await deps.db.notice.findUnique({ where: { id: params.id }, include: { task: { include: { unit: { select: { path: true } } } } } });
        const scope = notice && { unitPath: notice.task.unit.path, ownerId: notice.task.ownerId, supervisorId: notice.task.supervisorId };
        const recipient = notice?.recipients.includes(actor.email) ?? false;
        if (!notice || !scope || (!recipient && !policy.readTask(actor, scope))) throw new AppError(ErrorCode.NOT_FOUND, '通知不存在 / notice not found');
        if (!recipient) throw new AppError(ErrorCode.FORBIDDEN, '只有通知的接收人可以签收 / only a recipient acknowledges a notice');
        if (!notice.requiresAck) throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '此通知无需签收 / this notice needs no acknowledgement', { rule: 'notice.ack.required' });
        if (notice.acknowledgedAt) throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '通知已签收 / already acknowledged', { rule: 'notice.ack.once' });
        const updated = await deps.db.$transaction(async (tx) => {
          const n = await tx.notice.update({ where: { id: notice.id }, data: { acknowledgedAt: new Date(), acknowledgedById: actor.id } });
          await recordAudit(tx, { actor, action: 'notice.acknowledge', targetType: 'task', targetId: notice.taskId, after: { number: notice.number }, requestId: String(req.id) });
          return n;
        });
        try {
          await deps.temporal.workflow.getHandle(noticeWorkflowId(notice.id)).signal(noticeAcknowledgedSignal);
        } catch (err) {
          // Its reminder workflow has already ended (task closed, or reminders exhausted): nothing to stop.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        return presentNotice(updated);
      },
    }),
  ];
}
