import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { rescheduleUpdate, taskWorkflowId } from '../domain/contract';
import { terminalStatuses } from '../domain/lifecycle';
import { recordAudit } from '../lib/audit';
import { loadCalendar } from '../lib/calendar-store';
import { DEFAULT_WORKDAY_END } from '../lib/config';
import type { TaskActivityDeps } from './index';

export interface RecomputePageInput {
  /** Who changed the calendar (the audit's actor), and the request that did. */
  by: { id: string; email: string } | null;
  requestId?: string;
  limit: number;
}

/**
 * Working-day deadlines after a calendar change, a page at a time (the `recomputeDeadlines`
 * workflow drives it, so a crash part-way resumes where it stopped): every open task whose
 * deadline was counted on an older calendar version is counted again; one that changes is moved
 * through its workflow (the `reschedule` Update, whose id makes a retried page move it once) and
 * audited; each is then marked with the version it was checked against.
 */
export function createDeadlineActivities(deps: TaskActivityDeps) {
  return {
    async recomputeDeadlinePage(input: RecomputePageInput): Promise<{ checked: number; moved: number; version: number; more: boolean }> {
      const calendar = await loadCalendar(deps.db);
      const stale = await deps.db.task.findMany({
        where: {
          deadlineWorkingDays: { not: null },
          deadlineCalendarVersion: { lt: calendar.version },
          status: { notIn: [...terminalStatuses] },
          extensions: { none: { status: 'approved' } }, // an approved extension replaced the computed deadline
        },
        orderBy: { id: 'asc' },
        take: input.limit,
      });
      let moved = 0;
      for (const t of stale) {
        const deadline = calendar.addWorkingDays(t.createdAt, t.deadlineWorkingDays!, deps.timeZone, deps.workdayEnd ?? DEFAULT_WORKDAY_END);
        let changed = false;
        if (deadline.getTime() !== t.deadline.getTime()) {
          try {
            await Context.current()
              .client.workflow.getHandle(taskWorkflowId(t.id))
              .executeUpdate(rescheduleUpdate, {
                updateId: `recompute-v${calendar.version}-${t.id}`,
                args: [{ by: input.by?.id ?? 'system', deadline: deadline.toISOString(), reason: `工作日历更新（版本 ${calendar.version}）` }],
              });
            changed = true;
          } catch (err) {
            // A task whose run has ended meanwhile keeps its deadline; anything else is retried.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }
        await deps.db.$transaction(async (tx) => {
          const { count } = await tx.task.updateMany({ where: { id: t.id, deadlineCalendarVersion: t.deadlineCalendarVersion }, data: { deadlineCalendarVersion: calendar.version } });
          if (count === 1 && changed) {
            await recordAudit(tx, {
              actor: input.by,
              action: 'task.deadline_recomputed',
              targetType: 'task',
              targetId: t.id,
              before: { deadline: t.deadline.toISOString(), calendarVersion: t.deadlineCalendarVersion },
              after: { deadline: deadline.toISOString(), calendarVersion: calendar.version },
              requestId: input.requestId ?? null,
            });
          }
        });
        if (changed) moved += 1;
      }
      return { checked: stale.length, moved, version: calendar.version, more: stale.length === input.limit };
    },
  };
}

export type DeadlineActivities = ReturnType<typeof createDeadlineActivities>;
