import { type Client, ScheduleAlreadyRunning, type ScheduleOptions } from '@temporalio/client';

export const DAILY_DIGEST_SCHEDULE = 'daily-digest';

/** The schedules of the app (recurring work runs on Temporal Schedules, never on timers in the API). */
export function scheduleDefinitions(opts: { taskQueue: string; timeZone: string }): ScheduleOptions[] {
  return [
    {
      scheduleId: DAILY_DIGEST_SCHEDULE,
      spec: { calendars: [{ hour: 8, minute: 30, comment: '每日汇总 / daily digest' }], timezone: opts.timeZone },
      action: { type: 'startWorkflow', workflowType: 'dailyDigest', taskQueue: opts.taskQueue, workflowId: 'daily-digest' },
    },
  ];
}

/** Creates the schedules, or brings existing ones up to date: safe to run at every start. */
export async function ensureSchedules(client: Client, opts: { taskQueue: string; timeZone: string }): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const def of scheduleDefinitions(opts)) {
    try {
      await client.schedule.create(def);
      created.push(def.scheduleId);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(def.scheduleId).update((previous) => ({ ...previous, spec: def.spec, action: def.action }));
      updated.push(def.scheduleId);
    }
  }
  return { created, updated };
}
