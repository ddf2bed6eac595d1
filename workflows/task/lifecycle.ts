/**
 * The lifecycle half of `superviseTask`: one validated Update per move of the domain's table
 * (domain/lifecycle.ts). Each validator asks the table whether the move is legal now — a refusal
 * leaves the state unchanged and the API answers 409 with its rule — and each handler changes the
 * state and projects the transition as a typed event.
 */
import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import {
  acknowledgeUpdate,
  cancelUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  reportProgressUpdate,
  requestClosureUpdate,
  requestExtensionUpdate,
  rescheduleUpdate,
  type TaskState,
  taskStateQuery,
  verifyUpdate,
  WorkflowErrorType,
} from '../../domain/contract';
import type { TaskEvent } from '../../domain/events';
import { moveRefusal, type Refusal, type TaskAction, type TaskFacts, type TaskStatus } from '../../domain/lifecycle';

/** Rejects an update in its validator: the API answers 409 with this rule and message. */
function illegal(r: Refusal): never {
  throw ApplicationFailure.create({ type: WorkflowErrorType.ILLEGAL_TRANSITION, message: r.message, details: [{ rule: r.rule }], nonRetryable: true });
}

export const factsOf = (state: TaskState): TaskFacts => ({ status: state.status, pendingExtension: state.pendingExtension !== null, deadline: state.deadline });

export interface LifecycleHooks {
  state: TaskState;
  /** Changes the status (and what follows from it: search attributes, the light). */
  moveTo(status: TaskStatus): void;
  /** Moves the deadline; the supervision timeline re-arms for the new one. */
  moveDeadline(deadline: string): void;
  /** Projects a transition into the database. */
  project(event: TaskEvent): Promise<unknown>;
  /** The workflow's clock, as an ISO string. */
  now(): string;
}

/** Registers the task's state query and every lifecycle Update. */
export function registerLifecycle(hooks: LifecycleHooks): void {
  const { state } = hooks;

  /** An Update whose validator is the table's rule for `action`, and whose handler applies the move. */
  function move<A>(def: UpdateDefinition<TaskState, [A]>, action: TaskAction, apply: (arg: A) => TaskEvent) {
    setHandler(
      def,
      async (arg: A) => {
        await hooks.project(apply(arg));
        return { ...state };
      },
      {
        validator: (arg: A) => {
          const refusal = moveRefusal(action, factsOf(state), arg as never);
          if (refusal) illegal(refusal);
        },
      },
    );
  }
  const closeNow = () => {
    hooks.moveTo('closed');
    state.completedAt = hooks.now();
  };

  setHandler(taskStateQuery, () => state);

  // The office closes the task directly (直接销号); who and the note travel with the transition.
  move(completeTaskUpdate, 'complete', (a) => {
    closeNow();
    return { type: 'completed', by: a.by ?? null, note: a.note ?? null };
  });

  move(acknowledgeUpdate, 'acknowledge', (a) => {
    hooks.moveTo('acknowledged');
    return { type: 'acknowledged', by: a.by };
  });

  move(reportProgressUpdate, 'report_progress', (a) => {
    hooks.moveTo('in_progress');
    return { type: 'progress_reported', by: a.by, text: a.text };
  });

  move(requestClosureUpdate, 'request_closure', (a) => {
    hooks.moveTo('closure_requested');
    return { type: 'closure_requested', by: a.by, evidenceIds: a.evidenceIds, note: a.note ?? null };
  });

  move(verifyUpdate, 'verify', (a) => {
    if (a.decision === 'accept') {
      closeNow();
    } else {
      hooks.moveTo('returned');
      state.returnCount += 1;
    }
    return { type: 'verified', by: a.by, decision: a.decision, reason: a.reason ?? null };
  });

  move(requestExtensionUpdate, 'request_extension', (a) => {
    state.pendingExtension = { requestedDeadline: a.requestedDeadline, reason: a.reason, requestedBy: a.by };
    return { type: 'extension_requested', by: a.by, requestedDeadline: a.requestedDeadline, reason: a.reason };
  });

  move(decideExtensionUpdate, 'decide_extension', (a) => {
    const requested = state.pendingExtension!;
    state.pendingExtension = null;
    if (!a.approve) return { type: 'extension_decided', by: a.by, approve: false, reason: a.reason ?? null, requestedDeadline: requested.requestedDeadline };
    const previous = state.deadline;
    hooks.moveDeadline(requested.requestedDeadline);
    return { type: 'extension_decided', by: a.by, approve: true, reason: a.reason ?? null, previousDeadline: previous, deadline: state.deadline };
  });

  // The deadline is recomputed (the working-day calendar changed): the timeline follows it like an extension.
  move(rescheduleUpdate, 'reschedule', (a) => {
    const previous = state.deadline;
    hooks.moveDeadline(a.deadline);
    return { type: 'deadline_recomputed', by: a.by, reason: a.reason, previousDeadline: previous, deadline: state.deadline };
  });

  move(cancelUpdate, 'cancel', (a) => {
    hooks.moveTo('cancelled');
    return { type: 'cancelled', by: a.by, reason: a.reason };
  });
}
