import { z } from 'zod';
import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { ZAddProblemsRequest, ZCampaign, ZCreateCampaignRequest } from './schemas';
import type { CampaignService } from './service';
import { campaignSpreadsheetRoutes } from './spreadsheet/routes';

export function campaignRoutes(service: CampaignService): AnyRoute[] {
  return [
    // Before /api/campaigns/{id}: template.xlsx is not an id.
    ...campaignSpreadsheetRoutes(service.spreadsheets),
    route({
      method: 'post',
      path: '/api/campaigns',
      tag: 'campaigns',
      summary: '创建整改批次（问题清单、任务清单、责任清单一次提交）/ create a campaign with its three lists',
      auth: 'user',
      body: ZCreateCampaignRequest,
      success: { status: 201, description: 'created; its tasks are under supervision', schema: ZCampaign },
      errors: [403, 409, 503],
      handler: ({ actor, body, req }) => service.create(actor, body, String(req.id)),
    }),
    route({
      method: 'post',
      path: '/api/campaigns/{id}/problems',
      tag: 'campaigns',
      summary: '向进行中的整改批次追加问题及其任务 / add problems and their tasks to a running campaign',
      auth: 'user',
      params: ZIdParams,
      body: ZAddProblemsRequest,
      success: { status: 201, description: 'the campaign with the added problems under supervision', schema: ZCampaign },
      errors: [403, 404, 409, 503],
      handler: ({ actor, params, body, req }) => service.addProblems(actor, params.id, body.problems, String(req.id)),
    }),
    route({
      method: 'get',
      path: '/api/campaigns',
      tag: 'campaigns',
      summary: '整改批次列表 / campaigns',
      auth: 'user',
      success: {
        status: 200,
        description: 'campaigns, newest first',
        schema: z.object({ items: z.array(z.object({ id: z.string(), code: z.string(), name: z.string(), source: z.string(), status: z.string(), createdAt: z.string() })) }),
      },
      errors: [403],
      handler: ({ actor }) => service.list(actor),
    }),
    route({
      method: 'get',
      path: '/api/campaigns/{id}',
      tag: 'campaigns',
      summary: '整改批次详情（含问题、任务与销号台账）/ a campaign with its problems, tasks and ledger',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the campaign', schema: ZCampaign },
      errors: [404],
      handler: ({ actor, params }) => service.get(actor, params.id),
    }),
  ];
}
