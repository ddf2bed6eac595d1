/**
 * The API as its own process, wired exactly as `npm start` wires it (scripts/start.ts): the
 * Express app on the real database, Temporal client and SMTP, logging every request to stdout
 * (which the harness sends to a file).
 */
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { appDeps, createApp } from '../../api/app';
import { createAccessTokens } from '../../lib/auth';
import { isServerPrimary, runServerPrimary } from '../../lib/cluster';
import { loadConfig } from '../../lib/config';
import { createDb } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { createMailer } from '../../lib/mail';
import { childLifecycle } from './child';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  if (isServerPrimary(config.API_PROCESSES)) {
    // As `npm run api` does with API_PROCESSES (bench/lib/stack.ts says how many): the primary forwards the ready message.
    runServerPrimary({ processes: config.API_PROCESSES, logger });
    return;
  }
  const db = createDb(config.DATABASE_URL!);
  const mailer = createMailer(config.SMTP_URL!);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const evidenceDir = path.join(config.dataDir, 'evidence');
  await mkdir(evidenceDir, { recursive: true });
  const app = createApp(appDeps(config, { db, temporal, mailer, logger, accessTokens: createAccessTokens(config.JWT_SECRET!, config.ACCESS_TOKEN_TTL_SECONDS), evidenceDir }));
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  childLifecycle({ url: `http://127.0.0.1:${config.PORT}` }, async () => {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
    await connection.close();
    mailer.close();
    await db.$disconnect();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
