import type { Client, WorkflowHandle } from '@temporalio/client';
import { type RecomputeDeadlinesInput, recomputeDeadlinesWorkflowId } from '../domain/contract';
import type { recomputeDeadlines } from '../workflows/recomputeDeadlines';

/**
 * Starts (or joins) the `recomputeDeadlines` run for a calendar version: after an admin's change
 * (the API waits for its answer) and after the start-up sync loads new calendar data (nobody
 * waits; it runs on the worker, durably).
 */
export function startDeadlineRecompute(
  temporal: Client,
  opts: { taskQueue: string; version: number } & RecomputeDeadlinesInput,
): Promise<WorkflowHandle<typeof recomputeDeadlines>> {
  const { taskQueue, version, ...input } = opts;
  return temporal.workflow.start<typeof recomputeDeadlines>('recomputeDeadlines', {
    taskQueue,
    workflowId: recomputeDeadlinesWorkflowId(version),
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [input],
  });
}
