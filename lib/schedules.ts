import { type Client, ScheduleAlreadyRunning, type ScheduleOptions } from '@temporalio/client';

export const DAILY_DIGEST_SCHEDULE = 'daily-digest';

/** The fixed schedules of the app (recurring work runs on Temporal Schedules, never on timers in the API). */
export function scheduleDefinitions(opts: { taskQueue: string; timeZone: string }): ScheduleOptions[] {
  return [
    {
      scheduleId: DAILY_DIGEST_SCHEDULE,
      spec: { calendars: [{ hour: 8, minute: 30, comment: '每日汇总 / daily digest' }], timezone: opts.timeZone },
      action: { type: 'startWorkflow', workflowType: 'dailyDigest', taskQueue: opts.taskQueue, workflowId: 'daily-digest' },
    },
  ];
}

/**
 * Creates a schedule, or brings an existing one's spec, action and policies up to date (its paused
 * state is left alone unless `paused` is given): safe to run at every start.
 */
export async function upsertSchedule(client: Client, def: ScheduleOptions, paused?: boolean): Promise<'created' | 'updated'> {
  let outcome: 'created' | 'updated';
  try {
    await client.schedule.create({ ...def, state: { ...def.state, ...(paused === undefined ? {} : { paused }) } });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    outcome = 'updated';
  }
  const handle = client.schedule.getHandle(def.scheduleId);
  await handle.update((previous) => ({ ...previous, spec: def.spec, action: def.action, policies: { ...previous.policies, ...def.policies } }));
  if (paused !== undefined) {
    const { state } = await handle.describe();
    if (state.paused !== paused) await (paused ? handle.pause('配置为暂停 / paused by configuration') : handle.unpause('配置为启用 / resumed by configuration'));
  }
  return outcome;
}

/** Creates the fixed schedules, or brings existing ones up to date: safe to run at every start. */
export async function ensureSchedules(client: Client, opts: { taskQueue: string; timeZone: string }): Promise<{ created: string[]; updated: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  for (const def of scheduleDefinitions(opts)) ((await upsertSchedule(client, def)) === 'created' ? created : updated).push(def.scheduleId);
  return { created, updated };
}
