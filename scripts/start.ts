/**
 * `npm start`: everything on embedded defaults, in one terminal. PostgreSQL (embedded unless
 * DATABASE_URL), migrations, the Temporal dev server (unless TEMPORAL_ADDRESS), a mail catcher
 * (unless SMTP_URL), the worker and the API. The services it starts are supervised: one that dies
 * is started again (with backoff, logged). Ctrl-C stops all of them; run again, it resumes.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { appDeps, createApp } from '../api/app';
import { ConfigError, databaseOptions, dependencyBounds, loadConfig, redactUrl } from '../lib/config';
import { createAccessTokens, persistentSecret } from '../lib/auth';
import { syncPackageCalendar } from '../lib/calendar-store';
import { startDeadlineRecompute } from '../lib/deadlines';
import { createDb } from '../lib/db';
import { ensureDefaultCycles, syncReviewSchedules } from '../lib/review/schedules';
import { ensureFirstAdmin } from '../lib/seed';
import { createLogger } from '../lib/logger';
import { createMailer } from '../lib/mail';
import { resolveTemporalBinary } from '../lib/tools';
import { activityDeps, createWorker } from '../worker/worker';
import { searchAttributeKeys } from '../domain/contract';
import { startMailCatcher } from './lib/mail-catcher';
import { deployMigrations } from './lib/migrations';
import { EmbeddedPostgresUnreachableError, embeddedPostgresDataDir, startEmbeddedPostgres } from './lib/postgres';
import { type ExitingService, type Service, supervise } from './lib/processes';
import { boundedConnectionOptions, temporalConnection } from '../lib/temporal-client';
import { ensureSchedules } from '../lib/schedules';
import { ensureSearchAttributes, startTemporalDevServer } from './lib/temporal';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  // The SDK's own INFO lines (webpack's bundle report, worker state) drown ours; keep its warnings.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services: Service[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('正在停止 / stopping…');
    for (const s of services.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error({ err, service: s.name }, 'stop failed');
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await mkdir(config.dataDir, { recursive: true });

    let databaseUrl = config.DATABASE_URL;
    let pgDataDir: string | null = null;
    if (!databaseUrl) {
      const dataDir = await embeddedPostgresDataDir(path.join(config.dataDir, 'postgres'), (m) => logger.warn(m));
      pgDataDir = dataDir;
      const pg = await supervise({
        name: 'postgres',
        log: logger,
        start: () => startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT, persistent: true }),
      });
      services.push(pg);
      databaseUrl = pg.current().url;
    }
    const { applied } = await deployMigrations({ databaseUrl, log: (m) => logger.debug(m) });
    logger.info({ applied }, applied.length ? 'migrations applied' : 'database schema up to date');

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUi: string | null = null;
    if (!temporalAddress) {
      // The SQLite file keeps every workflow and timer: a restarted server resumes them.
      const temporal = await supervise({
        name: 'temporal',
        log: logger,
        start: () =>
          startTemporalDevServer({
            cli: resolveTemporalBinary('temporal', config.TEMPORAL_CLI),
            dbFile: path.join(config.dataDir, 'temporal.db'),
            port: config.TEMPORAL_PORT,
            uiPort: config.TEMPORAL_UI_PORT,
            namespace: config.TEMPORAL_NAMESPACE,
            searchAttributes: searchAttributeKeys,
            logFile: path.join(config.dataDir, 'temporal.log'),
          }),
      });
      services.push(temporal);
      temporalAddress = temporal.current().address;
      temporalUi = temporal.current().uiUrl;
    }

    let smtpUrl = config.SMTP_URL;
    let mailDir: string | null = null;
    if (!smtpUrl) {
      mailDir = path.join(config.dataDir, 'mail');
      const dir = mailDir;
      const catcher = await supervise({
        name: 'mail',
        log: logger,
        start: () =>
          startMailCatcher({
            port: config.SMTP_CATCHER_PORT,
            dir,
            onMessage: (m) => logger.info({ to: m.envelopeTo, subject: m.parsed.subject, file: m.file }, '邮件已收到 / mail caught'),
          }),
      });
      services.push(catcher);
      smtpUrl = catcher.current().url;
    }

    // The API's client bounds every statement (requests answer 503 within REQUEST_TIMEOUT_MS); the
    // worker's runs long reports, so only its connecting is bounded.
    const bounds = dependencyBounds(config.REQUEST_TIMEOUT_MS);
    const db = createDb(databaseUrl, { ...databaseOptions(config, 'worker'), connectMs: bounds.dbConnectMs });
    const apiDb = createDb(databaseUrl, databaseOptions(config, 'api'));
    const calendar = await syncPackageCalendar(db);
    if (calendar.changed) logger.info(calendar, 'working-day calendar loaded from chinese-days');
    const admin = await ensureFirstAdmin(db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, rootUnitName: config.ROOT_UNIT_NAME });
    const accessTokens = createAccessTokens(config.JWT_SECRET ?? (await persistentSecret(path.join(config.dataDir, 'jwt-secret'))), config.ACCESS_TOKEN_TTL_SECONDS);
    const mailer = createMailer(smtpUrl);
    services.push({ name: 'db', stop: () => Promise.all([db.$disconnect(), apiDb.$disconnect()]).then(() => undefined) });

    const connection = await Connection.connect(boundedConnectionOptions(temporalAddress, bounds.temporalRpcMs, config.temporal));
    const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    // An existing dev-server database (or a cluster) may predate a search attribute the workflows set.
    try {
      const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE, searchAttributeKeys);
      if (added.length) logger.info({ added }, 'search attributes registered');
    } catch (err) {
      logger.warn({ err }, 'could not register search attributes; register them on the cluster: ' + searchAttributeKeys.map((k) => k.name).join(', '));
    }
    const schedules = await ensureSchedules(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE, timeZone: config.TIME_ZONE });
    const newCycles = await ensureDefaultCycles(db);
    if (newCycles.length) logger.info({ cycles: newCycles }, 'review cycles created (月调度、季讲评、年考核)');
    const reviews = await syncReviewSchedules(temporal, db, { taskQueue: config.TEMPORAL_TASK_QUEUE, timeZone: config.TIME_ZONE });
    logger.info({ created: [...schedules.created, ...reviews.created], updated: [...schedules.updated, ...reviews.updated] }, 'schedules in place');
    services.push({ name: 'temporal-client', stop: () => connection.close() });

    const address = temporalAddress;
    // The worker is supervised too: should it fail (Temporal gone for longer than it retries), a new
    // one starts once Temporal answers again.
    const startWorker = async (): Promise<ExitingService> => {
      const nativeConnection = await NativeConnection.connect(temporalConnection(address, config.temporal));
      const worker = await createWorker({
        connection: nativeConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        deps: activityDeps(config, { db, mailer }),
      });
      let stoppingWorker = false;
      const workerRun = worker.run();
      const exited = workerRun.then(
        () => (stoppingWorker || stopping ? new Promise<string>(() => undefined) : 'stopped'),
        (err: unknown) => {
          if (stoppingWorker || stopping) return new Promise<string>(() => undefined);
          logger.error({ err }, 'worker failed');
          return `failed: ${err instanceof Error ? err.message : String(err)}`;
        },
      );
      return {
        name: 'worker',
        exited,
        stop: async () => {
          stoppingWorker = true;
          // The SDK's runtime already begins shutting the worker down on SIGINT/SIGTERM.
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await workerRun.catch(() => undefined);
          await nativeConnection.close().catch(() => undefined);
        },
      };
    };
    services.push(await supervise({ name: 'worker', log: logger, start: startWorker }));
    // New calendar data (a new year's holidays) moves open working-day deadlines, durably, on the worker;
    // at every start, so that a recomputation a crash interrupted is finished (one run per version).
    {
      await startDeadlineRecompute(temporal, { taskQueue: config.TEMPORAL_TASK_QUEUE, version: calendar.version, by: null }).then(
        () => logger.info({ version: calendar.version }, 'working-day deadlines being recomputed for the loaded calendar'),
        (err: unknown) => logger.warn({ err }, 'could not start the deadline recomputation; the next start tries again'),
      );
    }

    const evidenceDir = path.join(config.dataDir, 'evidence');
    await mkdir(evidenceDir, { recursive: true });

    const app = createApp(appDeps(config, { db: apiDb, temporal, mailer, logger, accessTokens, evidenceDir }));
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    services.push({ name: 'api', stop: () => new Promise((r) => server.close(() => r())) });

    // Every address and URL printed with its password masked (SMTP_URL, DATABASE_URL).
    const listening = ['0.0.0.0', '::'].includes(config.HOST) ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
    const apiUrl = `http://${listening}:${config.PORT}`;
    const lines = [
      '',
      '整改督办引擎已启动 / rectify is running',
      `  API            ${apiUrl}  (health: /healthz; listening on ${config.HOST}${config.HOST === '127.0.0.1' ? ', this machine only: set HOST=0.0.0.0 to serve others' : ''})`,
      `  Temporal       ${temporalAddress}${temporalUi ? `  (Web UI: ${temporalUi})` : ''}`,
      `  Database       ${redactUrl(databaseUrl)}${pgDataDir ? `  (data: ${pgDataDir})` : ''}`,
      `  Mail           ${redactUrl(smtpUrl)}${mailDir ? `  (caught mail: ${mailDir})` : ''}`,
      `  Evidence files ${evidenceDir}`,
      `  API docs       ${apiUrl}/api/docs`,
      '  Ctrl-C stops everything; `npm start` again resumes.',
      '',
    ];
    if (admin.created) {
      lines.push(`首个管理员已创建 / first admin created: ${admin.email}`);
      lines.push(
        admin.generatedPassword
          ? `  密码（仅显示这一次）/ password (shown only this once): ${admin.generatedPassword}`
          : '  密码为 ADMIN_PASSWORD 所设 / password as set in ADMIN_PASSWORD',
        '',
      );
    }
    console.log(lines.join('\n'));
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EmbeddedPostgresUnreachableError) console.error(err.message);
    else logger.fatal({ err }, 'start-up failed');
    await shutdown(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
