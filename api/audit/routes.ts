import { z } from 'zod';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { paginate, ZPage } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { policy } from '../policy';

export const ZListAuditQuery = z.strictObject({
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(100).optional(),
  actorId: z.uuid().optional(),
  ...ZPage,
});

export const ZAuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
});

/** Read-only: the audit trail has no API to change or delete it (and the database refuses too). */
export function auditRoutes(db: Db): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/audit-events',
      tag: 'audit',
      summary: '审计日志（只读）/ the audit trail, newest first',
      auth: 'user',
      query: ZListAuditQuery,
      success: { status: 200, description: 'a page of audit events', schema: z.object({ items: z.array(ZAuditEvent), total: z.number(), page: z.number(), pageSize: z.number() }) },
      errors: [403],
      async handler({ actor, query }) {
        if (!policy.readAudit(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看审计日志 / not allowed');
        const { page, pageSize, ...filters } = query;
        const where = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
        const [rows, total] = await Promise.all([
          db.auditEvent.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], ...paginate({ page, pageSize }) }),
          db.auditEvent.count({ where }),
        ]);
        return { items: rows.map((e) => ({ ...e, at: e.at.toISOString() })), total, page, pageSize };
      },
    }),
  ];
}
