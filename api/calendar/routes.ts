import { z } from 'zod';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import { type AnyRoute, route } from '../http/route';
import { type Actor, policy } from '../policy';
import type { TaskService } from '../tasks/service';

const ZDateParams = z.strictObject({ date: z.iso.date().refine((d) => !d.startsWith('0000-'), 'year 0000 does not exist') });
const ZDayKind = z.enum(['holiday', 'workday']);
export const ZCalendarDayRequest = z.strictObject({ kind: ZDayKind, name: z.string().trim().min(1).max(50) });
const kindLabels = { holiday: '放假', workday: '调休上班' } as const;

const ZCalendarDay = z.object({ date: z.string(), kind: ZDayKind, kindLabel: z.string(), name: z.string(), source: z.enum(['package', 'admin']) });
const ZCalendarChange = z.object({ version: z.number(), recomputed: z.object({ checked: z.number(), moved: z.number() }) });

const present = (d: { date: Date; kind: 'holiday' | 'workday'; name: string; source: 'package' | 'admin' }) => ({
  date: d.date.toISOString().slice(0, 10),
  kind: d.kind,
  kindLabel: kindLabels[d.kind],
  name: d.name,
  source: d.source,
});

/**
 * The working-day calendar: days that differ from Monday–Friday. Admins add or correct days (the
 * next year's calendar is published each winter); every change bumps the calendar version and
 * recomputes the open working-day deadlines computed from an older one, and moves the review cycles'
 * run days (the first working day of a period).
 */
export function calendarRoutes(db: Db, tasks: TaskService, afterChange: () => Promise<void> = async () => {}): AnyRoute[] {
  const mustManage = (actor: Actor) => {
    if (!policy.manageCalendar(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅系统管理员可维护工作日历 / only an admin maintains the calendar');
  };
  /** Applies one change to a day, bumps the version, then moves the deadlines it affects. */
  async function change(actor: Actor, date: string, requestId: string, apply: (d: Date) => Promise<unknown>, after: object | null) {
    mustManage(actor);
    const day = new Date(date);
    await db.$transaction(async (tx) => {
      const before = await tx.calendarDay.findUnique({ where: { date: day } });
      await apply(day);
      await tx.calendarMeta.upsert({ where: { id: 1 }, create: { id: 1, version: 1 }, update: { version: { increment: 1 } } });
      await recordAudit(tx, { actor, action: 'calendar.change', targetType: 'calendar_day', targetId: date, before: before ? present(before) : null, after: after as never, requestId });
    });
    const recomputed = await tasks.recomputeWorkingDayDeadlines(actor, requestId);
    await afterChange();
    return { version: recomputed.version, recomputed: { checked: recomputed.checked, moved: recomputed.moved } };
  }

  return [
    route({
      method: 'get',
      path: '/api/calendar',
      tag: 'calendar',
      summary: '工作日历（与周一至周五规则不同的日子）/ the working-day calendar exceptions of a year',
      auth: 'user',
      query: z.strictObject({ year: z.coerce.number().int().min(2000).max(2100) }),
      success: { status: 200, description: 'the year', schema: z.object({ version: z.number(), days: z.array(ZCalendarDay) }) },
      async handler({ query }) {
        const [days, meta] = await Promise.all([
          db.calendarDay.findMany({ where: { date: { gte: new Date(`${query.year}-01-01`), lte: new Date(`${query.year}-12-31`) } }, orderBy: { date: 'asc' } }),
          db.calendarMeta.findUnique({ where: { id: 1 } }),
        ]);
        return { version: meta?.version ?? 0, days: days.map(present) };
      },
    }),
    route({
      method: 'put',
      path: '/api/calendar/days/{date}',
      tag: 'calendar',
      summary: '设置某日为放假或调休上班 / make a day a holiday or a working day',
      auth: 'user',
      params: ZDateParams,
      body: ZCalendarDayRequest,
      success: { status: 200, description: 'the new calendar version and the deadlines it moved', schema: ZCalendarChange },
      errors: [403],
      handler: ({ actor, params, body, req }) =>
        change(
          actor,
          params.date,
          String(req.id),
          (date) => db.calendarDay.upsert({ where: { date }, create: { date, ...body, source: 'admin' }, update: { ...body, source: 'admin' } }),
          { date: params.date, ...body, source: 'admin' },
        ),
    }),
    route({
      method: 'delete',
      path: '/api/calendar/days/{date}',
      tag: 'calendar',
      summary: '删除某日的例外（恢复周一至周五规则）/ remove a day’s exception',
      auth: 'user',
      params: ZDateParams,
      success: { status: 200, description: 'the new calendar version and the deadlines it moved', schema: ZCalendarChange },
      errors: [403, 404],
      async handler({ actor, params, req }) {
        mustManage(actor);
        if (!(await db.calendarDay.findUnique({ where: { date: new Date(params.date) } }))) throw new AppError(ErrorCode.NOT_FOUND, '该日无例外设置 / no exception on that day');
        return change(actor, params.date, String(req.id), (date) => db.calendarDay.delete({ where: { date } }), null);
      },
    }),
  ];
}
