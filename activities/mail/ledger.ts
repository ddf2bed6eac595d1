/** 对账: the closure ledger of a reconciled campaign, to the office. */
import type { Ledger } from '../campaign';
import { formatDateZh, formatInstantZh, formatShortZh } from './format';
import { renderOfficialMail, type RenderedMail } from './layout';
import type { MailContext, Recipient } from './model';

export interface LedgerMailModel {
  ledger: Ledger;
  recipient: Recipient;
  campaignUrl: string;
  /** Rows shown in the mail; the page and the attachment have all of them. */
  maxRows?: number;
}

export function renderLedgerMail(model: LedgerMailModel, ctx: MailContext): RenderedMail {
  const { ledger } = model;
  const { totals } = ledger;
  const max = model.maxRows ?? 30;
  const reconciledAt = new Date(ledger.reconciledAt);
  const returned = ledger.rows.reduce((n, r) => n + r.returned, 0);
  const shown = ledger.rows.slice(0, max);
  return renderOfficialMail({
    subject: `【对账完成】${ledger.name}（${ledger.code}）全部销号`,
    issuer: ctx.issuer,
    reference: `整改批次 ${ledger.code}`,
    title: '整改批次对账销号台账',
    badge: { text: '对账完成', tone: 'blue' },
    recipient: model.recipient,
    body: [`整改批次“${ledger.name}”（${ledger.code}）的全部问题已销号，于 ${formatInstantZh(reconciledAt, ctx.timeZone)} 对账完成。问题 ${totals.problems} 个，任务 ${totals.tasks} 项，按时销号 ${totals.onTime} 项，逾期销号 ${totals.late} 项。`],
    fields: [
      { label: '整改批次', value: ledger.name },
      { label: '批次编号', value: ledger.code },
      { label: '对账时间', value: formatInstantZh(reconciledAt, ctx.timeZone) },
      { label: '问题', value: `${totals.problems} 个` },
      { label: '任务', value: `${totals.tasks} 项` },
      { label: '按时销号', value: `${totals.onTime} 项` },
      { label: '逾期销号', value: `${totals.late} 项`, alert: totals.late > 0 },
      { label: '退回', value: `${returned} 次` },
    ],
    table: {
      caption: '销号台账',
      head: ['任务编号', '整改措施', '牵头单位', '责任人', '完成时限', '销号时间', '结果', '退回'],
      rows: shown.map((r) => ({
        cells: [
          r.taskCode,
          r.measure,
          r.leadUnit,
          r.owner,
          formatShortZh(new Date(r.deadline), ctx.timeZone),
          r.closedAt ? formatShortZh(new Date(r.closedAt), ctx.timeZone) : '—',
          { text: r.onTime ? '按时' : '逾期', alert: !r.onTime },
          String(r.returned),
        ],
      })),
      note: `${ledger.rows.length > shown.length ? `仅列前 ${shown.length} 项，共 ${ledger.rows.length} 项；` : ''}完整台账见附件及台账页面。`,
    },
    required: { text: '请核对本台账，确认无误后归档备查；需开展“回头看”的，请在台账页面对相应任务发起。' },
    action: { label: '查看台账', url: model.campaignUrl },
    issuedOn: formatDateZh(reconciledAt, ctx.timeZone),
    english: `Campaign "${ledger.name}" (${ledger.code}) is reconciled: ${totals.tasks} tasks, ${totals.onTime} closed on time, ${totals.late} late.`,
  });
}
