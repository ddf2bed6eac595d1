import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { syncPackageCalendar } from '../../lib/calendar-store';
import { createDb } from '../../lib/db';
import { deployMigrations } from '../../scripts/lib/migrations';
import { freePort } from '../../scripts/lib/processes';
import { embeddedPostgresDataDir, EmbeddedPostgresUnreachableError, startEmbeddedPostgres } from '../../scripts/lib/postgres';

/**
 * One throwaway PostgreSQL for the whole run (a real server from node_modules, or the one in
 * TEST_DATABASE_URL), migrated with the checked-in migrations. Test files share it and keep
 * apart by using fresh ids.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'rectify-test-pg-'));
    // As root, PostgreSQL runs as the `postgres` user: a checkout it cannot reach stops here with the fix, not an EACCES trace.
    let dataDir: string;
    try {
      dataDir = await embeddedPostgresDataDir(tmp, (m) => console.warn(m));
    } catch (err) {
      if (err instanceof EmbeddedPostgresUnreachableError) {
        console.error(`\n${err.message}\n(或设置 TEST_DATABASE_URL / or set TEST_DATABASE_URL)\n`);
        throw new Error(err.message);
      }
      throw err;
    }
    const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, database: 'rectify_test' });
    (globalThis as { __pg?: typeof pg }).__pg = pg;
    url = pg.url;
  }
  await deployMigrations({ databaseUrl: url });
  // The official working-day calendar, as `npm start` loads it.
  const db = createDb(url);
  await syncPackageCalendar(db);
  await db.$disconnect();
  process.env.DATABASE_URL = url;
  // Evidence files the API tests store (test/support/api.ts); removed by the global teardown.
  process.env.TEST_EVIDENCE_ROOT = await mkdtemp(path.join(os.tmpdir(), 'rectify-test-evidence-'));
}
