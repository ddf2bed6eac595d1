/**
 * Reminders before the deadline and the escalation ladder after it (督办), as data. Turned into
 * absolute instants by planSupervision() — calendar arithmetic happens here, in activities and the
 * API, never in workflow code.
 */
import { z } from 'zod';
import { localDate, type WorkingCalendar, zonedInstant } from './calendar';
import { type NoticeColor, noticeColors, type NoticeType, noticeTypes } from './notices';

export { type NoticeType, noticeTypeLabels } from './notices';

export type RecipientRole = 'owner' | 'unit_head' | 'supervisor' | 'office' | 'all_unit_heads';

export interface LadderRung {
  level: number;
  type: NoticeType;
  color?: NoticeColor;
  /** Working days after the deadline; 0 = at the deadline itself. */
  afterWorkingDays: number;
  recipients: RecipientRole[];
  requiresAck: boolean;
}

export interface SupervisionPolicy {
  /** Reminders this many working days before the deadline, in the morning. */
  reminderWorkingDaysBefore: number[];
  /** A reminder on the morning of the deadline day. */
  deadlineMorningReminder: boolean;
  /** When the office's working day starts (local time): reminders and later rungs go out then. */
  morning: string;
  ladder: LadderRung[];
}

/** Default ladder: 提醒 at the deadline → 督办单 (yellow) +1 → 督办单 (orange) +3 → 约谈 +5 → 通报 +10 → 问责 +15. */
export const defaultPolicy: SupervisionPolicy = {
  reminderWorkingDaysBefore: [3, 1],
  deadlineMorningReminder: true,
  morning: '09:00',
  ladder: [
    { level: 1, type: 'reminder', afterWorkingDays: 0, recipients: ['owner'], requiresAck: false },
    { level: 2, type: 'supervision_notice', color: 'yellow', afterWorkingDays: 1, recipients: ['owner', 'unit_head'], requiresAck: true },
    { level: 3, type: 'supervision_notice', color: 'orange', afterWorkingDays: 3, recipients: ['owner', 'unit_head', 'supervisor'], requiresAck: true },
    { level: 4, type: 'admonition', afterWorkingDays: 5, recipients: ['unit_head', 'supervisor', 'office'], requiresAck: true },
    { level: 5, type: 'circular', afterWorkingDays: 10, recipients: ['all_unit_heads', 'office'], requiresAck: false },
    { level: 6, type: 'accountability', afterWorkingDays: 15, recipients: ['supervisor', 'office'], requiresAck: false },
  ],
};

/**
 * A reminder whose instant passed less than this long before the plan was made is still sent (at
 * once): a worker busy with a burst plans some tasks after their first reminder's instant.
 */
export const LATE_REMINDER_GRACE_MS = 3600_000;

export interface PlanStep {
  /** ISO instant. */
  at: string;
  kind: 'reminder' | 'escalation';
  /** Ladder level, for escalations. */
  level?: number;
}

/**
 * The supervision timeline of one deadline: reminders (policy ones on working mornings, plus an
 * explicit offset one exactly when asked), then the ladder's rungs, in time order. Steps before
 * `now` by more than an hour that are reminders are dropped (a reminder days late is noise; one a
 * few minutes late, because the plan was made late, still goes out at once); rungs never are (a late rung
 * still has to be issued).
 */
export function planSupervision(opts: {
  calendar: WorkingCalendar;
  policy: SupervisionPolicy;
  deadline: Date;
  timeZone: string;
  now: Date;
  reminderOffsetSeconds?: number;
}): PlanStep[] {
  const { calendar, policy, deadline, timeZone, now } = opts;
  const deadlineDay = localDate(deadline, timeZone);
  const morningOf = (date: string) => zonedInstant(date, policy.morning, timeZone);
  const reminders: Date[] = policy.reminderWorkingDaysBefore.map((n) => morningOf(calendar.shiftWorkingDays(deadlineDay, -n)));
  if (policy.deadlineMorningReminder) {
    const day = calendar.isWorkingDay(deadlineDay) ? deadlineDay : calendar.shiftWorkingDays(deadlineDay, -1);
    reminders.push(morningOf(day));
  }
  if (opts.reminderOffsetSeconds) reminders.push(new Date(deadline.getTime() - opts.reminderOffsetSeconds * 1000));
  const steps: PlanStep[] = [
    ...[...new Set(reminders.filter((r) => r < deadline && r.getTime() > now.getTime() - LATE_REMINDER_GRACE_MS).map((r) => r.getTime()))].map((t) => ({ at: new Date(t).toISOString(), kind: 'reminder' as const })),
    ...policy.ladder.map((rung) => ({
      at: (rung.afterWorkingDays === 0 ? deadline : morningOf(calendar.shiftWorkingDays(deadlineDay, rung.afterWorkingDays))).toISOString(),
      kind: 'escalation' as const,
      level: rung.level,
    })),
  ];
  return steps.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.level ?? 0) - (b.level ?? 0));
}

const ZRecipientRole = z.enum(['owner', 'unit_head', 'supervisor', 'office', 'all_unit_heads']);
const ZRung = z.strictObject({
  level: z.number().int().min(1).max(20),
  type: z.enum(noticeTypes),
  color: z.enum(noticeColors).optional(),
  afterWorkingDays: z.number().int().min(0).max(250),
  recipients: z.array(ZRecipientRole).min(1).max(5),
  requiresAck: z.boolean(),
});

/** A campaign's overrides of the default policy; what it leaves out stays as the default. */
export const ZPolicyOverride = z.strictObject({
  reminderWorkingDaysBefore: z
    .array(z.number().int().min(1).max(30))
    .max(5)
    .refine((a) => new Set(a).size === a.length, 'must not repeat')
    .optional(),
  deadlineMorningReminder: z.boolean().optional(),
  morning: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').optional(),
  ladder: z
    .array(ZRung)
    .min(1)
    .max(10)
    .refine((l) => l.every((r, i) => r.level === i + 1), 'levels must be 1, 2, 3… in order')
    .refine((l) => l.every((r, i) => i === 0 || r.afterWorkingDays > l[i - 1]!.afterWorkingDays), 'each rung must come later than the one before')
    .optional(),
});
export type PolicyOverride = z.infer<typeof ZPolicyOverride>;

/**
 * The effective policy: the defaults with a campaign's overrides on top. The API refuses an invalid
 * override with a 400 naming the field (the campaign schema uses ZPolicyOverride); one that is
 * invalid all the same (a row changed by hand) is an error here, never quietly the defaults.
 */
export function effectivePolicy(override: unknown): SupervisionPolicy {
  const parsed = ZPolicyOverride.safeParse(override ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`督办策略无效 / invalid supervision policy: policy.${issue.path.join('.')} ${issue.message}`);
  }
  const o = parsed.data;
  return {
    reminderWorkingDaysBefore: o.reminderWorkingDaysBefore ?? defaultPolicy.reminderWorkingDaysBefore,
    deadlineMorningReminder: o.deadlineMorningReminder ?? defaultPolicy.deadlineMorningReminder,
    morning: o.morning ?? defaultPolicy.morning,
    ladder: o.ladder ?? defaultPolicy.ladder,
  };
}
