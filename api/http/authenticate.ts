import type { RequestHandler } from 'express';
import { type AccessTokenIssuer, digestApiToken, isApiToken } from '../../lib/auth';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import type { Actor } from '../policy';
import { csrfRefusal, resumeSession, sessionToken } from '../auth/session';

const personWithUnit = { include: { unit: { select: { path: true } } } } as const;

/**
 * `Authorization: Bearer <token>` → `res.locals.actor`. The token is either a short-lived signed
 * access token (from POST /api/auth/login) or a long-lived API token (`rct_…`, looked up by digest).
 * Without an Authorization header, the web workbench's session cookie (POST /api/auth/session) is
 * accepted instead; its writes must pass the CSRF guard (auth/session.ts).
 * Deactivated people and revoked tokens are refused like unknown ones.
 */
export function authenticate(deps: { db: Db; accessTokens: AccessTokenIssuer }): RequestHandler {
  const refuse = () => new AppError(ErrorCode.UNAUTHENTICATED, '未登录或凭证无效 / missing or invalid credentials');
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const cookie = header === undefined ? sessionToken(req) : undefined;
    if (!match && !cookie) {
      res.set('WWW-Authenticate', 'Bearer');
      throw refuse();
    }
    let person;
    if (cookie) {
      const personId = await resumeSession(deps.db, req, res, cookie);
      if (personId) {
        const refusal = csrfRefusal(req);
        if (refusal) throw new AppError(ErrorCode.FORBIDDEN, `缺少防跨站请求标识，请从工作台页面操作 / ${refusal} (CSRF protection)`);
        person = await deps.db.person.findUnique({ where: { id: personId }, ...personWithUnit });
      }
    } else if (isApiToken(match![1]!)) {
      const token = match![1]!;
      const row = await deps.db.apiToken.findUnique({ where: { digest: digestApiToken(token) }, include: { person: personWithUnit } });
      if (row && !row.revokedAt) {
        person = row.person;
        // Last use is informational: one write per minute at most.
        if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
          await deps.db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
        }
      }
    } else {
      const personId = await deps.accessTokens.verify(match![1]!);
      if (personId) person = await deps.db.person.findUnique({ where: { id: personId }, ...personWithUnit });
    }
    if (!person || !person.active) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw refuse();
    }
    const actor: Actor = {
      id: person.id,
      email: person.email,
      displayName: person.displayName,
      unitId: person.unitId,
      unitPath: person.unit.path,
      roles: person.roles,
    };
    res.locals.actor = actor;
    next();
  };
}
