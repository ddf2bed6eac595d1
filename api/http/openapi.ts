import { z } from 'zod';
import { ErrorCode } from '../../lib/errors';
import type { AnyRoute } from './route';

const statusText: Record<number, string> = {
  400: '请求参数错误 / bad request (field and rule named in details)',
  401: '未认证 / missing or invalid credentials',
  403: '无权操作 / not allowed',
  404: '不存在或不可见 / not found',
  409: '状态冲突 / conflict or illegal transition',
  413: '请求体过大 / body too large',
  415: '请求体须为 JSON / the body must be application/json',
  429: '请求过于频繁 / rate limited',
  500: '服务器内部错误 / internal error',
  503: '依赖服务不可用 / a dependency is unavailable',
};

export const ZErrorResponse = z.object({
  error: z.object({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

type JsonSchema = Record<string, unknown>;
const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
}

const binary = { type: 'string', format: 'binary', contentMediaType: 'application/octet-stream' };

/** The request body of a route: JSON from its zod schema, or multipart/form-data with a binary file array. */
function requestBody(r: AnyRoute) {
  if (r.multipart) {
    const { field, maxFiles, maxFileBytes, contentTypes } = r.multipart;
    const files = {
      type: 'array',
      minItems: 1,
      maxItems: maxFiles,
      items: binary,
      description: `1–${maxFiles} files, each at most ${maxFileBytes} bytes${contentTypes ? `, of type ${contentTypes.join(', ')}` : ''}`,
    };
    const schema = { type: 'object', properties: { [field]: files }, required: [field], additionalProperties: false };
    const encoding = contentTypes ? { encoding: { [field]: { contentType: contentTypes.join(', ') } } } : {};
    return { requestBody: { required: true, content: { 'multipart/form-data': { schema, ...encoding } } } };
  }
  if (r.body) return { requestBody: { required: true, content: { 'application/json': { schema: toSchema(r.body, 'input') } } } };
  return {};
}

/** The success response's content: JSON from its zod schema, or bytes. */
function successContent(success: AnyRoute['success']) {
  if (success.binary) {
    const types = success.contentTypes ?? ['application/octet-stream'];
    return { content: Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary', contentMediaType: t } }])) };
  }
  if (success.schema) return { content: { 'application/json': { schema: toSchema(success.schema, 'output') } } };
  return {};
}

/** OpenAPI 3.1 document of the given routes, from the same zod schemas that validate requests. */
export function buildOpenApiDocument(routes: AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    // Besides what the route names: what the HTTP layer answers for any route of its kind.
    const errorStatuses = [
      400,
      ...(r.auth === 'user' ? [401, 503] : []),
      ...(r.body ? [413, 415] : []),
      ...(r.multipart ? [413] : []),
      ...(r.before?.length ? [429] : []),
      ...(r.errors ?? []),
      500,
    ];
    const responses: Record<string, unknown> = {
      [r.success.status]: { description: r.success.description, ...successContent(r.success) },
    };
    for (const status of [...new Set(errorStatuses)].sort((a, b) => a - b)) {
      responses[status] = { description: statusText[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase()).replace(/[^\w]/g, '')}`,
      ...(r.auth === 'user' ? {} : { security: [] }),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...requestBody(r),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { ...info, description: '清单式整改督办引擎 API. Every error: `{ error: { code, message, details?, requestId? } }`.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Access token from POST /api/auth/login, or an API token (rct_…)' } },
      schemas: { Error: toSchema(ZErrorResponse, 'output') },
    },
    paths,
  };
}
