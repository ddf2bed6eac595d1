/**
 * Bare-SDK baselines (no database, no outbox, no policy), run by the bench worker on a task
 * queue of their own.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BareActivities } from '../lib/bare-activities';

const { bareMail, barePlan } = proxyActivities<BareActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** B1 baseline: a workflow that does nothing, so a start measures Temporal alone. */
export async function benchEmpty(): Promise<void> {
  // nothing
}

/**
 * B1 baseline: the irreducible Temporal work of a supervised task — started the same way (its search
 * attributes in the start request), one planning activity (no database), then the timer to the
 * plan's first instant, where it waits like an open task.
 */
export async function benchSupervised(input: { deadline: string }): Promise<void> {
  const plan = await barePlan(input);
  const wait = Date.parse(plan[0]!) - Date.now();
  if (wait > 0) await sleep(wait);
}

/** B2 baseline: wait until an instant, then one activity sends one mail, as a reminder does. */
export async function benchTimer(input: { dueAt: string; key: string }): Promise<void> {
  const wait = Date.parse(input.dueAt) - Date.now();
  if (wait > 0) await sleep(wait);
  await bareMail({ key: input.key, dueAt: input.dueAt });
}

/** B8: a start, one durable timer and the completion: the dev server's writes of a short workflow. */
export async function benchSleep(ms: number): Promise<void> {
  await sleep(ms);
}
