import { proxyActivities } from '@temporalio/workflow';
import { activityRetry } from '../domain/contract';
import type { DigestActivities } from '../activities/digest';

const { sendDailyDigests } = proxyActivities<DigestActivities>({
  startToCloseTimeout: '10 minutes',
  retry: activityRetry,
});

/** Run by the `daily-digest` Schedule every morning: the digests of the day (none on days off). */
export async function dailyDigest(): Promise<{ date: string; sent: number }> {
  return sendDailyDigests({ at: new Date().toISOString() });
}
