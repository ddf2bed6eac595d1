/**
 * Everything the API and tests need to talk to the workflows: names, messages, search attribute
 * keys and input/output types. Importable from anywhere (no workflow runtime code here).
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'rectify';

export const taskWorkflowId = (taskId: string): string => `task-${taskId}`;

/** Task states as the workflow sees them. */
export type TaskStatus = 'open' | 'overdue' | 'completed';

/** Input of `superviseTask`. Instants cross the boundary as ISO strings. */
export interface SuperviseTaskInput {
  taskId: string;
  title: string;
  ownerEmail: string;
  /** Absolute deadline, ISO 8601. */
  deadline: string;
  /** The reminder goes out this many seconds before the deadline (0: no reminder). */
  reminderOffsetSeconds: number;
}

export interface TaskState {
  taskId: string;
  status: TaskStatus;
  deadline: string;
  remindedAt: string | null;
  overdueAt: string | null;
  completedAt: string | null;
}

export interface CompleteTaskInput {
  /** Free-text note from whoever completed the task. */
  note?: string;
}

export const taskStateQuery = defineQuery<TaskState>('taskState');
export const completeTaskUpdate = defineUpdate<TaskState, [CompleteTaskInput]>('completeTask');

/** Custom search attributes; `npm start` registers them with the dev server. */
export const TaskStatusSearchAttribute = defineSearchAttributeKey('TaskStatus', SearchAttributeType.KEYWORD);
export const TaskDeadlineSearchAttribute = defineSearchAttributeKey('TaskDeadline', SearchAttributeType.DATETIME);
export const searchAttributeKeys = [TaskStatusSearchAttribute, TaskDeadlineSearchAttribute];

/** Error types workflows raise (ApplicationFailure.type), mapped to HTTP codes by the API. */
export const WorkflowErrorType = {
  ILLEGAL_TRANSITION: 'ILLEGAL_TRANSITION',
} as const;

export const campaignWorkflowId = (campaignId: string): string => `campaign-${campaignId}`;

/** Input of `superviseCampaign`: the campaign's tasks grouped by problem. */
export interface SuperviseCampaignInput {
  campaignId: string;
  problems: { problemId: string; tasks: SuperviseTaskInput[] }[];
}

export interface CampaignState {
  campaignId: string;
  totalTasks: number;
  closedTasks: number;
  closedProblems: string[];
  reconciled: boolean;
}

export const campaignStateQuery = defineQuery<CampaignState>('campaignState');
