/**
 * The traffic light (红黄绿灯) of a task — the one rule the task list, the workflow's search
 * attribute, the dashboard and the review reports all use:
 * - none: closed or cancelled;
 * - red: overdue (the flag, or the deadline has passed);
 * - yellow: the deadline is within 3 days, or the task has been escalated (a 督办单 or a later
 *   rung of the ladder was issued for it, even if its deadline was extended since);
 * - green: on track.
 * Pure and deterministic: workflows import it.
 */
import { isTerminal } from './lifecycle';

export const trafficLights = ['green', 'yellow', 'red', 'none'] as const;
export type TrafficLight = (typeof trafficLights)[number];

export const trafficLightLabels: Record<TrafficLight, string> = { green: '绿灯', yellow: '黄灯', red: '红灯', none: '—' };

/** A task is yellow this long before its deadline. */
export const YELLOW_BEFORE_DEADLINE_MS = 3 * 24 * 3600_000;
/** The ladder level from which a task counts as escalated (2: the first 督办单; 1 is the reminder at the deadline). */
export const ESCALATED_FROM_LEVEL = 2;

export interface LightFacts {
  status: string;
  overdue: boolean;
  /** The deadline in force, as an instant in ms or a Date. */
  deadline: number | Date;
  /** Highest ladder level ever issued for the task (0 or absent: none). */
  escalationLevel?: number | null;
}

export function trafficLight(t: LightFacts, nowMs: number): TrafficLight {
  if (isTerminal(t.status)) return 'none';
  const deadline = typeof t.deadline === 'number' ? t.deadline : t.deadline.getTime();
  if (t.overdue || deadline <= nowMs) return 'red';
  if (deadline - nowMs <= YELLOW_BEFORE_DEADLINE_MS || (t.escalationLevel ?? 0) >= ESCALATED_FROM_LEVEL) return 'yellow';
  return 'green';
}

/** When a task that is green now turns yellow by the clock alone (its deadline comes close). */
export const yellowFrom = (deadlineMs: number): number => deadlineMs - YELLOW_BEFORE_DEADLINE_MS;
