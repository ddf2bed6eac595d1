import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '../../lib/db';
import { testDatabaseUrl } from '../support/env';
import { createOrg } from '../support/org';

/**
 * Statements are prepared once per connection (lib/db.ts `statementNames`): PostgreSQL plans the
 * task read once instead of on every call. One connection per client here, so the session's
 * pg_prepared_statements shows what that client prepared; bulk inserts of varying size never are.
 */
describe('prepared statements', () => {
  const clients: Db[] = [];
  const client = (preparedStatements: boolean) => {
    const db = createDb(testDatabaseUrl(), { poolSize: 1, preparedStatements });
    clients.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.$disconnect()));
  });
  const prepared = (db: Db) => db.$queryRaw<{ name: string; statement: string }[]>`SELECT name, statement FROM pg_prepared_statements`;

  test('a read is prepared once and reused; a bulk insert is not prepared', async () => {
    const db = client(true);
    const org = await createOrg(db);
    const read = () => db.person.findUnique({ where: { id: org.people.office.id }, include: { unit: true } });
    await read();
    const after1 = await prepared(db);
    await read();
    await read();
    const after3 = await prepared(db);
    const reads = after3.filter((s) => s.statement.includes('"Person"') && s.statement.includes('"Unit"') && s.name.startsWith('rq_'));
    expect(reads).toHaveLength(1);
    // Reading again prepares nothing new for it.
    expect(after3.filter((s) => s.name === reads[0]!.name)).toHaveLength(1);
    expect(after3.length).toBeLessThanOrEqual(after1.length + 1); // at most the catalogue query itself
    // 400 rows in one INSERT: 8 KB of SQL and more, run unnamed.
    await db.unit.createMany({ data: Array.from({ length: 400 }, () => ({ id: randomUUID(), code: `PS-${randomUUID()}`, name: '批量单位', path: `/${org.units.bureau.id}/` })) });
    // (single-row inserts, as createOrg's, are prepared: they have at most 7 parameters)
    expect((await prepared(db)).filter((s) => /INSERT INTO "public"\."Unit"/.test(s.statement) && s.statement.includes('$8'))).toEqual([]);
    expect((await prepared(db)).some((s) => /INSERT INTO "public"\."Unit"/.test(s.statement))).toBe(true);
  });

  test('DATABASE_PREPARED_STATEMENTS=false: nothing is prepared', async () => {
    const db = client(false);
    const org = await createOrg(db);
    await db.person.findUnique({ where: { id: org.people.office.id }, include: { unit: true } });
    expect(await prepared(db)).toEqual([]);
  });
});
