import { createRequire } from 'node:module';
import type { Db } from './db';
import { Prisma } from '../generated/prisma/client';
import { type CalendarException, WorkingCalendar } from '../domain/calendar';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

type CalendarReader = Pick<Db, 'calendarDay' | 'calendarMeta' | '$queryRaw'>;

/** The last calendar built per database client, with the state it was built from. */
const built = new WeakMap<object, { state: string; calendar: WorkingCalendar }>();

/**
 * The calendar's state in one cheap statement: its version, and the number of days and the latest
 * change among them (a day written without a version bump, as a test or a hand edit may, still
 * counts as a change). Equal states mean equal calendars.
 */
export interface CalendarState {
  version: number;
  days: number;
  latest: Date | null;
}

/**
 * The calendar's state as a one-row subquery (columns version, days, latest), for a statement that
 * reads it along with other data and passes it to loadCalendar (activities' task mails).
 */
export const calendarStateSql = Prisma.sql`(SELECT coalesce((SELECT version FROM "CalendarMeta" WHERE id = 1), 0)::int AS version, count(*)::int AS days, max("updatedAt") AS latest FROM "CalendarDay")`;

const stateKey = (row: CalendarState | undefined) => `${row?.version ?? 0}:${row?.days ?? 0}:${row?.latest ? new Date(row.latest).getTime() : 0}`;

async function calendarState(db: CalendarReader): Promise<string> {
  const [row] = await db.$queryRaw<CalendarState[]>`SELECT * FROM ${calendarStateSql} AS state`;
  return stateKey(row);
}

/**
 * The working-day calendar (its exceptions and version) from the database. Every call asks the
 * calendar's state (one one-row statement, or none when the caller read it) and rebuilds the calendar only when that changed since
 * the last call on the same client: planning a task no longer reads the ≈ 770 days of the table,
 * and a calendar change, committed by any process, is seen by the next call. No time-based cache.
 */
export async function loadCalendar(db: CalendarReader, known?: CalendarState): Promise<WorkingCalendar> {
  // A state the caller has just read (calendarStateSql) saves the state query.
  const state = known ? stateKey(known) : await calendarState(db);
  const hit = built.get(db);
  if (hit?.state === state) return hit.calendar;
  const [days, meta] = await Promise.all([db.calendarDay.findMany(), db.calendarMeta.findUnique({ where: { id: 1 } })]);
  const exceptions: CalendarException[] = days.map((d) => ({ date: d.date.toISOString().slice(0, 10), kind: d.kind }));
  const calendar = new WorkingCalendar(exceptions, meta?.version ?? 0);
  // Should a change land between the two reads, the next call sees another state and rebuilds.
  built.set(db, { state, calendar });
  return calendar;
}

/**
 * Loads the official calendar shipped by the `chinese-days` package into the database, keeping
 * every day an admin added or corrected. Idempotent; the version increases only when a day changed.
 */
export async function syncPackageCalendar(db: Db): Promise<{ changed: number; version: number }> {
  const data = createRequire(__filename)('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const wanted = new Map<string, { kind: 'holiday' | 'workday'; name: string }>();
  for (const [date, name] of Object.entries(data.holidays)) wanted.set(date, { kind: 'holiday', name: name.split(',')[1] ?? name });
  for (const [date, name] of Object.entries(data.workdays)) wanted.set(date, { kind: 'workday', name: `${name.split(',')[1] ?? name}调休` });
  return db.$transaction(async (tx) => {
    const existing = new Map((await tx.calendarDay.findMany()).map((d) => [d.date.toISOString().slice(0, 10), d]));
    const changes = [...wanted].filter(([date, w]) => {
      const have = existing.get(date);
      return !have || (have.source === 'package' && (have.kind !== w.kind || have.name !== w.name));
    });
    // New days in one statement (a fresh database gets ≈ 770 at once: one upsert each took over
    // the transaction's 5 s on a loaded 2-core machine); days the package corrected one by one.
    const added = changes.filter(([date]) => !existing.has(date));
    if (added.length) await tx.calendarDay.createMany({ data: added.map(([date, w]) => ({ date: new Date(date), kind: w.kind, name: w.name, source: 'package' as const })) });
    for (const [date, w] of changes.filter(([d]) => existing.has(d))) {
      await tx.calendarDay.update({ where: { date: new Date(date) }, data: { kind: w.kind, name: w.name } });
    }
    const meta = await tx.calendarMeta.upsert({
      where: { id: 1 },
      create: { id: 1, version: changes.length ? 1 : 0 },
      update: changes.length ? { version: { increment: 1 } } : {},
    });
    return { changed: changes.length, version: meta.version };
  }, { timeout: 30_000 });
}
