import { type AuditEvent, Prisma } from '../generated/prisma/client';

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

/** An entry's plain columns, as every way of writing it stores them. */
function columnsOf(e: AuditEntry) {
  return { actorId: e.actor?.id ?? null, actorEmail: e.actor?.email ?? null, action: e.action, targetType: e.targetType, targetId: e.targetId ?? null, requestId: e.requestId ?? null };
}

/** Appends one audit event; call it inside the transaction of the write it describes. */
export async function recordAudit(tx: Prisma.TransactionClient, e: AuditEntry) {
  return tx.auditEvent.create({ data: { ...columnsOf(e), before: e.before ?? undefined, after: e.after ?? undefined } });
}

/**
 * The same event as an `INSERT … SELECT` for a statement that writes it with the change it describes
 * (a CTE); the caller may append a WHERE (e.g. only if the change wrote a row) and a RETURNING.
 */
export function auditInsertSql(e: AuditEntry): Prisma.Sql {
  const c = columnsOf(e);
  const json = (v: Prisma.InputJsonValue | null | undefined) => (v == null ? null : JSON.stringify(v));
  return Prisma.sql`
    INSERT INTO "AuditEvent" (id, "actorId", "actorEmail", action, "targetType", "targetId", before, after, "requestId")
    SELECT gen_random_uuid(), ${c.actorId}::uuid, ${c.actorEmail}, ${c.action}, ${c.targetType}, ${c.targetId},
           ${json(e.before)}::jsonb, ${json(e.after)}::jsonb, ${c.requestId}`;
}

/** The row `auditInsertSql` wrote for an entry, from the id and time the statement returned. */
export function auditRow(e: AuditEntry, written: { id: string; at: Date }): AuditEvent {
  return { ...written, ...columnsOf(e), before: (e.before ?? null) as AuditEvent['before'], after: (e.after ?? null) as AuditEvent['after'] };
}
