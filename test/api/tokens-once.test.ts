import { SignJWT } from 'jose';
import request from 'supertest';
import type { Express } from 'express';
import { bearer, withOrgHarness } from '../support/api';
import { createTimeSkippingEnv, type Harness } from '../support/env';
import type { Org } from '../support/org';

/**
 * API tokens and access tokens at the edges: 20 concurrent revocations of one token are one
 * revocation and one audit row (was 10); an access token without an expiry, though signed with the
 * right secret, is refused like a forged one.
 */
describe('tokens: one revocation, and no token without an expiry', () => {
  let h: Harness;
  let app: Express;
  let org: Org;
  withOrgHarness(createTimeSkippingEnv, (x) => ({ h, app, org } = x));

  test('20 concurrent DELETE /api/auth/tokens/{id}: all 204, one audit row, the token refused after', async () => {
    const auth = await bearer(org.people.staffA1);
    const created = await request(app).post('/api/auth/tokens').set('Authorization', auth).send({ name: '对接系统' }).expect(201);
    const id = created.body.id as string;
    const rs = await Promise.all(Array.from({ length: 20 }, () => request(app).delete(`/api/auth/tokens/${id}`).set('Authorization', auth)));
    expect(rs.map((r) => r.status)).toEqual(Array(20).fill(204));
    expect(await h.db.auditEvent.count({ where: { action: 'api_token.revoke', targetId: id } })).toBe(1);
    expect((await request(app).get('/api/auth/me').set('Authorization', `Bearer ${created.body.token}`)).status).toBe(401);
  });

  test('an access token signed with the secret but without exp is 401', async () => {
    const key = new TextEncoder().encode('test-secret-that-is-long-enough-for-hs256');
    const forever = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(org.people.office.id).setIssuer('rectify').setIssuedAt().sign(key);
    expect((await request(app).get('/api/auth/me').set('Authorization', `Bearer ${forever}`)).status).toBe(401);
    const withExp = (await request(app).get('/api/auth/me').set('Authorization', await bearer(org.people.office))).status;
    expect(withExp).toBe(200);
  });
});
