import { z } from 'zod';
import { DEFAULT_REVIEW_RUN_TIME, ZScoring } from '../../lib/review/config';
import { ZPage, ZRole } from '../http/common';

export const ZPeriodKind = z.enum(['weekly', 'monthly', 'quarterly', 'annual']);
export const ZReportType = z.enum(['dispatch', 'review', 'assessment']);
export const periodLabels = { weekly: '每周', monthly: '每月', quarterly: '每季度', annual: '每年' } as const;
export const ZKeyParams = z.strictObject({ key: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, starting with a letter') });

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
export const ZReport = ZReportSummary.extend({ content: z.record(z.string(), z.unknown()) });

export const ZListReportsQuery = z.strictObject({ cycle: ZKeyParams.shape.key.optional(), period: z.string().max(8).optional(), ...ZPage });
export type TListReportsQuery = z.infer<typeof ZListReportsQuery>;
