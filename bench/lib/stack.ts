import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createAccessTokens, type AccessTokenIssuer } from '../../lib/auth';
import { syncPackageCalendar } from '../../lib/calendar-store';
import { createDb, type Db } from '../../lib/db';
import { resolveTemporalBinary } from '../../lib/tools';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { deployMigrations } from '../../scripts/lib/migrations';
import { startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { freePort, type Service } from '../../scripts/lib/processes';
import { apiProcess, workerProcess } from '../../scripts/lib/app-processes';
import { ensureSearchAttributes, startTemporalDevServer, type TemporalDevServer } from '../../scripts/lib/temporal';
import { searchAttributeKeys } from '../../domain/contract';
import { type NodeChild, startNodeChild } from './child';
import { pidsByCmdline } from './proc';

export const TASK_QUEUE = 'rectify';
export const NAMESPACE = 'default';

/** Everything a run needs, fresh in a temporary folder; stop() ends it all, in reverse order. */
/** API processes the bench runs (BENCH_API_PROCESSES, else one per core). */
export const apiProcesses = () => Number(process.env.BENCH_API_PROCESSES ?? os.availableParallelism());

export interface Stack {
  dir: string;
  databaseUrl: string;
  temporalAddress: string;
  /** Pid of `temporal server start-dev`, and of the PostgreSQL postmaster. */
  temporalPid: number;
  postgresPid: number | null;
  smtp: MailCatcher;
  db: Db;
  temporal: Client;
  worker: NodeChild;
  api: NodeChild;
  apiUrl: string;
  accessTokens: AccessTokenIssuer;
  /** Environment of our child processes (worker, API), for another one started later (B1's baseline worker). */
  childEnv: Record<string, string>;
  startChild(name: string, file: string, env?: Record<string, string>, nodeArgs?: string[]): Promise<NodeChild>;
  stop(): Promise<void>;
}

const here = __dirname;

/**
 * A headless dev server on a free port with the flags `npm start` uses, its SQLite file and log in
 * `dir`, and its process id (for CPU and memory); `durable: false` runs SQLite with synchronous=OFF.
 */
export async function startBenchDevServer(dir: string, opts: { durable?: boolean } = {}): Promise<{ dev: TemporalDevServer; pid: number | undefined }> {
  const dbFile = path.join(dir, 'temporal.db');
  const dev = await startTemporalDevServer({
    cli: resolveTemporalBinary('temporal', process.env.TEMPORAL_CLI),
    dbFile,
    port: await freePort(),
    uiPort: null,
    namespace: NAMESPACE,
    searchAttributes: searchAttributeKeys,
    logFile: path.join(dir, 'temporal.log'),
    ...(opts.durable === undefined ? {} : { durable: opts.durable }),
  });
  const [pid] = await pidsByCmdline(dbFile);
  return { dev, pid };
}

export async function startStack(opts: { log: (m: string) => void; keep?: boolean }): Promise<Stack> {
  const services: Service[] = [];
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-bench-'));
  // Run as root, embedded PostgreSQL runs as the `postgres` user, which must reach its data folder in here.
  await chmod(dir, 0o755);
  const stop = async () => {
    for (const s of services.splice(0).reverse()) {
      try {
        await s.stop();
      } catch (err) {
        opts.log(`stopping ${s.name} failed: ${String(err)}`);
      }
    }
    if (!opts.keep) await rm(dir, { recursive: true, force: true });
  };
  try {
    const t0 = Date.now();
    const pgDir = path.join(dir, 'postgres');
    const pg = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort(), persistent: false, database: 'rectify' });
    services.push(pg);
    await deployMigrations({ databaseUrl: pg.url });
    const db = createDb(pg.url);
    services.push({ name: 'db', stop: () => db.$disconnect() });
    await syncPackageCalendar(db);
    opts.log(`PostgreSQL ready, migrated (${Date.now() - t0} ms)`);

    const { dev, pid: temporalPid } = await startBenchDevServer(dir);
    services.push(dev);
    if (!temporalPid) throw new Error('cannot find the temporal dev server process');
    const [postgresPid] = await pidsByCmdline(pgDir, 'postgres');
    const connection = await Connection.connect({ address: dev.address });
    services.push({ name: 'temporal-client', stop: () => connection.close() });
    await ensureSearchAttributes(connection, NAMESPACE, searchAttributeKeys);
    const temporal = new Client({ connection, namespace: NAMESPACE });
    opts.log(`Temporal dev server ready at ${dev.address} (pid ${temporalPid})`);

    const smtp = await startMailCatcher({ port: 0 });
    services.push(smtp);

    const jwtSecret = randomBytes(48).toString('base64url');
    const apiPort = await freePort();
    const childEnv: Record<string, string> = {
      NODE_ENV: 'production',
      DATA_DIR: dir,
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: dev.address,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      SMTP_URL: smtp.url,
      JWT_SECRET: jwtSecret,
      PORT: String(apiPort),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      LOGIN_RATE_LIMIT: '10000',
      // The API as `API_PROCESSES=<cores> npm run api` runs it: one process per core (lib/cluster.ts).
      API_PROCESSES: String(apiProcesses()),
    };
    const startChild = async (name: string, file: string, env: Record<string, string> = {}, nodeArgs: string[] = []) => {
      // BENCH_PROFILE=api,worker: V8 CPU profiles of those children, written when they stop (see README).
      const profile = (process.env.BENCH_PROFILE ?? '').split(',').includes(name);
      const profileDir = process.env.BENCH_PROFILE_DIR ?? path.join(dir, 'profiles');
      const child = await startNodeChild({
        name,
        file: path.join(here, file),
        env: { ...childEnv, ...env },
        logFile: path.join(dir, `${name}.log`),
        // One folder per child: its main thread and tsx's loader thread each write a profile (the largest is the main one).
        nodeArgs: [...nodeArgs, ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : [])],
      });
      services.push(child);
      return child;
    };
    const worker = await startChild('worker', 'worker-process.ts', workerProcess.env, workerProcess.nodeArgs);
    opts.log(`worker ready (pid ${worker.pid}, ${Date.now() - t0} ms since start)`);
    const api = await startChild('api', 'api-process.ts', apiProcess.env, apiProcess.nodeArgs);
    opts.log(`API ready at ${String(api.ready.url)} (pid ${api.pid})`);

    return {
      dir,
      databaseUrl: pg.url,
      temporalAddress: dev.address,
      temporalPid,
      postgresPid: postgresPid ?? null,
      smtp,
      db,
      temporal,
      worker,
      api,
      apiUrl: String(api.ready.url),
      accessTokens: createAccessTokens(jwtSecret, 6 * 3600),
      childEnv,
      startChild,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
