/**
 * Review cycles (月调度、季讲评、年考核 …) and their reports. A cycle is configuration; its Temporal
 * Schedule follows every change. The office (or an admin) pauses a cycle, runs it now, or backfills
 * a past period; everyone who reads reviews lists the reports, reads one and downloads its workbook.
 *
 * One effect per action (several API replicas may serve the same requests):
 *  - saving a cycle takes a database lock on its key for the transaction; saving what is already
 *    saved writes nothing (no audit event) and answers the cycle as it is;
 *  - pause / resume are conditional updates: pausing a paused cycle answers it as it is;
 *  - "trigger now" and a backfill start the period's run under one workflow id per cycle and period
 *    (lib/review/schedules.ts `startReviewRun`): while it runs, the same request answers 202 with the
 *    same body and starts nothing (no second report, mail or audit event).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Client } from '@temporalio/client';
import type { Prisma, ReviewCycle } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { localDate } from '../../domain/calendar';
import { defaultScoring, reportTypeLabels, reviewScheduleId } from '../../domain/review/config';
import { parsePeriodKey, reviewedPeriod } from '../../domain/review/periods';
import { type ReviewScheduleOptions, scheduledRunOf, startReviewRun, syncReviewSchedules } from '../../lib/review/schedules';
import { readTaskPage, summarySql } from '../../lib/review/task-lists';
import { paginate } from '../http/common';
import { type Actor, policy } from '../policy';
import { periodLabels, type TCycleAction, type TListReportsQuery, type TReviewCycle, type TReviewCycleBody, type TUnitTasksQuery, type ZReportType } from './schemas';
import type { z } from 'zod';

export interface ReviewServiceDeps extends ReviewScheduleOptions {
  db: Db;
  temporal: Client;
}

export type ReviewService = ReturnType<typeof createReviewService>;

type ReportRow = { id: string; cycleKey: string; period: string; reportType: z.infer<typeof ZReportType>; periodStart: Date; periodEnd: Date; content: Prisma.JsonValue; createdAt: Date };
const presentReport = (r: ReportRow) => {
  const content = r.content as { period: { label: string }; units: unknown[] };
  return {
    id: r.id,
    cycleKey: r.cycleKey,
    period: r.period,
    periodLabel: content.period.label,
    reportType: r.reportType,
    periodStart: r.periodStart.toISOString(),
    periodEnd: r.periodEnd.toISOString(),
    units: content.units.length,
    createdAt: r.createdAt.toISOString(),
  };
};

const mustManage = (actor: Actor) => {
  if (!policy.manageReviews(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅督查室或系统管理员可管理考核周期 / only the office or an admin manages review cycles');
};
const mustRead = (actor: Actor) => {
  if (!policy.readReviews(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看督导报告 / you may not read review reports');
};
const noReport = (id: string) => new AppError(ErrorCode.NOT_FOUND, `报告不存在 / no report ${id}`);

/** Whether a saved cycle already says what a request asks (then saving it again changes nothing). */
const sameCycle = (c: ReviewCycle, body: TReviewCycleBody) =>
  c.name === body.name &&
  c.period === body.period &&
  c.reportType === body.reportType &&
  c.time === body.time &&
  c.recipientRoles.length === body.recipientRoles.length &&
  c.recipientRoles.every((r) => body.recipientRoles.includes(r)) &&
  isDeepStrictEqual(c.scoring ?? null, body.scoring ?? null);

export function createReviewService(deps: ReviewServiceDeps) {
  const { db, temporal } = deps;
  const now = deps.now ?? (() => new Date());

  const cycleOf = async (key: string) => {
    const cycle = await db.reviewCycle.findUnique({ where: { key } });
    if (!cycle) throw new AppError(ErrorCode.NOT_FOUND, `考核周期不存在 / no review cycle ${key}`);
    return cycle;
  };

  async function present(cycle: ReviewCycle, actor: Actor): Promise<TReviewCycle> {
    let schedule: TReviewCycle['schedule'] = null;
    try {
      const d = await temporal.schedule.getHandle(reviewScheduleId(cycle.key)).describe();
      schedule = {
        id: d.scheduleId,
        nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
        recentRuns: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
      };
    } catch {
      // Not created yet (the worker side creates it at start): shown as null.
    }
    return {
      key: cycle.key,
      name: cycle.name,
      period: cycle.period,
      periodLabel: periodLabels[cycle.period],
      reportType: cycle.reportType,
      reportTypeLabel: reportTypeLabels[cycle.reportType],
      time: cycle.time,
      recipientRoles: cycle.recipientRoles,
      scoring: cycle.scoring ?? defaultScoring,
      paused: cycle.paused,
      schedule,
      allowedActions: policy.manageReviews(actor) ? (['save', cycle.paused ? 'resume' : 'pause', 'trigger', 'backfill'] satisfies TCycleAction[]) : [],
    };
  }

  async function setPaused(actor: Actor, key: string, paused: boolean, requestId?: string) {
    mustManage(actor);
    const outcome = await db.$transaction(async (tx) => {
      const { count } = await tx.reviewCycle.updateMany({ where: { key, paused: !paused }, data: { paused } });
      const cycle = await tx.reviewCycle.findUnique({ where: { key } });
      if (!cycle) throw new AppError(ErrorCode.NOT_FOUND, `考核周期不存在 / no review cycle ${key}`);
      if (count === 1) {
        await recordAudit(tx, { actor, action: paused ? 'review_cycle.pause' : 'review_cycle.resume', targetType: 'review_cycle', targetId: key, before: { paused: !paused }, after: { paused }, requestId });
      }
      return { cycle, changed: count === 1 };
    });
    if (outcome.changed) await syncReviewSchedules(temporal, db, deps, key);
    return present(outcome.cycle, actor);
  }

  return {
    async listCycles(actor: Actor) {
      mustRead(actor);
      const cycles = await db.reviewCycle.findMany({ orderBy: { key: 'asc' } });
      return { items: await Promise.all(cycles.map((c) => present(c, actor))) };
    },

    async saveCycle(actor: Actor, key: string, body: TReviewCycleBody, requestId?: string) {
      mustManage(actor);
      const data = { ...body, scoring: (body.scoring ?? undefined) as Prisma.InputJsonValue | undefined };
      const outcome = await db.$transaction(async (tx) => {
        // One writer per cycle key at a time, also while the cycle does not exist yet.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`review_cycle:${key}`}))`;
        const before = await tx.reviewCycle.findUnique({ where: { key } });
        if (before && sameCycle(before, body)) return { cycle: before, changed: false };
        if (before && before.period !== body.period && (await tx.reviewReport.count({ where: { cycleKey: key } })) > 0) {
          throw new AppError(ErrorCode.CONFLICT, '已有报告的考核周期不能更改周期长度，请新建周期 / a cycle with reports keeps its period; add a new cycle', [
            { field: 'period', rule: 'review_cycle.period_fixed', message: `was ${before.period}` },
          ]);
        }
        const saved = await tx.reviewCycle.upsert({ where: { key }, create: { key, ...data }, update: { ...data, scoring: body.scoring ?? (null as never) } });
        await recordAudit(tx, { actor, action: before ? 'review_cycle.update' : 'review_cycle.create', targetType: 'review_cycle', targetId: key, before: before as never, after: saved as never, requestId });
        return { cycle: saved, changed: true };
      });
      if (outcome.changed) await syncReviewSchedules(temporal, db, deps, key);
      return present(outcome.cycle, actor);
    },

    pause: (actor: Actor, key: string, requestId?: string) => setPaused(actor, key, true, requestId),
    resume: (actor: Actor, key: string, requestId?: string) => setPaused(actor, key, false, requestId),

    /** Runs the cycle now: it reviews the period before the current one. */
    async trigger(actor: Actor, key: string, requestId?: string) {
      mustManage(actor);
      const cycle = await cycleOf(key);
      const period = reviewedPeriod(cycle.period, now(), deps.timeZone);
      const { started, workflowId } = await startReviewRun(temporal, cycle, period, deps.taskQueue);
      if (started) await recordAudit(db, { actor, action: 'review_cycle.trigger', targetType: 'review_cycle', targetId: cycle.key, after: { period: period.key, workflowId }, requestId });
      return { cycleKey: cycle.key, period: period.key };
    },

    /** Runs the cycle for a past period, as its Schedule would have on the first working day after it. */
    async backfill(actor: Actor, key: string, periodKey: string, requestId?: string) {
      mustManage(actor);
      const cycle = await cycleOf(key);
      const period = parsePeriodKey(cycle.period, periodKey);
      if (!period) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, `周期格式不符（如 ${{ weekly: '2026-W43', monthly: '2026-10', quarterly: '2026-Q3', annual: '2026' }[cycle.period]}）/ not a ${cycle.period} period`, [
          { field: 'period', rule: `period.${cycle.period}`, message: `not a ${cycle.period} period key` },
        ]);
      }
      const today = localDate(now(), deps.timeZone);
      if (period.endDate > today) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, '该周期尚未结束，不能补跑 / the period has not ended yet', [{ field: 'period', rule: 'period.ended', message: `${period.key} ends ${period.endDate}` }]);
      }
      const runAt = await scheduledRunOf(db, cycle, period, deps.timeZone);
      const { started, workflowId } = await startReviewRun(temporal, cycle, period, deps.taskQueue);
      if (started) await recordAudit(db, { actor, action: 'review_cycle.backfill', targetType: 'review_cycle', targetId: cycle.key, after: { period: period.key, runAt, workflowId }, requestId });
      return { cycleKey: cycle.key, period: period.key, runAt };
    },

    async listReports(actor: Actor, query: TListReportsQuery) {
      mustRead(actor);
      const where: Prisma.ReviewReportWhereInput = { ...(query.cycle ? { cycleKey: query.cycle } : {}), ...(query.period ? { period: query.period } : {}) };
      const [rows, total] = await Promise.all([
        db.reviewReport.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], omit: { excel: true }, ...paginate(query) }),
        db.reviewReport.count({ where }),
      ]);
      return { items: rows.map(presentReport), total, page: query.page, pageSize: query.pageSize };
    },

    /** The report's summary: its units without their task lists (paged by `unitTasks`), whichever shape it was stored in. */
    async getReport(actor: Actor, id: string) {
      mustRead(actor);
      const [row] = await db.$queryRaw<ReportRow[]>`
        SELECT r.id, r."cycleKey", r.period, r."reportType"::text AS "reportType", r."periodStart", r."periodEnd", r."createdAt", ${summarySql} AS content
        FROM "ReviewReport" r WHERE r.id = ${id}::uuid`;
      if (!row) throw noReport(id);
      return { ...presentReport(row), content: row.content };
    },

    /** A page of one unit's tasks in a report: open at the period's end, or closed in it, in the report's order. */
    async unitTasks(actor: Actor, id: string, unitId: string, query: TUnitTasksQuery) {
      mustRead(actor);
      const page = await readTaskPage(db, id, unitId, query.list, query.page, query.pageSize);
      if (!page) {
        if (!(await db.reviewReport.count({ where: { id } }))) throw noReport(id);
        throw new AppError(ErrorCode.NOT_FOUND, `报告中没有该单位 / the report lists no unit ${unitId}`);
      }
      return { unitId, list: query.list, items: page.items, total: page.total, page: query.page, pageSize: query.pageSize };
    },

    /** The report's workbook and the file name it is served under. */
    async workbook(actor: Actor, id: string): Promise<{ fileName: string; bytes: Buffer }> {
      mustRead(actor);
      const row = await db.reviewReport.findUnique({ where: { id }, include: { cycle: { select: { name: true } } } });
      if (!row) throw noReport(id);
      return { fileName: `${row.cycle.name}-${row.period}.xlsx`, bytes: Buffer.from(row.excel) };
    },
  };
}
