/**
 * What every mail shows the same way: escaped HTML, instants in the office's time zone, and how far
 * away or overdue a deadline is ("还剩 3 个工作日" / "还剩 45 分钟" / "已逾期 2 天"), in one place.
 */
import { localDate, type WorkingCalendar } from '../../domain/calendar';

/** The one HTML escaper of the mails: text and attribute values alike. */
export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];

function parts(d: Date, timeZone: string) {
  const p = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', weekday: 'short' })
    .formatToParts(d)
    .reduce<Record<string, string>>((acc, x) => ({ ...acc, [x.type]: x.value }), {});
  const date = localDate(d, timeZone);
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), time: `${p.hour}:${p.minute}`, weekday: new Date(`${date}T00:00:00Z`).getUTCDay() };
}

/** 2026年12月5日（星期六）18:00 — an instant in the office's time zone. */
export function formatInstantZh(d: Date, timeZone: string): string {
  const p = parts(d, timeZone);
  return `${p.year}年${p.month}月${p.day}日（${WEEKDAYS_ZH[p.weekday]}）${p.time}`;
}

/** 12月5日 18:00 — the short form, for subjects and list rows. */
export function formatShortZh(d: Date, timeZone: string): string {
  const p = parts(d, timeZone);
  return `${p.month}月${p.day}日 ${p.time}`;
}

/** 12月5日 — a day, for list rows. */
export function formatDayZh(d: Date, timeZone: string): string {
  const p = parts(d, timeZone);
  return `${p.month}月${p.day}日`;
}

/** 2026年12月2日 — a date, as an official document dates itself (成文日期). */
export function formatDateZh(d: Date, timeZone: string): string {
  const p = parts(d, timeZone);
  return `${p.year}年${p.month}月${p.day}日`;
}

/** Sat 5 Dec 2026, 18:00 (Asia/Shanghai) */
export function formatInstantEn(d: Date, timeZone: string): string {
  const s = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
  return `${s} (${timeZone})`;
}

export interface RelativeTime {
  /** 还剩 3 个工作日 / 还剩 45 分钟 / 已逾期 2 天 */
  zh: string;
  /** 3 working days left / 45 minutes left / 2 days overdue */
  en: string;
  overdue: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * How far away (or overdue) a deadline is, seen at `now`: minutes under an hour, hours under a day,
 * then working days on the official calendar (days when no calendar is given, or none is left
 * before a deadline that falls on a rest day). Overdue time counts in minutes, hours, then days.
 */
export function relativeTime(deadline: Date, now: Date, opts: { timeZone: string; calendar?: WorkingCalendar }): RelativeTime {
  const ms = deadline.getTime() - now.getTime();
  if (ms > 0) {
    if (ms < HOUR) {
      const m = Math.max(1, Math.ceil(ms / MINUTE));
      return { zh: `还剩 ${m} 分钟`, en: `${plural(m, 'minute')} left`, overdue: false };
    }
    if (ms < DAY) {
      const h = Math.floor(ms / HOUR);
      const m = Math.floor((ms % HOUR) / MINUTE);
      // Under three hours the minutes still matter; beyond, whole hours read better.
      const withMinutes = h < 3 && m > 0;
      return {
        zh: `还剩 ${h} 小时${withMinutes ? ` ${m} 分钟` : ''}`,
        en: `${plural(h, 'hour')}${withMinutes ? ` ${plural(m, 'minute')}` : ''} left`,
        overdue: false,
      };
    }
    if (opts.calendar) {
      const n = workingDaysUntil(opts.calendar, localDate(now, opts.timeZone), localDate(deadline, opts.timeZone));
      if (n > 0) return { zh: `还剩 ${n} 个工作日`, en: `${plural(n, 'working day')} left`, overdue: false };
    }
    const d = Math.floor(ms / DAY);
    return { zh: `还剩 ${d} 天`, en: `${plural(d, 'day')} left`, overdue: false };
  }
  const late = -ms;
  if (late < MINUTE) return { zh: '已到期', en: 'due now', overdue: true };
  if (late < HOUR) {
    const m = Math.max(1, Math.floor(late / MINUTE));
    return { zh: `已逾期 ${m} 分钟`, en: `${plural(m, 'minute')} overdue`, overdue: true };
  }
  if (late < DAY) {
    const h = Math.floor(late / HOUR);
    return { zh: `已逾期 ${h} 小时`, en: `${plural(h, 'hour')} overdue`, overdue: true };
  }
  const d = Math.floor(late / DAY);
  return { zh: `已逾期 ${d} 天`, en: `${plural(d, 'day')} overdue`, overdue: true };
}

/** Working days after `from` up to and including `to` (both YYYY-MM-DD). */
function workingDaysUntil(calendar: WorkingCalendar, from: string, to: string): number {
  let n = 0;
  for (let d = from; d < to; ) {
    d = new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    if (calendar.isWorkingDay(d)) n += 1;
  }
  return n;
}
