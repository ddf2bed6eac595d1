/**
 * A review report as people read it: an Excel workbook (a summary sheet, one sheet per unit, traffic
 * lights as cell fills).
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { taskStatusLabels, type TaskStatus } from '../../domain/lifecycle';
import type { ReviewReportContent } from './report';
import type { Light, TaskRow, UnitMetrics } from './snapshot';

export const fills: Record<Exclude<Light, 'none'>, string> = { red: 'FFF8696B', yellow: 'FFFFEB84', green: 'FF63BE7B' };
const lightLabels: Record<Light, string> = { red: '红', yellow: '黄', green: '绿', none: '—' };
export const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 10000) / 100}%`);
const escalated = (m: UnitMetrics) => Object.entries(m.escalations).reduce((sum, [level, n]) => sum + (Number(level) >= 2 ? n : 0), 0);


export const summaryHeader = (content: ReviewReportContent) => [
  ...(content.scoring ? ['排名'] : []),
  '单位',
  '状态灯',
  '在督事项',
  '期末未销号',
  '本期销号',
  '按时销号',
  '按时销号率',
  '期末逾期',
  '逾期天数',
  '督办升级（2级及以上）',
  '退回',
  '延期',
  ...(content.scoring ? ['得分', '上期得分', '上期排名'] : []),
  ...(content.cycle.reportType === 'assessment' ? ['评定', '评定理由'] : []),
];

export const taskHeader = ['任务编号', '整改措施', '责任人', '完成时限', '状态', '是否逾期', '逾期天数', '最高督办级别', '状态灯', '销号时间', '是否按时'];

function taskCells(t: TaskRow, fmt: (iso: string) => string) {
  return [
    t.code ?? t.taskId,
    t.title,
    t.owner,
    fmt(t.deadline),
    taskStatusLabels[t.status as TaskStatus] ?? t.status,
    t.overdue ? '是' : '否',
    t.overdueDays,
    t.level,
    lightLabels[t.light],
    t.closedAt ? fmt(t.closedAt) : '',
    t.onTime === null ? '' : t.onTime ? '是' : '否',
  ];
}

const instantFormatter = (timeZone: string) => {
  const f = new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  return (iso: string) => f.format(new Date(iso));
};

/** Sheet names: at most 31 characters, none of []:*?/\, unique. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 28) || '单位';
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base.slice(0, 26)}(${i})`;
  taken.add(candidate);
  return candidate;
}

function fill(cell: ExcelJS.Cell, light: Light) {
  if (light === 'none') return;
  cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fills[light] } };
}

/**
 * Streams the workbook (exceljs' streaming writer: each row is written out as it is committed, so a
 * report of 100,000 tasks neither holds the whole sheet model nor pays for it twice).
 */
export async function renderExcel(content: ReviewReportContent, timeZone: string): Promise<Buffer> {
  const fmt = instantFormatter(timeZone);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = '整改督办系统';
  // A fixed date: the same report renders to the same workbook content.
  wb.created = new Date(content.period.end);
  wb.modified = wb.created;

  const header = summaryHeader(content);
  const nameCol = header.indexOf('单位');
  const summary = wb.addWorksheet('汇总');
  summary.columns = header.map((_, i) => ({ width: i === nameCol ? 24 : 12 }));
  const add = (ws: ExcelJS.Worksheet, values: unknown[], style?: (row: ExcelJS.Row) => void) => {
    const row = ws.addRow(values);
    style?.(row);
    row.commit();
  };
  add(summary, [`${content.cycle.name}（${content.cycle.reportTypeLabel}）${content.period.label}`], (r) => (r.font = { bold: true, size: 14 }));
  add(summary, [`统计区间：${fmt(content.period.start)} 至 ${fmt(content.period.end)}（不含）`]);
  add(summary, []);
  add(summary, header, (r) => (r.font = { bold: true }));
  const lightCol = header.indexOf('状态灯') + 1;
  for (const u of content.units) {
    const m = u.metrics;
    const r = u.result;
    const values = [
      ...(content.scoring ? [r!.rank] : []),
      u.name,
      lightLabels[u.light],
      m.tasks,
      m.open,
      m.closed,
      m.closedOnTime,
      pct(m.onTimeRate),
      m.overdue,
      m.overdueDays,
      escalated(m),
      m.returned,
      m.extensions,
      ...(content.scoring ? [r!.score, r!.previous?.score ?? '—', r!.previous?.rank ?? '—'] : []),
      ...(r?.rating ? [r.rating.label, r.rating.reasons.join('；')] : []),
    ];
    add(summary, values, (row) => fill(row.getCell(lightCol), u.light));
  }
  const t = content.totals;
  add(summary, [...(content.scoring ? [''] : []), '合计', '', t.tasks, t.open, t.closed, t.closedOnTime, pct(t.onTimeRate), t.overdue, t.overdueDays, escalated(t), t.returned, t.extensions], (r) => (r.font = { bold: true }));
  summary.commit();

  const taken = new Set(['汇总']);
  for (const u of content.units) {
    const ws = wb.addWorksheet(sheetName(u.name, taken));
    ws.columns = taskHeader.map((_, i) => ({ width: i === 1 ? 40 : 14 }));
    add(ws, [`${u.name}：期末未销号 ${u.metrics.open} 项（逾期 ${u.metrics.overdue} 项），本期销号 ${u.metrics.closed} 项`], (r) => (r.font = { bold: true }));
    add(ws, taskHeader, (r) => (r.font = { bold: true }));
    for (const task of [...u.openTasks, ...u.closedTasks]) add(ws, taskCells(task, fmt), (r) => fill(r.getCell(9), task.light));
    ws.commit();
  }
  await wb.commit();
  return Buffer.concat(chunks);
}
