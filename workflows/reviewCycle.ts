import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/review';
import { type ReviewCycleInput, type ReviewCycleResult, ScheduledStartTimeAttribute, activityRetry } from '../domain/contract';

const { resolveReviewRun, produceReviewReport, mailReviewReport } = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '10 minutes',
  retry: activityRetry,
});

/**
 * One run of a review cycle (月调度、季讲评、年考核 …), started by the cycle's Schedule, its
 * "trigger now" or a backfill, or by hand for a given period: the period's frozen snapshot becomes
 * a stored report (one per run), mailed with its Excel workbook to the cycle's recipients.
 */
export async function reviewCycle(input: ReviewCycleInput): Promise<ReviewCycleResult> {
  const info = workflowInfo();
  // A backfilled run is started now for an instant in the past: the Schedule records which.
  const at = info.typedSearchAttributes.get(ScheduledStartTimeAttribute) ?? new Date();
  const run = await resolveReviewRun({ cycleKey: input.cycleKey, period: input.period, at: at.toISOString() });
  const runKey = `${info.workflowId}:${info.runId}`;
  const { reportId } = await produceReviewReport({ runKey, cycleKey: run.cycleKey, period: run.period });
  const { sent } = await mailReviewReport({ runKey, reportId });
  return { reportId, period: run.period, mailed: sent };
}
