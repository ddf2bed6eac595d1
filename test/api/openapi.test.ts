import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';

/**
 * Served on purpose but not part of the API document:
 *  - `GET /healthz` is an operations endpoint (load balancers, monitoring), not an API operation;
 *  - the Swagger UI at `/api/docs` is a static page that renders the document, mounted as middleware.
 * Anything else the app serves must be documented.
 */
const UNDOCUMENTED_ROUTES = ['GET /healthz'];
const UNDOCUMENTED_MOUNTS = ['/api/docs'];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Partial<Record<(typeof HTTP_METHODS)[number], Operation>>>;
}

/** What express 5's router (the `router` package, v2) keeps per layer; @types/express describes v4. */
interface RouterLayer {
  handle: unknown;
  /** The path given to `use()`; `slash` is true when it was `/` (middleware for every request). */
  rawPath?: unknown;
  slash?: boolean;
  route?: { path: unknown; methods: Record<string, boolean> };
}

/**
 * Every endpoint the app serves, found by walking its router stack (nested routers included):
 * `routes` are `METHOD /path` of route layers (`app.get(...)`, `router.post(...)`), `mounts` are
 * paths of middleware mounted below `/` (`app.use('/x', ...)`), which answer requests too.
 */
function servedEndpoints(app: Express) {
  const routes: string[] = [];
  const mounts = new Set<string>();
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      const mountPath = layer.slash ? prefix : `${prefix}${String(layer.rawPath)}`;
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on) routes.push(`${method === '_all' ? 'ALL' : method.toUpperCase()} ${prefix}${String(layer.route.path)}`);
        }
      } else if (Array.isArray((layer.handle as { stack?: unknown }).stack)) {
        walk((layer.handle as { stack: RouterLayer[] }).stack, mountPath);
      } else if (!layer.slash) {
        mounts.add(mountPath);
      }
    }
  };
  walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
  return { routes, mounts: [...mounts] };
}

const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

function documentedOperations(doc: OpenApiDocument) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m] !== undefined).map((method) => ({ key: `${method.toUpperCase()} ${path}`, method, path, op: item[method]! })),
  );
}

/** A concrete URL for a documented path: path parameters get a well-formed id. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, () => randomUUID());

describe('OpenAPI document, against the app as it is wired', () => {
  let h: Harness;
  let app: Express;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    doc = (await request(app).get('/api/openapi.json').expect(200)).body as OpenApiDocument;
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('GET /api/openapi.json needs no credentials and is an OpenAPI 3.1 document', async () => {
    const res = await request(app).get('/api/openapi.json').expect(200).expect('Content-Type', /application\/json/);
    expect(res.body).toMatchObject({ openapi: '3.1.0', info: { title: expect.any(String), version: expect.any(String) } });
    expect(documentedOperations(res.body as OpenApiDocument).length).toBeGreaterThan(0);
  });

  test('every route the app serves is documented, and every documented operation is served', () => {
    const served = servedEndpoints(app);
    const documented = documentedOperations(doc).map((o) => o.key);

    // The exceptions are real (a stale list would hide nothing) and nothing else is mounted beside the routes.
    for (const route of UNDOCUMENTED_ROUTES) expect(served.routes).toContain(route);
    expect(served.mounts.sort()).toEqual([...UNDOCUMENTED_MOUNTS].sort());

    const servedApi = served.routes.filter((r) => !UNDOCUMENTED_ROUTES.includes(r)).map((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return `${method} ${openApiPath(path)}`;
    });
    expect(new Set(servedApi).size).toBe(servedApi.length);
    expect(servedApi.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !servedApi.includes(d))).toEqual([]);
    expect(documented).toHaveLength(served.routes.length - UNDOCUMENTED_ROUTES.length);
  });

  test('the route walk sees routes added outside the registry', () => {
    const extra = createTestApp(h);
    extra.get('/api/x', (_req, res) => void res.json({}));
    extra.use('/api/y', (_req, res) => void res.json({}));
    const served = servedEndpoints(extra);
    expect(served.routes).toContain('GET /api/x');
    expect(served.mounts).toContain('/api/y');
  });

  test('GET /api/docs/ serves the Swagger UI page, pointed at the document', async () => {
    const res = await request(app).get('/api/docs/').expect(200).expect('Content-Type', /text\/html/);
    expect(res.text.toLowerCase()).toContain('swagger');
    const init = await request(app).get('/api/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('/api/openapi.json');
  });

  test('every request body schema is an object schema (JSON, or multipart/form-data for uploads) that rejects unknown fields', () => {
    const withBody = documentedOperations(doc).filter((o) => o.op.requestBody);
    expect(withBody.length).toBeGreaterThan(0);
    for (const { key, op } of withBody) {
      const { content } = op.requestBody!;
      expect({ key, mediaTypes: Object.keys(content).length }).toEqual({ key, mediaTypes: 1 });
      const schema = (content['application/json'] ?? content['multipart/form-data'])?.schema;
      expect({ key, type: schema?.type, additionalProperties: schema?.additionalProperties }).toEqual({ key, type: 'object', additionalProperties: false });
    }
  });

  test('every operation that needs credentials documents a 401, and answers 401 without them', async () => {
    const operations = documentedOperations(doc);
    const needsAuth = (op: Operation) => (op.security ?? doc.security ?? []).length > 0;
    expect(operations.filter((o) => needsAuth(o.op)).length).toBeGreaterThan(0);
    for (const { key, method, path, op } of operations) {
      const res = await request(app)[method as 'get'](concrete(path));
      if (needsAuth(op)) {
        expect({ key, documents401: '401' in op.responses, status: res.status }).toEqual({ key, documents401: true, status: 401 });
        expect(res.body.error.code).toBe('UNAUTHENTICATED');
      } else {
        expect({ key, status: res.status }).not.toEqual({ key, status: 401 });
      }
    }
  });
});
