import type { Request, RequestHandler } from 'express';
import { type AccessTokenIssuer, digestApiToken, isApiToken } from '../../lib/auth';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import type { Actor } from '../policy';
import { csrfRefusal, resumeSession, sessionToken } from '../auth/session';

const personWithUnit = { include: { unit: { select: { path: true } } } } as const;

/** How long this process trusts an actor it read, at most (a revocation elsewhere takes effect within it). */
export const ACTOR_CACHE_MS = 5_000;
const ACTOR_CACHE_MAX = 10_000;
/** Writes after which this process forgets every actor it holds: revoking a token, changing a person (deactivation, roles, unit). */
const changesActors = (req: Request) => req.method !== 'GET' && req.method !== 'HEAD' && /^\/api\/(auth\/tokens|people)(\/|\?|$)/.test(req.originalUrl);

/**
 * Actors read in the last ACTOR_CACHE_MS, by credential (an API token's digest, or the person an
 * access token or session names): most requests then run no statement to authenticate. The bound
 * is what another process's change costs: a token revoked or a person deactivated through another
 * API process (or in the database) is refused here within ACTOR_CACHE_MS. Through this process it
 * is refused at once: such a write clears the cache when it answers, and an actor read while it
 * ran is not kept.
 */
function actorCache(ttlMs: number, now: () => number) {
  const entries = new Map<string, { actor: Actor; until: number }>();
  let generation = 0;
  return {
    get(key: string): Actor | undefined {
      const hit = entries.get(key);
      if (hit && hit.until > now()) return hit.actor;
      if (hit) entries.delete(key);
      return undefined;
    },
    /** The generation before a read: an actor is kept only if no clear happened since. */
    generation: () => generation,
    set(key: string, actor: Actor, readAt: number) {
      if (ttlMs <= 0 || readAt !== generation) return;
      if (entries.size >= ACTOR_CACHE_MAX) entries.delete(entries.keys().next().value!);
      entries.set(key, { actor, until: now() + ttlMs });
    },
    clear() {
      generation += 1;
      entries.clear();
    },
  };
}

/**
 * `Authorization: Bearer <token>` → `res.locals.actor`. The token is either a short-lived signed
 * access token (from POST /api/auth/login) or a long-lived API token (`rct_…`, looked up by digest).
 * Without an Authorization header, the web workbench's session cookie (POST /api/auth/session) is
 * accepted instead; its writes must pass the CSRF guard (auth/session.ts).
 * Deactivated people and revoked tokens are refused like unknown ones.
 */
export function authenticate(deps: { db: Db; accessTokens: AccessTokenIssuer; actorCacheMs?: number }): RequestHandler {
  const refuse = () => new AppError(ErrorCode.UNAUTHENTICATED, '未登录或凭证无效 / missing or invalid credentials');
  // The wall clock, not the app's (tests may hold that still): the bound is real time.
  const cache = actorCache(deps.actorCacheMs ?? ACTOR_CACHE_MS, () => Date.now());
  return async (req, res, next) => {
    if (changesActors(req)) res.once('close', () => cache.clear());
    const header = req.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    const cookie = header === undefined ? sessionToken(req) : undefined;
    if (!match && !cookie) {
      res.set('WWW-Authenticate', 'Bearer');
      throw refuse();
    }
    let person;
    // The credential's key in the cache, once it names someone; a hit skips the person's read.
    let key: string | undefined;
    const readAt = cache.generation();
    const cachedPerson = async (personId: string) => {
      key = `person:${personId}`;
      const actor = cache.get(key);
      if (actor) return { actor };
      return { person: await deps.db.person.findUnique({ where: { id: personId }, ...personWithUnit }) };
    };
    let cached: Actor | undefined;
    if (cookie) {
      const personId = await resumeSession(deps.db, req, res, cookie);
      if (personId) {
        const refusal = csrfRefusal(req);
        if (refusal) throw new AppError(ErrorCode.FORBIDDEN, `缺少防跨站请求标识，请从工作台页面操作 / ${refusal} (CSRF protection)`);
        ({ actor: cached, person } = await cachedPerson(personId));
      }
    } else if (isApiToken(match![1]!)) {
      const token = match![1]!;
      const digest = digestApiToken(token);
      key = `token:${digest}`;
      cached = cache.get(key);
      const row = cached ? null : await deps.db.apiToken.findUnique({ where: { digest }, include: { person: personWithUnit } });
      if (row && !row.revokedAt) {
        person = row.person;
        // Last use is informational: one write per minute at most.
        if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
          await deps.db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
        }
      }
    } else {
      const personId = await deps.accessTokens.verify(match![1]!);
      if (personId) ({ actor: cached, person } = await cachedPerson(personId));
    }
    if (cached) {
      res.locals.actor = cached;
      next();
      return;
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
    if (key) cache.set(key, actor, readAt);
    res.locals.actor = actor;
    next();
  };
}
