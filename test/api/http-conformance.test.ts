import request from 'supertest';
import type { Express } from 'express';
import { bearer, createTestApp } from '../support/api';
import { createTimeSkippingEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org } from '../support/org';

/**
 * The HTTP layer answers what the OpenAPI document says it may: another method on a served path is
 * 405 with `Allow` (not 404), and the statuses the layer gives any route of a kind — 413 and 415 for
 * a JSON body, 503 when a dependency is down, 401 on sign-in, 409 on an upload to an ended task —
 * and the real media types of downloads are documented.
 */
describe('HTTP conformance: 405 for other methods, every answer documented', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  let office: string;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
    office = await bearer(org.people.office);
    doc = (await request(app).get('/api/openapi.json').expect(200)).body;
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test.each([
    ['delete', '/api/tasks', 'GET, HEAD, POST'],
    ['post', '/api/tasks/00000000-0000-4000-8000-000000000000', 'GET, HEAD'],
    ['put', '/api/campaigns/template.xlsx', 'GET, HEAD'],
  ] as const)('%s %s → 405, Allow: %s', async (method, path, allow) => {
    const res = await request(app)[method](path).set('Authorization', office);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(doc.paths[path.replace(/[0-9a-f-]{36}/, '{id}')]).not.toHaveProperty(method);
  });

  test('a path the API does not serve stays 404', async () => {
    expect((await request(app).post('/api/nothing-here').set('Authorization', office)).status).toBe(404);
  });

  test('a JSON body over 100 kB is 413, a body of another type 415: both documented for every JSON-body operation', async () => {
    const big = await request(app).post('/api/tasks').set('Authorization', office).set('Content-Type', 'application/json').send(JSON.stringify({ title: 'x'.repeat(120_000) }));
    expect(big.status).toBe(413);
    const text = await request(app).post('/api/tasks').set('Authorization', office).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).toBe(415);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const body = (op as { requestBody?: { content?: Record<string, unknown> } }).requestBody?.content;
        if (body?.['application/json']) expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['413', '415'])]);
        if ((op as { security?: unknown[] }).security === undefined) expect([path, method, Object.keys(op.responses)]).toEqual([path, method, expect.arrayContaining(['401', '503'])]);
      }
    }
  });

  test('sign-in documents 401, an upload 409; downloads are documented with their real media types', async () => {
    expect(Object.keys(doc.paths['/api/auth/login']!.post!.responses)).toContain('401');
    expect(Object.keys(doc.paths['/api/tasks/{id}/evidence']!.post!.responses)).toContain('409');
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    for (const path of ['/api/campaigns/template.xlsx', '/api/tasks/export.xlsx', '/api/reviews/{id}/excel']) {
      expect([path, Object.keys(doc.paths[path]!.get!.responses['200']!.content ?? {})]).toEqual([path, [xlsx]]);
    }
    const download = await request(app).get('/api/campaigns/template.xlsx').set('Authorization', office).expect(200);
    expect(download.headers['content-type']).toBe(xlsx);
    expect(Object.keys(doc.paths['/api/evidence/{id}/content']!.get!.responses['200']!.content ?? {})).toEqual(expect.arrayContaining(['application/pdf', 'image/png']));
  });
});
