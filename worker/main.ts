/**
 * A worker process on its own (`npm run worker`: `node --import tsx worker/main.ts` with
 * MALLOC_ARENA_MAX=2 and `--max-old-space-size=512` (WORKER_MAX_OLD_SPACE_MB), which keep its
 * resident memory near its live heap; the workflows from the bundle bootstrap built, worker/bundle.ts): the
 * workflows and activities of worker/worker.ts against an existing Temporal server, database and
 * SMTP server, for running workers apart from the API or adding more of them on the same task
 * queue. Configured from the
 * environment (lib/config.ts); unlike `npm start` it starts no server of its own, so DATABASE_URL,
 * TEMPORAL_ADDRESS and SMTP_URL are required.
 *
 * SIGINT/SIGTERM: the worker stops polling, lets the tasks it is running finish, closes its
 * connections and exits 0; a second signal exits at once. Killed outright (SIGKILL, a crash), its
 * running activities are retried elsewhere after their start-to-close timeout; mail goes through
 * the outbox (activities/outbox.ts), so none is lost.
 *
 * Run it with `node --import tsx`, not the `tsx` command: that one runs the script in a child
 * process, relays a signal to it and SIGKILLs it when it does not acknowledge within ~30 ms, which a
 * worker busy bundling or running a workflow task may not do, so SIGTERM would become a kill.
 */
import { type LogLevel, type LogMetadata, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { ConfigError, databaseOptions, loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createMailer } from '../lib/mail';
import { freeLoopbackPort, startWorkerMetricsServer } from '../lib/metrics';
import { temporalConnection } from '../lib/temporal-client';
import { activityDeps, createWorker } from './worker';

/** A failure at start worth one clear line, not a stack trace. */
class StartError extends Error {}

async function main(): Promise<void> {
  const config = loadConfig();
  const { DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL } = config;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS || !SMTP_URL) {
    const missing = Object.entries({ DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL }).filter(([, v]) => !v);
    throw new ConfigError(
      `配置错误 / invalid configuration:\n${missing.map(([k]) => `  - ${k}: required, the worker process starts no server of its own`).join('\n')}`,
    );
  }
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  // The SDK's logs as our JSON lines: an activity's and a workflow's with their ids (workflowId,
  // runId, activityType…, which the SDK attaches). Its own INFO lines (webpack's bundle report,
  // worker state) drown ours: from the SDK itself, warnings only. Signals are handled below, not by
  // the SDK's default hook. With WORKER_METRICS_PORT, its Prometheus exporter on a loopback port of
  // its own, served together with ours (lib/metrics.ts).
  const sdkMetricsAddress = config.WORKER_METRICS_PORT ? `127.0.0.1:${await freeLoopbackPort()}` : undefined;
  const levels: Record<LogLevel, number> = { TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50 };
  const sdkLog = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const ours = meta?.sdkComponent === 'activity' || meta?.sdkComponent === 'workflow';
    if (!ours && levels[level] < levels.WARN) return;
    const method = level === 'TRACE' ? 'trace' : level === 'DEBUG' ? 'debug' : level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error';
    // The task token is a capability to complete the activity: kept out of the log.
    const { taskToken: _token, ...fields } = meta ?? {};
    logger[method](fields, message);
  };
  Runtime.install({
    logger: {
      log: sdkLog,
      trace: (m, meta) => sdkLog('TRACE', m, meta),
      debug: (m, meta) => sdkLog('DEBUG', m, meta),
      info: (m, meta) => sdkLog('INFO', m, meta),
      warn: (m, meta) => sdkLog('WARN', m, meta),
      error: (m, meta) => sdkLog('ERROR', m, meta),
    },
    shutdownSignals: [],
    ...(sdkMetricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetricsAddress } } } } : {}),
  });
  const metricsServer = config.WORKER_METRICS_PORT
    ? await startWorkerMetricsServer({ host: config.WORKER_METRICS_HOST, port: config.WORKER_METRICS_PORT, sdkAddress: sdkMetricsAddress! })
    : undefined;
  if (metricsServer) logger.info({ url: metricsServer.url }, '工作进程指标 / worker metrics');

  let worker: Worker | undefined;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping || worker?.getState() !== 'RUNNING') {
      // Nothing started yet (connecting, bundling), or asked twice: leave now.
      logger.info({ signal }, 'worker exiting');
      process.exit(stopping ? 1 : 0);
    }
    stopping = true;
    logger.info({ signal }, '正在停止 / worker stopping: finishing the running tasks');
    worker.shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const db = createDb(DATABASE_URL, databaseOptions(config, 'worker'));
  const mailer = createMailer(SMTP_URL);
  try {
    const connection = await NativeConnection.connect(temporalConnection(TEMPORAL_ADDRESS, config.temporal)).catch((err: unknown) => {
      const how = config.temporal.tls ? `TLS${config.temporal.tls.clientCertPair ? ' with a client certificate' : ''}` : 'plain TCP, no TLS';
      throw new StartError(
        `无法连接 Temporal ${TEMPORAL_ADDRESS}（${config.temporal.tls ? 'TLS' : '未启用 TLS'}），请检查地址、TEMPORAL_TLS_* 与 TEMPORAL_API_KEY / cannot connect to Temporal at ${TEMPORAL_ADDRESS} (${how}): ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    try {
      worker = await createWorker({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        deps: activityDeps(config, { db, mailer }),
        onWorkflowCode: (source) => {
          if (source === 'bundled at start') logger.warn('no fresh .build/workflow-bundle.js: bundling the workflows in this process (run `node scripts/build-workflow-bundle.mjs`)');
        },
      });
      const running = worker.run();
      logger.info({ address: TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, tls: Boolean(config.temporal.tls), apiKey: Boolean(config.temporal.apiKey) }, '工作进程已启动 / worker running');
      await running;
      logger.info('worker stopped');
    } finally {
      await connection.close();
    }
  } finally {
    mailer.close();
    await db.$disconnect();
    await metricsServer?.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof StartError) console.error(err.message);
    else console.error('worker failed:', err);
    process.exit(1);
  },
);
