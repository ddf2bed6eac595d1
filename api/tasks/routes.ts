import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import {
  ZAssignOwnerRequest,
  ZCompleteTaskRequest,
  ZCreateTaskRequest,
  ZListTasksQuery,
  ZTaskDetail,
  ZTaskList,
  ZTaskState,
} from './schemas';
import type { TaskService } from './service';

export function taskRoutes(service: TaskService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/tasks',
      tag: 'tasks',
      summary: '创建整改任务并启动督办工作流 / create a task and start its supervision',
      auth: 'user',
      body: ZCreateTaskRequest,
      success: { status: 201, description: 'created', schema: ZTaskDetail },
      errors: [403, 503],
      handler: ({ actor, body, req }) => service.create(actor, body, String(req.id)),
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
    route({
      method: 'post',
      path: '/api/tasks/{id}/complete',
      tag: 'tasks',
      summary: '完成任务 / complete a task',
      auth: 'user',
      params: ZIdParams,
      body: ZCompleteTaskRequest,
      success: { status: 200, description: 'the workflow state after completion', schema: ZTaskState },
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
      body: ZAssignOwnerRequest,
      success: { status: 200, description: 'the task', schema: ZTaskDetail },
      errors: [403, 404, 409],
      handler: ({ actor, params, body, req }) => service.assignOwner(actor, params.id, body.ownerId, String(req.id)),
    }),
  ];
}
