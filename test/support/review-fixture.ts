import { randomUUID } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { zonedInstant } from '../../domain/calendar';
import type { Db } from '../../lib/db';

/** 'YYYY-MM-DD HH:MM' in Asia/Shanghai. */
export const at = (local: string) => zonedInstant(local.slice(0, 10), local.slice(11, 16), 'Asia/Shanghai');

export interface FixtureUnit {
  id: string;
  code: string;
  name: string;
  ownerId: string;
  ownerEmail: string;
}

/** A unit with one responsible person, codes ordered by `order` (reports list units by code). */
export async function fixtureUnit(db: Db, tag: string, order: number, name: string): Promise<FixtureUnit> {
  const id = randomUUID();
  const code = `RV-${tag}-${order}`;
  await db.unit.create({ data: { id, code, name, path: `/${id}/` } });
  const owner = await db.person.create({ data: { email: `owner-${order}-${tag}@example.gov.cn`, displayName: `${name}责任人`, unitId: id, roles: ['staff'] } });
  return { id, code, name, ownerId: owner.id, ownerEmail: owner.email };
}

type Step =
  | { at: string; type: 'acknowledged' | 'closure_requested' | 'overdue' | 'progress_reported'; status?: string }
  | { at: string; type: 'returned'; by: string }
  | { at: string; type: 'closed'; by: string }
  | { at: string; type: 'cancelled' }
  | { at: string; type: 'extended'; to: string; by: string }
  | { at: string; type: 'notice'; level: number; number: number };

let noticeSeq = 0;

/**
 * A task with its trail written as the workflow's projection writes it (TaskEvent rows carrying
 * status, deadline and the deadline before; verifications; extension requests; notices), back-dated.
 * The task row ends in the state the last step leaves it in.
 */
export async function fixtureTask(db: Db, unit: FixtureUnit, spec: { code: string; created: string; deadline: string; steps: Step[] }) {
  const id = randomUUID();
  let deadline = at(spec.deadline);
  let status = 'assigned';
  let completedAt: Date | null = null;
  const events: Prisma.TaskEventCreateManyInput[] = [];
  const notices: Prisma.NoticeCreateManyInput[] = [];
  const verifications: Prisma.VerificationCreateManyInput[] = [];
  const extensions: Prisma.ExtensionRequestCreateManyInput[] = [];
  let seq = 0;
  const event = (when: Date, type: string, before: Date, data: Record<string, unknown> = {}) =>
    events.push({ idempotencyKey: `fixture:${id}:${++seq}`, taskId: id, type, at: when, data: { ...data, status, seq, deadline: deadline.toISOString(), deadlineBefore: before.toISOString() } });

  for (const step of spec.steps) {
    const when = at(step.at);
    switch (step.type) {
      case 'notice': {
        const year = Number(step.at.slice(0, 4));
        notices.push({
          taskId: id,
          level: step.level,
          type: (['reminder', 'supervision_notice', 'supervision_notice', 'admonition', 'circular', 'accountability'] as const)[step.level - 1]!,
          year,
          seq: 100_000 + ++noticeSeq,
          number: `督办〔${year}〕第${step.number}号`,
          recipients: [unit.ownerEmail],
          requiresAck: false,
          idempotencyKey: `fixture-notice:${id}:${step.level}`,
          issuedAt: when,
        });
        break;
      }
      case 'returned':
        status = 'returned';
        verifications.push({ taskId: id, decision: 'return', reason: '佐证材料不全', verifierId: step.by, createdAt: when });
        event(when, 'verified', deadline, { decision: 'return' });
        break;
      case 'closed':
        status = 'closed';
        completedAt = when;
        verifications.push({ taskId: id, decision: 'accept', verifierId: step.by, createdAt: when });
        event(when, 'verified', deadline, { decision: 'accept' });
        break;
      case 'cancelled':
        status = 'cancelled';
        event(when, 'cancelled', deadline);
        break;
      case 'extended': {
        const before = deadline;
        deadline = at(step.to);
        extensions.push({ taskId: id, requestedById: unit.ownerId, currentDeadline: before, requestedDeadline: deadline, reason: '需协调外部单位', status: 'approved', decidedById: step.by, decidedAt: when, createdAt: when });
        event(when, 'extension_decided', before, { decision: 'approve' });
        break;
      }
      default:
        status = step.status ?? (step.type === 'overdue' ? status : step.type === 'progress_reported' ? 'in_progress' : step.type);
        event(when, step.type, deadline);
    }
  }
  await db.task.create({
    data: {
      id,
      code: spec.code,
      title: `整改措施 ${spec.code}`,
      unitId: unit.id,
      ownerId: unit.ownerId,
      ownerEmail: unit.ownerEmail,
      deadline,
      reminderOffsetSeconds: 0,
      status: status as never,
      overdue: false,
      completedAt,
      createdAt: at(spec.created),
    },
  });
  await db.taskEvent.createMany({ data: events });
  await db.notice.createMany({ data: notices });
  await db.verification.createMany({ data: verifications });
  await db.extensionRequest.createMany({ data: extensions });
  return id;
}
