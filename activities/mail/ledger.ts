/** 对账: the closure ledger of a reconciled campaign, to the office. */
import type { Ledger, LedgerRow } from '../campaign';
import { formatDateZh, formatDayZh, formatInstantZh } from './format';
import { renderOfficialMail, type RenderedMail } from './layout';
import type { MailContext, Recipient } from './model';

export interface LedgerMailModel {
  ledger: Ledger;
  recipient: Recipient;
  campaignUrl: string;
  /** Rows shown in the mail; the page and the attachment have all of them. */
  maxRows?: number;
}

// How a row ended and the cancelled count, read tolerantly: older stored ledgers have neither.
type Outcome = 'on_time' | 'late' | 'cancelled' | 'open';
const outcomeOf = (r: LedgerRow & { outcome?: Outcome }): Outcome => r.outcome ?? (r.onTime ? 'on_time' : 'late');
const outcomeLabels: Record<Outcome, string> = { on_time: '按时', late: '逾期', cancelled: '已撤销', open: '未销号' };

export function renderLedgerMail(model: LedgerMailModel, ctx: MailContext): RenderedMail {
  const { ledger } = model;
  const totals: Ledger['totals'] & { cancelled?: number } = ledger.totals;
  const cancelled = totals.cancelled ?? 0;
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
    body: [`整改批次“${ledger.name}”（${ledger.code}）的全部问题已销号，于 ${formatInstantZh(reconciledAt, ctx.timeZone)} 对账完成。问题 ${totals.problems} 个，任务 ${totals.tasks} 项，按时销号 ${totals.onTime} 项，逾期销号 ${totals.late} 项${cancelled ? `，撤销 ${cancelled} 项` : ''}。`],
    fields: [
      { label: '整改批次', value: `${ledger.name}（${ledger.code}）` },
      { label: '对账时间', value: formatInstantZh(reconciledAt, ctx.timeZone) },
      { label: '问题与任务', value: `问题 ${totals.problems} 个，任务 ${totals.tasks} 项` },
      { label: '销号情况', value: `按时 ${totals.onTime} 项，逾期 ${totals.late} 项${cancelled ? `，撤销 ${cancelled} 项` : ''}`, alert: totals.late > 0 },
      { label: '退回', value: `${returned} 次` },
    ],
    table: {
      caption: '销号台账',
      head: ['任务编号', '整改措施', '牵头单位', '责任人', '完成时限', '销号日期', '结果'],
      nowrap: [0, 2, 3, 4, 5],
      rows: shown.map((r) => ({
        cells: [
          r.taskCode,
          r.measure,
          r.leadUnit,
          r.owner,
          formatDayZh(new Date(r.deadline), ctx.timeZone),
          r.closedAt ? formatDayZh(new Date(r.closedAt), ctx.timeZone) : '—',
          { text: `${outcomeLabels[outcomeOf(r)]}${r.returned ? `，退回 ${r.returned} 次` : ''}`, alert: outcomeOf(r) === 'late' },
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
