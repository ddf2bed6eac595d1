import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { parse, serialize } from 'cookie';
import type { Db } from '../../lib/db';

/**
 * Browser sessions of the web workbench. The cookie carries 256 random bits; the database keeps
 * only their SHA-256 digest (the Session id), so a leaked table signs nobody in. A session lasts a
 * working day (9 hours) and slides while it is used; sign-out deletes it. The cookie is httpOnly
 * (no script reads it, so nothing sits in localStorage), SameSite=Strict (no other site's page sends
 * it) and Secure whenever the request came over https (directly, or via a proxy the app trusts).
 */
export const SESSION_COOKIE = 'rectify_session';
export const SESSION_TTL_MS = 9 * 3600_000;
/** A session's expiry moves at most once per this interval (one write, not one per request). */
const SLIDE_EVERY_MS = 5 * 60_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function sessionToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const token = parse(header)[SESSION_COOKIE];
  return token && TOKEN.test(token) ? token : undefined;
}

function setCookie(req: Request, res: Response, token: string, maxAgeMs: number) {
  res.append(
    'Set-Cookie',
    serialize(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: Math.floor(maxAgeMs / 1000) }),
  );
}

export async function startSession(db: Db, req: Request, res: Response, personId: string, now = new Date()): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  // Expired sessions of this person go when they sign in again.
  await db.session.deleteMany({ where: { personId, expiresAt: { lte: now } } });
  await db.session.create({ data: { id: digest(token), personId, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
  setCookie(req, res, token, SESSION_TTL_MS);
}

/** The person id of the request's live session, sliding its expiry (and the cookie's) when due; null otherwise. */
export async function resumeSession(db: Db, req: Request, res: Response, token: string, now = new Date()): Promise<string | null> {
  const session = await db.session.findUnique({ where: { id: digest(token) } });
  if (!session || session.expiresAt <= now) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= SLIDE_EVERY_MS) {
    await db.session.update({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
    setCookie(req, res, token, SESSION_TTL_MS);
  }
  return session.personId;
}

export async function endSession(db: Db, req: Request, res: Response): Promise<void> {
  const token = sessionToken(req);
  if (token) await db.session.deleteMany({ where: { id: digest(token) } });
  res.append('Set-Cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 0 }));
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF guard for cookie-authenticated requests: a write must carry `X-Requested-With` (a header no
 * HTML form can set, and which a cross-site script may only send after a CORS preflight the API
 * refuses), and an `Origin`, when sent, must be this site's. SameSite=Strict already keeps the
 * cookie off cross-site requests; this is the second lock.
 */
export function csrfRefusal(req: Request): string | null {
  if (SAFE_METHODS.has(req.method)) return null;
  if (!req.get('x-requested-with')) return 'missing X-Requested-With';
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'malformed Origin';
    }
    if (host !== req.get('host')) return 'cross-site Origin';
  } else if (origin === 'null') return 'opaque Origin';
  return null;
}
