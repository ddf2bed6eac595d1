import { WorkingCalendar } from '../../domain/calendar';
import { firstWorkingDay, parsePeriodKey, periodBounds, periodContaining, previousPeriod, reviewedPeriod, runCalendars } from '../../domain/review/periods';

/** 2026 around New Year and National Day, as the official calendar has it. */
const calendar = new WorkingCalendar(
  [
    ...['2026-01-01', '2026-01-02', '2026-01-03'].map((date) => ({ date, kind: 'holiday' as const })),
    { date: '2026-01-04', kind: 'workday' as const },
    ...['01', '02', '03', '04', '05', '06', '07'].map((d) => ({ date: `2026-10-${d}`, kind: 'holiday' as const })),
  ],
  1,
);

describe('review periods', () => {
  test.each([
    ['weekly', '2026-01-01', '2026-W01', '2025-12-29', '2026-01-05'],
    ['weekly', '2026-12-31', '2026-W53', '2026-12-28', '2027-01-04'],
    ['monthly', '2026-02-15', '2026-02', '2026-02-01', '2026-03-01'],
    ['monthly', '2026-12-31', '2026-12', '2026-12-01', '2027-01-01'],
    ['quarterly', '2026-11-22', '2026-Q4', '2026-10-01', '2027-01-01'],
    ['annual', '2026-11-22', '2026', '2026-01-01', '2027-01-01'],
  ] as const)('%s period containing %s is %s [%s, %s)', (kind, date, key, start, end) => {
    const p = periodContaining(kind, date);
    expect(p).toMatchObject({ key, startDate: start, endDate: end });
    expect(parsePeriodKey(kind, key)).toEqual(p);
  });

  test.each([
    ['monthly', '2026-13'],
    ['monthly', '2026-Q1'],
    ['quarterly', '2026-Q5'],
    ['weekly', '2025-W53'], // 2025 has 52 ISO weeks
    ['annual', '1999'],
  ] as const)('%s rejects %s', (kind, key) => expect(parsePeriodKey(kind, key)).toBeNull());

  test('a run reviews the period before the one it falls in, in the office time zone', () => {
    // 1 December 00:30 in Beijing is still 30 November in UTC.
    expect(reviewedPeriod('monthly', new Date('2026-11-30T16:30:00Z'), 'Asia/Shanghai').key).toBe('2026-11');
    expect(reviewedPeriod('quarterly', new Date('2026-10-08T01:00:00Z'), 'Asia/Shanghai').key).toBe('2026-Q3');
    expect(previousPeriod(periodContaining('annual', '2026-06-01')).key).toBe('2025');
    expect(periodBounds(periodContaining('monthly', '2026-10-15'), 'Asia/Shanghai')).toEqual({ start: new Date('2026-09-30T16:00:00Z'), end: new Date('2026-10-31T16:00:00Z') });
  });

  test('first working days follow the official calendar: 4 January 2026 is a 调休 Sunday, 1–7 October are off', () => {
    expect(firstWorkingDay(periodContaining('monthly', '2026-01-15'), calendar)).toBe('2026-01-04');
    expect(firstWorkingDay(periodContaining('quarterly', '2026-10-15'), calendar)).toBe('2026-10-08');
    expect(firstWorkingDay(periodContaining('monthly', '2026-11-15'), calendar)).toBe('2026-11-02'); // the 1st is a Sunday
  });

  test('the schedule lists the run days of the years around today and a Monday–Friday rule for the others', () => {
    const specs = runCalendars('quarterly', '09:00', calendar, '2026-11-22');
    const exact = specs.filter((s) => typeof s.year === 'number');
    expect(exact.map((s) => `${s.year}-${s.month}-${s.dayOfMonth}`)).toEqual([
      '2025-JANUARY-1', '2025-APRIL-1', '2025-JULY-1', '2025-OCTOBER-1',
      '2026-JANUARY-4', '2026-APRIL-1', '2026-JULY-1', '2026-OCTOBER-8',
      '2027-JANUARY-1', '2027-APRIL-1', '2027-JULY-1', '2027-OCTOBER-1',
    ]);
    expect(exact.every((s) => s.hour === 9 && s.minute === 0)).toBe(true);
    const rule = specs.filter((s) => typeof s.year !== 'number');
    expect(rule).toHaveLength(2);
    expect(rule[0]).toMatchObject({ year: [{ start: 2000, end: 2024 }, { start: 2028, end: 2100 }], month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'], dayOfMonth: 1 });
  });
});
