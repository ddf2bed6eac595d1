import type ExcelJS from 'exceljs';
import { type CellDate, toWallClock } from './cells';
import { CAMPAIGN_FIELDS, COLUMNS, LEDGER_COLUMNS, SHEETS } from './layout';

/** Rows of the 整改清单 sheet: title, column groups, headers; data starts below. */
export const TITLE_ROW = 1;
export const GROUP_ROW = 2;
export const HEADER_ROW = 3;
export const FIRST_DATA_ROW = 4;

export const DATE_FORMAT = 'yyyy"年"m"月"d"日"';
export const DATE_TIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm';

const thin = { style: 'thin' as const, color: { argb: 'FF9E9E9E' } };
export const border: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const groupFill = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const GROUP_COLOURS: Record<string, string> = { 问题清单: 'FFFCE4D6', 任务清单: 'FFE2EFDA', 责任清单: 'FFDDEBF7', 销号情况: 'FFFFF2CC' };
const FONT = 'SimSun';

/**
 * The 整改清单 sheet's frame (title, groups 问题清单 · 任务清单 · 责任清单 [· 销号情况], headers),
 * the same for the template and the ledger, so the ledger reads back as an import.
 */
export function addListsSheet(wb: ExcelJS.Workbook, title: string, ledger: boolean): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEETS.lists, { views: [{ state: 'frozen', ySplit: HEADER_ROW, xSplit: 2 }], pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
  const widths = [...COLUMNS.map((c) => c.width), ...(ledger ? LEDGER_COLUMNS.map((c) => c.width) : [])];
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  const last = widths.length;
  ws.mergeCells(TITLE_ROW, 1, TITLE_ROW, last);
  const t = ws.getCell(TITLE_ROW, 1);
  t.value = title;
  t.font = { name: FONT, size: 16, bold: true };
  t.alignment = { horizontal: 'center', vertical: 'middle' };
  ws.getRow(TITLE_ROW).height = 30;

  const groups: { name: string; from: number; to: number }[] = [];
  COLUMNS.forEach((c, i) => {
    const g = groups.at(-1);
    if (g && g.name === c.group) g.to = i + 1;
    else groups.push({ name: c.group, from: i + 1, to: i + 1 });
  });
  if (ledger) groups.push({ name: '销号情况', from: COLUMNS.length + 1, to: last });
  for (const g of groups) {
    if (g.to > g.from) ws.mergeCells(GROUP_ROW, g.from, GROUP_ROW, g.to);
    const cell = ws.getCell(GROUP_ROW, g.from);
    cell.value = g.name;
    for (let c = g.from; c <= g.to; c++) {
      const x = ws.getCell(GROUP_ROW, c);
      x.fill = groupFill(GROUP_COLOURS[g.name]!);
      x.border = border;
      x.font = { name: FONT, bold: true };
      x.alignment = { horizontal: 'center', vertical: 'middle' };
    }
  }
  const headers = [...COLUMNS.map((c) => c.header), ...(ledger ? LEDGER_COLUMNS.map((c) => c.header) : [])];
  const row = ws.getRow(HEADER_ROW);
  headers.forEach((h, i) => {
    const cell = row.getCell(i + 1);
    cell.value = h;
    const group = i < COLUMNS.length ? COLUMNS[i]!.group : '销号情况';
    cell.fill = groupFill(GROUP_COLOURS[group]!);
    cell.font = { name: FONT, bold: true, color: i < COLUMNS.length && COLUMNS[i]!.required ? { argb: 'FFC00000' } : undefined };
    cell.border = border;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    if (i < COLUMNS.length) cell.note = { texts: [{ text: `${COLUMNS[i]!.required ? '（必填）' : '（选填）'}${COLUMNS[i]!.hint}` }] };
  });
  row.height = 28;
  return ws;
}

/** Style of a data cell of the lists sheet. */
export function styleDataCell(cell: ExcelJS.Cell, wrap: boolean) {
  cell.border = border;
  cell.font = { name: FONT, size: 10.5 };
  cell.alignment = { vertical: 'middle', wrapText: wrap };
}

export function setDate(cell: ExcelJS.Cell, d: CellDate) {
  cell.value = toWallClock(d);
  cell.numFmt = d.time ? DATE_TIME_FORMAT : DATE_FORMAT;
}

/** The 批次信息 sheet: label and value per campaign field, then any extra rows (a ledger's totals). */
export function addCampaignSheet(
  wb: ExcelJS.Workbook,
  values: Partial<Record<(typeof CAMPAIGN_FIELDS)[number]['key'], string | CellDate | null>>,
  extra: [string, string | number][] = [],
  withHints = false,
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEETS.campaign);
  ws.getColumn(1).width = 16;
  ws.getColumn(2).width = 36;
  ws.getColumn(3).width = 56;
  CAMPAIGN_FIELDS.forEach((f, i) => {
    const r = ws.getRow(i + 1);
    r.getCell(1).value = f.label;
    r.getCell(1).font = { name: FONT, bold: true };
    const v = values[f.key];
    if (v && typeof v === 'object') setDate(r.getCell(2), v);
    else if (v) r.getCell(2).value = v;
    if (withHints) {
      r.getCell(3).value = f.hint;
      r.getCell(3).font = { name: FONT, color: { argb: 'FF7F7F7F' } };
    }
    for (const c of [1, 2]) r.getCell(c).border = border;
  });
  extra.forEach(([label, value], i) => {
    const r = ws.getRow(CAMPAIGN_FIELDS.length + 2 + i);
    r.getCell(1).value = label;
    r.getCell(1).font = { name: FONT, bold: true };
    r.getCell(2).value = value;
    for (const c of [1, 2]) r.getCell(c).border = border;
  });
  return ws;
}
