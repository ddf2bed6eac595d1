import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client';

export type Db = PrismaClient;

/**
 * How long the database may keep a caller waiting. The API process bounds every step (an
 * unreachable or paused server then fails fast and the request answers 503, see lib/errors.ts
 * `outageOf`); the worker leaves statements unbounded (a report over 100,000 tasks may take
 * longer than a request) but still gives up on a connection that cannot be made.
 */
export interface DbTimeouts {
  /** Opening a connection (TCP, TLS, start-up) and waiting for one from the pool. */
  connectMs?: number;
  /**
   * One statement: the server cancels it after this long (`statement_timeout`), and the client
   * stops waiting for an answer shortly after (a paused server cancels nothing).
   */
  statementMs?: number;
  /** Connections the pool may hold open at once (pg `max`, 10 by default): DATABASE_POOL_SIZE. */
  poolSize?: number;
  /** An idle pooled connection is closed after this long (pg's 10 s by default). */
  idleMs?: number;
  /** Named (prepared) statements, planned once per connection: DATABASE_PREPARED_STATEMENTS, on by default. */
  preparedStatements?: boolean;
}

/** Statements longer than this (bulk inserts with thousands of rows) are never prepared. */
const PREPARED_MAX_SQL = 8_192;
/** At most this many distinct statements are prepared per process; the rest run unnamed. */
const PREPARED_MAX_DISTINCT = 2_000;

/**
 * Names statements for pg's per-connection cache of prepared statements: the task read's one
 * statement with seven relation joins costs PostgreSQL 1.2–1.9 ms to plan and 0.5 ms to run, so
 * unnamed (planned on every call) the read is mostly planning; prepared, PostgreSQL plans it once
 * per connection (then reuses a generic plan). Bounded: only statements up to 8 KB of SQL (bulk
 * inserts of varying size stay unnamed) and at most 2,000 distinct ones per process. Off
 * (DATABASE_PREPARED_STATEMENTS=false) behind a pooler in transaction mode (PgBouncer < 1.21),
 * which cannot keep a connection's prepared statements.
 */
export function statementNames(): (query: { sql: string }) => string {
  const known = new Map<string, string>();
  return ({ sql }) => {
    const name = known.get(sql);
    if (name !== undefined) return name;
    if (sql.length > PREPARED_MAX_SQL || known.size >= PREPARED_MAX_DISTINCT) return undefined as unknown as string; // unnamed
    const created = `rq_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    known.set(sql, created);
    return created;
  };
}

/**
 * A client's own pg pool, for a hot read whose rows need none of the ORM's mapping: the status
 * read (api/tasks/service.ts loadTimeline) is one raw statement, and Prisma's raw-query path
 * around it (argument serialisation, result re-typing) cost ≈0.17 ms of the API's ≈1.2 ms of CPU
 * per read (bench B3). Same connections, timeouts and statement naming as the ORM's queries.
 */
export interface RawDb {
  pool: pg.Pool;
  /** The prepared-statement name for this SQL (undefined: run it unnamed), as the ORM's queries get. */
  nameOf(sql: string): string | undefined;
}
const raws = new WeakMap<Db, RawDb>();
/**
 * The pool under a client made by createDb; undefined for any other client, and once the pool has
 * ended ($disconnect ends it; a client used again after that reconnects on a pool of its own):
 * callers then use the ORM.
 */
export function rawDbOf(db: Db): RawDb | undefined {
  const raw = raws.get(db);
  return raw && !raw.pool.ended ? raw : undefined;
}

/** One Prisma client per process, on the pg driver adapter (no engine binary), over a pool it shares with rawDbOf. */
export function createDb(databaseUrl: string, timeouts: DbTimeouts = {}): Db {
  const { connectMs = 10_000, statementMs, poolSize, idleMs, preparedStatements = true } = timeouts;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    connectionTimeoutMillis: connectMs,
    ...(poolSize === undefined ? {} : { max: poolSize }),
    ...(idleMs === undefined ? {} : { idleTimeoutMillis: idleMs }),
    // A dead peer (power loss, cable, a paused VM) is noticed by TCP keepalive, not only by a timeout.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementMs === undefined
      ? {}
      : {
          statement_timeout: statementMs,
          // The server cannot cancel anything while it is paused: the client stops waiting itself.
          query_timeout: statementMs + 1_000,
          idle_in_transaction_session_timeout: statementMs * 2,
        }),
  });
  // An idle connection's error (the server restarted, the network dropped it) only takes it out of
  // the pool; the next statement meets the outage and reports it (lib/errors.ts outageOf). Without
  // a listener the 'error' event would end the process, before the adapter adds its own.
  pool.on('error', () => {});
  const names = preparedStatements ? statementNames() : undefined;
  // disposeExternalPool: $disconnect ends the pool, as it ends a pool the adapter made itself.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true, ...(names ? { statementNameGenerator: names } : {}) });
  // Interactive transactions keep Prisma's bounds (2 s to start, 5 s to run; P2028 past them).
  const db = new PrismaClient({ adapter });
  raws.set(db, { pool, nameOf: (sql) => names?.({ sql }) });
  return db;
}
