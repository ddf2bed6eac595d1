import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { ZCreateUnitRequest, ZUnit, ZUnitList, ZUpdateUnitRequest } from './schemas';
import type { UnitService } from './service';

export function unitRoutes(service: UnitService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/units',
      tag: 'units',
      summary: '单位树（扁平，按路径排序）/ the unit tree, flat, in path order',
      auth: 'user',
      success: { status: 200, description: 'units', schema: ZUnitList },
      handler: ({ actor }) => service.list(actor),
    }),
    route({
      method: 'post',
      path: '/api/units',
      tag: 'units',
      summary: '新增单位 / create a unit',
      auth: 'user',
      body: ZCreateUnitRequest,
      success: { status: 201, description: 'created', schema: ZUnit },
      errors: [403, 409],
      handler: ({ actor, body, req }) => service.create(actor, body, String(req.id)),
    }),
    route({
      method: 'patch',
      path: '/api/units/{id}',
      tag: 'units',
      summary: '修改单位名称或编码 / rename a unit',
      auth: 'user',
      params: ZIdParams,
      body: ZUpdateUnitRequest,
      success: { status: 200, description: 'updated', schema: ZUnit },
      errors: [403, 404, 409],
      handler: ({ actor, params, body, req }) => service.update(actor, params.id, body, String(req.id)),
    }),
  ];
}
