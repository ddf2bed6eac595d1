import type { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { type Actor, policy } from '../policy';
import { kindLabels, type TCalendarChange, type TCalendarDayRequest, type TCalendarQuery } from './schemas';

export interface CalendarServiceDeps {
  db: Db;
  /** Moves the open working-day deadlines computed from an older calendar version (the task service's). */
  recomputeWorkingDayDeadlines(actor: Actor, requestId?: string): Promise<{ checked: number; moved: number; version: number }>;
  /** After a change: the review cycles' run days (the first working day of a period) follow. */
  afterChange?: () => Promise<void>;
}

export type CalendarService = ReturnType<typeof createCalendarService>;

type DayRow = { date: Date; kind: 'holiday' | 'workday'; name: string; source: 'package' | 'admin' };
const present = (d: DayRow) => ({
  date: d.date.toISOString().slice(0, 10),
  kind: d.kind,
  kindLabel: kindLabels[d.kind],
  name: d.name,
  source: d.source,
});

const mustManage = (actor: Actor) => {
  if (!policy.manageCalendar(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅系统管理员可维护工作日历 / only an admin maintains the calendar');
};
const noException = () => new AppError(ErrorCode.NOT_FOUND, '该日无例外设置 / no exception on that day');

/**
 * Serialises calendar changes across API replicas: the one version row, created if missing and
 * locked until the transaction ends. Returns the version as it is.
 */
async function lockVersion(tx: Prisma.TransactionClient): Promise<number> {
  await tx.$executeRaw`INSERT INTO "CalendarMeta" (id, version, "updatedAt") VALUES (1, 0, now()) ON CONFLICT (id) DO NOTHING`;
  const [row] = await tx.$queryRaw<{ version: number }[]>`SELECT version FROM "CalendarMeta" WHERE id = 1 FOR UPDATE`;
  return row!.version;
}

/**
 * The working-day calendar: days that differ from Monday–Friday. Admins add or correct days (the
 * next year's calendar is published each winter); every change bumps the calendar version and
 * recomputes the open working-day deadlines computed from an older one, and moves the review cycles'
 * run days (the first working day of a period).
 *
 * One effect per action: each change takes the version row's lock, so concurrent changes apply one
 * after the other; setting a day to what it already is changes nothing (no new version, no audit
 * event, nothing recomputed: the answer is the current version and `recomputed` 0/0), and removing
 * an exception that is already gone is 404.
 */
export function createCalendarService(deps: CalendarServiceDeps) {
  const { db } = deps;

  /** After a committed change: moves the deadlines it affects and the review cycles' run days. */
  async function followChange(actor: Actor, requestId?: string): Promise<TCalendarChange> {
    const recomputed = await deps.recomputeWorkingDayDeadlines(actor, requestId);
    await deps.afterChange?.();
    return { version: recomputed.version, recomputed: { checked: recomputed.checked, moved: recomputed.moved } };
  }

  return {
    async year(actor: Actor, query: TCalendarQuery) {
      const [days, meta] = await Promise.all([
        db.calendarDay.findMany({ where: { date: { gte: new Date(`${query.year}-01-01`), lte: new Date(`${query.year}-12-31`) } }, orderBy: { date: 'asc' } }),
        db.calendarMeta.findUnique({ where: { id: 1 } }),
      ]);
      return { version: meta?.version ?? 0, days: days.map(present), allowedActions: policy.manageCalendar(actor) ? (['set_day', 'remove_day'] as const) : [] };
    },

    async setDay(actor: Actor, date: string, body: TCalendarDayRequest, requestId?: string): Promise<TCalendarChange> {
      mustManage(actor);
      const day = new Date(date);
      const outcome = await db.$transaction(async (tx) => {
        const version = await lockVersion(tx);
        const before = await tx.calendarDay.findUnique({ where: { date: day } });
        if (before && before.kind === body.kind && before.name === body.name && before.source === 'admin') return { changed: false as const, version };
        await tx.calendarDay.upsert({ where: { date: day }, create: { date: day, ...body, source: 'admin' }, update: { ...body, source: 'admin' } });
        await tx.calendarMeta.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
        await recordAudit(tx, { actor, action: 'calendar.change', targetType: 'calendar_day', targetId: date, before: before ? present(before) : null, after: { date, ...body, source: 'admin' }, requestId });
        return { changed: true as const };
      });
      if (!outcome.changed) return { version: outcome.version, recomputed: { checked: 0, moved: 0 } };
      return followChange(actor, requestId);
    },

    async removeDay(actor: Actor, date: string, requestId?: string): Promise<TCalendarChange> {
      mustManage(actor);
      const day = new Date(date);
      await db.$transaction(async (tx) => {
        await lockVersion(tx);
        const before = await tx.calendarDay.findUnique({ where: { date: day } });
        if (!before) throw noException();
        await tx.calendarDay.delete({ where: { date: day } });
        await tx.calendarMeta.update({ where: { id: 1 }, data: { version: { increment: 1 } } });
        await recordAudit(tx, { actor, action: 'calendar.change', targetType: 'calendar_day', targetId: date, before: present(before), after: null, requestId });
      });
      return followChange(actor, requestId);
    },
  };
}
