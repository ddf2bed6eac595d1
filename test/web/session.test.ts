import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { bearer, createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { createOrg, type Org, PASSWORD } from '../support/org';

/** Browser sign-in (session cookie), its CSRF guard, and the workbench served beside the API. */
describe('browser sessions and the served workbench', () => {
  let h: Harness;
  let app: Express;
  let org: Org;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [path.resolve(__dirname, '../../scripts/build-web.mjs')], { stdio: 'inherit' });
    expect(built.status).toBe(0);
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  const signIn = async (email = org.people.staffA1.email) => {
    const res = await request(app).post('/api/auth/session').send({ email, password: PASSWORD }).expect(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((c) => c.startsWith('rectify_session='));
    return { res, setCookie: cookie!, cookie: cookie!.split(';')[0]! };
  };

  test('signing in sets an httpOnly, SameSite=Strict session cookie lasting a working day, and returns the person', async () => {
    const { res, setCookie } = await signIn();
    expect(res.body).toMatchObject({ id: org.people.staffA1.id, email: org.people.staffA1.email, roles: ['staff'] });
    expect(res.body).not.toHaveProperty('accessToken');
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Max-Age=32400/);
    expect(setCookie).not.toMatch(/Secure/i); // plain http here
    const row = await h.db.session.findFirst({ where: { personId: org.people.staffA1.id }, orderBy: { createdAt: 'desc' } });
    expect(row).not.toBeNull();
    expect(setCookie).not.toContain(row!.id); // only the digest is stored
  });

  test('behind a trusted https proxy the cookie is Secure', async () => {
    const proxied = createTestApp(h);
    proxied.set('trust proxy', true);
    const res = await request(proxied).post('/api/auth/session').set('X-Forwarded-Proto', 'https').send({ email: org.people.staffA1.email, password: PASSWORD }).expect(200);
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
  });

  test('a wrong password sets no cookie and answers the one 401 shape', async () => {
    const res = await request(app).post('/api/auth/session').send({ email: org.people.staffA1.email, password: 'wrong password!' }).expect(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: '邮箱或密码错误 / wrong e-mail or password' });
  });

  test('the cookie authenticates reads; writes need X-Requested-With and a same-site Origin (CSRF)', async () => {
    const { cookie } = await signIn();
    await request(app).get('/api/auth/me').set('Cookie', cookie).expect(200);
    const write = () => request(app).patch('/api/auth/me').set('Cookie', cookie).send({ dailyDigest: true });
    const refused = await write().expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(refused.body.error.message).toMatch(/^缺少防跨站请求标识/);
    await write().set('X-Requested-With', 'rectify-web').set('Origin', 'https://evil.example').expect(403);
    await write().set('X-Requested-With', 'rectify-web').expect(200);
  });

  test('bearer tokens keep working, and need no CSRF header', async () => {
    await request(app).patch('/api/auth/me').set('Authorization', await bearer(org.people.staffA1)).send({ dailyDigest: false }).expect(200);
  });

  test('a session slides while used and ends after a working day of silence', async () => {
    const { cookie } = await signIn(org.people.staffB.email);
    const row = await h.db.session.findFirstOrThrow({ where: { personId: org.people.staffB.id }, orderBy: { createdAt: 'desc' } });
    // Used 10 minutes ago: this use moves the expiry and re-sends the cookie.
    await h.db.session.update({ where: { id: row.id }, data: { lastSeenAt: new Date(Date.now() - 600_000), expiresAt: new Date(Date.now() + 60_000) } });
    const slid = await request(app).get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(String(slid.headers['set-cookie'])).toMatch(/Max-Age=32400/);
    expect((await h.db.session.findUniqueOrThrow({ where: { id: row.id } })).expiresAt.getTime()).toBeGreaterThan(Date.now() + 8 * 3600_000);
    await h.db.session.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    await request(app).get('/api/auth/me').set('Cookie', cookie).expect(401);
  });

  test('signing out deletes the session and clears the cookie', async () => {
    const { cookie } = await signIn(org.people.headA.email);
    const out = await request(app).delete('/api/auth/session').set('Cookie', cookie).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/rectify_session=;.*Max-Age=0/);
    await request(app).get('/api/auth/me').set('Cookie', cookie).expect(401);
  });

  test('the workbench is served at / and for every page path a browser opens; /api stays JSON', async () => {
    const index = await request(app).get('/').set('Accept', 'text/html').expect(200).expect('Content-Type', /text\/html/);
    expect(index.text).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index.text)?.[1];
    expect(script).toBeDefined();
    await request(app).get(script!).expect(200).expect('Content-Type', /javascript/).expect('Cache-Control', /immutable/);
    for (const page of ['/tasks/7d0c7e52-4b0e-4c4e-9a51-1d2a3b4c5d6e', '/notices/x', '/campaigns/y', '/reviews/z', '/login?next=/tasks']) {
      const res = await request(app).get(page).set('Accept', 'text/html,application/xhtml+xml').expect(200);
      expect(res.text).toBe(index.text);
    }
    const api = await request(app).get('/api/nothing-here').set('Accept', 'text/html').expect(404);
    expect(api.body.error.code).toBe('NOT_FOUND');
    await request(app).get('/tasks/whatever').set('Accept', 'application/json').expect(404);
    // The CSP allows what the built page uses: scripts and styles from this origin only.
    expect(index.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });

  test('a browser opening an old /api/tasks/<id> mail link is sent to the task page', async () => {
    const id = '7d0c7e52-4b0e-4c4e-9a51-1d2a3b4c5d6e';
    await request(app).get(`/api/tasks/${id}`).set('Accept', 'text/html').expect(302).expect('Location', `/tasks/${id}`);
    await request(app).get(`/api/tasks/${id}`).expect(401); // API clients are unaffected
  });

  test('the web client types (web/src/api/schema.d.ts) are generated from the current API document', () => {
    // openapi-typescript is ESM inside: the check runs in its own process (tsx), as a developer runs it.
    const root = path.resolve(__dirname, '../..');
    const check = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/gen-web-api.ts'), '--check'], { cwd: root, encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
