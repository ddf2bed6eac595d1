import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { ZAcknowledgeRequest, ZListNoticesQuery, ZNotice, ZNoticeDetail, ZNoticeList } from './schemas';
import type { NoticeService } from './service';

/** @deprecated import it from './schemas' (api/tasks/schemas.ts still imports it from here). */
export { ZNotice } from './schemas';

/** Escalation notices: their recipients read and acknowledge them (签收), which stops the daily re-reminders. */
export function noticeRoutes(service: NoticeService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/notices',
      tag: 'notices',
      summary: '我的督办通知（督查室可见全部）/ the caller’s escalation notices (the office sees all), newest first',
      auth: 'user',
      query: ZListNoticesQuery,
      success: { status: 200, description: 'a page of notices', schema: ZNoticeList },
      handler: ({ actor, query }) => service.list(actor, query),
    }),
    route({
      method: 'get',
      path: '/api/notices/{id}',
      tag: 'notices',
      summary: '督办通知详情（任务、接收人、签收）/ one notice: its task, recipients and acknowledgement',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the notice', schema: ZNoticeDetail },
      errors: [404],
      handler: ({ actor, params }) => service.get(actor, params.id),
    }),
    route({
      method: 'post',
      path: '/api/notices/{id}/acknowledge',
      tag: 'notices',
      summary: '签收督办通知 / acknowledge an escalation notice',
      auth: 'user',
      params: ZIdParams,
      body: ZAcknowledgeRequest,
      success: { status: 200, description: 'the acknowledged notice', schema: ZNotice },
      errors: [403, 404, 409],
      handler: ({ actor, params, req }) => service.acknowledge(actor, params.id, String(req.id)),
    }),
  ];
}
