import { z } from 'zod';
import { DEFAULT_REVIEW_RUN_TIME, ZScoring } from '../../domain/review/config';
import { ZPage, ZRole } from '../http/common';

export const ZPeriodKind = z.enum(['weekly', 'monthly', 'quarterly', 'annual']);
export const ZReportType = z.enum(['dispatch', 'review', 'assessment']);
export const periodLabels = { weekly: '每周', monthly: '每月', quarterly: '每季度', annual: '每年' } as const;
export const ZKeyParams = z.strictObject({ key: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, starting with a letter') });

export const ZCycleAction = z.enum(['save', 'pause', 'resume', 'trigger', 'backfill']);
export type TCycleAction = z.infer<typeof ZCycleAction>;

export const ZReviewCycleBody = z.strictObject({
  name: z.string().trim().min(1).max(50),
  period: ZPeriodKind,
  reportType: ZReportType,
  /** Local time of the run on the first working day of each period. */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
    .default(DEFAULT_REVIEW_RUN_TIME),
  recipientRoles: z.array(ZRole).min(1).max(6),
  /** Weights and rating rules; null for the defaults. */
  scoring: ZScoring.nullable().default(null),
});
export type TReviewCycleBody = z.infer<typeof ZReviewCycleBody>;

export const ZReviewCycle = z.object({
  key: z.string(),
  name: z.string(),
  period: ZPeriodKind,
  periodLabel: z.string(),
  reportType: ZReportType,
  reportTypeLabel: z.string(),
  time: z.string(),
  recipientRoles: z.array(ZRole),
  scoring: z.unknown(),
  paused: z.boolean(),
  /** What the caller may do with the cycle now (the office and admins manage cycles). */
  allowedActions: z.array(ZCycleAction),
  schedule: z.object({ id: z.string(), nextRuns: z.array(z.string()), recentRuns: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string() })) }).nullable(),
});
export type TReviewCycle = z.infer<typeof ZReviewCycle>;
export const ZReviewCycleList = z.object({ items: z.array(ZReviewCycle) });

export const ZEmptyRequest = z.strictObject({});
export const ZBackfillRequest = z.strictObject({ period: z.string().min(4).max(8) });
export const ZTriggered = z.object({ cycleKey: z.string(), period: z.string() });
export const ZBackfilled = z.object({ cycleKey: z.string(), period: z.string(), runAt: z.string() });

export const ZReportSummary = z.object({
  id: z.string(),
  cycleKey: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  reportType: ZReportType,
  periodStart: z.string(),
  periodEnd: z.string(),
  units: z.number(),
  createdAt: z.string(),
});
export const ZReportList = z.object({ items: z.array(ZReportSummary), total: z.number(), page: z.number(), pageSize: z.number() });
const ZLight = z.enum(['red', 'yellow', 'green', 'none']);
/** Per unit (and in total) over the period: lib/review/snapshot.ts `UnitMetrics`. */
const ZUnitMetrics = z.object({
  tasks: z.number(),
  open: z.number(),
  closed: z.number(),
  closedOnTime: z.number(),
  cancelled: z.number(),
  overdue: z.number(),
  overdueDays: z.number(),
  maxOverdueDays: z.number(),
  escalations: z.record(z.string(), z.number()),
  returned: z.number(),
  extensions: z.number(),
  onTimeRate: z.number().nullable(),
  closureRate: z.number().nullable(),
});
/** A task as the report lists it, as of the period's end: lib/review/snapshot.ts `TaskRow`. */
export const ZReportTask = z.object({
  taskId: z.string(),
  code: z.string().nullable(),
  title: z.string(),
  owner: z.string(),
  deadline: z.string(),
  status: z.string(),
  overdue: z.boolean(),
  overdueDays: z.number(),
  level: z.number(),
  light: ZLight,
  closedAt: z.string().nullable(),
  onTime: z.boolean().nullable(),
});
/** Score, rank, the previous period's score and rank, and (assessments) the rating with its reasons: lib/review/scoring.ts `UnitResult`. */
const ZUnitResult = z.object({
  unitId: z.string(),
  score: z.number(),
  breakdown: z.object({ base: z.number(), overdue: z.number(), overdueDays: z.number(), escalations: z.number(), returned: z.number(), extensions: z.number() }),
  rank: z.number(),
  previous: z.object({ score: z.number(), rank: z.number() }).nullable(),
  rating: z.object({ rating: z.enum(['excellent', 'good', 'pass', 'fail']), label: z.string(), reasons: z.array(z.string()) }).optional(),
});
/**
 * The stored report's summary as lib/review/report.ts composes it (documented here; stored content is
 * passed through): the units without their task lists, which are paged from
 * `GET /api/reviews/{id}/units/{unitId}/tasks`.
 */
export const ZReportContent = z.object({
  cycle: z.object({ key: z.string(), name: z.string(), reportType: ZReportType, reportTypeLabel: z.string() }),
  period: z.object({ kind: ZPeriodKind, key: z.string(), label: z.string(), start: z.string(), end: z.string() }),
  previousPeriod: z.object({ key: z.string(), label: z.string() }).nullable(),
  totals: ZUnitMetrics,
  /** Ranked (reviews, assessments) or by unit code (dispatch). */
  units: z.array(
    z.object({
      unitId: z.string(),
      code: z.string(),
      name: z.string(),
      metrics: ZUnitMetrics,
      notices: z.array(z.object({ number: z.string(), level: z.number() })),
      light: z.enum(['red', 'yellow', 'green']),
      result: ZUnitResult.nullable(),
    }),
  ),
  scoring: z.unknown(),
});
export const ZReport = ZReportSummary.extend({ content: ZReportContent });

export const ZListReportsQuery = z.strictObject({ cycle: ZKeyParams.shape.key.optional(), period: z.string().max(8).optional(), ...ZPage });
export type TListReportsQuery = z.infer<typeof ZListReportsQuery>;

export const ZTaskListKind = z.enum(['open', 'closed']);
export const ZUnitTasksParams = z.strictObject({ id: z.uuid(), unitId: z.uuid() });
export const ZUnitTasksQuery = z.strictObject({
  list: ZTaskListKind.default('open').describe("open: open at the period's end (overdue ones flagged), by deadline; closed: closed in the period, by closing time"),
  ...ZPage,
});
export type TUnitTasksQuery = z.infer<typeof ZUnitTasksQuery>;
export const ZUnitTaskPage = z.object({
  unitId: z.string(),
  list: ZTaskListKind,
  items: z.array(ZReportTask),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
