/**
 * A review report as people read it: an Excel workbook (a summary sheet, one sheet per unit, traffic
 * lights as cell fills).
 */
import { taskStatusLabels, type TaskStatus } from '../../domain/lifecycle';
import type { ReviewReportContent } from './report';
import type { Light, TaskRow, UnitMetrics } from './snapshot';
import { type CellValue, Style, type StyleId, WorkbookWriter } from './xlsx';

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

/** Formats instants as the workbook shows them (many tasks share a deadline: each one formatted once). */
const instantFormatter = (timeZone: string) => {
  const f = new Intl.DateTimeFormat('zh-CN', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  const seen = new Map<string, string>();
  return (iso: string) => {
    let s = seen.get(iso);
    if (s === undefined) {
      s = f.format(new Date(iso));
      if (seen.size < 100_000) seen.set(iso, s);
    }
    return s;
  };
};

/** Sheet names: at most 31 characters, none of []:*?/\, no apostrophe first or last, unique. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, '_').slice(0, 28).replace(/^'|'$/g, '_') || '单位';
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base.slice(0, 26)}(${i})`;
  taken.add(candidate);
  return candidate;
}

const lightStyles: Record<Light, StyleId> = { red: Style.red, yellow: Style.yellow, green: Style.green, none: Style.none };

export interface SheetRow {
  values: CellValue[];
  /** Every cell's (and the row's) style. */
  style?: StyleId;
  /** Some cells' style, by index. */
  cellStyles?: Record<number, StyleId>;
}

export interface SheetModel {
  name: string;
  widths: number[];
  /** The rows, made as they are read (a sheet of 100,000 tasks is never held as a whole). */
  rows(): Iterable<SheetRow>;
}

/** What the workbook holds: a summary sheet, then one sheet per unit listing its open, then its closed tasks. */
export function workbookSheets(content: ReviewReportContent, timeZone: string): SheetModel[] {
  const fmt = instantFormatter(timeZone);
  const header = summaryHeader(content);
  const nameCol = header.indexOf('单位');
  const lightCol = header.indexOf('状态灯');
  const summary: SheetModel = {
    name: '汇总',
    widths: header.map((_, i) => (i === nameCol ? 24 : 12)),
    *rows() {
      yield { values: [`${content.cycle.name}（${content.cycle.reportTypeLabel}）${content.period.label}`], style: Style.title };
      yield { values: [`统计区间：${fmt(content.period.start)} 至 ${fmt(content.period.end)}（不含）`] };
      yield { values: [] };
      yield { values: header, style: Style.bold };
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
        yield { values, cellStyles: { [lightCol]: lightStyles[u.light] } };
      }
      const t = content.totals;
      yield { values: [...(content.scoring ? [''] : []), '合计', '', t.tasks, t.open, t.closed, t.closedOnTime, pct(t.onTimeRate), t.overdue, t.overdueDays, escalated(t), t.returned, t.extensions], style: Style.bold };
    },
  };

  const taken = new Set(['汇总']);
  const widths = taskHeader.map((_, i) => (i === 1 ? 40 : 14));
  const lightCell = taskHeader.indexOf('状态灯');
  const cellStyles = { red: { [lightCell]: Style.red }, yellow: { [lightCell]: Style.yellow }, green: { [lightCell]: Style.green }, none: undefined };
  const units = content.units.map(
    (u): SheetModel => ({
      name: sheetName(u.name, taken),
      widths,
      *rows() {
        yield { values: [`${u.name}：期末未销号 ${u.metrics.open} 项（逾期 ${u.metrics.overdue} 项），本期销号 ${u.metrics.closed} 项`], style: Style.bold };
        yield { values: taskHeader, style: Style.bold };
        for (const task of u.openTasks) yield { values: taskCells(task, fmt), cellStyles: cellStyles[task.light] };
        for (const task of u.closedTasks) yield { values: taskCells(task, fmt), cellStyles: cellStyles[task.light] };
      },
    }),
  );
  return [summary, ...units];
}

/**
 * Renders the workbook (lib/review/xlsx.ts: each sheet's XML written as text, deflated on the thread
 * pool while the next one is written).
 */
export async function renderExcel(content: ReviewReportContent, timeZone: string): Promise<Buffer> {
  // A fixed date: the same report renders to the same workbook.
  const wb = new WorkbookWriter({ creator: '整改督办系统', created: new Date(content.period.end), fills });
  for (const sheet of workbookSheets(content, timeZone)) {
    const ws = wb.sheet({ name: sheet.name, widths: sheet.widths });
    for (const row of sheet.rows()) ws.row(row.values, row.style, row.cellStyles);
    await wb.add(ws);
  }
  return wb.finish();
}
