import { type AnyRoute, route } from '../http/route';
import { ZAuditEventList, ZListAuditQuery } from './schemas';
import type { AuditService } from './service';

/** Read-only: the audit trail has no API to change or delete it (and the database refuses too). */
export function auditRoutes(service: AuditService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/audit-events',
      tag: 'audit',
      summary: '审计日志（只读）/ the audit trail, newest first',
      auth: 'user',
      query: ZListAuditQuery,
      success: { status: 200, description: 'a page of audit events', schema: ZAuditEventList },
      errors: [403],
      handler: ({ actor, query }) => service.list(actor, query),
    }),
  ];
}
