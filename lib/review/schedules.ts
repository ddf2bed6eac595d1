/**
 * Each review cycle runs on its own Temporal Schedule (`review-<key>`), kept in step with the
 * cycle's configuration and the working-day calendar: at every start, when an admin changes a
 * cycle, and when the calendar changes (the run day is the first working day of a period).
 */
import { type Client, ScheduleOverlapPolicy, type ScheduleOptions, WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { ReviewCycle } from '../../generated/prisma/client';
import type { ReviewCycleInput } from '../../domain/contract';
import { loadCalendar } from '../calendar-store';
import { localDate, type WorkingCalendar, zonedInstant } from '../../domain/calendar';
import type { Db } from '../db';
import { upsertSchedule } from '../schedules';
import { defaultCycles, reviewRunWorkflowId, reviewScheduleId } from '../../domain/review/config';
import { firstWorkingDay, type Period, periodContaining, runCalendars } from '../../domain/review/periods';

export interface ReviewScheduleOptions {
  taskQueue: string;
  timeZone: string;
  now?: () => Date;
}

/** Creates the default cycles (月调度、季讲评、年考核) that do not exist yet; existing ones are left as configured. */
export async function ensureDefaultCycles(db: Db): Promise<string[]> {
  const created: string[] = [];
  for (const c of defaultCycles) {
    const { count } = await db.reviewCycle.createMany({ data: [c], skipDuplicates: true });
    if (count) created.push(c.key);
  }
  return created;
}

export function reviewScheduleDefinition(cycle: ReviewCycle, calendar: WorkingCalendar, opts: ReviewScheduleOptions): ScheduleOptions {
  const today = localDate((opts.now ?? (() => new Date()))(), opts.timeZone);
  const args: [ReviewCycleInput] = [{ cycleKey: cycle.key }];
  return {
    scheduleId: reviewScheduleId(cycle.key),
    spec: { calendars: runCalendars(cycle.period, cycle.time, calendar, today), timezone: opts.timeZone },
    action: { type: 'startWorkflow', workflowType: 'reviewCycle', taskQueue: opts.taskQueue, workflowId: `review-${cycle.key}`, args },
    // A run missed while the server was down is still taken within a week; runs never overlap by accident.
    policies: { catchupWindow: '7 days', overlap: ScheduleOverlapPolicy.ALLOW_ALL },
    memo: { name: cycle.name },
  };
}

/** Brings every cycle's Schedule up to date (spec from the current calendar, paused as configured). */
export async function syncReviewSchedules(client: Client, db: Db, opts: ReviewScheduleOptions, only?: string): Promise<{ created: string[]; updated: string[] }> {
  const [cycles, calendar] = await Promise.all([db.reviewCycle.findMany({ where: only ? { key: only } : {}, orderBy: { key: 'asc' } }), loadCalendar(db)]);
  const created: string[] = [];
  const updated: string[] = [];
  for (const cycle of cycles) {
    const outcome = await upsertSchedule(client, reviewScheduleDefinition(cycle, calendar, opts), cycle.paused);
    (outcome === 'created' ? created : updated).push(reviewScheduleId(cycle.key));
  }
  return { created, updated };
}

/**
 * Starts the run of one period by hand ("trigger now", a backfill): `reviewCycle` for that period,
 * under one workflow id per cycle and period. While that run is going, the same request starts
 * nothing (`started: false`); once it has ended, the period may be run again.
 */
export async function startReviewRun(client: Client, cycle: ReviewCycle, period: Period, taskQueue: string): Promise<{ workflowId: string; started: boolean }> {
  const workflowId = reviewRunWorkflowId(cycle.key, period.key);
  const args: [ReviewCycleInput] = [{ cycleKey: cycle.key, period: period.key }];
  try {
    await client.workflow.start('reviewCycle', { taskQueue, workflowId, args, workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

/** When the Schedule would have run for a period: the first working day after it, at the cycle's time. */
export async function scheduledRunOf(db: Db, cycle: ReviewCycle, period: Period, timeZone: string): Promise<string> {
  const next = periodContaining(period.kind, period.endDate);
  return zonedInstant(firstWorkingDay(next, await loadCalendar(db)), cycle.time, timeZone).toISOString();
}
