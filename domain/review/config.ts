/**
 * Review cycles as configuration: the three of the domain (月调度、季讲评、年考核) by default, more
 * can be added (e.g. a weekly 周排查). Scores and ratings follow weights and rules kept with each
 * cycle, never code.
 */
import { z } from 'zod';
import type { PeriodKind } from './periods';

export type ReportType = 'dispatch' | 'review' | 'assessment';
export type Rating = 'excellent' | 'good' | 'pass' | 'fail';

export const ratingLabels: Record<Rating, string> = { excellent: '优秀', good: '良好', pass: '合格', fail: '不合格' };
export const reportTypeLabels: Record<ReportType, string> = { dispatch: '调度通报', review: '讲评排名', assessment: '年度考核' };
const ZRating = z.enum(['excellent', 'good', 'pass', 'fail']);

/** A rule that keeps a unit from a rating (and everything above it), whatever its score. */
export const ZRatingRule = z.discriminatedUnion('kind', [
  /** A unit with an item escalated to this ladder level or higher in the period (default 6 = 问责). */
  z.strictObject({ kind: z.literal('escalation_at_least'), level: z.number().int().min(1).max(20), forbids: ZRating.default('excellent') }),
  /** A unit whose on-time closure rate is below this share (only when it closed something). */
  z.strictObject({ kind: z.literal('on_time_rate_below'), rate: z.number().min(0).max(1), forbids: ZRating.default('excellent') }),
  /** A unit with this many overdue items or more at the period's end. */
  z.strictObject({ kind: z.literal('overdue_at_least'), count: z.number().int().min(1), forbids: ZRating.default('excellent') }),
]);
export type RatingRule = z.infer<typeof ZRatingRule>;

export const ZScoring = z.strictObject({
  weights: z.strictObject({
    /** Shares of the 100-point base: on-time closure rate and closure rate (they add up to 1). */
    onTimeRate: z.number().min(0).max(1),
    closureRate: z.number().min(0).max(1),
    /** Points off per item overdue at the period's end, and per overdue day. */
    overdueTask: z.number().min(0),
    overdueDay: z.number().min(0),
    /** Points off per escalation notice issued in the period, by ladder level ("2": 督办单 yellow …). */
    escalation: z.record(z.string().regex(/^\d{1,2}$/), z.number().min(0)),
    /** Points off per closure request returned, and per extension approved, in the period. */
    returned: z.number().min(0),
    extension: z.number().min(0),
  }).refine((w) => Math.abs(w.onTimeRate + w.closureRate - 1) < 1e-9, { message: 'onTimeRate + closureRate must be 1', path: ['onTimeRate'] }),
  /** Lowest score of each rating; below `pass` is 不合格. */
  ratingThresholds: z.strictObject({ excellent: z.number(), good: z.number(), pass: z.number() }).refine((t) => t.excellent >= t.good && t.good >= t.pass, {
    message: 'thresholds must be excellent ≥ good ≥ pass',
  }),
  rules: z.array(ZRatingRule).max(20),
});
export type Scoring = z.infer<typeof ZScoring>;

export const defaultScoring: Scoring = {
  weights: { onTimeRate: 0.5, closureRate: 0.5, overdueTask: 2, overdueDay: 0.1, escalation: { '2': 0.5, '3': 1, '4': 2, '5': 3, '6': 5 }, returned: 1, extension: 0.5 },
  ratingThresholds: { excellent: 85, good: 75, pass: 60 },
  rules: [
    { kind: 'escalation_at_least', level: 6, forbids: 'excellent' },
    { kind: 'on_time_rate_below', rate: 0.8, forbids: 'excellent' },
  ],
};

export interface CycleDefinition {
  key: string;
  name: string;
  period: PeriodKind;
  reportType: ReportType;
  time: string;
  recipientRoles: ('admin' | 'office' | 'leader' | 'unit_head' | 'staff' | 'viewer')[];
}

/** When a cycle runs on the first working day of a period (local time), unless it says otherwise. */
export const DEFAULT_REVIEW_RUN_TIME = '09:00';

/** The cycles created at first start (an admin may change them, pause them or add more). */
export const defaultCycles: CycleDefinition[] = [
  { key: 'monthly', name: '月调度', period: 'monthly', reportType: 'dispatch', time: DEFAULT_REVIEW_RUN_TIME, recipientRoles: ['leader', 'unit_head', 'office'] },
  { key: 'quarterly', name: '季讲评', period: 'quarterly', reportType: 'review', time: DEFAULT_REVIEW_RUN_TIME, recipientRoles: ['leader', 'unit_head', 'office'] },
  { key: 'annual', name: '年考核', period: 'annual', reportType: 'assessment', time: DEFAULT_REVIEW_RUN_TIME, recipientRoles: ['leader', 'unit_head', 'office'] },
];

/** The Temporal Schedule that runs a cycle. */
export const reviewScheduleId = (key: string) => `review-${key}`;
/**
 * The run of a cycle for one period started by hand ("trigger now" or a backfill): one id per cycle
 * and period, so identical requests while it runs start it once (the Schedule's own runs are
 * `review-<key>-<instant>`).
 */
export const reviewRunWorkflowId = (key: string, period: string) => `review-${key}-${period}`;

/** A cycle's scoring: its own if set (validated when saved), else the defaults. */
export const scoringOf = (stored: unknown): Scoring => (stored ? ZScoring.parse(stored) : defaultScoring);
