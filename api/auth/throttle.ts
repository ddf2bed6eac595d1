import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';

/**
 * Sign-in throttling, in PostgreSQL (table LoginThrottle), so every API replica counts the same
 * attempts: a client cannot multiply its allowance by the number of replicas, nor reset it by
 * landing on another one. Fixed windows, counted by one upsert each (the database's clock, so the
 * replicas agree on the window):
 *
 * - per client address: every attempt, `perAddress` a minute (LOGIN_RATE_LIMIT). A client over it
 *   is refused; other clients are not affected.
 * - per account (the e-mail typed, known or not, kept as a digest): failed attempts from every
 *   address, `accountFailures` per 15 minutes (LOGIN_ACCOUNT_FAILURE_LIMIT): slows a password
 *   guessed from many addresses. Each client address adds at most ACCOUNT_SHARE_PER_CLIENT failures
 *   to an account's count, so one client cannot lock the account's owner out; only a spread of
 *   clients (limit ÷ share of them in 15 minutes) can, and only for the rest of that window.
 *
 * The client address is the socket's peer, or, behind a proxy named in TRUST_PROXY, the address
 * that proxy reports (express `trust proxy`); IPv6 clients count per /64 (one host holds a /64).
 */
export const ADDRESS_WINDOW_S = 60;
export const ACCOUNT_WINDOW_S = 15 * 60;
export const ACCOUNT_SHARE_PER_CLIENT = 5;
/** Rows are removed an hour after their window ended, by one attempt in CLEANUP_EVERY (about). */
const CLEANUP_EVERY = 100;

export interface LoginThrottle {
  /** Middleware before a sign-in route: counts the attempt against its address; 429 over the limit. */
  address: RequestHandler;
  /** Before the password is checked: 429 when the account has had too many failures. */
  checkAccount(req: Request, res: Response, email: string): Promise<void>;
  /** After a failed check: counts it against the account, within the client's share. */
  failed(req: Request, email: string): Promise<void>;
}

/** The client's address as the throttle counts it: IPv4 as is, IPv6 by its /64. */
export function clientKey(ip: string | undefined): string {
  const addr = (ip ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (isIP(addr) !== 6) return addr;
  const [head = '', tail = ''] = addr.split('::');
  const left = head ? head.split(':') : [];
  const right = addr.includes('::') && tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

export function createLoginThrottle(deps: { db: Db; perAddress: number; accountFailures: number }): LoginThrottle {
  /** Counts one event for `key` in its current window; the count so far and the seconds the window has left. */
  async function hit(key: string, windowS: number): Promise<{ count: number; retryAfterS: number }> {
    const rows = await deps.db.$queryRaw<{ count: number; left: number }[]>`
      INSERT INTO "LoginThrottle" ("key", "windowStart", "windowEnd", "count")
      SELECT ${key}, w, w + make_interval(secs => ${windowS}), 1
        FROM date_bin(make_interval(secs => ${windowS}), now(), timestamptz '2000-01-01') AS w
      ON CONFLICT ("key", "windowStart") DO UPDATE SET "count" = "LoginThrottle"."count" + 1
      RETURNING "count", ceil(extract(epoch FROM "windowEnd" - now()))::int AS "left"`;
    if (Math.random() * CLEANUP_EVERY < 1) {
      await deps.db.$executeRaw`DELETE FROM "LoginThrottle" WHERE "windowEnd" < now() - interval '1 hour'`;
    }
    return { count: rows[0]!.count, retryAfterS: Math.max(1, rows[0]!.left) };
  }

  async function current(key: string, windowS: number): Promise<{ count: number; retryAfterS: number }> {
    const rows = await deps.db.$queryRaw<{ count: number; left: number }[]>`
      SELECT "count", ceil(extract(epoch FROM "windowEnd" - now()))::int AS "left" FROM "LoginThrottle"
       WHERE "key" = ${key} AND "windowStart" = date_bin(make_interval(secs => ${windowS}), now(), timestamptz '2000-01-01')`;
    return rows[0] ? { count: rows[0].count, retryAfterS: Math.max(1, rows[0].left) } : { count: 0, retryAfterS: 0 };
  }

  const refuse = (res: Response, retryAfterS: number, message: string) => {
    res.set('Retry-After', String(retryAfterS));
    return new AppError(ErrorCode.RATE_LIMITED, message);
  };

  return {
    address: (req, res, next) => {
      hit(`addr:${clientKey(req.ip)}`, ADDRESS_WINDOW_S).then(({ count, retryAfterS }) => {
        res.set('RateLimit-Policy', `"address";q=${deps.perAddress};w=${ADDRESS_WINDOW_S}`);
        res.set('RateLimit', `"address";r=${Math.max(0, deps.perAddress - count)};t=${retryAfterS}`);
        if (count > deps.perAddress) next(refuse(res, retryAfterS, '登录尝试过于频繁，请稍后再试 / too many sign-in attempts'));
        else next();
      }, next);
    },
    async checkAccount(_req, res, email) {
      const { count, retryAfterS } = await current(`acct:${accountKey(email)}`, ACCOUNT_WINDOW_S);
      if (count >= deps.accountFailures) {
        throw refuse(res, retryAfterS, `该账号登录失败次数过多，请 ${Math.ceil(retryAfterS / 60)} 分钟后再试 / too many failed sign-ins for this account, try again in ${Math.ceil(retryAfterS / 60)} min`);
      }
    },
    async failed(req, email) {
      const account = accountKey(email);
      const share = await hit(`pair:${clientKey(req.ip)}:${account}`, ACCOUNT_WINDOW_S);
      if (share.count <= ACCOUNT_SHARE_PER_CLIENT) await hit(`acct:${account}`, ACCOUNT_WINDOW_S);
    },
  };
}
