/** A review report's mail (月调度 / 季讲评 / 年考核): the office's notice with the units' table; the Excel workbook goes attached. */
import type { ReviewSummary } from '../lib/review/report';
import { pct } from '../lib/review/render';
import { formatDateZh } from './mail/format';
import { type MailCell, renderOfficialMail, type RenderedMail } from './mail/layout';
import type { MailContext, Recipient } from './mail/model';

export interface ReviewMailModel {
  summary: ReviewSummary;
  recipient: Recipient;
  /** The report's page in the workbench. */
  reportUrl: string;
}

/** Row backgrounds: the traffic light, as a tint text stays readable on. */
const lightTints = { red: '#fde3e3', yellow: '#fff4c7', green: '#e4f4e8' } as const;

export function renderReviewMail(model: ReviewMailModel, ctx: MailContext): RenderedMail {
  const content = model.summary;
  const t = content.totals;
  const intro = `${content.period.label}：在督事项 ${t.tasks} 项，本期销号 ${t.closed} 项（按时 ${t.closedOnTime} 项，按时销号率 ${pct(t.onTimeRate)}），期末未销号 ${t.open} 项，其中逾期 ${t.overdue} 项。`;
  const scored = content.scoring !== null;
  const assessment = content.cycle.reportType === 'assessment';
  const trend = content.previousPeriod !== null && scored;
  const head = [...(scored ? ['排名'] : []), '单位', '在督', '未销号', '销号', '按时率', '逾期', ...(scored ? ['得分'] : []), ...(trend ? ['上期'] : []), ...(assessment ? ['评定及理由'] : [])];
  const rows = content.units.map((u) => {
    const r = u.result;
    const cells: MailCell[] = [
      ...(r ? [String(r.rank)] : []),
      u.name,
      String(u.metrics.tasks),
      String(u.metrics.open),
      String(u.metrics.closed),
      pct(u.metrics.onTimeRate),
      { text: String(u.metrics.overdue), alert: u.metrics.overdue > 0 },
      ...(r ? [String(r.score)] : []),
      ...(trend ? [r?.previous ? `${r.previous.score}（第${r.previous.rank}名）` : '—'] : []),
      ...(r?.rating ? [`${r.rating.label}：${r.rating.reasons.join('；')}`] : []),
    ];
    return { cells, fill: lightTints[u.light] };
  });
  // The period's last day: its end is the next period's first instant.
  const lastDay = new Date(Date.parse(content.period.end) - 1);
  return renderOfficialMail({
    subject: `【${content.cycle.name}】${content.period.label}整改督办${content.cycle.reportTypeLabel}`,
    issuer: ctx.issuer,
    reference: `${content.cycle.name} ${content.period.label}`,
    title: `${content.period.label}整改督办${content.cycle.reportTypeLabel}`,
    badge: { text: content.cycle.name, tone: 'blue' },
    recipient: model.recipient,
    body: [intro, `各单位情况见下表（红黄绿灯为期末状态），完整数据见附件 Excel 及报告页面。`],
    fields: [
      { label: '报告', value: `${content.cycle.name}（${content.cycle.reportTypeLabel}）` },
      { label: '统计期间', value: `${content.period.label}（${formatDateZh(new Date(content.period.start), ctx.timeZone)}至${formatDateZh(lastDay, ctx.timeZone)}）` },
      { label: '在督事项', value: `${t.tasks} 项` },
      { label: '本期销号', value: `${t.closed} 项（按时 ${t.closedOnTime} 项，按时销号率 ${pct(t.onTimeRate)}）` },
      { label: '期末未销号', value: `${t.open} 项` },
      { label: '期末逾期', value: `${t.overdue} 项`, alert: t.overdue > 0 },
      ...(content.previousPeriod ? [{ label: '对比期间', value: content.previousPeriod.label }] : []),
    ],
    table: { caption: scored ? '各单位得分排名' : '各单位整改情况', head, rows, nowrap: head.map((h, i) => (h === '评定及理由' ? -1 : i)), note: `附件：${content.cycle.name}-${content.period.key}.xlsx` },
    required: {
      text: '请各单位对照本通报，逐项核对本单位未销号和逾期事项：逾期事项立即整改并说明原因，临近到期事项按时报送进展、申请销号。',
      by: `下一次${content.cycle.name}前`,
    },
    action: { label: '查看报告', url: model.reportUrl },
    issuedOn: formatDateZh(ctx.now, ctx.timeZone),
    english: `Review ${content.cycle.key} ${content.period.key}: ${t.tasks} items, ${t.closed} closed (${t.closedOnTime} on time), ${t.open} open, ${t.overdue} overdue. The Excel workbook is attached.`,
  });
}
