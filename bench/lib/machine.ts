import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../lib/db';
import { resolveTemporalBinary } from '../../lib/tools';

const versionOf = (pkg: string) => {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
};

/** The machine and the versions the figures were measured with. */
export async function describeMachine(db: Db) {
  let temporalCli: string | null = null;
  try {
    temporalCli = execFileSync(resolveTemporalBinary('temporal', process.env.TEMPORAL_CLI), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    temporalCli = null;
  }
  const rows = await db.$queryRawUnsafe<{ version: string }[]>('SELECT version()');
  const postgres = rows[0]?.version ?? 'unknown';
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryGB: Math.round((os.totalmem() / 1e9) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporalCli,
    postgres: postgres.split(' on ')[0] ?? postgres,
    temporalSdk: versionOf('@temporalio/worker'),
    prisma: versionOf('@prisma/client'),
    express: versionOf('express'),
    autocannon: versionOf('autocannon'),
    loadtest: versionOf('loadtest'),
  };
}
export type Machine = Awaited<ReturnType<typeof describeMachine>>;
