import { type AnyRoute, route } from '../http/route';
import { ZCalendarChange, ZCalendarDayRequest, ZCalendarQuery, ZCalendarYear, ZDateParams } from './schemas';
import type { CalendarService } from './service';

/** The working-day calendar (see the service): everyone reads it, admins change it. */
export function calendarRoutes(service: CalendarService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/calendar',
      tag: 'calendar',
      summary: '工作日历（与周一至周五规则不同的日子）/ the working-day calendar exceptions of a year',
      auth: 'user',
      query: ZCalendarQuery,
      success: { status: 200, description: 'the year', schema: ZCalendarYear },
      handler: ({ actor, query }) => service.year(actor, query),
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
      handler: ({ actor, params, body, req }) => service.setDay(actor, params.date, body, String(req.id)),
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
      handler: ({ actor, params, req }) => service.removeDay(actor, params.date, String(req.id)),
    }),
  ];
}
