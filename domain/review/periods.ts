/**
 * Review periods (周 / 月 / 季 / 年) in the office's time zone, and when a cycle runs: at its time
 * on the first working day of a period, reviewing the period that has just ended.
 */
import type { CalendarSpec, DayOfWeek, Month } from '@temporalio/client';
import { localDate, type WorkingCalendar, zonedInstant } from '../calendar';

export type PeriodKind = 'weekly' | 'monthly' | 'quarterly' | 'annual';

export interface Period {
  kind: PeriodKind;
  /** 2026-W43, 2026-10, 2026-Q3, 2026 */
  key: string;
  /** 2026年10月, 2026年第三季度 … */
  label: string;
  /** First local date of the period (YYYY-MM-DD). */
  startDate: string;
  /** First local date after the period. */
  endDate: string;
}

const DAY = 86_400_000;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const pad = (n: number) => String(n).padStart(2, '0');
const quarterNames = ['一', '二', '三', '四'];

/** Monday of the ISO week of a date, and that week's ISO year and number. */
function isoWeek(date: string): { monday: string; year: number; week: number } {
  const d = new Date(`${date}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = addDays(date, -weekday);
  const thursday = new Date(Date.parse(`${monday}T00:00:00Z`) + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return { monday, year, week };
}

/** The period of a kind that contains a local date. */
export function periodContaining(kind: PeriodKind, date: string): Period {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  switch (kind) {
    case 'weekly': {
      const w = isoWeek(date);
      return { kind, key: `${w.year}-W${pad(w.week)}`, label: `${w.year}年第${w.week}周`, startDate: w.monday, endDate: addDays(w.monday, 7) };
    }
    case 'monthly': {
      const next = month === 12 ? `${year + 1}-01-01` : `${year}-${pad(month + 1)}-01`;
      return { kind, key: `${year}-${pad(month)}`, label: `${year}年${month}月`, startDate: `${year}-${pad(month)}-01`, endDate: next };
    }
    case 'quarterly': {
      const q = Math.ceil(month / 3);
      const first = (q - 1) * 3 + 1;
      const next = q === 4 ? `${year + 1}-01-01` : `${year}-${pad(first + 3)}-01`;
      return { kind, key: `${year}-Q${q}`, label: `${year}年第${quarterNames[q - 1]}季度`, startDate: `${year}-${pad(first)}-01`, endDate: next };
    }
    case 'annual':
      return { kind, key: String(year), label: `${year}年度`, startDate: `${year}-01-01`, endDate: `${year + 1}-01-01` };
  }
}

export const previousPeriod = (p: Period): Period => periodContaining(p.kind, addDays(p.startDate, -1));

const keyPatterns: Record<PeriodKind, RegExp> = {
  weekly: /^(\d{4})-W(\d{2})$/,
  monthly: /^(\d{4})-(\d{2})$/,
  quarterly: /^(\d{4})-Q([1-4])$/,
  annual: /^(\d{4})$/,
};

/** The period a key names (2026-10, 2026-Q3 …), or null when the key is not one of this kind. */
export function parsePeriodKey(kind: PeriodKind, key: string): Period | null {
  const m = keyPatterns[kind].exec(key);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 2000 || year > 2100) return null;
  const n = Number(m[2] ?? 1);
  let date: string;
  switch (kind) {
    case 'weekly': {
      // The Monday of ISO week n: week 1 holds 4 January.
      const jan4 = `${year}-01-04`;
      date = addDays(isoWeek(jan4).monday, (n - 1) * 7);
      break;
    }
    case 'monthly':
      if (n < 1 || n > 12) return null;
      date = `${year}-${pad(n)}-01`;
      break;
    case 'quarterly':
      date = `${year}-${pad((n - 1) * 3 + 1)}-01`;
      break;
    case 'annual':
      date = `${year}-01-01`;
  }
  const p = periodContaining(kind, date);
  return p.key === key ? p : null;
}

/** Start (inclusive) and end (exclusive) instants of a period in a time zone. */
export const periodBounds = (p: Period, timeZone: string) => ({ start: zonedInstant(p.startDate, '00:00', timeZone), end: zonedInstant(p.endDate, '00:00', timeZone) });

/** The period a run at `at` reviews: the one before the period `at` falls in. */
export const reviewedPeriod = (kind: PeriodKind, at: Date, timeZone: string): Period => previousPeriod(periodContaining(kind, localDate(at, timeZone)));

/** The first working day of a period (the run day of the cycle that reviews the period before it). */
export function firstWorkingDay(p: Period, calendar: WorkingCalendar): string {
  let d = p.startDate;
  while (!calendar.isWorkingDay(d) && d < p.endDate) d = addDays(d, 1);
  return d;
}

const MONTHS: Month[] = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];
const startMonths: Record<Exclude<PeriodKind, 'weekly'>, Month[]> = {
  monthly: MONTHS,
  quarterly: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'],
  annual: ['JANUARY'],
};

/**
 * The Schedule's calendar spec for a cycle. Temporal cannot express "the first working day", so the
 * run days of the years around `today` are listed one by one from the official calendar (redone
 * at every start and calendar change); other years, where the official calendar may not be
 * published, use the Monday–Friday rule (the first weekday of the period).
 */
export function runCalendars(kind: PeriodKind, time: string, calendar: WorkingCalendar, today: string): CalendarSpec[] {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const year = Number(today.slice(0, 4));
  const exact: CalendarSpec[] = [];
  for (let p = periodContaining(kind, `${year - 1}-01-01`); Number(p.startDate.slice(0, 4)) <= year + 1; p = periodContaining(kind, p.endDate)) {
    if (kind !== 'weekly' && !startMonths[kind].includes(MONTHS[Number(p.startDate.slice(5, 7)) - 1]!)) continue;
    const d = firstWorkingDay(p, calendar);
    if (Math.abs(Number(d.slice(0, 4)) - year) > 1) continue; // the rule below covers it
    exact.push({ year: Number(d.slice(0, 4)), month: MONTHS[Number(d.slice(5, 7)) - 1]!, dayOfMonth: Number(d.slice(8, 10)), hour, minute, comment: `${p.label}首个工作日` });
  }
  const otherYears = [
    { start: 2000, end: year - 2 },
    { start: year + 2, end: 2100 },
  ];
  const weekdays: { start: DayOfWeek; end: DayOfWeek } = { start: 'MONDAY', end: 'FRIDAY' };
  const rule: CalendarSpec[] =
    kind === 'weekly'
      ? [{ year: otherYears, dayOfWeek: 'MONDAY', hour, minute, comment: '其他年份：每周一' }]
      : [
          { year: otherYears, month: startMonths[kind], dayOfMonth: 1, dayOfWeek: weekdays, hour, minute, comment: '其他年份：首日为工作日' },
          { year: otherYears, month: startMonths[kind], dayOfMonth: { start: 2, end: 3 }, dayOfWeek: 'MONDAY', hour, minute, comment: '其他年份：首日逢周末，顺延至周一' },
        ];
  return [...exact, ...rule];
}
