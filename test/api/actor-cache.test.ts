import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express } from 'express';
import request from 'supertest';
import { ACTOR_CACHE_MS, authenticate } from '../../api/http/authenticate';
import { generateApiToken } from '../../lib/auth';
import { createDb, type Db } from '../../lib/db';
import { AppError } from '../../lib/errors';
import { bearer, testAccessTokens } from '../support/api';
import { testDatabaseUrl } from '../support/env';
import { createOrg, type Org } from '../support/org';

/**
 * authenticate keeps the actors it read for ACTOR_CACHE_MS (5 s). A change made elsewhere (another
 * API process, or the database itself) takes effect within that bound; one made through this
 * process (revoking a token, changing a person) at once.
 */
describe('the actor cache of authenticate', () => {
  let db: Db;
  let org: Org;
  let app: Express;
  let personReads = 0;

  beforeAll(async () => {
    db = createDb(testDatabaseUrl());
    org = await createOrg(db);
    // Count the person reads authenticate makes (access tokens and sessions read the person by id).
    const counted = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'person') {
          return new Proxy(target.person, {
            get(p, name, r) {
              if (name === 'findUnique') return (...args: Parameters<Db['person']['findUnique']>) => ((personReads += 1), p.findUnique(...args));
              return Reflect.get(p, name, r) as unknown;
            },
          });
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    app = express();
    app.use(authenticate({ db: counted, accessTokens: testAccessTokens }));
    app.get('/api/auth/me', (_req, res) => {
      res.json(res.locals.actor);
    });
    // What the real routes do, reduced to their database effect: revoke a token, deactivate a person.
    app.delete('/api/auth/tokens/:id', async (req, res) => {
      await db.apiToken.update({ where: { id: req.params.id }, data: { revokedAt: new Date() } });
      res.status(204).end();
    });
    app.patch('/api/people/:id', async (req, res) => {
      await db.person.update({ where: { id: req.params.id }, data: { active: false } });
      res.json({});
    });
    app.use(((err, _req, res, _next) => {
      res.status(err instanceof AppError && err.code === 'UNAUTHENTICATED' ? 401 : 500).json({ error: String(err) });
    }) satisfies ErrorRequestHandler);
  });
  afterAll(() => db?.$disconnect());

  const newToken = async (personId: string) => {
    const { token, digest, prefix } = generateApiToken();
    const row = await db.apiToken.create({ data: { personId, name: `t-${randomUUID()}`, digest, prefix } });
    return { token, id: row.id };
  };
  /** Polls until the request is refused; the time it took. */
  const refusedAfter = async (auth: string) => {
    const started = Date.now();
    while ((await request(app).get('/api/auth/me').set('Authorization', auth)).status !== 401) {
      if (Date.now() - started > ACTOR_CACHE_MS + 2_000) throw new Error('still accepted past the bound');
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - started;
  };

  test('within the bound an actor is not read again', async () => {
    const auth = await bearer(org.people.staffB);
    personReads = 0;
    for (let i = 0; i < 5; i++) expect((await request(app).get('/api/auth/me').set('Authorization', auth).expect(200)).body.id).toBe(org.people.staffB.id);
    expect(personReads).toBe(1);
  });

  test('an API token revoked elsewhere (in the database) is refused within the bound', async () => {
    const { token, id } = await newToken(org.people.headA.id);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    expect(await refusedAfter(`Bearer ${token}`)).toBeLessThanOrEqual(ACTOR_CACHE_MS + 500);
  });

  test('a person deactivated elsewhere is refused within the bound, by access token and by API token', async () => {
    const auth = await bearer(org.people.viewerA);
    const { token } = await newToken(org.people.viewerA.id);
    await request(app).get('/api/auth/me').set('Authorization', auth).expect(200);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await db.person.update({ where: { id: org.people.viewerA.id }, data: { active: false } });
    const [byAccess, byApi] = await Promise.all([refusedAfter(auth), refusedAfter(`Bearer ${token}`)]);
    expect(byAccess).toBeLessThanOrEqual(ACTOR_CACHE_MS + 500);
    expect(byApi).toBeLessThanOrEqual(ACTOR_CACHE_MS + 500);
  });

  test('through this process, a revocation and a deactivation are refused at once', async () => {
    const admin = await bearer(org.people.admin);
    const { token, id } = await newToken(org.people.staffA1.id);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);
    await request(app).delete(`/api/auth/tokens/${id}`).set('Authorization', admin).expect(204);
    await request(app).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(401);

    const auth = await bearer(org.people.staffA1b);
    await request(app).get('/api/auth/me').set('Authorization', auth).expect(200);
    await request(app).patch(`/api/people/${org.people.staffA1b.id}`).set('Authorization', admin).expect(200);
    await request(app).get('/api/auth/me').set('Authorization', auth).expect(401);
  });
});
