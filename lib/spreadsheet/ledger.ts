import ExcelJS from 'exceljs';
import { localDate, localTime } from '../../domain/calendar';
import { closureOutcome, closureOutcomeLabels, closureTotals, type ClosureOutcome } from '../../domain/closure';
import { taskStatusLabels } from '../../domain/lifecycle';
import { ESCALATED_FROM_LEVEL, trafficLight, trafficLightLabels } from '../../domain/traffic-light';
import type { Db } from '../db';
import { fills } from '../review/render';
import { type CellDate } from './cells';
import { COLUMNS, LEDGER_COLUMNS } from './layout';
import { addCampaignSheet, addListsSheet, FIRST_DATA_ROW, setDate, styleDataCell } from './workbook';
import { problemSourceLabels, severityLabels } from '../../domain/problems';

const sourceLabels: Record<string, string> = problemSourceLabels;

/** Everything the 台账 shows of one campaign as of `now`, read in two queries. */
export async function loadLedgerData(db: Db, campaignId: string, now: Date) {
  const campaign = await db.campaign.findUnique({
    where: { id: campaignId },
    include: {
      problems: {
        orderBy: { seq: 'asc' },
        include: {
          tasks: {
            orderBy: { seq: 'asc' },
            include: {
              unit: { select: { code: true, name: true } },
              owner: { select: { displayName: true, email: true } },
              supervisor: { select: { displayName: true, email: true } },
              coUnits: { include: { unit: { select: { code: true, name: true } } } },
              _count: { select: { evidence: true, extensions: { where: { status: 'approved' } }, notices: { where: { level: { gte: ESCALATED_FROM_LEVEL } } } } },
            },
          },
        },
      },
    },
  });
  if (!campaign) return null;
  const taskIds = campaign.problems.flatMap((p) => p.tasks.map((t) => t.id));
  const cancellations = await db.taskEvent.findMany({ where: { taskId: { in: taskIds }, type: 'cancelled' }, select: { taskId: true, at: true } });
  const cancelledAt = new Map(cancellations.map((e) => [e.taskId, e.at]));
  const problems = campaign.problems.map((p) => ({
    code: p.code,
    description: p.description,
    category: p.category,
    severity: p.severity as string,
    source: p.source as string,
    foundOn: p.foundOn.toISOString().slice(0, 10),
    tasks: p.tasks.map((t) => {
      const outcome = closureOutcome(t);
      return {
        code: t.code ?? t.id,
        measure: t.title,
        leadUnit: t.unit,
        coUnits: t.coUnits.map((c) => c.unit),
        owner: t.owner,
        supervisor: t.supervisor,
        deadline: t.deadline,
        status: t.status as string,
        light: trafficLight({ ...t, escalationLevel: t._count.notices > 0 ? ESCALATED_FROM_LEVEL : 0 }, now.getTime()),
        overdue: t.overdue,
        closedAt: outcome === 'cancelled' ? (cancelledAt.get(t.id) ?? null) : t.completedAt,
        outcome,
        returned: t.returnCount,
        extensions: t._count.extensions,
        evidence: t._count.evidence,
      };
    }),
  }));
  const outcomes = problems.flatMap((p) => p.tasks.map((t) => t.outcome));
  return {
    code: campaign.code,
    name: campaign.name,
    source: campaign.source as string,
    periodStart: campaign.periodStart?.toISOString().slice(0, 10) ?? null,
    periodEnd: campaign.periodEnd?.toISOString().slice(0, 10) ?? null,
    reconciledAt: campaign.reconciledAt,
    problems,
    totals: { problems: problems.length, tasks: outcomes.length, ...closureTotals(outcomes) },
  };
}
export type LedgerData = NonNullable<Awaited<ReturnType<typeof loadLedgerData>>>;

/** A local wall-clock date (and the time, unless it is the end of the working day) of an instant. */
function cellDateOf(instant: Date, timeZone: string, workdayEnd: string): CellDate {
  const date = localDate(instant, timeZone);
  const time = localTime(instant, timeZone);
  return time === workdayEnd ? { date } : { date, time };
}

const outcomeFills: Partial<Record<ClosureOutcome, string>> = { late: 'FFF8CBAD', cancelled: 'FFD9D9D9' };

/**
 * The campaign's 台账 as a workbook, in the template's column layout (problem cells merged over
 * their tasks' rows) with the closure columns after it, and a 批次信息 sheet with the totals:
 * closed on time, closed late and cancelled counted apart.
 */
export async function renderLedgerWorkbook(data: LedgerData, opts: { timeZone: string; workdayEnd: string; now: Date }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '整改督办系统';
  wb.created = opts.now;
  const ws = addListsSheet(wb, `${data.name}（${data.code}）问题整改台账`, true);
  // 责任人 and 分管领导 carry the e-mail after the name (unambiguous when the ledger is imported back).
  ws.getColumn(COLUMNS.findIndex((c) => c.key === 'owner') + 1).width = 34;
  ws.getColumn(COLUMNS.findIndex((c) => c.key === 'supervisor') + 1).width = 30;
  let r = FIRST_DATA_ROW;
  const problemCols = COLUMNS.map((c, i) => (c.problemLevel ? i + 1 : 0)).filter(Boolean);
  for (const p of data.problems) {
    const first = r;
    for (const t of p.tasks) {
      const row = ws.getRow(r);
      const values: (string | number | null)[] = [
        p.code,
        p.description,
        p.category,
        (severityLabels as Record<string, string>)[p.severity] ?? p.severity,
        sourceLabels[p.source] ?? p.source,
        null,
        t.code,
        t.measure,
        t.leadUnit.name,
        t.coUnits.map((u) => u.name).join('、'),
        // Name for the reader, e-mail so it reads back unambiguously.
        `${t.owner.displayName}（${t.owner.email}）`,
        t.supervisor ? `${t.supervisor.displayName}（${t.supervisor.email}）` : '',
        null,
        taskStatusLabels[t.status as keyof typeof taskStatusLabels] ?? t.status,
        trafficLightLabels[t.light],
        t.overdue ? '是' : '否',
        null,
        closureOutcomeLabels[t.outcome],
        t.returned,
        t.extensions,
        t.evidence,
      ];
      values.forEach((v, i) => {
        const cell = row.getCell(i + 1);
        if (v !== null) cell.value = v;
        styleDataCell(cell, i === 1 || i === 7);
      });
      setDate(row.getCell(6), { date: p.foundOn });
      setDate(row.getCell(13), cellDateOf(t.deadline, opts.timeZone, opts.workdayEnd));
      if (t.closedAt) setDate(row.getCell(17), { date: localDate(t.closedAt, opts.timeZone) });
      const light = row.getCell(15);
      if (t.light !== 'none') light.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fills[t.light] } };
      const fill = outcomeFills[t.outcome];
      if (fill) row.getCell(18).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
      r++;
    }
    if (p.tasks.length > 1) for (const c of problemCols) ws.mergeCells(first, c, r - 1, c);
  }
  ws.autoFilter = { from: { row: FIRST_DATA_ROW - 1, column: 1 }, to: { row: FIRST_DATA_ROW - 1, column: COLUMNS.length + LEDGER_COLUMNS.length } };
  const t = data.totals;
  addCampaignSheet(
    wb,
    { code: data.code, name: data.name, source: sourceLabels[data.source] ?? data.source, periodStart: data.periodStart ? { date: data.periodStart } : null, periodEnd: data.periodEnd ? { date: data.periodEnd } : null },
    [
      ['问题数', t.problems],
      ['任务数', t.tasks],
      ['按时销号', t.onTime],
      ['逾期销号', t.late],
      ['已撤销', t.cancelled],
      ['未销号', t.open],
      ['对账日期', data.reconciledAt ? localDate(data.reconciledAt, opts.timeZone) : '未对账'],
      ['导出时间', new Intl.DateTimeFormat('zh-CN', { timeZone: opts.timeZone, dateStyle: 'long', timeStyle: 'short', hour12: false }).format(opts.now)],
    ],
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
