import { proxyActivities } from '@temporalio/workflow';
import type { TaskActivities } from '../../activities';
import type { NoticeActivities } from '../../activities/notices';
import { activityRetry } from '../../domain/contract';

/** The activities a task's supervision calls, proxied once. */
export const taskActivities = proxyActivities<TaskActivities & NoticeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: activityRetry,
});
