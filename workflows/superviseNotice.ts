import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { NoticeActivities } from '../activities/notices';
import { noticeAcknowledgedSignal, type SuperviseNoticeInput, activityRetry } from '../domain/contract';

const { nextWorkingMorning, remindUnacknowledged } = proxyActivities<NoticeActivities>({
  startToCloseTimeout: '1 minute',
  retry: activityRetry,
});

/** At most this many daily re-reminders (a month of working days); the ladder escalates meanwhile. */
const MAX_REMINDERS = 22;

/**
 * Until a notice that requires acknowledgement (签收) is acknowledged, its recipients are reminded
 * every working morning. Ends when it is acknowledged (signal, or found acknowledged) or its task
 * ends.
 */
export async function superviseNotice(input: SuperviseNoticeInput): Promise<{ reminders: number; acknowledged: boolean }> {
  let acknowledged = false;
  setHandler(noticeAcknowledgedSignal, () => void (acknowledged = true));
  let after = input.issuedAt;
  let reminders = 0;
  while (reminders < MAX_REMINDERS) {
    const morning = await nextWorkingMorning({ after });
    const wait = Date.parse(morning) - Date.now();
    if (wait > 0 && (await condition(() => acknowledged, wait))) break;
    if (acknowledged) break;
    const { stop } = await remindUnacknowledged({ noticeId: input.noticeId, morning });
    if (stop) break;
    reminders += 1;
    after = morning;
  }
  return { reminders, acknowledged };
}
