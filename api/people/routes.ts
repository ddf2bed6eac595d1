import { ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { ZCreatePersonRequest, ZListPeopleQuery, ZPerson, ZPersonList, ZUpdatePersonRequest } from './schemas';
import type { PeopleService } from './service';

export function peopleRoutes(service: PeopleService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/people',
      tag: 'people',
      summary: '人员列表（按可见范围）/ people visible to the caller',
      auth: 'user',
      query: ZListPeopleQuery,
      success: { status: 200, description: 'a page of people', schema: ZPersonList },
      errors: [403],
      handler: ({ actor, query }) => service.list(actor, query),
    }),
    route({
      method: 'post',
      path: '/api/people',
      tag: 'people',
      summary: '新增人员 / create a person',
      auth: 'user',
      body: ZCreatePersonRequest,
      success: { status: 201, description: 'created', schema: ZPerson },
      errors: [403, 409],
      handler: ({ actor, body, req }) => service.create(actor, body, String(req.id)),
    }),
    route({
      method: 'get',
      path: '/api/people/{id}',
      tag: 'people',
      summary: '人员详情 / a person',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the person', schema: ZPerson },
      errors: [404],
      handler: ({ actor, params }) => service.get(actor, params.id),
    }),
    route({
      method: 'patch',
      path: '/api/people/{id}',
      tag: 'people',
      summary: '修改人员（角色、单位、停用、重置密码）/ update a person',
      auth: 'user',
      params: ZIdParams,
      body: ZUpdatePersonRequest,
      success: { status: 200, description: 'updated', schema: ZPerson },
      errors: [403, 404],
      handler: ({ actor, params, body, req }) => service.update(actor, params.id, body, String(req.id)),
    }),
  ];
}
