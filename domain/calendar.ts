/**
 * Working days on the official Chinese calendar (工作日). Monday–Friday work, Saturday and Sunday
 * rest, except the days the calendar lists: public holidays (a weekday off) and weekend days made
 * working days (调休). The list is data (table CalendarDay, seeded from the `chinese-days` package,
 * corrected by admins), never code; this module only does the arithmetic.
 */
export type DayKind = 'holiday' | 'workday';

export interface CalendarException {
  /** YYYY-MM-DD */
  date: string;
  kind: DayKind;
}

/** Local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return formatter(dateFormats, timeZone, () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })).format(instant);
}

/** Local wall-clock time (HH:MM, 24 h) of an instant in a time zone. */
export function localTime(instant: Date, timeZone: string): string {
  return formatter(timeFormats, timeZone, () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(instant);
}

// Building an Intl.DateTimeFormat costs far more than using one: one of each kind per time zone.
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();
const instantFormats = new Map<string, Intl.DateTimeFormat>();
function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) cache.set(timeZone, (f = make()));
  return f;
}

/** The instant of a local date and time (HH:MM) in a time zone. */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const naive = Date.parse(`${date}T${time}:00Z`);
  // Offset of the zone at that moment, found by formatting and comparing (two passes settle DST edges).
  let guess = naive;
  for (let i = 0; i < 2; i++) {
    const parts = formatter(instantFormats, timeZone, () => new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }))
      .formatToParts(new Date(guess))
      .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
    const asLocal = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
    guess = naive - (asLocal - guess);
  }
  return new Date(guess);
}

export class WorkingCalendar {
  private readonly exceptions: Map<string, DayKind>;

  constructor(
    exceptions: Iterable<CalendarException>,
    readonly version: number,
  ) {
    this.exceptions = new Map([...exceptions].map((e) => [e.date, e.kind]));
  }

  isWorkingDay(date: string): boolean {
    const kind = this.exceptions.get(date);
    if (kind) return kind === 'workday';
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The working day `n` working days after (n > 0) or before (n < 0) a date, not counting the date itself. */
  shiftWorkingDays(date: string, n: number): string {
    const step = n >= 0 ? 1 : -1;
    let d = date;
    for (let counted = 0; counted < Math.abs(n); ) {
      d = new Date(Date.parse(`${d}T00:00:00Z`) + step * 86_400_000).toISOString().slice(0, 10);
      if (this.isWorkingDay(d)) counted += 1;
    }
    return d;
  }

  /**
   * The deadline N working days after an assignment: the assignment day does not count (day 1 is
   * the next working day), and the deadline is the end of the working day (`dayEnd`, local time).
   */
  addWorkingDays(from: Date, n: number, timeZone: string, dayEnd = '18:00'): Date {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('n must be a positive whole number of working days');
    return zonedInstant(this.shiftWorkingDays(localDate(from, timeZone), n), dayEnd, timeZone);
  }
}
