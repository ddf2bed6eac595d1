/**
 * Everything the API and tests need to talk to the workflows: names, messages, search attribute
 * keys and input/output types. Importable from anywhere (no workflow runtime code here).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';
import { trafficLight } from './traffic-light';

export const DEFAULT_TASK_QUEUE = 'rectify';

export const taskWorkflowId = (taskId: string): string => `task-${taskId}`;

/** The lifecycle's states and rules live in ./lifecycle; the contract speaks of them by type. */
export type { TaskStatus } from './lifecycle';
import type { TaskStatus } from './lifecycle';

/** Input of `superviseTask`. Instants cross the boundary as ISO strings. */
export interface SuperviseTaskInput {
  taskId: string;
  title: string;
  ownerEmail: string;
  /** Absolute deadline, ISO 8601. */
  deadline: string;
  /** The reminder goes out this many seconds before the deadline (0: no reminder). */
  reminderOffsetSeconds: number;
  /** Set when a closed task is reopened after a follow-up check (回头看): the run starts in progress. */
  reopen?: {
    reason: string;
    by: string;
    /** Projection sequence reached by the earlier run(s). */
    seqBase: number;
    /** Returns counted by the earlier run(s): the count is over the task's whole life. */
    returnCount: number;
  };
  /** Carried over by continue-as-new. */
  resume?: TaskState;
  /** Set for a campaign's task: its run tells the campaign workflow when it ends. */
  campaignId?: string;
  /**
   * Reminders and escalations follow the supervision policy on the working-day calendar (planned by
   * an activity: 3 and 1 working days before, the deadline morning, then the escalation ladder).
   * Runs started before the policy existed have no plan: one reminder and one overdue notice.
   */
  planned?: boolean;
  /** Search attribute values set when the run starts. */
  campaignCode?: string;
  leadUnitCode?: string;
}

export interface PendingExtension {
  requestedDeadline: string;
  reason: string;
  requestedBy: string;
}

export interface TaskState {
  taskId: string;
  status: TaskStatus;
  overdue: boolean;
  deadline: string;
  remindedAt: string | null;
  /** The deadline the last reminder was about (a moved deadline gets its own reminder). */
  remindedFor: string | null;
  overdueAt: string | null;
  completedAt: string | null;
  returnCount: number;
  pendingExtension: PendingExtension | null;
  /** Number of transitions so far; orders the projections. */
  seq: number;
  /** Highest escalation rung issued for the current deadline (0: none). */
  escalationLevel?: number;
  /** Highest escalation rung ever issued for the task, whatever deadline it was for (the traffic light). */
  highestEscalationLevel?: number;
  /** Planned steps already carried out (deadline|kind|level or instant), so a re-plan never repeats one. */
  doneSteps?: string[];
}

/** Who asks, as the API authenticated them (workflows do not look people up). */
export interface ByActor {
  by: string;
}

export interface CompleteTaskInput {
  /** Who closes it (absent in runs of the first release, whose API did not send it). */
  by?: string;
  /** Free-text note from whoever closed the task. */
  note?: string;
}
export type AcknowledgeInput = ByActor;
export interface ReportProgressInput extends ByActor {
  text: string;
}
export interface RequestClosureInput extends ByActor {
  evidenceIds: string[];
  note?: string;
}
export interface VerifyInput extends ByActor {
  decision: 'accept' | 'return';
  reason?: string;
}
export interface RequestExtensionInput extends ByActor {
  requestedDeadline: string;
  reason: string;
}
export interface DecideExtensionInput extends ByActor {
  approve: boolean;
  reason?: string;
}
export interface CancelInput extends ByActor {
  reason: string;
}

export const taskStateQuery = defineQuery<TaskState>('taskState');
/** The office closes the task directly (销号 without a closure request). */
export const completeTaskUpdate = defineUpdate<TaskState, [CompleteTaskInput]>('completeTask');
export const acknowledgeUpdate = defineUpdate<TaskState, [AcknowledgeInput]>('acknowledge');
export const reportProgressUpdate = defineUpdate<TaskState, [ReportProgressInput]>('reportProgress');
export const requestClosureUpdate = defineUpdate<TaskState, [RequestClosureInput]>('requestClosure');
export const verifyUpdate = defineUpdate<TaskState, [VerifyInput]>('verify');
export const requestExtensionUpdate = defineUpdate<TaskState, [RequestExtensionInput]>('requestExtension');
export const decideExtensionUpdate = defineUpdate<TaskState, [DecideExtensionInput]>('decideExtension');
export const cancelUpdate = defineUpdate<TaskState, [CancelInput]>('cancel');
export interface RescheduleInput extends ByActor {
  deadline: string;
  reason: string;
}
/** The deadline is recomputed (e.g. the working-day calendar changed): timers follow it like an extension. */
export const rescheduleUpdate = defineUpdate<TaskState, [RescheduleInput]>('reschedule');

/** Custom search attributes; `npm start` registers them with the dev server. */
export const TaskStatusSearchAttribute = defineSearchAttributeKey('TaskStatus', SearchAttributeType.KEYWORD);
export const TaskDeadlineSearchAttribute = defineSearchAttributeKey('TaskDeadline', SearchAttributeType.DATETIME);
/** Code of the task's campaign, set when it starts (`temporal workflow list --query "CampaignCode='XF-2026'"`). */
export const CampaignCodeSearchAttribute = defineSearchAttributeKey('CampaignCode', SearchAttributeType.KEYWORD);
/** Code of the task's lead unit, set when it starts. */
export const LeadUnitSearchAttribute = defineSearchAttributeKey('LeadUnit', SearchAttributeType.KEYWORD);
/** green / yellow (due within 3 days) / red (overdue) / none (closed or cancelled). */
export const TrafficLightSearchAttribute = defineSearchAttributeKey('TrafficLight', SearchAttributeType.KEYWORD);
export const searchAttributeKeys = [
  TaskStatusSearchAttribute,
  TaskDeadlineSearchAttribute,
  CampaignCodeSearchAttribute,
  LeadUnitSearchAttribute,
  TrafficLightSearchAttribute,
];

/** The status a task's new run starts in: assigned, or in progress when a closed task is reopened. */
export const initialTaskStatus = (input: SuperviseTaskInput): TaskStatus => (input.reopen ? 'in_progress' : 'assigned');

/**
 * The search attributes a task's new run starts with, sent in its start request (the API's start and
 * the campaign's child starts): the run then has nothing to upsert in its first workflow task, which
 * saves the dev server a visibility write per attribute. The workflow compares them with its own
 * state and upserts only what differs (a light the clock changed in between, an older starter).
 */
export function taskStartSearchAttributes(input: SuperviseTaskInput, nowMs: number): SearchAttributePair[] {
  const status = initialTaskStatus(input);
  const deadline = new Date(Date.parse(input.deadline));
  return [
    { key: TaskStatusSearchAttribute, value: status },
    { key: TaskDeadlineSearchAttribute, value: deadline },
    ...(input.campaignCode ? [{ key: CampaignCodeSearchAttribute, value: input.campaignCode }] : []),
    ...(input.leadUnitCode ? [{ key: LeadUnitSearchAttribute, value: input.leadUnitCode }] : []),
    { key: TrafficLightSearchAttribute, value: trafficLight({ status, overdue: false, deadline }, nowMs) },
  ] as SearchAttributePair[];
}

/**
 * Activity options every workflow uses: a dependency outage (database, mail server) delays the work,
 * it never drops it — retried with backoff and no cap on attempts.
 */
export const activityRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;

/** Error types workflows raise (ApplicationFailure.type), mapped to HTTP codes by the API. */
export const WorkflowErrorType = {
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
} as const;

export const campaignWorkflowId = (campaignId: string): string => `campaign-${campaignId}`;

/** Input of `superviseCampaign`: the campaign's tasks grouped by problem. */
/** The input of a campaign task's supervision run (the campaign's pages and problems added later alike). */
export function supervisionInput(
  t: { id: string; title: string; ownerEmail: string; deadline: Date; reminderOffsetSeconds: number; unit: { code: string } },
  campaignCode: string,
): SuperviseTaskInput {
  return {
    taskId: t.id,
    title: t.title,
    ownerEmail: t.ownerEmail,
    deadline: t.deadline.toISOString(),
    reminderOffsetSeconds: t.reminderOffsetSeconds,
    campaignCode,
    leadUnitCode: t.unit.code,
    planned: true,
  };
}

/** A campaign's problems with their tasks' inputs (the first release's input; problems added later). */
export type CampaignProblemsInput = { problemId: string; tasks: SuperviseTaskInput[] }[];

/**
 * Input of `superviseCampaign`. Runs the API starts now carry the campaign id only (`paged`): the
 * workflow reads its tasks' inputs in pages, so a campaign of any size stays within Temporal's
 * payload and history limits, and continues as new with `resume`. Runs of the first release carry
 * every task's input in `problems`.
 */
export interface SuperviseCampaignInput {
  campaignId: string;
  problems?: CampaignProblemsInput;
  paged?: true;
  /** Tasks started per page (default 100; tests make it small to cross pages and runs). */
  pageSize?: number;
  /** Hand over to a new run after this many pages or settlements, besides when Temporal suggests it (tests). */
  handOverEvery?: number;
  /** Hand over to a new run after this many task signals (default 250; tests make it small). */
  handOverAfterSignals?: number;
  /** Hand over to a new run after starting this many task runs (default 1,000; tests make it small). */
  handOverAfterChildren?: number;
  resume?: CampaignResume;
}

/** What a paged campaign run hands to its next run. */
export interface CampaignResume {
  /** Tasks are started in id order: the last one started, null before the first. */
  startedThrough: string | null;
  allStarted: boolean;
  totalTasks: number;
  closedTasks: number;
  /** Reopened (回头看) tasks that have not ended again: their problems stay open. */
  reopened: string[];
  closedProblems: string[];
  /** Task ends (`ended`) and reopenings signalled to the run before it handed over, not yet settled. */
  unsettled?: { taskId: string; ended: boolean }[];
}

export interface CampaignState {
  campaignId: string;
  totalTasks: number;
  closedTasks: number;
  closedProblems: string[];
  reconciled: boolean;
}

export const campaignStateQuery = defineQuery<CampaignState>('campaignState');
/** Completes once every task of the campaign is under supervision (the API waits for it before answering). */
export const tasksStartedUpdate = defineUpdate<CampaignState, []>('tasksStarted');
/** Adds problems to a running campaign; completes once their tasks are under supervision. */
export const addProblemsUpdate = defineUpdate<CampaignState, [{ problems: CampaignProblemsInput }]>('addProblems');

/** Sent by a campaign task's run when it ends (closed or cancelled). */
export const taskEndedSignal = defineSignal<[{ taskId: string; status: TaskStatus }]>('taskEnded');
/** Sent by the API when a closed task of the campaign is reopened (回头看). */
export const taskReopenedSignal = defineSignal<[{ taskId: string }]>('taskReopened');

export const noticeWorkflowId = (noticeId: string): string => `notice-${noticeId}`;

/** Input of `superviseNotice`: a notice that requires acknowledgement (签收). */
export interface SuperviseNoticeInput {
  noticeId: string;
  /** Workflow time the notice was issued. */
  issuedAt: string;
}

/** Sent by the API when a recipient acknowledges the notice. */
export const noticeAcknowledgedSignal = defineSignal<[]>('noticeAcknowledged');

/** Input of `reviewCycle`: the cycle (a Schedule's fixed argument) and, for a run by hand, the period. */
export interface ReviewCycleInput {
  cycleKey: string;
  /** 2026-10, 2026-Q3, 2026 …; absent: the period before the one the run's scheduled instant falls in. */
  period?: string;
}
export interface ReviewCycleResult {
  reportId: string;
  period: string;
  mailed: number;
}
/** Set by Temporal on a workflow a Schedule starts: the action's instant (also for backfills). */
export const ScheduledStartTimeAttribute = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** Id of the run that recomputes deadlines for a calendar version (one per version: a second start finds it). */
export const recomputeDeadlinesWorkflowId = (version: number): string => `recompute-deadlines-v${version}`;

/** Input of `recomputeDeadlines`: who changed the calendar (audit), and what earlier runs of the chain did. */
export interface RecomputeDeadlinesInput {
  by: { id: string; email: string } | null;
  requestId?: string;
  pageSize?: number;
  carried?: { checked: number; moved: number };
}
export interface RecomputeDeadlinesResult {
  checked: number;
  moved: number;
  version: number;
}
