import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  startChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { TaskActivities } from '../activities';
import type { NoticeActivities } from '../activities/notices';
import { superviseNotice } from './superviseNotice';
import {
  acknowledgeUpdate,
  CampaignCodeSearchAttribute,
  campaignWorkflowId,
  cancelUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  LeadUnitSearchAttribute,
  noticeWorkflowId,
  reportProgressUpdate,
  requestClosureUpdate,
  requestExtensionUpdate,
  rescheduleUpdate,
  type SuperviseTaskInput,
  TaskDeadlineSearchAttribute,
  type TaskState,
  taskStateQuery,
  taskEndedSignal,
  type TaskStatus,
  taskStatusLabels,
  TaskStatusSearchAttribute,
  terminalStatuses,
  TrafficLightSearchAttribute,
  verifyUpdate,
  YELLOW_BEFORE_DEADLINE_MS,
  WorkflowErrorType,
} from '../domain/contract';

const { sendTaskMail, recordTaskEvent, planTaskSupervision, issueNotice } = proxyActivities<TaskActivities & NoticeActivities>({
  startToCloseTimeout: '30 seconds',
  // A mail server outage delays mail, it never drops it: retry with backoff without a cap on attempts.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Rejects an update in its validator: the API answers 409 with this rule and message. */
function illegal(rule: string, message: string): never {
  throw ApplicationFailure.create({ type: WorkflowErrorType.ILLEGAL_TRANSITION, message, details: [{ rule }], nonRetryable: true });
}

/**
 * Supervises one task through its lifecycle, the source of truth for its state:
 *
 *   assigned → acknowledged → in_progress → closure_requested → closed (销号)
 *                                  ↑               │ return (退回, with reason)
 *                                  └── returned ◀──┘
 *   any open state → cancelled; the office may also close directly (completeTask).
 *
 * A reminder goes out `reminderOffsetSeconds` before the deadline and an overdue notice at the
 * deadline unless the task is closed or cancelled first. An approved extension moves the deadline:
 * the pending timers are dropped and re-armed for the new one. Every transition is an Update whose
 * validator rejects illegal moves (state unchanged), and is projected into the database.
 */
export async function superviseTask(input: SuperviseTaskInput): Promise<TaskState> {
  const state: TaskState = input.resume ?? {
    taskId: input.taskId,
    status: input.reopen ? 'in_progress' : 'assigned',
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
  const terminal = () => terminalStatuses.includes(state.status);
  let deadlineVersion = 0;

  /** Records a transition in the projection (idempotent per task and sequence number). */
  const project = (type: string, extra: Record<string, unknown> = {}) => {
    state.seq += 1;
    return recordTaskEvent({
      taskId: input.taskId,
      type,
      at: new Date().toISOString(),
      runKey: workflowInfo().firstExecutionRunId,
      seq: state.seq,
      state: { ...state },
      data: extra,
    });
  };
  // Runs started before the traffic light existed keep their recorded commands (replay test).
  const withLight = patched('traffic-light-search-attribute');
  let light: string | null = null;
  const setLight = (value: 'green' | 'yellow' | 'red' | 'none') => {
    if (!withLight || light === value) return;
    light = value;
    upsertSearchAttributes([{ key: TrafficLightSearchAttribute, value }]);
  };
  const moveTo = (status: TaskStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: status }]);
    if (terminalStatuses.includes(status)) setLight('none');
  };
  const mustBeIn = (allowed: TaskStatus[], action: string) => {
    if (!allowed.includes(state.status)) {
      illegal(`task.${action}.from_${state.status}`, `当前状态（${taskStatusLabels[state.status]}）不能执行此操作 / cannot ${action} a task that is ${state.status}`);
    }
  };
  const open: TaskStatus[] = ['assigned', 'acknowledged', 'in_progress', 'closure_requested', 'returned'];

  /** Moves the deadline; the timer loop wakes and re-arms the reminder and overdue notice for it. */
  const moveDeadline = (deadline: string) => {
    state.deadline = deadline;
    state.escalationLevel = 0;
    if (Date.parse(deadline) > Date.now()) state.overdue = false;
    upsertSearchAttributes([{ key: TaskDeadlineSearchAttribute, value: new Date(deadline) }]);
    deadlineVersion += 1;
  };

  /** Registers an update whose handler projects the transition and returns the new state. */
  function transition<A>(def: UpdateDefinition<TaskState, [A]>, validate: (arg: A) => void, apply: (arg: A) => Record<string, unknown> | void, type: string) {
    setHandler(
      def,
      async (arg: A) => {
        const extra = apply(arg) ?? {};
        await project(type, { ...extra, by: (arg as { by?: string }).by ?? null });
        return { ...state };
      },
      { validator: validate },
    );
  }

  setHandler(taskStateQuery, () => state);

  // Kept from the first release (saved histories use it): the office closes the task directly.
  setHandler(
    completeTaskUpdate,
    async (_input) => {
      moveTo('closed');
      state.completedAt = new Date().toISOString();
      await project('completed');
      return { ...state };
    },
    {
      validator: (_input) => {
        if (state.status === 'closed') illegal('task.complete.once', '任务已销号，不能重复完成 / task is already closed');
        mustBeIn(open, 'complete');
      },
    },
  );

  transition(acknowledgeUpdate, () => mustBeIn(['assigned'], 'acknowledge'), () => moveTo('acknowledged'), 'acknowledged');

  transition(
    reportProgressUpdate,
    (a) => {
      mustBeIn(['acknowledged', 'in_progress', 'returned'], 'report_progress');
      if (!a.text.trim()) illegal('task.report_progress.text', '进展内容不能为空 / progress text is empty');
    },
    (a) => {
      moveTo('in_progress');
      return { text: a.text };
    },
    'progress_reported',
  );

  transition(
    requestClosureUpdate,
    (a) => {
      mustBeIn(['acknowledged', 'in_progress', 'returned'], 'request_closure');
      if (a.evidenceIds.length === 0) illegal('task.request_closure.evidence', '申请销号须附佐证材料 / closure needs evidence');
    },
    (a) => {
      moveTo('closure_requested');
      return { evidenceIds: a.evidenceIds, note: a.note ?? null };
    },
    'closure_requested',
  );

  transition(
    verifyUpdate,
    (a) => {
      mustBeIn(['closure_requested'], 'verify');
      if (a.decision === 'return' && !a.reason?.trim()) illegal('task.verify.return_reason', '退回须说明理由 / a return needs a reason');
    },
    (a) => {
      if (a.decision === 'accept') {
        moveTo('closed');
        state.completedAt = new Date().toISOString();
      } else {
        moveTo('returned');
        state.returnCount += 1;
      }
      return { decision: a.decision, reason: a.reason ?? null };
    },
    'verified',
  );

  transition(
    requestExtensionUpdate,
    (a) => {
      mustBeIn(open, 'request_extension');
      if (state.pendingExtension) illegal('task.request_extension.one_pending', '已有待审批的延期申请 / an extension request is already pending');
      if (!(Date.parse(a.requestedDeadline) > Date.parse(state.deadline))) {
        illegal('task.request_extension.later', '申请的完成时限须晚于当前时限 / the requested deadline must be later than the current one');
      }
    },
    (a) => {
      state.pendingExtension = { requestedDeadline: a.requestedDeadline, reason: a.reason, requestedBy: a.by };
      return { requestedDeadline: a.requestedDeadline, reason: a.reason };
    },
    'extension_requested',
  );

  transition(
    decideExtensionUpdate,
    () => {
      mustBeIn(open, 'decide_extension');
      if (!state.pendingExtension) illegal('task.decide_extension.none_pending', '没有待审批的延期申请 / no extension request is pending');
    },
    (a) => {
      const requested = state.pendingExtension!;
      state.pendingExtension = null;
      if (!a.approve) return { approve: false, reason: a.reason ?? null, requestedDeadline: requested.requestedDeadline };
      const previous = state.deadline;
      moveDeadline(requested.requestedDeadline);
      return { approve: true, reason: a.reason ?? null, previousDeadline: previous, deadline: state.deadline };
    },
    'extension_decided',
  );

  transition(
    rescheduleUpdate,
    (a) => {
      mustBeIn(open, 'reschedule');
      if (Number.isNaN(Date.parse(a.deadline))) illegal('task.reschedule.deadline', '完成时限无效 / invalid deadline');
    },
    (a) => {
      const previous = state.deadline;
      moveDeadline(a.deadline);
      return { reason: a.reason, previousDeadline: previous, deadline: state.deadline };
    },
    'deadline_recomputed',
  );

  transition(
    cancelUpdate,
    (a) => {
      mustBeIn(open, 'cancel');
      if (!a.reason.trim()) illegal('task.cancel.reason', '撤销须说明理由 / cancelling needs a reason');
    },
    (a) => {
      moveTo('cancelled');
      return { reason: a.reason };
    },
    'cancelled',
  );

  if (!input.resume) {
    upsertSearchAttributes([
      { key: TaskStatusSearchAttribute, value: state.status },
      { key: TaskDeadlineSearchAttribute, value: new Date(Date.parse(state.deadline)) },
    ]);
    if (withLight && (input.campaignCode || input.leadUnitCode)) {
      upsertSearchAttributes([
        ...(input.campaignCode ? [{ key: CampaignCodeSearchAttribute, value: input.campaignCode }] : []),
        ...(input.leadUnitCode ? [{ key: LeadUnitSearchAttribute, value: input.leadUnitCode }] : []),
      ]);
    }
    if (input.reopen) await project('reopened', { reason: input.reopen.reason, by: input.reopen.by });
  }

  for (;;) {
    const version = deadlineVersion;
    const deadlineMs = Date.parse(state.deadline);
    const changed = () => terminal() || deadlineVersion !== version;
    /** Waits until the instant, or until the task ends or its deadline moves; true when the instant was reached. */
    const reached = async (instantMs: number): Promise<boolean> => {
      const wait = instantMs - Date.now();
      if (wait > 0) await condition(changed, wait);
      return !changed();
    };

    // In time order: the light turns yellow, reminders go out, then (planned runs) the ladder's rungs.
    const steps: { at: number; key?: string; run: () => Promise<unknown> | void }[] = [];
    if (withLight) {
      setLight(state.overdue ? 'red' : deadlineMs - Date.now() <= YELLOW_BEFORE_DEADLINE_MS ? 'yellow' : 'green');
      if (light === 'green') steps.push({ at: deadlineMs - YELLOW_BEFORE_DEADLINE_MS, run: () => setLight('yellow') });
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
            setLight('red');
            await project('overdue');
          }
          state.escalationLevel = p.level;
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

    if (!input.planned && !state.overdue && (await reached(deadlineMs))) {
      state.overdue = true;
      state.overdueAt = new Date().toISOString();
      // The first release kept "overdue" as a status search attribute; overdue is now a flag.
      if (!patched('overdue-is-a-flag')) upsertSearchAttributes([{ key: TaskStatusSearchAttribute, value: 'overdue' }]);
      setLight('red');
      await project('overdue');
      await sendTaskMail({ taskId: input.taskId, kind: 'overdue', deadline: state.deadline });
    }

    await condition(() => changed() || workflowInfo().continueAsNewSuggested);
    if (terminal()) break;
    if (!changed() && workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof superviseTask>({ ...input, reopen: undefined, resume: { ...state } });
    }
  }

  // Handlers project their transition before returning; end only after they have finished.
  await condition(allHandlersFinished);
  if (input.campaignId) {
    await getExternalWorkflowHandle(campaignWorkflowId(input.campaignId)).signal(taskEndedSignal, { taskId: input.taskId, status: state.status });
  }
  return state;
}
