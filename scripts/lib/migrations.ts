/**
 * Offline Prisma migrations (shared/notes/prisma-offline.md).
 *
 * The Prisma 7 CLI runs `migrate` only on its native schema engine, which it must download, and
 * this machine is offline. Prisma's schema engine also ships compiled to wasm
 * (`@prisma/schema-engine-wasm`); we drive it here through the pg driver adapter, exactly like the
 * CLI does when a driver adapter is configured. The result is the STANDARD layout:
 * `prisma/migrations/<timestamp>_<name>/migration.sql` + `migration_lock.toml`, and the engine's
 * own `_prisma_migrations` table, so the official `prisma migrate deploy` can take over wherever
 * the native engine is available.
 *
 * Every operation builds its own engine, pool and (when needed) shadow database, and releases all
 * of them before returning, so it is safe in a long-running process (app start-up, jest setup).
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type {
  DiagnoseMigrationHistoryOutput,
  MigrationDirectory,
  MigrationList,
  SchemaEngine,
  SchemaFilter,
  SchemasContainer,
} from '@prisma/schema-engine-wasm' with { 'resolution-mode': 'import' };
import type * as EngineGlue from '@prisma/schema-engine-wasm/schema_engine_bg' with { 'resolution-mode': 'import' };

const repoRoot = path.resolve(__dirname, '..', '..');
export const defaultSchemaPath = path.join(repoRoot, 'prisma', 'schema.prisma');
export const defaultMigrationsDir = path.join(repoRoot, 'prisma', 'migrations');

export interface MigrateOptions {
  /** postgresql://user:password@host:port/database[?sslmode=require] (schema `public` only) */
  databaseUrl: string;
  schemaPath?: string;
  migrationsDir?: string;
  /** Progress messages (what was applied, timings). Engine warnings and errors go here too. */
  log?: (msg: string) => void;
}

export interface CreateMigrationOptions extends MigrateOptions {
  /** Human name; slugified like the Prisma CLI does (`Add users` → `add_users`). */
  name: string;
  /** Write the migration folder, even an empty one, but do not apply it (`prisma migrate dev --create-only`). */
  createOnly?: boolean;
  /** Proceed even when the engine warns about data loss (the CLI asks interactively instead). */
  acceptDataLoss?: boolean;
}

export interface MigrationStatus {
  /** Migration folders found on disk, oldest first. */
  local: string[];
  /** Migrations recorded as finished (and not rolled back) in `_prisma_migrations`. */
  applied: string[];
  /** On disk but not applied yet. */
  pending: string[];
  /** Recorded as failed in `_prisma_migrations`: fix by hand, then resolve. */
  failed: string[];
  /** Applied, but the file on disk has changed since (checksum mismatch). */
  edited: string[];
  /** Applied to the database but missing on disk. */
  missingLocally: string[];
  hasMigrationsTable: boolean;
  /** Every local migration applied, nothing failed, nothing diverging. */
  upToDate: boolean;
  /** With `{ diff: true }`: SQL the schema needs beyond the migrations (empty when none). */
  diff?: string;
}

/**
 * Applies pending migrations (`prisma migrate deploy`). Idempotent: a second run applies nothing.
 * Never creates migrations and never needs a shadow database.
 */
export async function deployMigrations(opts: MigrateOptions): Promise<{ applied: string[] }> {
  const started = Date.now();
  const applied = await withEngine(opts, async ({ engine, migrationsList, filters }) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters });
    return appliedMigrationNames;
  });
  report(opts, applied, started);
  return { applied };
}

/**
 * `prisma migrate dev --name <name>`: applies pending migrations, diffs the migration history
 * (replayed on a temporary shadow database) against the schema, writes a new migration folder when
 * they differ, and applies it. Returns the new folder, or null when the schema had no change.
 */
export async function createMigration(
  opts: CreateMigrationOptions,
): Promise<{ directory: string | null; applied: string[]; warnings: string[] }> {
  const started = Date.now();
  const migrationName = slugify(opts.name);
  if (!migrationName) throw new Error(`invalid migration name ${JSON.stringify(opts.name)}`);

  return withEngine(opts, async ({ engine, migrationsList, filters, schema, migrationsDir }) => {
    // devDiagnostic checks the database for drift by replaying its applied migrations on a shadow
    // database, and caches the resulting schema. evaluateDataLoss and createMigration get no
    // shadow database in the wasm engine: they only read that cache ("PostgreSQL shadow DB must be
    // provided through an external factory" otherwise), keyed by the applied history.
    const diagnose = async () => {
      const { action } = await engine.devDiagnostic({ migrationsList, filters });
      if (action.tag === 'reset') {
        throw new Error(
          `The database cannot take new migrations without a reset: ${action.reason}\n` +
            'Nothing was changed. Drop and recreate the development database (all data is lost), then run again.',
        );
      }
    };
    await diagnose();
    const applied = (await engine.applyMigrations({ migrationsList, filters })).appliedMigrationNames;
    // Pending migrations just applied changed the history: cache the schema of the new one.
    if (applied.length > 0) await diagnose();

    const loss = await engine.evaluateDataLoss({ migrationsList, schema, filters });
    // Like the CLI: a draft (createOnly) may contain steps to fix by hand before applying.
    if (loss.unexecutableSteps.length > 0 && !opts.createOnly) {
      throw new Error(`The migration cannot be applied:\n${loss.unexecutableSteps.map((s) => `  • ${s.message}`).join('\n')}`);
    }
    const warnings = loss.warnings.map((w) => w.message);
    if (warnings.length > 0 && !opts.acceptDataLoss) {
      throw new Error(
        `The migration would lose data (no migration created; pass acceptDataLoss to proceed):\n${warnings.map((w) => `  • ${w}`).join('\n')}`,
      );
    }

    // draft: with createOnly, write the folder even without schema changes (for hand-written SQL).
    const created = await engine.createMigration({ migrationName, draft: opts.createOnly ?? false, migrationsList, schema, filters });
    if (created.migrationScript === null) {
      report(opts, applied, started);
      opts.log?.('No schema change: no migration created.');
      return { directory: null, applied, warnings };
    }

    const directory = path.join(migrationsDir, created.generatedMigrationName);
    await writeMigration(migrationsDir, migrationsList, created.generatedMigrationName, created.extension, created.migrationScript, created.connectorType);
    opts.log?.(`Created ${path.relative(process.cwd(), directory) || directory}`);
    if (opts.createOnly) return { directory, applied, warnings };

    // Apply with a freshly read list, so the engine sees exactly the file we wrote.
    const fresh = await listMigrations(migrationsDir);
    const more = (await engine.applyMigrations({ migrationsList: fresh, filters })).appliedMigrationNames;
    const all = [...applied, ...more];
    report(opts, all, started);
    return { directory, applied: all, warnings };
  });
}

/** `prisma migrate status`, as data. With `diff: true` also reports unmigrated schema changes. */
export async function migrationStatus(opts: MigrateOptions & { diff?: boolean }): Promise<MigrationStatus> {
  return withEngine(opts, async ({ engine, migrationsList, filters, pool, schema }) => {
    const diagnosis: DiagnoseMigrationHistoryOutput = await engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters,
    });
    const local = migrationsList.migrationDirectories.map((d) => d.path);
    const history = diagnosis.history;
    const pending =
      history?.diagnostic === 'databaseIsBehind' || history?.diagnostic === 'historiesDiverge' ? history.unappliedMigrationNames : [];
    const missingLocally =
      history?.diagnostic === 'migrationsDirectoryIsBehind' || history?.diagnostic === 'historiesDiverge'
        ? history.unpersistedMigrationNames
        : [];
    const applied = diagnosis.hasMigrationsTable ? await readAppliedMigrations(pool) : [];
    const status: MigrationStatus = {
      local,
      applied,
      pending: diagnosis.hasMigrationsTable ? pending : local,
      failed: diagnosis.failedMigrationNames,
      edited: diagnosis.editedMigrationNames,
      missingLocally,
      hasMigrationsTable: diagnosis.hasMigrationsTable,
      upToDate: history === null && diagnosis.failedMigrationNames.length === 0 && (diagnosis.hasMigrationsTable || local.length === 0),
    };
    if (opts.diff) status.diff = await diffMigrationsToSchema(engine, migrationsList, schema, filters);
    return status;
  });
}

/**
 * SQL that would bring the migration history up to the schema: what `createMigration` would write
 * next. Empty string when the migrations already match the schema. Uses a shadow database.
 */
export async function diffSchema(opts: MigrateOptions): Promise<{ changed: boolean; script: string }> {
  return withEngine(opts, async ({ engine, migrationsList, schema, filters }) => {
    const script = await diffMigrationsToSchema(engine, migrationsList, schema, filters);
    return { changed: script !== '', script };
  });
}

/** Reads the migrations folder the way the Prisma CLI does (packages/migrate listMigrations). */
export async function listMigrations(migrationsDir: string): Promise<MigrationList> {
  const lockfilePath = 'migration_lock.toml';
  const lockfileContent = await readFile(path.join(migrationsDir, lockfilePath), 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const migrationDirectories: MigrationDirectory[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const file = 'migration.sql';
    const content = await readFile(path.join(migrationsDir, entry.name, file), 'utf8').then(
      (value) => ({ tag: 'ok' as const, value }),
      (err: Error) => ({ tag: 'error' as const, value: err.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: file, content } });
  }
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfilePath, content: lockfileContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

// ---------------------------------------------------------------------------------------------
// Engine session: engine + main pool + shadow databases, all released in `finally`.

interface EngineSession {
  engine: SchemaEngine;
  migrationsList: MigrationList;
  migrationsDir: string;
  schema: SchemasContainer;
  filters: SchemaFilter;
  /** The main database's pool (already patched); for plain reads the engine has no method for. */
  pool: pg.Pool;
}

// No externally managed tables or enums (prisma.config.ts has no tables/enums.external).
const noFilters: SchemaFilter = { externalTables: [], externalEnums: [] };

async function withEngine<T>(opts: MigrateOptions, run: (session: EngineSession) => Promise<T>): Promise<T> {
  if (!opts.databaseUrl || !URL.canParse(opts.databaseUrl)) {
    throw new Error('databaseUrl must be a URL like postgresql://user:password@host:5432/database');
  }
  const schemaParam = new URL(opts.databaseUrl).searchParams.get('schema');
  if (schemaParam && schemaParam !== 'public') {
    // The engine would still write into the search_path (public) while reading `schemaParam`, and
    // the app's client (lib/db.ts) ignores the parameter too: refuse rather than half-work.
    throw new Error(`?schema=${schemaParam} in the database URL is not supported: use a database of its own (schema "public").`);
  }
  const schemaPath = path.resolve(opts.schemaPath ?? defaultSchemaPath);
  const migrationsDir = path.resolve(opts.migrationsDir ?? defaultMigrationsDir);
  const schemaText = await readFile(schemaPath, 'utf8');
  const migrationsList = await listMigrations(migrationsDir);
  const glue = await loadEngine();

  // idleTimeoutMillis 0: the engine holds a session-level advisory lock on one pooled connection
  // for the whole operation; it must not be closed for idling. pool.end() below closes it.
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, idleTimeoutMillis: 0 });
  reportCatalogTypesAsText(pool);
  pool.on('error', (err) => opts.log?.(`postgres pool error: ${err.message}`));
  const shadows = new ShadowDatabases(pool, opts.databaseUrl);
  const factory = adapterFactory(pool, shadows);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);

  // The engine's timers are unref'd (see loadEngine); this ref'd interval keeps a script that has
  // nothing else to do alive while an operation is in flight. Cleared in `finally`.
  const keepAlive = setInterval(() => {}, 60_000);
  let engine: SchemaEngine | undefined;
  try {
    engine = await glue.SchemaEngine.new({ datamodels: [[schemaPath, schemaText]] }, engineLogger(opts.log), bound);
    return await run({
      engine,
      migrationsList,
      migrationsDir,
      schema: { files: [{ path: schemaPath, content: schemaText }] },
      filters: noFilters,
      pool,
    });
  } catch (err) {
    throw toReadableError(err, bound.errorRegistry);
  } finally {
    engine?.free();
    await shadows.dropAll().catch((err: Error) => opts.log?.(`could not drop shadow database: ${err.message}`));
    await pool.end().catch(() => undefined);
    clearInterval(keepAlive);
  }
}

/**
 * Our adapter factory: the official PrismaPg on a pool we own, except for the shadow database,
 * which we create and drop ourselves (workaround: PrismaPg drops it before closing its pool, and
 * PostgreSQL refuses "database is being accessed by other users").
 */
function adapterFactory(pool: pg.Pool, shadows: ShadowDatabases): SqlMigrationAwareDriverAdapterFactory {
  const options = { schema: 'public' };
  const main = new PrismaPg(pool, options);
  return {
    provider: 'postgres',
    adapterName: main.adapterName,
    connect: async () => wholeScripts(await main.connect()),
    connectToShadowDb: async () => {
      const shadow = await shadows.create();
      const adapter = wholeScripts(await new PrismaPg(shadow.pool, options).connect());
      const dispose = adapter.dispose.bind(adapter);
      // Close our pool first, then drop the database: the order PostgreSQL needs.
      adapter.dispose = async () => {
        await dispose();
        await shadows.drop(shadow);
      };
      return adapter;
    },
  };
}

/**
 * PrismaPg's executeScript splits scripts on every `;`, which breaks migrations with `;` inside
 * strings, comments or function bodies. The native engine sends the whole script in one simple
 * query (implicitly one transaction); executeRaw without parameters does exactly that through pg,
 * and keeps PrismaPg's error mapping.
 */
function wholeScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  adapter.executeScript = async (script: string) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

interface ShadowDatabase {
  name: string;
  pool: pg.Pool;
  dropped: boolean;
}

/** Shadow databases created during one operation; whatever the engine did not dispose is dropped at the end. */
class ShadowDatabases {
  private readonly live = new Set<ShadowDatabase>();

  constructor(
    private readonly admin: pg.Pool,
    private readonly databaseUrl: string,
  ) {}

  async create(): Promise<ShadowDatabase> {
    const name = `prisma_migrate_shadow_db_${randomUUID()}`;
    await this.admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    // Built from host/port/user/password/database, not a connection string: pg lets a
    // connection string's database win over a `database` override.
    const pool = new pg.Pool({ ...connectionFields(this.databaseUrl), database: name, idleTimeoutMillis: 0 });
    reportCatalogTypesAsText(pool);
    pool.on('error', () => undefined); // the database is about to be dropped anyway
    const shadow = { name, pool, dropped: false };
    this.live.add(shadow);
    return shadow;
  }

  async drop(shadow: ShadowDatabase): Promise<void> {
    if (shadow.dropped) return;
    shadow.dropped = true;
    this.live.delete(shadow);
    await shadow.pool.end().catch(() => undefined);
    await this.admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(shadow.name)}`);
  }

  async dropAll(): Promise<void> {
    for (const shadow of [...this.live]) await this.drop(shadow);
  }
}

/**
 * Workaround for prisma/orm#27403: PrismaPg cannot map result columns of the catalog types
 * `"char"` (OID 18) and `name` (OID 19), which the engine's introspection queries return.
 * pg has already parsed their values as strings, so we relabel the columns as `text` (OID 25)
 * on every connection of our own pools.
 */
function reportCatalogTypesAsText(pool: pg.Pool): void {
  const relabel = (result: unknown): unknown => {
    for (const r of Array.isArray(result) ? result : [result]) {
      const fields = (r as { fields?: Array<{ dataTypeID: number }> } | undefined)?.fields;
      for (const field of fields ?? []) if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
    return result;
  };
  pool.on('connect', (client) => {
    type Query = (...args: unknown[]) => unknown;
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (...args: unknown[]) => {
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        // pool.query() calls client.query(config, values, callback).
        args[args.length - 1] = (err: unknown, res: unknown) => (callback as (e: unknown, r: unknown) => void)(err, err ? res : relabel(res));
        return query(...args);
      }
      const ret = query(...args);
      return isThenable(ret) ? ret.then(relabel) : ret;
    };
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

// ---------------------------------------------------------------------------------------------
// Loading the wasm engine.

type Glue = typeof EngineGlue;

// Node has WebAssembly; the project's TypeScript lib (ES2022, no DOM) does not declare it.
interface WasmModuleObject {
  readonly __brand: 'WebAssembly.Module';
}
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModuleObject>;
  instantiate(module: WasmModuleObject, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
  Module: { imports(module: WasmModuleObject): Array<{ module: string; name: string; kind: string }> };
};

let enginePromise: Promise<Glue> | undefined;

/**
 * Loads the engine once per process (compiling 5 MB of wasm takes a moment).
 *
 * The package is ESM-only and imports its .wasm directly, which Node only allows behind a flag,
 * and jest (CommonJS, node_modules untransformed) cannot load it at all. So we read its
 * wasm-bindgen JS glue as text, evaluate it in the current realm (the glue checks
 * `instanceof Promise`/`Uint8Array` on values from the adapter, so it must share our realm, which
 * rules out `vm` and native `require(esm)` under jest), and instantiate the wasm by hand as the
 * notes describe.
 */
function loadEngine(): Promise<Glue> {
  enginePromise ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = evaluateGlue(await readFile(gluePath, 'utf8'));
    const module = await WebAssembly.compile(await readFile(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm')));
    const imports: Record<string, unknown> = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      const value = glue[name];
      if (from !== './schema_engine_bg.js' || value === undefined) {
        throw new Error(`@prisma/schema-engine-wasm: unexpected wasm import ${from}#${name} (was the package upgraded?)`);
      }
      // The engine starts a 10 s timer per advisory lock and never clears it, which would keep
      // node alive 10 s after we are done; unref'd timers still fire, they just don't hold the
      // process (withEngine keeps it alive while an operation runs).
      imports[name] = name.startsWith('__wbg_setTimeout_') ? unrefTimers(value as (...args: unknown[]) => unknown) : value;
    }
    const instance = await WebAssembly.instantiate(module, { './schema_engine_bg.js': imports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  enginePromise.catch(() => (enginePromise = undefined)); // let a later call retry
  return enginePromise;
}

/** Turns the glue's top-level `export function|class X` into locals and returns them as an object. */
function evaluateGlue(source: string): Glue & Record<string, unknown> {
  const names: string[] = [];
  const body = source.replace(/^export (function|class) ([\w$]+)/gm, (_match, kind: string, name: string) => {
    names.push(name);
    return `${kind} ${name}`;
  });
  if (/^(export|import)\s/m.test(body) || !names.includes('SchemaEngine') || !names.includes('__wbg_set_wasm')) {
    throw new Error('@prisma/schema-engine-wasm: unexpected shape of schema_engine_bg.js (was the package upgraded?)');
  }
  const factory = new Function(`'use strict';\n${body}\nreturn { ${names.join(', ')} };`) as () => Glue & Record<string, unknown>;
  return factory();
}

function unrefTimers(setTimeoutImport: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const timer = setTimeoutImport(...args);
    (timer as { unref?: () => void } | null)?.unref?.();
    return timer;
  };
}

/** The engine logs JSON lines (tracing); pass on warnings and errors, drop the INFO chatter. */
function engineLogger(log: MigrateOptions['log']): (line: string) => void {
  return (line: string) => {
    if (!log) return;
    try {
      const entry = JSON.parse(line) as { level?: string; fields?: { message?: string } };
      if (entry.level === 'WARN' || entry.level === 'ERROR') log(`schema engine ${entry.level}: ${entry.fields?.message ?? line}`);
    } catch {
      log(`schema engine: ${line}`);
    }
  };
}

/**
 * When an adapter call throws something that is not a database error (e.g. our CREATE DATABASE
 * for the shadow database is refused), the engine only reports "External error id#N"; the error
 * itself waits in the adapter's registry. Put its message next to the engine's context.
 */
function toReadableError(err: unknown, registry: { consumeError(id: number): { error: unknown } | undefined }): unknown {
  if (!(err instanceof Error)) return err;
  const id = /External error id#(\d+)/.exec(err.message)?.[1];
  const original = id === undefined ? undefined : registry.consumeError(Number(id))?.error;
  if (original === undefined) return err;
  const detail = original instanceof Error ? original.message : String(original);
  const context = err.message.split('\n')[0];
  return Object.assign(new Error(`${context}: ${detail}`, { cause: original }), { name: err.name });
}

// ---------------------------------------------------------------------------------------------
// Helpers.

async function diffMigrationsToSchema(engine: SchemaEngine, migrationsList: MigrationList, schema: SchemasContainer, filters: SchemaFilter): Promise<string> {
  // Without any migration (and so without migration_lock.toml) the engine cannot tell the
  // connector from the folder: diff from an empty database instead, which is the same thing.
  const empty = migrationsList.migrationDirectories.length === 0 && migrationsList.lockfile.content === null;
  const { stdout } = await engine.diff({
    from: empty ? { tag: 'empty' } : { tag: 'migrations', ...migrationsList },
    to: { tag: 'schemaDatamodel', ...schema },
    script: true,
    exitCode: null,
    filters,
  });
  const script = stdout ?? '';
  // An empty diff script is just a comment line.
  return /^\s*(--[^\n]*\n?\s*)*$/.test(script) ? '' : script;
}

async function readAppliedMigrations(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.migration_name);
}

async function writeMigration(
  migrationsDir: string,
  list: MigrationList,
  name: string,
  extension: string,
  script: string,
  connectorType: string,
): Promise<void> {
  // Same files, same content as the Prisma CLI (packages/migrate utils/createMigration.ts).
  const directory = path.join(migrationsDir, name);
  if (existsSync(directory)) throw new Error(`The migration directory already exists at ${directory}`);
  await mkdir(directory, { recursive: true, mode: 0o777 });
  await writeFile(path.join(directory, `migration.${extension}`), script, 'utf8');
  const lockfile = `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${connectorType}"\n`;
  if (list.lockfile.content !== lockfile) await writeFile(path.join(migrationsDir, list.lockfile.path), lockfile, 'utf8');
}

/** Like the CLI's slugify(name, { separator: '_' }), for ASCII-ish names. */
function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z\d]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
}

function report(opts: MigrateOptions, applied: string[], started: number): void {
  const ms = Date.now() - started;
  opts.log?.(applied.length ? `Applied ${applied.length} migration(s) in ${ms} ms: ${applied.join(', ')}` : `No pending migrations (${ms} ms).`);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** host/port/user/password (+ ssl) of a postgres URL, for pools whose database we choose. */
function connectionFields(databaseUrl: string): pg.PoolConfig {
  const url = new URL(databaseUrl);
  const params = url.searchParams;
  const sslmode = params.get('sslmode');
  const ssl = params.get('ssl');
  return {
    // `?host=/run/postgresql` selects a unix socket directory, as in libpq.
    host: params.get('host') ?? (decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost'),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    ssl: sslmode === 'require' || sslmode === 'verify-ca' || sslmode === 'verify-full' || ssl === 'true' || ssl === '1' ? true : undefined,
  };
}
