/**
 * One effect per action: a write request repeated — concurrently (a double click, a client retry
 * racing its first try) or later with the same `Idempotency-Key` — gets the first request's answer
 * instead of doing the work again. Shared by every API replica: the claim is a row in PostgreSQL
 * (IdempotentRequest), never process memory.
 *
 * - With an `Idempotency-Key` header (1–200 visible characters): the key holds for 24 hours; the
 *   same key with another method, path or body is refused (400, rule `reused`).
 * - Without one, a route that opts in (`idempotent` in its description) keys a JSON write by its
 *   method, path, body and the version of what it acts on (a task's last change): the same person
 *   sending the same request against the same state within 10 seconds gets the first answer
 *   (marked `Idempotent-Replayed: true`); once the state has moved on, the same request is a new
 *   act. Multipart uploads are keyed only when the client gives a key (two uploads of one file are
 *   two pieces of evidence).
 * - The request that claims the key runs; the others wait for its answer (up to the wait bound),
 *   then answer 409 `CONFLICT` if it is still running. A 4xx answer is replayed like a success; a
 *   5xx releases the key so that a retry can do the work.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';

export const IMPLICIT_WINDOW_MS = 10_000;
export const EXPLICIT_WINDOW_MS = 24 * 3600_000;
/** A claim older than this with no answer belongs to a request that died: the next one takes over. */
const ABANDONED_AFTER_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,200}$/;

export type Replay = { status: number; body: unknown } | { status: number; error: { code: ErrorCode; message: string; details?: unknown } };

export interface IdempotencyOptions {
  /** How long a waiting duplicate waits for the first request's answer. */
  waitMs?: number;
  now?: () => Date;
}

export type Idempotency = ReturnType<typeof createIdempotency>;

const digest = (s: string) => createHash('sha256').update(s).digest('hex');

export function createIdempotency(db: Db, opts: IdempotencyOptions = {}) {
  const waitMs = opts.waitMs ?? 15_000;
  const now = opts.now ?? (() => new Date());

  /** The key of a request: the client's, or one derived from it; null when the request is not keyed. */
  function keyOf(req: { method: string; path: string; header(name: string): string | undefined }, body: unknown, multipart: boolean, version: string | null | undefined) {
    const given = req.header('idempotency-key');
    const fingerprint = digest(`${req.method} ${req.path} ${multipart ? '' : JSON.stringify(body ?? null)}`);
    if (given !== undefined) {
      if (!KEY.test(given)) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key 格式无效 / invalid Idempotency-Key', [
          { field: 'header.idempotency-key', rule: 'format', message: '1–200 visible ASCII characters' },
        ]);
      }
      return { key: `key:${given}`, fingerprint, windowMs: EXPLICIT_WINDOW_MS };
    }
    if (multipart || version === undefined) return null;
    return { key: `auto:${digest(`${fingerprint} ${version ?? ''}`)}`, fingerprint, windowMs: IMPLICIT_WINDOW_MS };
  }

  /** Claims the key: true when this request is the one to run. */
  async function claim(actorId: string, key: string, fingerprint: string, windowMs: number): Promise<boolean> {
    for (let attempt = 0; attempt < 3; attempt++) {
      // Raw SQL on the path every keyed write takes (the claim and the answer): no query compilation per request.
      const count = await db.$executeRaw`
        INSERT INTO "IdempotentRequest" ("actorId", "key", "fingerprint", "createdAt")
        VALUES (${actorId}::uuid, ${key}, ${fingerprint}, ${now()}) ON CONFLICT DO NOTHING`;
      if (count === 1) return true;
      const row = await db.idempotentRequest.findUnique({ where: { actorId_key: { actorId, key } } });
      if (!row) continue; // released in between: claim again
      const age = now().getTime() - row.createdAt.getTime();
      const expired = row.status !== null ? age > windowMs : age > ABANDONED_AFTER_MS;
      if (!expired) return false;
      // An answer from outside the window, or a claim whose request died: replace it (one replacer wins).
      await db.idempotentRequest.deleteMany({ where: { actorId, key, createdAt: row.createdAt } });
    }
    return false;
  }

  async function waitForAnswer(actorId: string, key: string, fingerprint: string): Promise<Replay | 'released'> {
    const until = Date.now() + waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const row = await db.idempotentRequest.findUnique({ where: { actorId_key: { actorId, key } } });
      if (!row) return 'released';
      if (row.fingerprint !== fingerprint) {
        throw new AppError(ErrorCode.VALIDATION_FAILED, 'Idempotency-Key 已用于另一个请求 / this Idempotency-Key was used for another request', [
          { field: 'header.idempotency-key', rule: 'reused', message: 'used for another method, path or body' },
        ]);
      }
      if (row.status !== null) return row.response as Replay;
      if (Date.now() > until) throw new AppError(ErrorCode.CONFLICT, '相同的请求正在处理，请稍后重试 / an identical request is still in progress, retry shortly');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  return {
    /**
     * Runs `work` once per key: the first request runs it and its answer is stored; a duplicate
     * returns the stored answer (`replayed`). Unkeyed requests just run.
     */
    async run(
      actorId: string,
      req: { method: string; path: string; header(name: string): string | undefined },
      body: unknown,
      multipart: boolean,
      /** For an implicit key: the version of what the request acts on (null: none); undefined: not keyed without a header. */
      version: string | null | undefined,
      work: () => Promise<{ status: number; body: unknown }>,
    ): Promise<{ status: number; body: unknown; replayed: boolean }> {
      const k = keyOf(req, body, multipart, version);
      if (!k) return { ...(await work()), replayed: false };
      for (;;) {
        if (await claim(actorId, k.key, k.fingerprint, k.windowMs)) break;
        const answer = await waitForAnswer(actorId, k.key, k.fingerprint);
        if (answer === 'released') continue;
        if ('error' in answer) throw new AppError(answer.error.code, answer.error.message, answer.error.details as never);
        return { status: answer.status, body: answer.body, replayed: true };
      }
      const store = (status: number, response: Replay) =>
        db.$executeRaw`
          UPDATE "IdempotentRequest" SET "status" = ${status}, "response" = ${JSON.stringify(response)}::jsonb, "completedAt" = ${now()}
          WHERE "actorId" = ${actorId}::uuid AND "key" = ${k.key}`;
      try {
        const result = await work();
        await store(result.status, { status: result.status, body: result.body ?? null });
        return { ...result, replayed: false };
      } catch (err) {
        if (err instanceof AppError && err.status < 500) {
          await store(err.status, { status: err.status, error: { code: err.code, message: err.message, details: err.details } });
        } else {
          await db.idempotentRequest.deleteMany({ where: { actorId, key: k.key } }).catch(() => undefined);
        }
        throw err;
      }
    },

    /** Removes answers past the longest window (called now and then; nothing depends on it). */
    prune: () => db.idempotentRequest.deleteMany({ where: { createdAt: { lt: new Date(now().getTime() - EXPLICIT_WINDOW_MS) } } }),
  };
}
