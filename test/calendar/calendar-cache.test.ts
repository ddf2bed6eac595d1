import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadCalendar, syncPackageCalendar } from '../../lib/calendar-store';
import { createDb, type Db } from '../../lib/db';
import { deployMigrations } from '../../scripts/lib/migrations';
import { testDatabaseUrl } from '../support/env';

/**
 * loadCalendar keeps the calendar it built per database client and rebuilds it only when the
 * calendar's state (version, number of days, latest change) differs. On a database of its own on
 * the test server: these changes bump the calendar version, which other test files read.
 */
describe('the working calendar, built once per calendar state', () => {
  const name = `calendar_cache_${randomBytes(4).toString('hex')}`;
  const admin = () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = '/postgres';
    return new pg.Client({ connectionString: url.toString() });
  };
  let db: Db; // the planning side (the worker)
  let other: Db; // another process (the API) changing the calendar
  let reads: jest.Mock;
  let reader: Parameters<typeof loadCalendar>[0];

  beforeAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const url = new URL(testDatabaseUrl());
    url.pathname = `/${name}`;
    await deployMigrations({ databaseUrl: url.toString() });
    db = createDb(url.toString());
    other = createDb(url.toString());
    await syncPackageCalendar(db);
    // The same client, its day reads counted.
    reads = jest.fn((args?: Parameters<Db['calendarDay']['findMany']>[0]) => db.calendarDay.findMany(args));
    reader = { calendarDay: { findMany: reads } as unknown as Db['calendarDay'], calendarMeta: db.calendarMeta, $queryRaw: db.$queryRaw.bind(db) };
  }, 120_000);
  afterAll(async () => {
    await db?.$disconnect();
    await other?.$disconnect();
    const c = admin();
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  });

  const bump = (tx: Pick<Db, 'calendarMeta'>) => tx.calendarMeta.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
  const monday = '2026-12-07';

  test('a second call reads no days: the same calendar, from one state query', async () => {
    const first = await loadCalendar(reader);
    const second = await loadCalendar(reader);
    expect(second).toBe(first);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(first.isWorkingDay('2026-10-01')).toBe(false); // National Day, from the package calendar
    expect(first.version).toBe(1);
  });

  test('a change committed by another client (day and version, as an admin edit does) is seen by the next call', async () => {
    const before = await loadCalendar(reader);
    expect(before.isWorkingDay(monday)).toBe(true);
    await other.$transaction(async (tx) => {
      await tx.calendarDay.create({ data: { date: new Date(monday), kind: 'holiday', name: '测试假日', source: 'admin' } });
      await bump(tx);
    });
    const after = await loadCalendar(reader);
    expect(after.isWorkingDay(monday)).toBe(false);
    expect(after.version).toBe(before.version + 1);
    expect(await loadCalendar(reader)).toBe(after);
  });

  test('so is a day removed, and a day corrected in place', async () => {
    await other.$transaction(async (tx) => {
      await tx.calendarDay.update({ where: { date: new Date(monday) }, data: { kind: 'workday' } });
      await bump(tx);
    });
    expect((await loadCalendar(reader)).isWorkingDay(monday)).toBe(true);
    await other.$transaction(async (tx) => {
      await tx.calendarDay.update({ where: { date: new Date(monday) }, data: { kind: 'holiday' } });
      await bump(tx);
    });
    expect((await loadCalendar(reader)).isWorkingDay(monday)).toBe(false);
    await other.$transaction(async (tx) => {
      await tx.calendarDay.delete({ where: { date: new Date(monday) } });
      await bump(tx);
    });
    expect((await loadCalendar(reader)).isWorkingDay(monday)).toBe(true);
  });

  test('and so are days written without a version bump (as the Spring Festival test enters 2027)', async () => {
    const before = await loadCalendar(reader);
    await other.calendarDay.createMany({ data: [{ date: new Date('2027-02-08'), kind: 'holiday', name: '春节', source: 'admin' }] });
    const after = await loadCalendar(reader);
    expect(after).not.toBe(before);
    expect(after.isWorkingDay('2027-02-08')).toBe(false);
    expect(after.version).toBe(before.version);
  });
});
