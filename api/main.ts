/**
 * The API on its own (`npm run api`: `node --import tsx api/main.ts`): the Express app of api/app.ts
 * against an existing PostgreSQL, Temporal and SMTP server, for running API replicas apart from the
 * workers (behind a proxy: deploy/). Configured from the environment (lib/config.ts) like
 * `npm run worker`; unlike `npm start` it starts no server of its own, runs no migration and no
 * first-admin seed (`npm run db:migrate` and `npm start`, or an operator, do that once), so
 * DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL and JWT_SECRET are required: every replica must sign and
 * verify access tokens with the same secret.
 *
 * Its clients are bounded as `npm start` bounds the API's (lib/config.ts dependencyBounds): the
 * database pool's connecting and every statement, every Temporal call, below REQUEST_TIMEOUT_MS, so a
 * dependency that is down answers 503 within the request deadline. The Temporal connection is lazy:
 * the process starts (and answers 503, /readyz not ready) while Temporal is down, and connects on
 * first use.
 *
 * API_PROCESSES (default 1): that many processes serve PORT together (lib/cluster.ts), one per core
 * at most being sensible; each has its own database pool of DATABASE_POOL_SIZE.
 *
 * SIGINT/SIGTERM: it stops accepting connections, lets the requests in flight finish (at most
 * REQUEST_TIMEOUT_MS, their own deadline), closes idle keep-alive connections, then its clients, and
 * exits 0; a second signal exits at once.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { acceptingAccessTokens, createAccessTokens } from '../lib/auth';
import { ConfigError, databaseOptions, dependencyBounds, loadConfig } from '../lib/config';
import { createDb } from '../lib/db';
import { createLogger } from '../lib/logger';
import { createMailer } from '../lib/mail';
import { connectTemporalBounded } from '../lib/temporal-client';
import { isServerPrimary, onStopMessage, runServerPrimary } from '../lib/cluster';
import { appDeps, createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const { DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, JWT_SECRET } = config;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS || !SMTP_URL || !JWT_SECRET) {
    const why: Record<string, string> = {
      DATABASE_URL: '必填，API 进程不自带数据库 / required: the API process starts no database of its own',
      TEMPORAL_ADDRESS: '必填，API 进程不自带 Temporal / required: the API process starts no Temporal server of its own',
      SMTP_URL: '必填，API 进程不自带邮件服务器 / required: the API process starts no mail server of its own',
      JWT_SECRET: '必填，各副本须共用同一签名密钥（至少 32 个字符）/ required: every replica signs and verifies with the same secret (32 characters or more)',
    };
    const missing = Object.entries({ DATABASE_URL, TEMPORAL_ADDRESS, SMTP_URL, JWT_SECRET }).filter(([, v]) => !v);
    throw new ConfigError(`配置错误 / invalid configuration:\n${missing.map(([k]) => `  - ${k}: ${why[k]}`).join('\n')}`);
  }
  const logger = createLogger(config.LOG_LEVEL, 'api');
  if (isServerPrimary(config.API_PROCESSES)) {
    runServerPrimary({ processes: config.API_PROCESSES, logger });
    return;
  }
  const bounds = dependencyBounds(config.REQUEST_TIMEOUT_MS);
  const db = createDb(DATABASE_URL, databaseOptions(config, 'api'));
  const mailer = createMailer(SMTP_URL);
  const connection = connectTemporalBounded(TEMPORAL_ADDRESS, bounds.temporalRpcMs, config.temporal);
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const evidenceDir = path.join(config.dataDir, 'evidence');
  await mkdir(evidenceDir, { recursive: true });
  // Signed with JWT_SECRET; verified with it or any of JWT_VERIFY_SECRETS (a rotation in progress).
  const accessTokens = acceptingAccessTokens(
    createAccessTokens(JWT_SECRET, config.ACCESS_TOKEN_TTL_SECONDS),
    config.JWT_VERIFY_SECRETS.map((s) => createAccessTokens(s, config.ACCESS_TOKEN_TTL_SECONDS)),
  );
  let stopping = false;
  const app = createApp({ ...appDeps(config, { db, temporal, mailer, logger, accessTokens, evidenceDir }), draining: () => stopping });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  logger.info({ host: config.HOST, port: config.PORT, temporal: TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, tls: Boolean(config.temporal.tls), apiKey: Boolean(config.temporal.apiKey) }, 'API 已启动 / API listening');
  process.send?.({ ready: true, port: config.PORT });

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'API exiting at once');
      process.exit(1);
    }
    // /readyz answers 503 from now on: a proxy checking it sends this replica nothing new.
    stopping = true;
    logger.info({ signal }, '正在停止 / API stopping: finishing the requests in flight');
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    // A request in flight ends within its own deadline; past it (and a little), cut what is left.
    const cut = setTimeout(() => server.closeAllConnections(), config.REQUEST_TIMEOUT_MS + 1_000);
    await closed;
    clearTimeout(cut);
    await Promise.allSettled([connection.close(), db.$disconnect()]);
    mailer.close();
    logger.info('API stopped');
    process.exit(0);
  };
  process.on('SIGINT', (s) => void stop(s));
  process.on('SIGTERM', (s) => void stop(s));
  // One of API_PROCESSES: the primary's stop (after a Ctrl-C the terminal signalled this process too).
  onStopMessage(() => {
    if (!stopping) void stop('SIGTERM');
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('API failed to start / API 启动失败:', err);
  process.exit(1);
});
