/**
 * Offline Prisma migrations (`npm run db:migrate -- <command>`), on Prisma's wasm schema engine:
 *
 *   deploy        apply pending migrations (like `prisma migrate deploy`)
 *   dev <name>    create a migration from schema changes and apply it (like `prisma migrate dev -n <name>`)
 *   status        list applied / pending / failed migrations; exit 1 when not up to date
 *   diff          print the SQL the schema needs beyond the migrations; exit 2 when there is some
 *
 * Reads DATABASE_URL. Writes the standard prisma/migrations layout, so the official Prisma CLI can
 * take over wherever its native engine is available. See scripts/lib/migrations.ts.
 */
import { createMigration, deployMigrations, diffSchema, migrationStatus } from './lib/migrations';

const usage = 'usage: tsx scripts/migrate.ts deploy | dev <name> [--create-only] [--accept-data-loss] | status | diff';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const args = rest.filter((a) => !a.startsWith('--'));
  if (!command || command === '--help' || command === '-h') {
    console.log(usage);
    return command ? 0 : 2;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set: export it (postgresql://user:password@host:port/database) and run again.');
    return 2;
  }
  const log = (msg: string) => console.log(msg);
  console.log(`Database: ${databaseUrl.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@')}`);

  switch (command) {
    case 'deploy': {
      const { applied } = await deployMigrations({ databaseUrl, log });
      console.log(applied.length ? 'All migrations have been successfully applied.' : 'No pending migrations to apply.');
      return 0;
    }
    case 'dev': {
      const name = args[0];
      if (!name) {
        console.error(`dev needs a migration name\n${usage}`);
        return 2;
      }
      const { directory } = await createMigration({
        databaseUrl,
        name,
        log,
        createOnly: flags.has('--create-only'),
        acceptDataLoss: flags.has('--accept-data-loss'),
      });
      console.log(directory ? `Migration ready: ${directory}` : 'Already in sync: no schema change, no new migration.');
      return 0;
    }
    case 'status': {
      const s = await migrationStatus({ databaseUrl });
      console.log(`${s.local.length} migration(s) in prisma/migrations, ${s.applied.length} applied.`);
      const section = (title: string, names: string[]) => names.length && console.log(`${title}:\n${names.map((n) => `  ${n}`).join('\n')}`);
      section('Pending', s.pending);
      section('Failed (fix, then mark resolved)', s.failed);
      section('Edited since applied', s.edited);
      section('Applied but missing locally', s.missingLocally);
      if (!s.hasMigrationsTable && s.local.length > 0) console.log('The database has no _prisma_migrations table yet: run `deploy`.');
      console.log(s.upToDate ? 'Database schema is up to date.' : 'Database schema is NOT up to date.');
      return s.upToDate ? 0 : 1;
    }
    case 'diff': {
      const { changed, script } = await diffSchema({ databaseUrl });
      console.log(changed ? script : '-- The migrations already match prisma/schema.prisma.');
      return changed ? 2 : 0;
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  // Exit explicitly: a timer left behind by the engine must not delay the end of the script.
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
