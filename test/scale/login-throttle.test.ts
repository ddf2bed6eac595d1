import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { ACCOUNT_SHARE_PER_CLIENT, clientKey } from '../../api/auth/throttle';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES, loadConfig } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { createMailer, type Mailer } from '../../lib/mail';
import { createDiskStorage } from '../../lib/storage';
import { testAccessTokens } from '../support/api';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org, PASSWORD } from '../support/org';

/**
 * Sign-in throttling across API replicas (api/auth/throttle.ts): two apps on one database stand for
 * two replicas; behind a trusted proxy (loopback here) each test's clients get addresses of their
 * own through X-Forwarded-For. Sign-in never reaches Temporal (its client is lazy and unused).
 */
describe('sign-in throttling shared by API replicas', () => {
  let db: Db;
  let mailer: Mailer;
  let connection: Connection;
  let org: Org;
  const replica = (opts: { loginRateLimit: number; loginAccountFailureLimit?: number; trustProxy?: string[] | false }): Express =>
    createApp({
      db,
      temporal: new Client({ connection }),
      mailer,
      taskQueue: 'unused',
      logger: createLogger('silent'),
      accessTokens: testAccessTokens,
      evidenceStorage: createDiskStorage(process.env.TEST_EVIDENCE_ROOT ?? '/tmp'),
      evidenceLimits: { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES },
      trustProxy: ['loopback'],
      ...opts,
    });
  // Addresses from TEST-NET-3, fresh for each run (their rows from an earlier run removed).
  const run = Math.floor(Math.random() * 200);
  const address = (n: number) => `203.0.113.${(run + n) % 254 + 1}`;
  const login = (app: Express, from: string, email: string, password: string) =>
    request(app).post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });

  beforeAll(async () => {
    db = createDb(testDatabaseUrl());
    mailer = createMailer('smtp://127.0.0.1:9');
    connection = Connection.lazy({ address: '127.0.0.1:9' });
    org = await createOrg(db);
    await db.$executeRaw`DELETE FROM "LoginThrottle" WHERE "key" LIKE 'addr:203.0.113.%' OR "key" LIKE 'pair:203.0.113.%'`;
  });
  afterAll(async () => {
    await connection.close();
    mailer.close();
    await db.$disconnect();
  });

  test('the per-address limit counts attempts on every replica together; another client is not affected', async () => {
    const [a, b] = [replica({ loginRateLimit: 4 }), replica({ loginRateLimit: 4 })];
    const client = address(1);
    for (const app of [a, b, a, b]) expect((await login(app, client, org.people.staffB.email, 'guess')).status).toBe(401);
    const refused = await login(a, client, org.people.staffB.email, PASSWORD).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', message: '登录尝试过于频繁，请稍后再试 / too many sign-in attempts' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    await login(b, client, org.people.staffB.email, PASSWORD).expect(429);
    // The same account from another client signs in at once.
    await login(b, address(2), org.people.staffB.email, PASSWORD).expect(200);
  });

  test('one client cannot lock an account out: it adds at most its share of failures', async () => {
    const app = replica({ loginRateLimit: 1_000, loginAccountFailureLimit: ACCOUNT_SHARE_PER_CLIENT + 1 });
    for (let i = 0; i < 3 * ACCOUNT_SHARE_PER_CLIENT; i++) expect((await login(app, address(3), org.people.headA.email, 'guess')).status).toBe(401);
    await login(app, address(4), org.people.headA.email, PASSWORD).expect(200);
  });

  test('failures from many clients against one account throttle it for everyone, the right password included', async () => {
    const limit = 2 * ACCOUNT_SHARE_PER_CLIENT;
    const [a, b] = [replica({ loginRateLimit: 1_000, loginAccountFailureLimit: limit }), replica({ loginRateLimit: 1_000, loginAccountFailureLimit: limit })];
    for (let i = 0; i < ACCOUNT_SHARE_PER_CLIENT; i++) {
      expect((await login(a, address(5), org.people.viewerA.email, 'guess')).status).toBe(401);
      expect((await login(b, address(6), org.people.viewerA.email, 'guess')).status).toBe(401);
    }
    const refused = await login(b, address(7), org.people.viewerA.email.toUpperCase(), PASSWORD).expect(429);
    expect(refused.body.error.message).toMatch(/^该账号登录失败次数过多，请 \d+ 分钟后再试 \/ too many failed sign-ins for this account/);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Other accounts are not affected.
    await login(b, address(7), org.people.leader.email, PASSWORD).expect(200);
  });

  test('without a trusted proxy, X-Forwarded-For is ignored: the socket’s peer is the client', async () => {
    const app = replica({ loginRateLimit: 1_000_000, trustProxy: false });
    const claimed = address(8);
    await login(app, claimed, org.people.staffB.email, PASSWORD).expect(200);
    expect(await db.loginThrottle.count({ where: { key: `addr:${claimed}` } })).toBe(0);
    expect(await db.loginThrottle.count({ where: { key: { in: ['addr:127.0.0.1', 'addr:::1'] } } })).toBeGreaterThan(0);
  });

  test('client keys: IPv4 as is (mapped ones too), IPv6 by its /64', () => {
    expect(clientKey('198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('::ffff:198.51.100.7')).toBe('198.51.100.7');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::ff')).toBe(clientKey('2001:0db8:0001:0002:1:2:3:4'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  test('TRUST_PROXY: none by default, a hop count or a list; `true` refused', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: 为 true 时任何客户端都能自称任意地址/);
  });
});
