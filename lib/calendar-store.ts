import { createRequire } from 'node:module';
import type { Db } from './db';
import { type CalendarException, WorkingCalendar } from '../domain/calendar';

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** Reads the calendar (its exceptions and version) from the database. */
export async function loadCalendar(db: Db): Promise<WorkingCalendar> {
  const [days, meta] = await Promise.all([db.calendarDay.findMany(), db.calendarMeta.findUnique({ where: { id: 1 } })]);
  const exceptions: CalendarException[] = days.map((d) => ({ date: d.date.toISOString().slice(0, 10), kind: d.kind }));
  return new WorkingCalendar(exceptions, meta?.version ?? 0);
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
    for (const [date, w] of changes) {
      await tx.calendarDay.upsert({
        where: { date: new Date(date) },
        create: { date: new Date(date), kind: w.kind, name: w.name, source: 'package' },
        update: { kind: w.kind, name: w.name },
      });
    }
    const meta = await tx.calendarMeta.upsert({
      where: { id: 1 },
      create: { id: 1, version: changes.length ? 1 : 0 },
      update: changes.length ? { version: { increment: 1 } } : {},
    });
    return { changed: changes.length, version: meta.version };
  });
}
