import { once } from 'node:events';
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import { localDate, localTime } from '../../../domain/calendar';
import { fills } from '../../../lib/review/render';
import { border, DATE_FORMAT, DATE_TIME_FORMAT } from '../../../lib/spreadsheet/workbook';
import { toWallClock } from '../../../lib/spreadsheet/cells';
import { attachmentDisposition } from '../../http/download';
import { XLSX_MEDIA_TYPE } from '../../../lib/filetype';

/** What the export reads of a task: the fields of GET /api/tasks' items. */
export interface ExportedTask {
  code: string | null;
  title: string;
  statusLabel: string;
  overdue: boolean;
  trafficLight: string;
  trafficLightLabel: string;
  returnCount: number;
  unit: { code: string; name: string };
  coUnits?: { name: string }[];
  problem?: { code: string; description: string } | null;
  campaign?: { code: string; name: string } | null;
  owner: { displayName: string; email: string };
  supervisor: { displayName: string } | null;
  deadline: string;
  completedAt: string | null;
}

const HEADERS: [string, number][] = [
  ['任务编号', 18],
  ['整改措施', 40],
  ['问题编号', 14],
  ['问题描述', 36],
  ['整改批次', 24],
  ['牵头单位', 16],
  ['配合单位', 18],
  ['责任人', 12],
  ['责任人邮箱', 26],
  ['分管领导', 12],
  ['完成时限', 20],
  ['状态', 10],
  ['红黄绿灯', 10],
  ['是否逾期', 10],
  ['退回次数', 10],
  ['销号日期', 14],
];

/** Rows fetched per query; memory holds one page and exceljs' current chunk, whatever the total. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * Streams the task list as a workbook with exceljs' streaming writer: rows come a page at a time
 * (`pages`: the task list's own filters, scoping and order, by keyset — `scan` in
 * api/tasks/service.ts) and are committed as they come, and the next page is read only once the
 * client has taken what is written, so 100,000 tasks never sit in memory.
 */
export async function streamTasksWorkbook(
  res: Response,
  pages: AsyncIterable<ExportedTask[]>,
  opts: { timeZone: string; workdayEnd: string; now: Date; fileName: string },
): Promise<void> {
  const zoned = (iso: string) => {
    const d = new Date(iso);
    return { date: localDate(d, opts.timeZone), time: localTime(d, opts.timeZone) };
  };
  const iterator = pages[Symbol.asyncIterator]();
  // The first page is read before the headers go out, so a failing query is still an error answer.
  let next = await iterator.next();
  res.status(200);
  res.setHeader('Content-Type', XLSX_MEDIA_TYPE);
  res.setHeader('Content-Disposition', attachmentDisposition(opts.fileName));
  res.setHeader('Cache-Control', 'private, no-cache');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  wb.creator = '整改督办系统';
  const ws = wb.addWorksheet('任务清单', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = HEADERS.map(([header, width]) => ({ header, width }));
  const head = ws.getRow(1);
  head.font = { bold: true };
  head.eachCell((c) => {
    c.border = border;
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  });
  head.commit();
  for (; !next.done; next = await iterator.next()) {
    for (const t of next.value) {
      const deadline = zoned(t.deadline);
      const row = ws.addRow([
        t.code ?? '',
        t.title,
        t.problem?.code ?? '',
        t.problem?.description ?? '',
        t.campaign ? `${t.campaign.name}（${t.campaign.code}）` : '',
        t.unit.name,
        (t.coUnits ?? []).map((u) => u.name).join('、'),
        t.owner.displayName,
        t.owner.email,
        t.supervisor?.displayName ?? '',
        toWallClock(deadline.time === opts.workdayEnd ? { date: deadline.date } : deadline),
        t.statusLabel,
        t.trafficLightLabel,
        t.overdue ? '是' : '否',
        t.returnCount,
        t.completedAt ? toWallClock({ date: zoned(t.completedAt).date }) : '',
      ]);
      row.getCell(11).numFmt = deadline.time === opts.workdayEnd ? DATE_FORMAT : DATE_TIME_FORMAT;
      row.getCell(16).numFmt = DATE_FORMAT;
      const light = fills[t.trafficLight as keyof typeof fills];
      if (light) row.getCell(13).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: light } };
      row.commit();
    }
    // Back-pressure: the next page is read only once the zip has taken the rows written and the
    // client has taken the zip's output, so the API's memory does not grow with a slow reader or
    // a large export.
    await sheetDrained(ws);
    if (res.writableNeedDrain) await once(res, 'drain');
  }
  ws.commit();
  await wb.commit();
}

/**
 * Waits until the zip has consumed what the worksheet wrote. exceljs' worksheet stream writes into
 * archiver's entry stream (a readable-stream PassThrough) without heeding its back-pressure, so
 * unless the writer waits there, every uncompressed row piles up in that buffer until the end (an
 * export of 100,000 tasks held ≈ 120 MB of it; waiting keeps it under 1 MB whatever the rows). The
 * entry is reached through exceljs internals (exceljs 4.4); if their shape changes, nothing waits
 * here and the client's back-pressure alone remains.
 */
async function sheetDrained(ws: ExcelJS.Worksheet): Promise<void> {
  const entry = sheetEntry(ws);
  if (entry?._writableState?.needDrain) await once(entry, 'drain');
}

/** The zip entry a streamed worksheet writes into (test/spreadsheet/export-stream.test.ts guards its shape). */
export function sheetEntry(ws: ExcelJS.Worksheet) {
  return (ws as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as (NodeJS.EventEmitter & { _writableState?: { needDrain?: boolean; length?: number } }) | undefined;
}
