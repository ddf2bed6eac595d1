import { createApp } from '../../api/app';
import { createAccessTokens } from '../../lib/auth';
import { createLogger } from '../../lib/logger';
import type { Harness } from './env';
import type { OrgPerson } from './org';

export const testAccessTokens = createAccessTokens('test-secret-that-is-long-enough-for-hs256', 900);

/** The real Express app wired to a harness's Temporal client, database and mailer. */
export function createTestApp(h: Harness, opts: { loginRateLimit?: number } = {}) {
  return createApp({
    db: h.db,
    temporal: h.env.client,
    mailer: h.mailer,
    taskQueue: h.taskQueue,
    logger: createLogger('silent'),
    accessTokens: testAccessTokens,
    loginRateLimit: opts.loginRateLimit ?? 10_000,
  });
}

/** `Authorization` header value of a real signed access token for the person. */
export const bearer = async (p: OrgPerson) => `Bearer ${(await testAccessTokens.issue(p.id)).token}`;

export const inHours = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();
