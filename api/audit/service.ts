import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { paginate } from '../http/common';
import { type Actor, policy } from '../policy';
import type { TListAuditQuery } from './schemas';

export type AuditService = ReturnType<typeof createAuditService>;

/** Read-only: the audit trail has no API to change or delete it (and the database refuses too). */
export function createAuditService(db: Db) {
  return {
    async list(actor: Actor, query: TListAuditQuery) {
      if (!policy.readAudit(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看审计日志 / not allowed');
      const { page, pageSize, ...filters } = query;
      const where = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
      const [rows, total] = await Promise.all([
        db.auditEvent.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], ...paginate({ page, pageSize }) }),
        db.auditEvent.count({ where }),
      ]);
      return { items: rows.map((e) => ({ ...e, at: e.at.toISOString() })), total, page, pageSize };
    },
  };
}
