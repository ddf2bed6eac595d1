import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import {
  ZAssignOwnerRequest,
  ZCancelRequest,
  ZClosureRequest,
  ZEmptyRequest,
  ZExtensionDecision,
  ZExtensionRequest,
  ZProgressRequest,
  ZReopenRequest,
  ZVerifyRequest,
  ZCompleteTaskRequest,
  ZCreateTaskRequest,
  ZListTasksQuery,
  ZTaskDetail,
  ZTaskList,
  ZTaskState,
} from './schemas';
import type { TaskService } from './service';
import { EXPORT_PAGE_SIZE, streamTasksWorkbook } from '../campaigns/spreadsheet/export';
import { XLSX_MEDIA_TYPE } from '../../lib/filetype';
import { DEFAULT_TIME_ZONE, DEFAULT_WORKDAY_END } from '../../lib/config';

/** A write repeated against the same state of the task (a double click, a retry racing its first try) is made once. */
const sameTaskState = (service: TaskService) => ({ version: ({ params }: { params: { id: string } }) => service.version(params.id) });

export function taskRoutes(service: TaskService, exportOptions: { timeZone?: string; workdayEnd?: string; pageSize?: number } = {}): AnyRoute[] {
  const idempotent = sameTaskState(service);
  return [
    route({
      method: 'post',
      path: '/api/tasks',
      tag: 'tasks',
      summary: '创建整改任务并启动督办工作流 / create a task and start its supervision',
      auth: 'user',
      body: ZCreateTaskRequest,
      idempotent: {},
      success: { status: 201, description: 'created', schema: ZTaskDetail },
      errors: [403, 503],
      handler: ({ actor, body, req }) => service.create(actor, body, String(req.id), { idempotencyKey: req.get('idempotency-key') }),
    }),
    route({
      method: 'get',
      path: '/api/tasks',
      tag: 'tasks',
      summary: '任务清单（按可见范围）/ tasks visible to the caller',
      auth: 'user',
      query: ZListTasksQuery,
      success: { status: 200, description: 'a page of tasks', schema: ZTaskList },
      handler: ({ actor, query }) => service.list(actor, query),
    }),
    // Before /api/tasks/{id}: export.xlsx is not an id.
    route({
      method: 'get',
      path: '/api/tasks/export.xlsx',
      tag: 'tasks',
      summary: '导出任务清单（Excel，与任务列表相同的筛选和可见范围）/ the task list as a workbook',
      auth: 'user',
      query: ZListTasksQuery.omit({ page: true, pageSize: true }),
      success: { status: 200, description: 'the tasks visible to the caller, filtered and sorted as GET /api/tasks, streamed (.xlsx)', binary: true, contentTypes: [XLSX_MEDIA_TYPE] },
      handler: async ({ actor, query, res }) => {
        await streamTasksWorkbook(res, service.scan(actor, query, exportOptions.pageSize ?? EXPORT_PAGE_SIZE), {
          timeZone: exportOptions.timeZone ?? DEFAULT_TIME_ZONE,
          workdayEnd: exportOptions.workdayEnd ?? DEFAULT_WORKDAY_END,
          now: new Date(),
          fileName: '任务清单.xlsx',
        });
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/api/tasks/{id}',
      tag: 'tasks',
      summary: '任务详情 / task detail with its events and mails',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the task', schema: ZTaskDetail },
      errors: [404],
      handler: ({ actor, params }) => service.get(actor, params.id),
    }),
    ...lifecycleRoutes(service),
    route({
      method: 'post',
      path: '/api/tasks/{id}/complete',
      tag: 'tasks',
      summary: '督查室直接销号 / the office closes the task directly',
      auth: 'user',
      params: ZIdParams,
      idempotent,
      body: ZCompleteTaskRequest,
      success: { status: 200, description: 'the workflow state after closure', schema: ZTaskState },
      errors: [403, 404, 409],
      handler: ({ actor, params, body, req }) => service.complete(actor, params.id, body, String(req.id)),
    }),
    route({
      method: 'put',
      path: '/api/tasks/{id}/owner',
      tag: 'tasks',
      summary: '指派责任人 / assign the responsible person',
      auth: 'user',
      params: ZIdParams,
      idempotent,
      body: ZAssignOwnerRequest,
      success: { status: 200, description: 'the task', schema: ZTaskDetail },
      errors: [403, 404, 409],
      handler: ({ actor, params, body, req }) => service.assignOwner(actor, params.id, body.ownerId, String(req.id)),
    }),
  ];
}

/** The task's lifecycle moves; each is a validated workflow Update (409 names the rule it breaks). */
function lifecycleRoutes(service: TaskService): AnyRoute[] {
  const move = { tag: 'tasks', auth: 'user' as const, params: ZIdParams, errors: [403, 404, 409], idempotent: sameTaskState(service) };
  const ok = { status: 200, description: 'the task state after the move', schema: ZTaskState };
  return [
    route({ ...move, method: 'post', path: '/api/tasks/{id}/acknowledge', summary: '签收 / acknowledge the task', body: ZEmptyRequest, success: ok,
      handler: ({ actor, params, req }) => service.acknowledge(actor, params.id, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/progress', summary: '报送进展 / report progress', body: ZProgressRequest, success: ok,
      handler: ({ actor, params, body, req }) => service.reportProgress(actor, params.id, body.text, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/closure-request', summary: '申请销号（附佐证材料）/ request closure with evidence', body: ZClosureRequest, success: ok,
      handler: ({ actor, params, body, req }) => service.requestClosure(actor, params.id, body, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/verification', summary: '复核：销号或退回 / verify: accept or return with a reason', body: ZVerifyRequest, success: ok,
      handler: ({ actor, params, body, req }) => service.verify(actor, params.id, body, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/extension-request', summary: '延期申请 / request a later deadline', body: ZExtensionRequest, success: ok,
      handler: ({ actor, params, body, req }) => service.requestExtension(actor, params.id, body, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/extension-decision', summary: '审批延期申请 / decide the pending extension request', body: ZExtensionDecision, success: ok,
      handler: ({ actor, params, body, req }) => service.decideExtension(actor, params.id, body, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/cancel', summary: '撤销任务 / cancel the task', body: ZCancelRequest, success: ok,
      handler: ({ actor, params, body, req }) => service.cancel(actor, params.id, body.reason, String(req.id)) }),
    route({ ...move, method: 'post', path: '/api/tasks/{id}/reopen', summary: '回头看：重新打开已销号任务 / reopen a closed task after a follow-up check', body: ZReopenRequest,
      success: { status: 200, description: 'the reopened task', schema: ZTaskDetail },
      handler: ({ actor, params, body, req }) => service.reopen(actor, params.id, body, String(req.id)) }),
  ];
}
