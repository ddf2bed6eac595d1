import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import { createApp } from '../../api/app';
import { syncPackageCalendar } from '../../lib/calendar-store';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES, dependencyBounds } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { createMailer, type Mailer } from '../../lib/mail';
import { createDiskStorage } from '../../lib/storage';
import { connectTemporalBounded } from '../../lib/temporal-client';
import { resolveTemporalBinary } from '../../lib/tools';
import { searchAttributeKeys } from '../../domain/contract';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { deployMigrations } from '../../scripts/lib/migrations';
import { embeddedPostgresDataDir, type EmbeddedPostgres, startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { type ExitingService, freePort, type Supervised, supervise, type SupervisorLog } from '../../scripts/lib/processes';
import { startTemporalDevServer, type TemporalDevServer } from '../../scripts/lib/temporal';
import { createWorker } from '../../worker/worker';
import { testAccessTokens } from '../support/api';
import { workflowBundle } from '../support/env';

/**
 * A stack of its own for fault tests: its own PostgreSQL and its own Temporal dev server (file
 * backed, supervised as `npm start` does), so pausing them freezes no other test file. The worker
 * and the API run in this process, wired the way scripts/start.ts wires them: the API's database
 * client and Temporal connection bounded by `requestTimeoutMs`.
 */
export interface FaultStack {
  pg: EmbeddedPostgres;
  temporal: Supervised<TemporalDevServer>;
  /** The worker's database client (unbounded statements, like the worker's in npm start). */
  db: Db;
  smtp: MailCatcher;
  mailer: Mailer;
  taskQueue: string;
  baseUrl: string;
  /** Error lines the API logged (pino JSON). */
  apiLog: string[];
  supervisorLog: { level: string; msg: string }[];
  requestTimeoutMs: number;
  /** SIGSTOP / SIGCONT PostgreSQL: the postmaster and every backend (a paused machine or VM). */
  pausePostgres(): Promise<number[]>;
  resumePostgres(pids: number[]): void;
  stop(): Promise<void>;
}

/** Children of a process, recursively (Linux /proc). */
export async function descendants(pid: number): Promise<number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // pid (comm) state ppid …; comm may hold spaces and parentheses: split after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function memoryLogger(lines: string[], level = 'error') {
  return pino(
    { level },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
}

export async function startFaultStack(opts: { requestTimeoutMs: number }): Promise<FaultStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const pgDir = await mkdtemp(path.join(os.tmpdir(), 'rectify-faults-pg-'));
    cleanups.push(() => rm(pgDir, { recursive: true, force: true }));
    const pg = await startEmbeddedPostgres({ dataDir: await embeddedPostgresDataDir(pgDir), port: await freePort(), persistent: false, database: 'rectify_faults' });
    cleanups.push(() => pg.stop());
    await deployMigrations({ databaseUrl: pg.url });
    const db = createDb(pg.url);
    cleanups.push(() => db.$disconnect());
    await syncPackageCalendar(db);

    const supervisorLog: { level: string; msg: string }[] = [];
    const log: SupervisorLog = {
      info: (_o, msg) => supervisorLog.push({ level: 'info', msg }),
      warn: (_o, msg) => supervisorLog.push({ level: 'warn', msg }),
      error: (_o, msg) => supervisorLog.push({ level: 'error', msg }),
    };
    const temporalDir = await mkdtemp(path.join(os.tmpdir(), 'rectify-faults-temporal-'));
    cleanups.push(() => rm(temporalDir, { recursive: true, force: true }));
    const temporalPort = await freePort();
    const temporal = await supervise({
      name: 'temporal',
      log,
      initialBackoffMs: 200,
      start: () =>
        startTemporalDevServer({
          cli: resolveTemporalBinary('temporal', process.env.TEMPORAL_CLI),
          dbFile: path.join(temporalDir, 'temporal.db'),
          port: temporalPort,
          uiPort: null,
          namespace: 'default',
          searchAttributes: searchAttributeKeys,
          logFile: path.join(temporalDir, 'temporal.log'),
        }),
    });
    cleanups.push(() => temporal.stop());
    const address = temporal.current().address;

    const smtp = await startMailCatcher({ port: 0 });
    cleanups.push(() => smtp.stop());
    const mailer = createMailer(smtp.url);
    cleanups.push(async () => mailer.close());

    const taskQueue = `faults-${Date.now()}`;
    const bundle = await workflowBundle();
    // Supervised as in scripts/start.ts: a worker that fails while Temporal is gone is replaced.
    const worker = await supervise({
      name: 'worker',
      log,
      initialBackoffMs: 200,
      start: async (): Promise<ExitingService> => {
        const connection = await NativeConnection.connect({ address });
        const w = await createWorker({
          connection,
          namespace: 'default',
          taskQueue,
          workflowBundle: bundle,
          deps: { db, mailer, mailFrom: '整改督办系统 <noreply@rectify.local>', publicUrl: 'http://localhost:3000', timeZone: 'Asia/Shanghai' },
        });
        let stopping = false;
        const run = w.run();
        const exited = run.then(
          () => (stopping ? new Promise<string>(() => undefined) : 'stopped'),
          (err: unknown) => (stopping ? new Promise<string>(() => undefined) : `failed: ${String(err)}`),
        );
        return {
          name: 'worker',
          exited,
          stop: async () => {
            stopping = true;
            if (w.getState() === 'RUNNING') w.shutdown();
            await run.catch(() => undefined);
            await connection.close().catch(() => undefined);
          },
        };
      },
    });
    cleanups.push(() => worker.stop());

    const bounds = dependencyBounds(opts.requestTimeoutMs);
    const apiDb = createDb(pg.url, { connectMs: bounds.dbConnectMs, statementMs: bounds.dbStatementMs });
    cleanups.push(() => apiDb.$disconnect());
    const connection = connectTemporalBounded(address, bounds.temporalRpcMs);
    cleanups.push(() => connection.close());
    const evidenceDir = await mkdtemp(path.join(os.tmpdir(), 'rectify-faults-evidence-'));
    cleanups.push(() => rm(evidenceDir, { recursive: true, force: true }));
    const apiLog: string[] = [];
    const app = createApp({
      db: apiDb,
      temporal: new Client({ connection, namespace: 'default' }),
      mailer,
      taskQueue,
      logger: memoryLogger(apiLog),
      accessTokens: testAccessTokens,
      evidenceStorage: createDiskStorage(evidenceDir),
      evidenceLimits: { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES },
      loginRateLimit: 100_000,
      timeZone: 'Asia/Shanghai',
      requestTimeoutMs: opts.requestTimeoutMs,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(() => new Promise((r) => server.close(r)));
    cleanups.push(async () => server.closeAllConnections());

    return {
      pg,
      temporal,
      db,
      smtp,
      mailer,
      taskQueue,
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiLog,
      supervisorLog,
      requestTimeoutMs: opts.requestTimeoutMs,
      async pausePostgres() {
        // The postmaster first (it forks no new backend while stopped), then every process it has.
        process.kill(pg.pid, 'SIGSTOP');
        const pids = [pg.pid, ...(await descendants(pg.pid))];
        for (const pid of pids.slice(1)) process.kill(pid, 'SIGSTOP');
        return pids;
      },
      resumePostgres(pids) {
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGCONT');
          } catch {
            // gone
          }
        }
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
