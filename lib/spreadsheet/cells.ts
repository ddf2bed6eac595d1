/**
 * Cells as offices write them: full-width digits and spaces, dates typed as text in several
 * forms or stored as Excel serial numbers, deadlines as "15个工作日". Pure functions, no I/O.
 */

/** Full-width ASCII (U+FF01–U+FF5E) to half-width, ideographic and no-break spaces to spaces, runs of spaces to one, trimmed. */
export function normalizeText(s: string): string {
  return s
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u3000\u00a0\u2002-\u200b\ufeff]/g, ' ')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** Column letter of a 1-based column number (1 → A, 27 → AA). */
export function columnLetter(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

/** A calendar date with an optional wall-clock time, as written in a cell (no time zone). */
export interface CellDate {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM, when the cell gives one */
  time?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function validDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

function withTime(date: string | null, hh?: string, mm?: string): CellDate | null {
  if (!date) return null;
  if (hh === undefined) return { date };
  const h = Number(hh);
  const m = Number(mm ?? '0');
  if (h > 23 || m > 59) return null;
  return { date, time: `${pad(h)}:${pad(m)}` };
}

const TIME = String.raw`(?:\s*(\d{1,2})[:：时](\d{2})?分?)?`;
const TEXT_DATES = [
  new RegExp(String.raw`^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?${TIME}$`),
  new RegExp(String.raw`^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?$`),
];

/** A date typed as text: 2026年6月30日, 2026/6/30, 2026-06-30, 2026.6.30, 20260630, each with an optional time. */
export function parseTextDate(raw: string): CellDate | null {
  const s = normalizeText(raw);
  for (const re of TEXT_DATES) {
    const m = re.exec(s);
    if (m) return withTime(validDate(+m[1]!, +m[2]!, +m[3]!), m[4], m[5]);
  }
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (compact) return withTime(validDate(+compact[1]!, +compact[2]!, +compact[3]!));
  return null;
}

/**
 * An Excel date serial (days since 1899-12-30 in the 1900 system; the fraction is the time of day).
 * Only plausible dates (1950–2200) are taken, so a stray number is not read as a date.
 */
export function fromExcelSerial(serial: number): CellDate | null {
  if (!Number.isFinite(serial) || serial < 18264 || serial > 109574) return null;
  const ms = Math.round((serial - 25569) * 86_400_000 / 60_000) * 60_000;
  return fromWallClock(new Date(ms));
}

/** A Date read from a date-formatted cell: its UTC fields are the wall-clock time written (exceljs convention). */
export function fromWallClock(d: Date): CellDate | null {
  if (Number.isNaN(d.getTime())) return null;
  const date = validDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
  if (!date) return null;
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  return h === 0 && m === 0 ? { date } : { date, time: `${pad(h)}:${pad(m)}` };
}

/** The cell date as the Date exceljs writes (UTC fields = wall clock). */
export function toWallClock(c: CellDate): Date {
  return new Date(`${c.date}T${c.time ?? '00:00'}:00Z`);
}

/** A date cell of any kind: a Date, a serial number, or text. */
export function parseDateValue(v: string | number | Date): CellDate | null {
  if (v instanceof Date) return fromWallClock(v);
  if (typeof v === 'number') return fromExcelSerial(v);
  return parseTextDate(v);
}

export type DeadlineCell = { kind: 'date'; at: CellDate } | { kind: 'working_days'; days: number };

const WORKING_DAYS = /^(?:自交办之日起)?\s*(\d{1,3})\s*个?\s*工作日\s*(?:内)?\s*(?:完成|办结)?$/;

/** A deadline cell: a date (as parseDateValue) or "15个工作日" / "15 个工作日内" / "15工作日". */
export function parseDeadlineValue(v: string | number | Date): DeadlineCell | null {
  if (typeof v === 'string') {
    const m = WORKING_DAYS.exec(normalizeText(v));
    if (m) {
      const days = Number(m[1]);
      return days >= 1 && days <= 366 ? { kind: 'working_days', days } : null;
    }
  }
  const at = parseDateValue(v);
  return at ? { kind: 'date', at } : null;
}

/** Splits a list written in one cell: 、，, ；; / and line breaks. */
export function splitList(s: string): string[] {
  return normalizeText(s)
    .split(/[、，,；;\n/]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}
