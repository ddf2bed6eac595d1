import { attachmentDisposition } from '../http/download';
import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import {
  ZBackfilled,
  ZBackfillRequest,
  ZEmptyRequest,
  ZKeyParams,
  ZListReportsQuery,
  ZReport,
  ZReportList,
  ZReviewCycle,
  ZReviewCycleBody,
  ZReviewCycleList,
  ZTriggered,
  ZUnitTaskPage,
  ZUnitTasksParams,
  ZUnitTasksQuery,
} from './schemas';
import type { ReviewService } from './service';
import { XLSX_MEDIA_TYPE } from '../../lib/filetype';


/** Review cycles and their reports (see the service). */
export function reviewRoutes(service: ReviewService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/review-cycles',
      tag: 'reviews',
      summary: '考核周期（月调度、季讲评、年考核等）及其计划 / review cycles and their schedules',
      auth: 'user',
      success: { status: 200, description: 'every cycle', schema: ZReviewCycleList },
      handler: ({ actor }) => service.listCycles(actor),
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
      handler: ({ actor, params, body, req }) => service.saveCycle(actor, params.key, body, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/pause',
      tag: 'reviews',
      summary: '暂停考核周期 / pause a review cycle',
      auth: 'user',
      params: ZKeyParams,
      body: ZEmptyRequest,
      success: { status: 200, description: 'the cycle', schema: ZReviewCycle },
      errors: [403, 404],
      handler: ({ actor, params, req }) => service.pause(actor, params.key, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/resume',
      tag: 'reviews',
      summary: '恢复考核周期 / resume a paused review cycle',
      auth: 'user',
      params: ZKeyParams,
      body: ZEmptyRequest,
      success: { status: 200, description: 'the cycle', schema: ZReviewCycle },
      errors: [403, 404],
      handler: ({ actor, params, req }) => service.resume(actor, params.key, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/trigger',
      tag: 'reviews',
      summary: '立即运行一次（评上一周期）/ run the cycle now (it reviews the period before the current one)',
      auth: 'user',
      params: ZKeyParams,
      body: ZEmptyRequest,
      success: { status: 202, description: 'the run is started; its report follows', schema: ZTriggered },
      errors: [403, 404],
      handler: ({ actor, params, req }) => service.trigger(actor, params.key, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/review-cycles/{key}/backfill',
      tag: 'reviews',
      summary: '补跑过去某一周期 / backfill a past period',
      auth: 'user',
      params: ZKeyParams,
      body: ZBackfillRequest,
      success: { status: 202, description: 'the run is started; its report follows', schema: ZBackfilled },
      errors: [403, 404],
      handler: ({ actor, params, body, req }) => service.backfill(actor, params.key, body.period, String(req.id)),
    }),
    route({
      method: 'get',
      path: '/api/reviews',
      tag: 'reviews',
      summary: '督导报告列表（新的在前）/ review reports, newest first',
      auth: 'user',
      query: ZListReportsQuery,
      success: { status: 200, description: 'a page of reports', schema: ZReportList },
      handler: ({ actor, query }) => service.listReports(actor, query),
    }),
    route({
      method: 'get',
      path: '/api/reviews/{id}',
      tag: 'reviews',
      summary: '督导报告（快照、得分、排名、评定；各单位事项清单另行分页）/ one report: snapshot, scores, ranking, ratings (each unit’s tasks are paged apart)',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the report', schema: ZReport },
      errors: [403, 404],
      handler: ({ actor, params }) => service.getReport(actor, params.id),
    }),
    route({
      method: 'get',
      path: '/api/reviews/{id}/units/{unitId}/tasks',
      tag: 'reviews',
      summary: '报告中某单位的事项清单（期末未销号或本期销号，分页）/ a page of one unit’s tasks in a report: open at the period’s end, or closed in it',
      auth: 'user',
      params: ZUnitTasksParams,
      query: ZUnitTasksQuery,
      success: { status: 200, description: 'a page of the unit’s tasks, in the report’s order (open: by deadline; closed: by closing time)', schema: ZUnitTaskPage },
      errors: [403, 404],
      handler: ({ actor, params, query }) => service.unitTasks(actor, params.id, params.unitId, query),
    }),
    route({
      method: 'get',
      path: '/api/reviews/{id}/excel',
      tag: 'reviews',
      summary: '下载报告 Excel / download the report’s Excel workbook',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the workbook (a summary sheet and one sheet per unit)', binary: true, contentTypes: [XLSX_MEDIA_TYPE] },
      errors: [403, 404],
      async handler({ actor, params, res }) {
        const { fileName, bytes } = await service.workbook(actor, params.id);
        res.setHeader('Content-Type', XLSX_MEDIA_TYPE);
        res.setHeader('Content-Disposition', attachmentDisposition(fileName));
        res.setHeader('Cache-Control', 'private, no-cache');
        res.status(200).send(bytes);
        return undefined;
      },
    }),
  ];
}
