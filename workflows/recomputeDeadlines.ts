import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DeadlineActivities } from '../activities/deadlines';
import { activityRetry, type RecomputeDeadlinesInput, type RecomputeDeadlinesResult } from '../domain/contract';

const { recomputeDeadlinePage } = proxyActivities<DeadlineActivities>({ startToCloseTimeout: '5 minutes', retry: activityRetry });

/**
 * After a change of the working-day calendar (an admin's correction, or the start-up sync of a new
 * year's data): recomputes the open working-day deadlines counted on an older version, a page at a
 * time, as durable steps — a crash part-way resumes with the next page, and each move is made once.
 */
export async function recomputeDeadlines(input: RecomputeDeadlinesInput): Promise<RecomputeDeadlinesResult> {
  const total = { checked: input.carried?.checked ?? 0, moved: input.carried?.moved ?? 0, version: 0 };
  for (;;) {
    const page = await recomputeDeadlinePage({ by: input.by, requestId: input.requestId, limit: input.pageSize ?? 50 });
    total.checked += page.checked;
    total.moved += page.moved;
    total.version = page.version;
    if (!page.more) return total;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof recomputeDeadlines>({ ...input, carried: total });
  }
}
