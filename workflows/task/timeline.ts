/**
 * The supervision half of `superviseTask`: the timeline of one deadline — the light turning
 * yellow, reminders before the deadline, then the escalation ladder's numbered notices after it —
 * re-armed whenever the deadline moves, until the task ends.
 *
 * Planned runs (every run the API starts today) follow the supervision policy on the working-day
 * calendar, planned by an activity. Runs of the first release (no `planned` in their input) kept
 * one reminder and one overdue notice; that branch stays for their saved histories.
 */
import { condition, ParentClosePolicy, patched, startChild, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { noticeWorkflowId, type SuperviseTaskInput, type TaskState, TaskStatusSearchAttribute } from '../../domain/contract';
import type { TaskEvent } from '../../domain/events';
import { type TrafficLight, trafficLight, YELLOW_BEFORE_DEADLINE_MS, yellowFrom } from '../../domain/traffic-light';
import { superviseNotice } from '../superviseNotice';
import { taskActivities } from './proxies';

export interface TimelineHooks {
  input: SuperviseTaskInput;
  state: TaskState;
  /** False in runs from before the traffic light existed (their histories have no light upserts). */
  withLight: boolean;
  light(): TrafficLight | null;
  setLight(value: TrafficLight): void;
  terminal(): boolean;
  /** Bumped on every deadline move: a moved deadline wakes the timeline. */
  deadlineVersion(): number;
  project(event: TaskEvent): Promise<unknown>;
}

type Step = { at: number; key?: string; run: () => Promise<unknown> | void };

/** The light now, by the domain's one rule; runs that recorded the older formula keep it (replay). */
function lightNow(state: TaskState): TrafficLight {
  const deadlineMs = Date.parse(state.deadline);
  const legacy: TrafficLight = state.overdue ? 'red' : deadlineMs - Date.now() <= YELLOW_BEFORE_DEADLINE_MS ? 'yellow' : 'green';
  const rule = trafficLight({ status: state.status, overdue: state.overdue, deadline: deadlineMs, escalationLevel: state.highestEscalationLevel }, Date.now());
  // Called only where the two differ (an escalated task whose deadline was extended): the marker
  // appears exactly in the runs whose light the new rule changes.
  return rule === legacy || patched('one-traffic-light-rule') ? rule : legacy;
}

/** Runs the timeline until the task ends (closed or cancelled) or continues as new. */
export async function superviseTimeline(h: TimelineHooks): Promise<'ended' | 'continue-as-new'> {
  const { input, state } = h;
  const { sendTaskMail, planTaskSupervision, issueNotice } = taskActivities;

  for (;;) {
    const version = h.deadlineVersion();
    const deadlineMs = Date.parse(state.deadline);
    const changed = () => h.terminal() || h.deadlineVersion() !== version;
    /** Waits until the instant, or until the task ends or its deadline moves; true when the instant was reached. */
    const reached = async (instantMs: number): Promise<boolean> => {
      const wait = instantMs - Date.now();
      if (wait > 0) await condition(changed, wait);
      return !changed();
    };

    // In time order: the light turns yellow, reminders go out, then (planned runs) the ladder's rungs.
    const steps: Step[] = [];
    if (h.withLight) {
      h.setLight(lightNow(state));
      if (h.light() === 'green') steps.push({ at: yellowFrom(deadlineMs), run: () => h.setLight('yellow') });
    }
    const remind = (at: string | undefined) => () => {
      state.remindedAt = new Date().toISOString();
      state.remindedFor = state.deadline;
      return sendTaskMail({ taskId: input.taskId, kind: 'reminder', deadline: state.deadline, ...(at ? { stepAt: at } : {}) });
    };
    if (input.planned) {
      const plan = await planTaskSupervision({ taskId: input.taskId, deadline: state.deadline, reminderOffsetSeconds: input.reminderOffsetSeconds });
      for (const p of plan) {
        const key = `${state.deadline}|${p.kind}|${p.level ?? p.at}`;
        const escalate = async () => {
          if (p.level === 1 && !state.overdue) {
            state.overdue = true;
            state.overdueAt = new Date().toISOString();
            h.setLight('red');
            await h.project({ type: 'overdue' });
          }
          state.escalationLevel = p.level;
          state.highestEscalationLevel = Math.max(state.highestEscalationLevel ?? 0, p.level!);
          const issuedAt = new Date().toISOString();
          const notice = await issueNotice({ taskId: input.taskId, level: p.level!, deadline: state.deadline, at: issuedAt });
          if (notice.requiresAck) {
            // Daily re-reminders until 签收, in a workflow of its own that outlives this run if need be.
            await startChild(superviseNotice, {
              workflowId: noticeWorkflowId(notice.noticeId),
              taskQueue: workflowInfo().taskQueue,
              args: [{ noticeId: notice.noticeId, issuedAt }],
              parentClosePolicy: ParentClosePolicy.ABANDON,
            });
          }
        };
        steps.push({ at: Date.parse(p.at), key, run: p.kind === 'reminder' ? remind(p.at) : escalate });
      }
    } else if (input.reminderOffsetSeconds > 0 && state.remindedFor !== state.deadline) {
      steps.push({ at: deadlineMs - input.reminderOffsetSeconds * 1000, run: remind(undefined) });
    }
    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      if (step.key && state.doneSteps?.includes(step.key)) continue;
      if (!(await reached(step.at))) break;
      await step.run();
      if (step.key) state.doneSteps = [...(state.doneSteps ?? []), step.key];
    }

    // First release: one overdue notice at the deadline.
    if (!input.planned && !state.overdue && (await reached(deadlineMs))) {
      state.overdue = true;
      state.overdueAt = new Date().toISOString();
      // The first release kept "overdue" as a status search attribute; overdue is now a flag.
      if (!patched('overdue-is-a-flag')) upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: 'overdue' }]);
      h.setLight('red');
      await h.project({ type: 'overdue' });
      await sendTaskMail({ taskId: input.taskId, kind: 'overdue', deadline: state.deadline });
    }

    await condition(() => changed() || workflowInfo().continueAsNewSuggested);
    if (h.terminal()) return 'ended';
    if (!changed() && workflowInfo().continueAsNewSuggested) return 'continue-as-new';
  }
}
