import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { AppError, ErrorCode } from '../../lib/errors';
import type { Actor } from '../policy';
import { parseInput } from '../validation';
import type { Idempotency } from './idempotency';
import { type MultipartOptions, readMultipart, type UploadedFile } from './multipart';

export type { MultipartOptions, UploadedFile } from './multipart';

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
  /**
   * The body is multipart/form-data carrying files in one field (instead of a JSON `body`): it is
   * read with the limits given and the files are passed to the handler as `files`.
   */
  multipart?: MultipartOptions;
  /**
   * `binary`: the handler writes the response itself (bytes, its own headers) and returns
   * undefined; documented as application/octet-stream.
   */
  success: { status: number; description: string; schema?: z.ZodType; binary?: boolean; /** The media types a `binary` answer has (default application/octet-stream). */ contentTypes?: string[] };
  /** Error statuses this endpoint can answer besides 400/401/429/500 (documented). */
  errors?: number[];
  /**
   * Repeats of this write without an `Idempotency-Key` are one act too (./idempotency.ts): the same
   * request from the same person, against the same `version` of what it acts on, within seconds.
   * Every signed-in write honours an explicit `Idempotency-Key` whether or not it opts in.
   */
  idempotent?: { version?: (input: { params: z.infer<P> }) => Promise<string | null> };
  /** Extra middleware before validation (e.g. a rate limiter). */
  before?: RequestHandler[];
  handler(input: {
    params: z.infer<P>;
    query: z.infer<Q>;
    body: z.infer<B>;
    /** The uploaded files of a `multipart` route; empty otherwise. */
    files: UploadedFile[];
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

/**
 * Mounts each route: authentication, validation of params/query/body, the handler, the status.
 * A signed-in write (POST, PUT, PATCH, DELETE) runs once per idempotency key (./idempotency.ts).
 */
export function mountRoutes(router: Router, routes: AnyRoute[], authenticate: RequestHandler, idempotency?: Idempotency): void {
  for (const r of routes) {
    const guards = r.auth === 'user' ? [authenticate] : [];
    router[r.method](expressPath(r.path), ...(r.before ?? []), ...guards, async (req: Request, res: Response) => {
      const params = parseInput(r.params ?? EmptyObject, req.params, 'params');
      const query = parseInput(r.query ?? EmptyObject, req.query, 'query');
      const hasBody = r.body !== undefined;
      // A body in another format would be read as empty: refuse it rather than act on `{}`.
      const sent = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
      if (hasBody && sent && !req.is('application/json')) {
        throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, '请求体须为 JSON（application/json）/ the body must be application/json');
      }
      const files = r.multipart ? await readMultipart(req, r.multipart) : [];
      if (!hasBody && !r.multipart && req.body !== undefined && Object.keys(req.body as object).length > 0) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, '此接口不接受请求体 / this endpoint takes no body', [
          { field: 'body', rule: 'absent', message: 'no body expected' },
        ]);
      }
      const body = parseInput(r.body ?? z.unknown(), hasBody ? (req.body ?? {}) : undefined, 'body');
      const actor = res.locals.actor as Actor;
      const run = async () => ({ status: r.success.status, body: await r.handler({ params, query, body, files, actor, req, res }) });
      const once = idempotency && r.auth === 'user' && r.method !== 'get' && !r.success.binary;
      const version = r.idempotent ? ((await r.idempotent.version?.({ params })) ?? null) : undefined;
      const result = once ? await idempotency.run(actor.id, req, body, r.multipart !== undefined, version, run) : { ...(await run()), replayed: false };
      if (res.headersSent) return; // the handler answered itself (e.g. file content)
      if (result.replayed) res.set('Idempotent-Replayed', 'true');
      if (result.body === undefined || result.body === null) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    });
  }
}

/**
 * A path the API serves, asked with a method it does not serve: 405 with `Allow` naming the methods
 * it does (a wrong method is not a missing resource).
 */
export function methodNotAllowed(routes: AnyRoute[]): RequestHandler {
  const byPath = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const r of routes) {
    const entry = byPath.get(r.path) ?? { pattern: new RegExp(`^${r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`), methods: new Set<string>() };
    entry.methods.add(r.method.toUpperCase());
    if (r.method === 'get') entry.methods.add('HEAD');
    byPath.set(r.path, entry);
  }
  return (req, res, next) => {
    const allowed = [...byPath.values()].filter((e) => e.pattern.test(req.path)).flatMap((e) => [...e.methods]);
    if (allowed.length === 0 || allowed.includes(req.method)) return next();
    res.set('Allow', [...new Set(allowed)].sort().join(', '));
    next(new AppError(ErrorCode.METHOD_NOT_ALLOWED, `此接口不支持 ${req.method} / method ${req.method} not allowed here`));
  };
}
