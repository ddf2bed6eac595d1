import { z } from 'zod';
import { recordAudit } from '../../lib/audit';
import { type AccessTokenIssuer, generateApiToken, verifyPassword } from '../../lib/auth';
import type { Request, Response } from 'express';
import { DEFAULT_LOGIN_ACCOUNT_FAILURE_LIMIT } from '../../lib/config';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { presentProfile, ZIdParams } from '../http/common';
import { type AnyRoute, route } from '../http/route';
import { policy } from '../policy';
import { endSession, startSession } from './session';
import { createLoginThrottle } from './throttle';
import { ZApiToken, ZCreateApiTokenRequest, ZCreatedApiToken, ZLoginRequest, ZLoginResponse, ZMe } from './schemas';

export interface AuthDeps {
  db: Db;
  accessTokens: AccessTokenIssuer;
  /** Sign-in attempts allowed per client address per minute. */
  loginRateLimit: number;
  /** Failed sign-ins allowed per account in 15 minutes, from all clients together (each adding at most 5). */
  loginAccountFailureLimit?: number;
}

// A hash of a random password: verifying against it costs what a real check costs, so an unknown
// e-mail cannot be told from a wrong password by timing.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$aj44rRX2beLXYteUMCA1Lg$wak1bTi6xF/J6bVDnkG5CypwtCyWoXiFbcgIeiJksR0';

const me = presentProfile;

const presentToken = (t: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export function authRoutes(deps: AuthDeps): AnyRoute[] {
  // Counted in PostgreSQL, shared by every API replica: per client address, and per account (./throttle.ts).
  const throttle = createLoginThrottle({ db: deps.db, perAddress: deps.loginRateLimit, accountFailures: deps.loginAccountFailureLimit ?? DEFAULT_LOGIN_ACCOUNT_FAILURE_LIMIT });
  const loginLimiter = throttle.address;

  /** The active person with this e-mail and password; one answer for every failure. */
  async function signIn(body: { email: string; password: string }, req: Request, res: Response) {
    await throttle.checkAccount(req, res, body.email);
    const person = await deps.db.person.findUnique({ where: { email: body.email.toLowerCase() } });
    const ok = await verifyPassword(person?.passwordHash ?? DUMMY_HASH, body.password);
    if (!person || !person.passwordHash || !ok || !person.active) {
      await throttle.failed(req, body.email);
      throw new AppError(ErrorCode.UNAUTHENTICATED, '邮箱或密码错误 / wrong e-mail or password');
    }
    return person;
  }

  return [
    route({
      method: 'post',
      path: '/api/auth/session',
      tag: 'auth',
      summary: '浏览器登录：会话 Cookie（httpOnly、SameSite=Strict，一个工作日内有效并随使用顺延）/ browser sign-in: a session cookie for a working day, sliding while used',
      auth: 'public',
      body: ZLoginRequest,
      before: [loginLimiter],
      success: { status: 200, description: 'signed in; the session cookie is set (Set-Cookie)', schema: ZMe },
      errors: [429],
      async handler({ body, req, res }) {
        const person = await signIn(body, req, res);
        await startSession(deps.db, req, res, person.id);
        return me(person);
      },
    }),
    route({
      method: 'delete',
      path: '/api/auth/session',
      tag: 'auth',
      summary: '退出登录：结束浏览器会话 / sign out: end the browser session',
      auth: 'public',
      success: { status: 204, description: 'signed out; the cookie is cleared' },
      async handler({ req, res }) {
        await endSession(deps.db, req, res);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      summary: '登录，获取访问令牌 / sign in for a short-lived access token',
      auth: 'public',
      body: ZLoginRequest,
      before: [loginLimiter],
      success: { status: 200, description: 'signed in', schema: ZLoginResponse },
      errors: [401, 429],
      async handler({ body, req, res }) {
        const person = await signIn(body, req, res);
        const { token, expiresIn } = await deps.accessTokens.issue(person.id);
        return { accessToken: token, tokenType: 'Bearer' as const, expiresIn, person: me(person) };
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/me',
      tag: 'auth',
      summary: '当前用户 / the signed-in person',
      auth: 'user',
      success: { status: 200, description: 'the caller', schema: ZMe },
      handler: async ({ actor }) => me(actor),
    }),
    route({
      method: 'patch',
      path: '/api/auth/me',
      tag: 'auth',
      summary: '个人设置：每日汇总邮件 / my preferences: the daily digest mail',
      auth: 'user',
      body: z.strictObject({ dailyDigest: z.boolean() }),
      success: { status: 200, description: 'the caller', schema: ZMe },
      async handler({ actor, body, req }) {
        const person = await deps.db.$transaction(async (tx) => {
          const before = await tx.person.findUniqueOrThrow({ where: { id: actor.id } });
          const p = await tx.person.update({ where: { id: actor.id }, data: { dailyDigest: body.dailyDigest } });
          await recordAudit(tx, { actor, action: 'person.preferences', targetType: 'person', targetId: actor.id, before: { dailyDigest: before.dailyDigest }, after: { dailyDigest: p.dailyDigest }, requestId: String(req.id) });
          return p;
        });
        return { ...me(person), dailyDigest: person.dailyDigest };
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/tokens',
      tag: 'auth',
      summary: '我的 API 令牌 / my API tokens (never their secrets)',
      auth: 'user',
      success: { status: 200, description: 'tokens', schema: z.object({ items: z.array(ZApiToken) }) },
      handler: async ({ actor }) => ({
        items: (await deps.db.apiToken.findMany({ where: { personId: actor.id }, orderBy: { createdAt: 'asc' } })).map(presentToken),
      }),
    }),
    route({
      method: 'post',
      path: '/api/auth/tokens',
      tag: 'auth',
      summary: '创建 API 令牌（仅显示一次）/ create an API token, shown once',
      auth: 'user',
      body: ZCreateApiTokenRequest,
      success: { status: 201, description: 'created; the token is in `token`', schema: ZCreatedApiToken },
      async handler({ actor, body, req }) {
        const { token, digest, prefix } = generateApiToken();
        const row = await deps.db.$transaction(async (tx) => {
          const created = await tx.apiToken.create({ data: { personId: actor.id, name: body.name, digest, prefix } });
          await recordAudit(tx, { actor, action: 'api_token.create', targetType: 'api_token', targetId: created.id, after: { name: body.name, prefix }, requestId: String(req.id) });
          return created;
        });
        return { ...presentToken(row), token };
      },
    }),
    route({
      method: 'delete',
      path: '/api/auth/tokens/{id}',
      tag: 'auth',
      summary: '吊销 API 令牌 / revoke an API token',
      auth: 'user',
      params: ZIdParams,
      success: { status: 204, description: 'revoked' },
      errors: [404],
      async handler({ actor, params, req }) {
        const row = await deps.db.apiToken.findUnique({ where: { id: params.id } });
        if (!row || (row.personId !== actor.id && !policy.revokeAnyToken(actor))) {
          throw new AppError(ErrorCode.NOT_FOUND, '令牌不存在 / token not found');
        }
        if (!row.revokedAt) {
          // Conditional: of concurrent revocations one revokes and is audited; the others find it revoked (same 204).
          await deps.db.$transaction(async (tx) => {
            const { count } = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
            if (count === 1) await recordAudit(tx, { actor, action: 'api_token.revoke', targetType: 'api_token', targetId: row.id, before: { revokedAt: null }, requestId: String(req.id) });
          });
        }
        return undefined;
      },
    }),
  ];
}
