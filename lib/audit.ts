import type { Prisma } from '../generated/prisma/client';

export interface AuditActor {
  id: string;
  email: string;
}

export interface AuditEntry {
  actor: AuditActor | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: Prisma.InputJsonValue | null;
  after?: Prisma.InputJsonValue | null;
  requestId?: string | null;
}

/** Appends one audit event; call it inside the transaction of the write it describes. */
export async function recordAudit(tx: Prisma.TransactionClient, e: AuditEntry) {
  return tx.auditEvent.create({
    data: {
      actorId: e.actor?.id ?? null,
      actorEmail: e.actor?.email ?? null,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      before: e.before ?? undefined,
      after: e.after ?? undefined,
      requestId: e.requestId ?? null,
    },
  });
}
