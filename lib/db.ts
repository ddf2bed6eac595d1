import { PrismaPg } from '@prisma/adapter-pg';
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
}

/** One Prisma client per process, on the pg driver adapter (no engine binary). */
export function createDb(databaseUrl: string, timeouts: DbTimeouts = {}): Db {
  const { connectMs = 10_000, statementMs, poolSize, idleMs } = timeouts;
  const adapter = new PrismaPg({
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
  // Interactive transactions keep Prisma's bounds (2 s to start, 5 s to run; P2028 past them).
  return new PrismaClient({ adapter });
}
