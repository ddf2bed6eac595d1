import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ReviewReportContent } from '../../lib/review/report';
import { fills, renderExcel, type SheetModel, workbookSheets } from '../../lib/review/render';
import type { TaskRow, UnitMetrics } from '../../lib/review/snapshot';
import { Style } from '../../lib/review/xlsx';

/**
 * The review workbook is written by lib/review/xlsx.ts (sheet XML as text, parts deflated on the
 * thread pool) instead of exceljs' workbook model. It must read back as the workbook exceljs
 * writes from the same rows: the same sheets, cell values and types, fonts, fills and column
 * widths; text that XML must escape, sheet names Excel refuses, and an assessment's extra columns
 * included. And the same report gives the same bytes.
 */
const at = (iso: string) => new Date(iso).toISOString();
const metrics = (over: Partial<UnitMetrics> = {}): UnitMetrics => ({
  tasks: 3, open: 2, closed: 1, closedOnTime: 1, cancelled: 0, overdue: 1, overdueDays: 4, maxOverdueDays: 4, escalations: { '1': 1, '2': 1 }, returned: 0, extensions: 1, onTimeRate: 1, closureRate: 1 / 3, ...over,
});
const task = (code: string | null, over: Partial<TaskRow> = {}): TaskRow => ({
  taskId: `00000000-0000-4000-8000-${String(code?.length ?? 0).padStart(12, '0')}`, code, title: `整改措施 ${code}`, owner: '张三', deadline: at('2025-09-20T10:00:00Z'), status: 'acknowledged',
  overdue: false, overdueDays: 0, level: 0, light: 'green', closedAt: null, onTime: null, ...over,
});
const result = (rank: number, score: number, rating?: { rating: 'excellent' | 'good' | 'pass' | 'fail'; label: string; reasons: string[] }) => ({
  unitId: 'u', score, rank, breakdown: { base: score, overdue: 0, overdueDays: 0, escalations: 0, returned: 0, extensions: 0 }, previous: rank === 1 ? null : { score: 80, rank: 1 }, ...(rating ? { rating } : {}),
});

function content(kind: 'dispatch' | 'assessment'): ReviewReportContent {
  const scored = kind === 'assessment';
  const unit = (code: string, name: string, light: 'red' | 'yellow' | 'green', openTasks: TaskRow[], closedTasks: TaskRow[], rank: number) => ({
    unitId: `unit-${code}`, code, name, metrics: metrics(), openTasks, closedTasks, notices: [], light,
    result: scored ? result(rank, 100 - rank * 10.25, { rating: 'good', label: '良好', reasons: ['综合得分 < 85', '有 "问责" & <约谈> 事项'] }) : null,
  });
  return {
    cycle: { key: 'k', name: kind === 'assessment' ? '年考核' : '月调度', reportType: kind, reportTypeLabel: kind === 'assessment' ? '年度考核' : '调度通报' },
    period: { kind: 'monthly', key: '2025-09', label: '2025年9月', start: at('2025-08-31T16:00:00Z'), end: at('2025-09-30T16:00:00Z') },
    previousPeriod: null,
    totals: metrics({ tasks: 9 }),
    units: [
      unit('U1', '甲分局 & <窗口> "服务" \'股\'', 'red', [task('A&1', { overdue: true, overdueDays: 4, level: 2, light: 'red', title: '整改 <b>加粗</b> & 控制\u0001字符' }), task(null, { light: 'yellow' })], [task('A3', { status: 'closed', light: 'none', closedAt: at('2025-09-10T02:00:00Z'), onTime: true })], 1),
      unit('U2', '名称[含]:非法*字符?/\\以及很长很长很长很长很长很长的单位名称', 'green', [], [], 2),
      unit('U3', '名称[含]:非法*字符?/\\以及很长很长很长很长很长很长的单位名称', 'yellow', [task('C1', { light: 'yellow', status: 'in_progress' })], [], 3),
    ],
    scoring: scored ? ({ weights: {} } as never) : null,
  };
}

/** The same rows through exceljs' streaming writer, as the workbook was written before (no shared strings). */
async function exceljsWorkbook(sheets: SheetModel[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const fillOf = { [Style.green]: fills.green, [Style.red]: fills.red, [Style.yellow]: fills.yellow } as Record<number, string>;
  for (const sheet of sheets) {
    const ws = wb.addWorksheet(sheet.name);
    ws.columns = sheet.widths.map((width) => ({ width }));
    for (const row of sheet.rows()) {
      const r = ws.addRow(row.values);
      if (row.style === Style.title) r.font = { bold: true, size: 14 };
      if (row.style === Style.bold) r.font = { bold: true };
      for (const [i, s] of Object.entries(row.cellStyles ?? {})) if (fillOf[s]) r.getCell(Number(i) + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fillOf[s] } };
      r.commit();
    }
    ws.commit();
  }
  await wb.commit();
  return Buffer.concat(chunks);
}

async function read(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  return wb.worksheets.map((ws) => ({
    name: ws.name,
    widths: Array.from({ length: ws.columnCount }, (_, i) => ws.getColumn(i + 1).width),
    rows: Array.from({ length: ws.rowCount }, (_, n) => {
      const row = ws.getRow(n + 1);
      return Array.from({ length: row.cellCount }, (_, c) => {
        const cell = row.getCell(c + 1);
        return { value: cell.value, type: cell.type, font: cell.font?.bold ? { bold: true, size: cell.font.size } : null, fill: (cell.fill as ExcelJS.FillPattern | undefined)?.fgColor?.argb ?? null };
      });
    }),
  }));
}

describe('the review workbook', () => {
  test.each(['dispatch', 'assessment'] as const)('%s: reads back as exceljs writes the same rows', async (kind) => {
    const c = content(kind);
    const mine = await read(await renderExcel(c, 'Asia/Shanghai'));
    const reference = await read(await exceljsWorkbook(workbookSheets(c, 'Asia/Shanghai')));
    expect(mine).toEqual(reference);
    // What it holds, read back: sheet names Excel accepts (unique, ≤ 31, no []:*?/\), escaped text, the lights as fills.
    expect(mine.map((s) => s.name)).toEqual(['汇总', '甲分局 & <窗口> "服务" \'股_', '名称_含__非法_字符___以及很长很长很长很长很长很长', '名称_含__非法_字符___以及很长很长很长很长很长(2)']);
    const unit = mine[1]!;
    expect(unit.rows[2]!.map((cell) => cell.value)).toEqual(['A&1', '整改 <b>加粗</b> & 控制字符', '张三', '2025/09/20 18:00', '已签收', '是', 4, 2, '红']); // the empty closing time and on-time cells read back as absent, as before
    expect(unit.rows[2]![8]!.fill).toBe(fills.red);
    expect(unit.rows[3]![8]).toMatchObject({ value: '黄', fill: fills.yellow });
    expect(unit.rows[4]!.map((cell) => cell.value)).toEqual(['A3', '整改措施 A3', '张三', '2025/09/20 18:00', '已销号', '否', 0, 0, '—', '2025/09/10 10:00', '是']);
    expect(unit.rows[4]![8]!.fill).toBeNull();
    const summary = mine[0]!;
    expect(summary.rows[0]![0]).toMatchObject({ font: { bold: true, size: 14 } });
    expect(summary.rows[2]).toEqual([]);
    if (kind === 'assessment') expect(summary.rows[4]!.slice(-2).map((cell) => cell.value)).toEqual(['良好', '综合得分 < 85；有 "问责" & <约谈> 事项']);
  });

  test('the same report gives the same bytes', async () => {
    const c = content('assessment');
    expect((await renderExcel(c, 'Asia/Shanghai')).equals(await renderExcel(structuredClone(c), 'Asia/Shanghai'))).toBe(true);
  });
});
