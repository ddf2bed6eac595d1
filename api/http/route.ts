import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../lib/errors';
import type { Actor } from '../policy';
import { parseInput } from '../validation';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const EmptyObject = z.strictObject({});
type Empty = typeof EmptyObject;

/**
 * One description per endpoint: the express handler is mounted from it, request input is
 * validated with its zod schemas, and the OpenAPI document is generated from the same schemas,
 * so the document cannot drift from the code.
 */
export interface RouteDef<P extends z.ZodType = Empty, Q extends z.ZodType = Empty, B extends z.ZodType = Empty> {
  method: Method;
  /** OpenAPI-style path, e.g. `/api/tasks/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** `public`: no credentials; `user`: a valid access or API token. */
  auth: 'public' | 'user';
  params?: P;
  query?: Q;
  body?: B;
  success: { status: number; description: string; schema?: z.ZodType };
  /** Error statuses this endpoint can answer besides 400/401/429/500 (documented). */
  errors?: number[];
  /** Extra middleware before validation (e.g. a rate limiter). */
  before?: RequestHandler[];
  handler(input: {
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    actor: Actor;
    req: Request;
    res: Response;
  }): Promise<unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of routes with different schemas
export type AnyRoute = RouteDef<any, any, any>;

export function route<P extends z.ZodType = Empty, Q extends z.ZodType = Empty, B extends z.ZodType = Empty>(def: RouteDef<P, Q, B>): AnyRoute {
  return def as AnyRoute;
}

export const expressPath = (openApiPath: string) => openApiPath.replace(/\{(\w+)\}/g, ':$1');

/** Mounts each route: authentication, validation of params/query/body, the handler, the status. */
export function mountRoutes(router: Router, routes: AnyRoute[], authenticate: RequestHandler): void {
  for (const r of routes) {
    const guards = r.auth === 'user' ? [authenticate] : [];
    router[r.method](expressPath(r.path), ...(r.before ?? []), ...guards, async (req: Request, res: Response) => {
      const params = parseInput(r.params ?? EmptyObject, req.params, 'params');
      const query = parseInput(r.query ?? EmptyObject, req.query, 'query');
      const hasBody = r.body !== undefined;
      if (!hasBody && req.body !== undefined && Object.keys(req.body as object).length > 0) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, '此接口不接受请求体 / this endpoint takes no body', [
          { field: 'body', rule: 'absent', message: 'no body expected' },
        ]);
      }
      const body = parseInput(r.body ?? z.unknown(), hasBody ? (req.body ?? {}) : undefined, 'body');
      const actor = res.locals.actor as Actor;
      const result = await r.handler({ params, query, body, actor, req, res });
      if (result === undefined) res.status(r.success.status).end();
      else res.status(r.success.status).json(result);
    });
  }
}
