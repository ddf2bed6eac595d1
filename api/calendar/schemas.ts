import { z } from 'zod';

export const ZDateParams = z.strictObject({ date: z.iso.date().refine((d) => !d.startsWith('0000-'), 'year 0000 does not exist') });
export const ZDayKind = z.enum(['holiday', 'workday']);
export const ZCalendarDayRequest = z.strictObject({ kind: ZDayKind, name: z.string().trim().min(1).max(50) });
export type TCalendarDayRequest = z.infer<typeof ZCalendarDayRequest>;
export const ZCalendarQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(2100) });
export type TCalendarQuery = z.infer<typeof ZCalendarQuery>;

export const kindLabels = { holiday: '放假', workday: '调休上班' } as const;

export const ZCalendarDay = z.object({ date: z.string(), kind: ZDayKind, kindLabel: z.string(), name: z.string(), source: z.enum(['package', 'admin']) });
/** What the caller may do with the calendar (admins change days; everyone else reads). */
export const ZCalendarAction = z.enum(['set_day', 'remove_day']);
export const ZCalendarYear = z.object({ version: z.number(), days: z.array(ZCalendarDay), allowedActions: z.array(ZCalendarAction) });
export const ZCalendarChange = z.object({ version: z.number(), recomputed: z.object({ checked: z.number(), moved: z.number() }) });
export type TCalendarChange = z.infer<typeof ZCalendarChange>;
