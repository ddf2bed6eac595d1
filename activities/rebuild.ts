import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Db } from '../lib/db';
import { taskWorkflowId } from '../domain/contract';
import type { RecordTaskEventInput, TaskActivities } from './index';

/**
 * Rebuilds a task's read side from its workflows: every `recordTaskEvent` the workflow runs ever
 * scheduled is in their event histories, with its exact input. Re-applying those inputs through the
 * (idempotent, sequence-ordered) projection activity restores the task's fields, events, progress
 * reports, verifications and extension requests. Needs a server with visibility (the dev server or
 * a cluster), to find every run of the task's workflow id (reopened runs, continued-as-new runs).
 */
export async function rebuildTaskProjection(deps: { client: Client; db: Db; activities: Pick<TaskActivities, 'recordTaskEvent'> }, taskId: string) {
  const workflowId = taskWorkflowId(taskId);
  const runs: { runId: string; startTime: Date }[] = [];
  for await (const execution of deps.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    runs.push({ runId: execution.runId, startTime: execution.startTime });
  }
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  let replayed = 0;
  for (const run of runs) {
    const history = await deps.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name !== 'recordTaskEvent') continue;
      const payload = scheduled.input?.payloads?.[0];
      if (!payload) continue;
      await deps.activities.recordTaskEvent(defaultPayloadConverter.fromPayload<RecordTaskEventInput>(payload));
      replayed += 1;
    }
  }
  return { runs: runs.length, replayed };
}

/** Rebuilds every task's read side (see rebuildTaskProjection). */
export async function rebuildAllTaskProjections(deps: { client: Client; db: Db; activities: Pick<TaskActivities, 'recordTaskEvent'> }) {
  const tasks = await deps.db.task.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } });
  let replayed = 0;
  for (const t of tasks) replayed += (await rebuildTaskProjection(deps, t.id)).replayed;
  return { tasks: tasks.length, replayed };
}
