/**
 * The task lifecycle as one table: its states, the actions that move a task, from which states
 * each action is allowed, who (as they stand to the task) may take it, and the rule code each
 * refusal carries. The workflow's Update validators, the API's refusals and the task read's
 * `allowedActions` all ask this module; nothing else decides.
 *
 *   assigned 已交办 → acknowledged 已签收 → in_progress 整改中 → closure_requested 申请销号 → closed 已销号
 *                                              ↑                     │ return 退回 (reason required)
 *                                              └──── returned 已退回 ◀┘
 *   any open state → cancelled 已撤销 (office) or closed directly (office, 直接销号);
 *   closed → reopen 回头看 (office, new deadline) → in_progress
 *
 * Pure and deterministic: workflows import it.
 */

export const taskStatuses = ['assigned', 'acknowledged', 'in_progress', 'closure_requested', 'returned', 'closed', 'cancelled'] as const;
/** Where a task is in its lifecycle. Overdue is a separate flag. */
export type TaskStatus = (typeof taskStatuses)[number];

/** The states a task ends in: its supervision run is over. */
export const terminalStatuses = ['closed', 'cancelled'] as const satisfies readonly TaskStatus[];
export type TerminalStatus = (typeof terminalStatuses)[number];
export const isTerminal = (status: string): status is TerminalStatus => (terminalStatuses as readonly string[]).includes(status);
export const openStatuses = taskStatuses.filter((s) => !isTerminal(s)) as Exclude<TaskStatus, TerminalStatus>[];

/** zh-CN labels of the task statuses (pages, mail, reports). */
export const taskStatusLabels: Record<TaskStatus, string> = {
  assigned: '已交办',
  acknowledged: '已签收',
  in_progress: '整改中',
  closure_requested: '申请销号',
  returned: '已退回',
  closed: '已销号',
  cancelled: '已撤销',
};

/**
 * How a person stands to a task, which is what the table's `by` speaks of:
 * - `office`: the supervision office (督查室), for every task;
 * - `unit_head`: the head of the task's lead unit or of a unit above it;
 * - `owner`: the responsible person (责任人) of the task.
 * Leaders, viewers and admins read (as the API's scoping allows) but take no lifecycle action.
 */
export type Party = 'office' | 'unit_head' | 'owner';
export const parties: readonly Party[] = ['office', 'unit_head', 'owner'];
const workers: readonly Party[] = ['unit_head', 'owner'];
const office: readonly Party[] = ['office'];

export const taskActions = [
  'acknowledge',
  'report_progress',
  'upload_evidence',
  'request_closure',
  'verify',
  'request_extension',
  'decide_extension',
  'cancel',
  'complete',
  'reopen',
  'assign_owner',
  'reschedule',
] as const;
export type TaskAction = (typeof taskActions)[number];

export interface MoveRule {
  /** 中文 label (buttons, audit) and English. */
  label: string;
  labelEn: string;
  /** States the action may be taken from. */
  from: readonly TaskStatus[];
  /** Who may take it; empty: nobody directly (the system does, e.g. after a calendar change). */
  by: readonly Party[];
  /** Extra conditions on the task beyond its state, checked after `from`. */
  guard?: (task: TaskFacts) => Refusal | null;
  /** Checks of the action's argument (the API's schemas catch malformed ones first). */
  check?: (task: TaskFacts, arg: never) => Refusal | null;
}

/** What the rules need to know about a task. */
export interface TaskFacts {
  status: TaskStatus;
  /** An extension request is waiting for the office's decision. */
  pendingExtension: boolean;
  /** The deadline in force (ISO 8601). */
  deadline: string;
}

/** Why a move is refused: `rule` is stable (API clients and tests match it), `message` is 中文 / English. */
export interface Refusal {
  rule: string;
  message: string;
}

const refuse = (rule: string, message: string): Refusal => ({ rule, message });
const blank = (s: string | undefined | null) => !s || !s.trim();

/** Arguments of the actions that take one (the workflow Updates' inputs carry these fields). */
export interface ActionArgs {
  report_progress: { text: string };
  request_closure: { evidenceIds: readonly string[] };
  verify: { decision: 'accept' | 'return'; reason?: string };
  request_extension: { requestedDeadline: string };
  cancel: { reason: string };
  reschedule: { deadline: string };
}

export const lifecycle: Record<TaskAction, MoveRule> = {
  acknowledge: { label: '签收', labelEn: 'acknowledge', from: ['assigned'], by: workers },
  report_progress: {
    label: '报送进展',
    labelEn: 'report progress',
    from: ['acknowledged', 'in_progress', 'returned'],
    by: workers,
    check: (_t, a: ActionArgs['report_progress']) => (blank(a.text) ? refuse('task.report_progress.text', '进展内容不能为空 / progress text is empty') : null),
  },
  upload_evidence: { label: '上传佐证', labelEn: 'upload evidence', from: openStatuses, by: ['office', ...workers] },
  request_closure: {
    label: '申请销号',
    labelEn: 'request closure',
    from: ['acknowledged', 'in_progress', 'returned'],
    by: workers,
    check: (_t, a: ActionArgs['request_closure']) =>
      a.evidenceIds.length === 0 ? refuse('task.request_closure.evidence', '申请销号须附佐证材料 / closure needs evidence') : null,
  },
  verify: {
    label: '复核',
    labelEn: 'verify',
    from: ['closure_requested'],
    by: office,
    check: (_t, a: ActionArgs['verify']) =>
      a.decision === 'return' && blank(a.reason) ? refuse('task.verify.return_reason', '退回须说明理由 / a return needs a reason') : null,
  },
  request_extension: {
    label: '延期申请',
    labelEn: 'request an extension',
    from: openStatuses,
    by: workers,
    guard: (t) => (t.pendingExtension ? refuse('task.request_extension.one_pending', '已有待审批的延期申请 / an extension request is already pending') : null),
    check: (t, a: ActionArgs['request_extension']) =>
      Date.parse(a.requestedDeadline) > Date.parse(t.deadline)
        ? null
        : refuse('task.request_extension.later', '申请的完成时限须晚于当前时限 / the requested deadline must be later than the current one'),
  },
  decide_extension: {
    label: '延期审批',
    labelEn: 'decide the extension',
    from: openStatuses,
    by: office,
    guard: (t) => (t.pendingExtension ? null : refuse('task.decide_extension.none_pending', '没有待审批的延期申请 / no extension request is pending')),
  },
  cancel: {
    label: '撤销',
    labelEn: 'cancel',
    from: openStatuses,
    by: office,
    check: (_t, a: ActionArgs['cancel']) => (blank(a.reason) ? refuse('task.cancel.reason', '撤销须说明理由 / cancelling needs a reason') : null),
  },
  complete: { label: '直接销号', labelEn: 'close directly', from: openStatuses, by: office },
  reopen: { label: '回头看', labelEn: 'reopen', from: ['closed'], by: office },
  assign_owner: { label: '改派责任人', labelEn: 'assign the responsible person', from: openStatuses, by: ['office', 'unit_head'] },
  reschedule: {
    label: '重算时限',
    labelEn: 'recompute the deadline',
    from: openStatuses,
    by: [],
    check: (_t, a: ActionArgs['reschedule']) => (Number.isNaN(Date.parse(a.deadline)) ? refuse('task.reschedule.deadline', '完成时限无效 / invalid deadline') : null),
  },
};

/** The refusal of taking `action` on a task in this state, or null when its state allows it. */
export function stateRefusal(action: TaskAction, task: TaskFacts): Refusal | null {
  const rule = lifecycle[action];
  if (!rule.from.includes(task.status)) {
    const reopenOnly = action === 'reopen' ? '只有已销号的任务可以回头看 / only a closed task can be reopened' : null;
    return refuse(
      `task.${action}.from_${task.status}`,
      reopenOnly ?? `当前状态（${taskStatusLabels[task.status]}）不能${rule.label} / cannot ${rule.labelEn} a task that is ${task.status}`,
    );
  }
  return rule.guard?.(task) ?? null;
}

/** The refusal of taking `action` with `arg` on a task in this state, or null when the move is legal. */
export function moveRefusal<A extends TaskAction>(action: A, task: TaskFacts, arg: A extends keyof ActionArgs ? ActionArgs[A] : unknown): Refusal | null {
  return stateRefusal(action, task) ?? (lifecycle[action].check as ((t: TaskFacts, a: unknown) => Refusal | null) | undefined)?.(task, arg) ?? null;
}

/** Whether someone standing to the task as `as` may take the action at all (whatever its state). */
export const mayTake = (action: TaskAction, as: readonly Party[]): boolean => lifecycle[action].by.some((p) => as.includes(p));

/** The actions a person standing to the task as `as` may take on it now, in the table's order. */
export function allowedActions(task: TaskFacts, as: readonly Party[]): TaskAction[] {
  return taskActions.filter((action) => mayTake(action, as) && stateRefusal(action, task) === null);
}

/** The status a legal move leads to. */
export function nextStatus(action: TaskAction, from: TaskStatus, arg?: { decision?: 'accept' | 'return' }): TaskStatus {
  switch (action) {
    case 'acknowledge':
      return 'acknowledged';
    case 'report_progress':
      return 'in_progress';
    case 'request_closure':
      return 'closure_requested';
    case 'verify':
      return arg?.decision === 'return' ? 'returned' : 'closed';
    case 'cancel':
      return 'cancelled';
    case 'complete':
      return 'closed';
    case 'reopen':
      return 'in_progress';
    default:
      return from;
  }
}
