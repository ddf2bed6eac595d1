import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import pg from 'pg';
import request from 'supertest';
import { verifyPassword } from '../../lib/auth';
import { createDb } from '../../lib/db';
import { ensureFirstAdmin } from '../../lib/seed';
import { deployMigrations } from '../../scripts/lib/migrations';
import { createTestApp } from '../support/api';
import { createDevServerEnv, type Harness, startHarness, testDatabaseUrl } from '../support/env';
import { createOrg, type Org, PASSWORD } from '../support/org';

describe('sign-in and tokens', () => {
  let h: Harness;
  let app: Express;
  let org: Org;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    app = createTestApp(h);
    org = await createOrg(h.db);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  test('signing in with e-mail and password gives a short-lived bearer token for the API', async () => {
    const res = await request(app).post('/api/auth/login').send({ email: org.people.headA.email.toUpperCase(), password: PASSWORD }).expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, person: { id: org.people.headA.id, roles: ['unit_head'], roleLabels: ['单位负责人'] } });
    const me = await request(app).get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(200);
    expect(me.body.email).toBe(org.people.headA.email);
  });

  test('a wrong password and an unknown e-mail get the same 401', async () => {
    const wrong = await request(app).post('/api/auth/login').send({ email: org.people.headA.email, password: 'not the password' }).expect(401);
    const unknown = await request(app).post('/api/auth/login').send({ email: `nobody-${randomUUID()}@example.gov.cn`, password: PASSWORD }).expect(401);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  test('a deactivated person can neither sign in nor use a token issued before', async () => {
    const login = await request(app).post('/api/auth/login').send({ email: org.people.viewerA.email, password: PASSWORD }).expect(200);
    await h.db.person.update({ where: { id: org.people.viewerA.id }, data: { active: false } });
    await request(app).post('/api/auth/login').send({ email: org.people.viewerA.email, password: PASSWORD }).expect(401);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`).expect(401);
  });

  test('a token signed with another key, or tampered with, is refused', async () => {
    const login = await request(app).post('/api/auth/login').send({ email: org.people.staffB.email, password: PASSWORD }).expect(200);
    const [header, , signature] = (login.body.accessToken as string).split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: org.people.admin.id, iss: 'rectify', exp: 4102444800 })).toString('base64url')}.${signature}`;
    const res = await request(app).get('/api/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  test('sign-in is rate limited per client: the attempt over the limit is a 429', async () => {
    // The count lives in the shared database (api/auth/throttle.ts): a client address of its own.
    const limited = createTestApp(h, { loginRateLimit: 3, trustProxy: ['loopback'] });
    const client = `198.51.100.${Math.floor(Math.random() * 250) + 1}, 127.0.0.1`;
    await h.db.$executeRaw`DELETE FROM "LoginThrottle" WHERE "key" = ${`addr:${client.split(',')[0]}`}`;
    const attempt = () => request(limited).post('/api/auth/login').set('X-Forwarded-For', client).send({ email: org.people.staffB.email, password: 'guess' });
    for (let i = 0; i < 3; i++) expect((await attempt()).status).toBe(401);
    const res = await attempt().expect(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
  });

  test('responses carry security headers and a request id, and errors repeat that id', async () => {
    const res = await request(app).get('/api/tasks').set('X-Request-Id', 'trace-42').expect(401);
    expect(res.headers['x-request-id']).toBe('trace-42');
    expect(res.body.error.requestId).toBe('trace-42');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['access-control-allow-origin']).toBeUndefined(); // CORS off unless configured
  });
});

describe('the first admin', () => {
  test('on an empty database: a root unit and an admin with a generated password; never again once an admin exists', async () => {
    const base = new URL(testDatabaseUrl());
    const name = `seed_${randomUUID().replace(/-/g, '')}`;
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base.toString());
    url.pathname = `/${name}`;
    await deployMigrations({ databaseUrl: url.toString() });
    const db = createDb(url.toString());
    try {
      const first = await ensureFirstAdmin(db, { rootUnitName: '某市市场监督管理局' });
      expect(first).toMatchObject({ created: true, email: 'admin@rectify.local', generatedPassword: expect.stringMatching(/^\S{24}$/) });
      const person = await db.person.findUniqueOrThrow({ where: { email: 'admin@rectify.local' }, include: { unit: true } });
      expect(person.roles).toEqual(['admin']);
      expect(person.unit).toMatchObject({ code: 'ROOT', name: '某市市场监督管理局', parentId: null });
      expect(person.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await verifyPassword(person.passwordHash!, first.generatedPassword!)).toBe(true);

      expect(await ensureFirstAdmin(db, { email: 'other@example.gov.cn', password: 'another long password', rootUnitName: 'x' })).toEqual({ created: false });
      expect(await db.person.count()).toBe(1);
      expect((await db.auditEvent.findMany()).map((e) => e.action).sort()).toEqual(['person.bootstrap_admin', 'unit.create']);
    } finally {
      await db.$disconnect();
    }
  });
});
