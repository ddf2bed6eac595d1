/**
 * Review cycles (月调度、季讲评、年考核 …) and their reports. A cycle is configuration; its Temporal
 * Schedule follows every change. The office (or an admin) pauses a cycle, runs it now, or backfills
 * a past period; everyone who reads reviews lists the reports, reads one and downloads its workbook.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Prisma, ReviewCycle } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { localDate } from '../../domain/calendar';
import { defaultScoring, reportTypeLabels, reviewScheduleId, ZScoring } from '../../lib/review/config';
import { parsePeriodKey, reviewedPeriod } from '../../lib/review/periods';
import { backfillPeriod, type ReviewScheduleOptions, syncReviewSchedules } from '../../lib/review/schedules';
import { attachmentDisposition } from '../evidence/routes';
import { paginate, ZIdParams, ZPage, ZRole } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { type Actor, policy } from '../policy';

const ZPeriodKind = z.enum(['weekly', 'monthly', 'quarterly', 'annual']);
const ZReportType = z.enum(['dispatch', 'review', 'assessment']);
const periodLabels = { weekly: '每周', monthly: '每月', quarterly: '每季度', annual: '每年' } as const;
const ZKeyParams = z.strictObject({ key: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, starting with a letter') });

export const ZReviewCycleBody = z.strictObject({
  name: z.string().trim().min(1).max(50),
  period: ZPeriodKind,
  reportType: ZReportType,
  /** Local time of the run on the first working day of each period. */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
    .default('09:00'),
  recipientRoles: z.array(ZRole).min(1).max(6),
  /** Weights and rating rules; null for the defaults. */
  scoring: ZScoring.nullable().default(null),
});

const ZReviewCycle = z.object({
  key: z.string(),
  name: z.string(),
  period: ZPeriodKind,
  periodLabel: z.string(),
  reportType: ZReportType,
  reportTypeLabel: z.string(),
  time: z.string(),
  recipientRoles: z.array(ZRole),
  scoring: z.unknown(),
  paused: z.boolean(),
  schedule: z.object({ id: z.string(), nextRuns: z.array(z.string()), recentRuns: z.array(z.object({ scheduledAt: z.string(), workflowId: z.string() })) }).nullable(),
});

const ZReportSummary = z.object({
  id: z.string(),
  cycleKey: z.string(),
  period: z.string(),
  periodLabel: z.string(),
  reportType: ZReportType,
  periodStart: z.string(),
  periodEnd: z.string(),
  units: z.number(),
  createdAt: z.string(),
});

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

export interface ReviewRouteDeps extends ReviewScheduleOptions {
  db: Db;
  temporal: Client;
}

export function reviewRoutes(deps: ReviewRouteDeps): AnyRoute[] {
  const { db, temporal } = deps;
  const mustManage = (actor: Actor) => {
    if (!policy.manageReviews(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅督查室或系统管理员可管理考核周期 / only the office or an admin manages review cycles');
  };
  const mustRead = (actor: Actor) => {
    if (!policy.readReviews(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看督导报告 / you may not read review reports');
  };
  const cycleOf = async (key: string) => {
    const cycle = await db.reviewCycle.findUnique({ where: { key } });
    if (!cycle) throw new AppError(ErrorCode.NOT_FOUND, `考核周期不存在 / no review cycle ${key}`);
    return cycle;
  };

  async function present(cycle: ReviewCycle) {
    let schedule: z.infer<typeof ZReviewCycle>['schedule'] = null;
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
    };
  }

  async function setPaused(actor: Actor, key: string, paused: boolean, requestId: string) {
    mustManage(actor);
    const before = await cycleOf(key);
    const cycle = await db.$transaction(async (tx) => {
      const updated = await tx.reviewCycle.update({ where: { key }, data: { paused } });
      await recordAudit(tx, { actor, action: paused ? 'review_cycle.pause' : 'review_cycle.resume', targetType: 'review_cycle', targetId: key, before: { paused: before.paused }, after: { paused }, requestId });
      return updated;
    });
    await syncReviewSchedules(temporal, db, deps, key);
    return present(cycle);
  }

  return [
    route({
      method: 'get',
      path: '/api/review-cycles',
      tag: 'reviews',
      summary: '考核周期（月调度、季讲评、年考核等）及其计划 / review cycles and their schedules',
      auth: 'user',
      success: { status: 200, description: 'every cycle', schema: z.object({ items: z.array(ZReviewCycle) }) },
      async handler({ actor }) {
        mustRead(actor);
        const cycles = await db.reviewCycle.findMany({ orderBy: { key: 'asc' } });
        return { items: await Promise.all(cycles.map(present)) };
      },
    }),
    route({
      method: 'put',
      path: '/api/review-cycles/{key}',
      tag: 'reviews',
      summary: '新增或修改考核周期（计划随之更新）/ create or change a review cycle (its schedule follows)',
      auth: 'user',
      params: ZKeyParams,
      body: ZReviewCycleBody,
      success: { status: 200, description: 'the cycle as saved', schema: ZReviewCycle },
      errors: [403, 409],
      async handler({ actor, params, body, req }) {
        mustManage(actor);
        const data = { ...body, scoring: (body.scoring ?? undefined) as Prisma.InputJsonValue | undefined };
        const cycle = await db.$transaction(async (tx) => {
          const before = await tx.reviewCycle.findUnique({ where: { key: params.key } });
          if (before && before.period !== body.period && (await tx.reviewReport.count({ where: { cycleKey: params.key } })) > 0) {
            throw new AppError(ErrorCode.CONFLICT, '已有报告的考核周期不能更改周期长度，请新建周期 / a cycle with reports keeps its period; add a new cycle', [
              { field: 'period', rule: 'review_cycle.period_fixed', message: `was ${before.period}` },
            ]);
          }
          const saved = await tx.reviewCycle.upsert({ where: { key: params.key }, create: { key: params.key, ...data }, update: { ...data, scoring: body.scoring ?? (null as never) } });
          await recordAudit(tx, { actor, action: before ? 'review_cycle.update' : 'review_cycle.create', targetType: 'review_cycle', targetId: params.key, before: before as never, after: saved as never, requestId: String(req.id) });
          return saved;
        });
        await syncReviewSchedules(temporal, db, deps, cycle.key);
        return present(cycle);
      },
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/pause',
      tag: 'reviews',
      summary: '暂停考核周期 / pause a review cycle',
      auth: 'user',
      params: ZKeyParams,
      body: z.strictObject({}),
      success: { status: 200, description: 'the cycle', schema: ZReviewCycle },
      errors: [403, 404],
      handler: ({ actor, params, req }) => setPaused(actor, params.key, true, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/resume',
      tag: 'reviews',
      summary: '恢复考核周期 / resume a paused review cycle',
      auth: 'user',
      params: ZKeyParams,
      body: z.strictObject({}),
      success: { status: 200, description: 'the cycle', schema: ZReviewCycle },
      errors: [403, 404],
      handler: ({ actor, params, req }) => setPaused(actor, params.key, false, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/trigger',
      tag: 'reviews',
      summary: '立即运行一次（评上一周期）/ run the cycle now (it reviews the period before the current one)',
      auth: 'user',
      params: ZKeyParams,
      body: z.strictObject({}),
      success: { status: 202, description: 'the run is started; its report follows', schema: z.object({ cycleKey: z.string(), period: z.string() }) },
      errors: [403, 404],
      async handler({ actor, params, req }) {
        mustManage(actor);
        const cycle = await cycleOf(params.key);
        await temporal.schedule.getHandle(reviewScheduleId(cycle.key)).trigger();
        // The run's scheduled instant is now: it reviews the period before the current one.
        const period = reviewedPeriod(cycle.period, (deps.now ?? (() => new Date()))(), deps.timeZone);
        await recordAudit(db, { actor, action: 'review_cycle.trigger', targetType: 'review_cycle', targetId: cycle.key, after: { period: period.key }, requestId: String(req.id) });
        return { cycleKey: cycle.key, period: period.key };
      },
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/backfill',
      tag: 'reviews',
      summary: '补跑过去某一周期 / backfill a past period',
      auth: 'user',
      params: ZKeyParams,
      body: z.strictObject({ period: z.string().min(4).max(8) }),
      success: { status: 202, description: 'the run is started; its report follows', schema: z.object({ cycleKey: z.string(), period: z.string(), runAt: z.string() }) },
      errors: [403, 404],
      async handler({ actor, params, body, req }) {
        mustManage(actor);
        const cycle = await cycleOf(params.key);
        const period = parsePeriodKey(cycle.period, body.period);
        if (!period) {
          throw new AppError(ErrorCode.VALIDATION_FAILED, `周期格式不符（如 ${{ weekly: '2026-W43', monthly: '2026-10', quarterly: '2026-Q3', annual: '2026' }[cycle.period]}）/ not a ${cycle.period} period`, [
            { field: 'period', rule: `period.${cycle.period}`, message: `not a ${cycle.period} period key` },
          ]);
        }
        const today = localDate((deps.now ?? (() => new Date()))(), deps.timeZone);
        if (period.endDate > today) {
          throw new AppError(ErrorCode.VALIDATION_FAILED, '该周期尚未结束，不能补跑 / the period has not ended yet', [{ field: 'period', rule: 'period.ended', message: `${period.key} ends ${period.endDate}` }]);
        }
        const { runAt } = await backfillPeriod(temporal, db, cycle, period, deps.timeZone);
        await recordAudit(db, { actor, action: 'review_cycle.backfill', targetType: 'review_cycle', targetId: cycle.key, after: { period: period.key, runAt }, requestId: String(req.id) });
        return { cycleKey: cycle.key, period: period.key, runAt };
      },
    }),
    route({
      method: 'get',
      path: '/api/reviews',
      tag: 'reviews',
      summary: '督导报告列表（新的在前）/ review reports, newest first',
      auth: 'user',
      query: z.strictObject({ cycle: ZKeyParams.shape.key.optional(), period: z.string().max(8).optional(), ...ZPage }),
      success: { status: 200, description: 'a page of reports', schema: z.object({ items: z.array(ZReportSummary), total: z.number(), page: z.number(), pageSize: z.number() }) },
      async handler({ actor, query }) {
        mustRead(actor);
        const where: Prisma.ReviewReportWhereInput = { ...(query.cycle ? { cycleKey: query.cycle } : {}), ...(query.period ? { period: query.period } : {}) };
        const [rows, total] = await Promise.all([
          db.reviewReport.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], omit: { excel: true }, ...paginate(query) }),
          db.reviewReport.count({ where }),
        ]);
        return { items: rows.map(presentReport), total, page: query.page, pageSize: query.pageSize };
      },
    }),
    route({
      method: 'get',
      path: '/api/reviews/{id}',
      tag: 'reviews',
      summary: '督导报告（快照、得分、排名、评定）/ one report: snapshot, scores, ranking, ratings',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the report', schema: ZReportSummary.extend({ content: z.record(z.string(), z.unknown()) }) },
      errors: [403, 404],
      async handler({ actor, params }) {
        mustRead(actor);
        const row = await db.reviewReport.findUnique({ where: { id: params.id }, omit: { excel: true } });
        if (!row) throw new AppError(ErrorCode.NOT_FOUND, `报告不存在 / no report ${params.id}`);
        return { ...presentReport(row), content: row.content };
      },
    }),
    route({
      method: 'get',
      path: '/api/reviews/{id}/excel',
      tag: 'reviews',
      summary: '下载报告 Excel / download the report’s Excel workbook',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the workbook (a summary sheet and one sheet per unit)', binary: true },
      errors: [403, 404],
      async handler({ actor, params, res }) {
        mustRead(actor);
        const row = await db.reviewReport.findUnique({ where: { id: params.id }, include: { cycle: { select: { name: true } } } });
        if (!row) throw new AppError(ErrorCode.NOT_FOUND, `报告不存在 / no report ${params.id}`);
        res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.setHeader('Content-Disposition', attachmentDisposition(`${row.cycle.name}-${row.period}.xlsx`));
        res.setHeader('Cache-Control', 'private, no-cache');
        res.status(200).send(Buffer.from(row.excel));
        return undefined;
      },
    }),
  ];
}
