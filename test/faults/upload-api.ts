/**
 * The API alone, in a process of its own, for measuring its memory (test/faults/upload-memory):
 * `node --import tsx test/faults/upload-api.ts <databaseUrl> <evidenceDir>`. Prints one JSON line
 * `{ "port": … }` when it listens; stops on SIGTERM. Temporal and SMTP are never called by uploads:
 * they point nowhere.
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createAccessTokens } from '../../lib/auth';
import { DEFAULT_EVIDENCE_MAX_BYTES, DEFAULT_EVIDENCE_TYPES } from '../../lib/config';
import { createDb } from '../../lib/db';
import { createLogger } from '../../lib/logger';
import { createMailer } from '../../lib/mail';
import { createDiskStorage } from '../../lib/storage';

const [databaseUrl, evidenceDir, secret] = process.argv.slice(2);
const db = createDb(databaseUrl!, { connectMs: 5_000, statementMs: 10_000 });
const app = createApp({
  db,
  temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
  mailer: createMailer('smtp://127.0.0.1:1'),
  taskQueue: 'unused',
  logger: createLogger('warn'),
  accessTokens: createAccessTokens(secret!, 900),
  evidenceStorage: createDiskStorage(evidenceDir!),
  evidenceLimits: { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES, allowedTypes: DEFAULT_EVIDENCE_TYPES },
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void db.$disconnect().then(() => process.exit(0));
});
