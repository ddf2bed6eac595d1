import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  CampaignCodeSearchAttribute,
  campaignWorkflowId,
  initialTaskStatus,
  LeadUnitSearchAttribute,
  type SuperviseTaskInput,
  TaskDeadlineSearchAttribute,
  type TaskState,
  taskEndedSignal,
  taskReopenedSignal,
  taskStartSearchAttributes,
  TaskStatusSearchAttribute,
  TrafficLightSearchAttribute,
} from '../domain/contract';
import { eventData, type TaskEvent } from '../domain/events';
import { isTerminal, type TaskStatus } from '../domain/lifecycle';
import type { TrafficLight } from '../domain/traffic-light';
import { taskActivities } from './task/proxies';
import { registerLifecycle } from './task/lifecycle';
import { superviseTimeline } from './task/timeline';

/**
 * Supervises one task through its lifecycle, the source of truth for its state. Two halves:
 * - the lifecycle (./task/lifecycle.ts): every move of domain/lifecycle.ts's table is a validated
 *   Update — an illegal move is rejected with its rule and the state is unchanged — projected into
 *   the database as a typed event;
 * - the supervision timeline (./task/timeline.ts): the light, reminders before the deadline and the
 *   escalation ladder after it, re-armed when an extension or a calendar change moves the deadline.
 * This file holds the state they share and the search attributes that mirror it.
 */
export async function superviseTask(input: SuperviseTaskInput): Promise<TaskState> {
  const state: TaskState = input.resume ?? {
    taskId: input.taskId,
    status: initialTaskStatus(input),
    overdue: false,
    deadline: input.deadline,
    remindedAt: null,
    remindedFor: null,
    overdueAt: null,
    completedAt: null,
    returnCount: input.reopen?.returnCount ?? 0,
    pendingExtension: null,
    seq: input.reopen?.seqBase ?? 0,
  };
  const terminal = () => isTerminal(state.status);
  let deadlineVersion = 0;

  /** Records a transition in the projection (idempotent per task and sequence number). */
  const project = (event: TaskEvent) => {
    state.seq += 1;
    return taskActivities.recordTaskEvent({
      taskId: input.taskId,
      type: event.type,
      at: new Date().toISOString(),
      runKey: workflowInfo().firstExecutionRunId,
      seq: state.seq,
      state: { ...state },
      data: eventData(event),
    });
  };
  // Runs started with their search attributes in the start request (the API and the campaign since
  // this change; see below) have the light; so do runs marked by the earlier patch. Runs started
  // before the traffic light existed keep their recorded commands (replay test). One patch call per
  // new run: each marker costs an upsert of TemporalChangeVersion.
  const preset = workflowInfo().typedSearchAttributes;
  const carried = !input.resume && preset.get(TaskStatusSearchAttribute) !== undefined && patched('search-attributes-at-start');
  const withLight = carried || patched('traffic-light-search-attribute');
  let light: TrafficLight | null = null;
  const setLight = (value: TrafficLight) => {
    if (!withLight || light === value) return;
    light = value;
    upsertSearchAttributes([{ key: TrafficLightSearchAttribute, value }]);
  };
  const moveTo = (status: TaskStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: status }]);
    if (isTerminal(status)) setLight('none');
  };
  const moveDeadline = (deadline: string) => {
    state.deadline = deadline;
    state.escalationLevel = 0;
    if (Date.parse(deadline) > Date.now()) state.overdue = false;
    upsertSearchAttributes([{ key: TaskDeadlineSearchAttribute, value: new Date(deadline) }]);
    deadlineVersion += 1;
  };

  registerLifecycle({ state, moveTo, moveDeadline, project, now: () => new Date().toISOString() });

  if (!input.resume) {
    // Runs started with their search attributes in the start request (the API and the campaign,
    // since this change) upsert only what differs; runs started without keep their recorded upserts.
    if (carried) {
      light = (preset.get(TrafficLightSearchAttribute) as TrafficLight | undefined) ?? null;
      const differing = taskStartSearchAttributes(input, Date.now()).filter(
        (p) => p.key.name !== TrafficLightSearchAttribute.name && String(preset.get(p.key)) !== String(p.value),
      );
      if (differing.length) upsertSearchAttributes(differing);
    } else {
      upsertSearchAttributes([
        { key: TaskStatusSearchAttribute, value: state.status },
        { key: TaskDeadlineSearchAttribute, value: new Date(Date.parse(state.deadline)) },
      ]);
    }
    if (withLight && !carried && (input.campaignCode || input.leadUnitCode)) {
      upsertSearchAttributes([
        ...(input.campaignCode ? [{ key: CampaignCodeSearchAttribute, value: input.campaignCode }] : []),
        ...(input.leadUnitCode ? [{ key: LeadUnitSearchAttribute, value: input.leadUnitCode }] : []),
      ]);
    }
    if (input.reopen && input.campaignId && patched('reopen-signals-campaign')) {
      // The reopened run tells its campaign itself, durably: a run that never started never told it.
      await getExternalWorkflowHandle(campaignWorkflowId(input.campaignId))
        .signal(taskReopenedSignal, { taskId: input.taskId })
        .catch(() => undefined); // a campaign no longer running has nothing to reopen
    }
    if (input.reopen) await project({ type: 'reopened', reason: input.reopen.reason, by: input.reopen.by });
  }

  const outcome = await superviseTimeline({
    input,
    state,
    withLight,
    light: () => light,
    setLight,
    terminal,
    deadlineVersion: () => deadlineVersion,
    project,
  });
  if (outcome === 'continue-as-new') {
    await condition(allHandlersFinished);
    await continueAsNew<typeof superviseTask>({ ...input, reopen: undefined, resume: { ...state } });
  }

  // Handlers project their transition before returning; end only after they have finished.
  await condition(allHandlersFinished);
  if (input.campaignId) {
    await getExternalWorkflowHandle(campaignWorkflowId(input.campaignId)).signal(taskEndedSignal, { taskId: input.taskId, status: state.status });
  }
  return state;
}
