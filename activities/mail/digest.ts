/** 每日汇总: one mail a working morning listing a person's tasks that are overdue or due within 7 days. */
import { zonedInstant } from '../../domain/calendar';
import { formatDateZh, formatInstantZh, formatShortZh, relativeTime } from './format';
import { renderOfficialMail, type RenderedMail } from './layout';
import type { MailContext, Recipient } from './model';

export interface DigestItem {
  code: string | null;
  title: string;
  leadUnit: string;
  deadline: Date;
  url: string;
}

export interface DigestMailModel {
  /** The day, YYYY-MM-DD in the office's time zone. */
  date: string;
  recipient: Recipient;
  /** By deadline, earliest first. */
  items: DigestItem[];
  dashboardUrl: string;
}

export function renderDigestMail(model: DigestMailModel, ctx: MailContext): RenderedMail {
  const rows = model.items.map((t) => ({ ...t, rel: relativeTime(t.deadline, ctx.now, ctx) }));
  const overdue = rows.filter((r) => r.rel.overdue).length;
  const dateZh = formatDateZh(zonedInstant(model.date, '12:00', ctx.timeZone), ctx.timeZone);
  const nextDue = rows.find((r) => !r.rel.overdue);
  return renderOfficialMail({
    subject: `【每日汇总】${model.date}：${rows.length} 项整改任务待办`,
    issuer: ctx.issuer,
    reference: `每日汇总 ${model.date}`,
    title: '整改任务每日待办汇总',
    badge: overdue > 0 ? { text: `逾期 ${overdue} 项`, tone: 'red' } : { text: '临近到期', tone: 'yellow' },
    recipient: model.recipient,
    body: [`截至 ${dateZh}，您负责的整改任务中有 ${rows.length} 项已逾期或 7 日内到期，其中已逾期 ${overdue} 项、临近到期 ${rows.length - overdue} 项，明细如下。`],
    fields: [
      { label: '责任人', value: model.recipient.person },
      ...(model.recipient.unit ? [{ label: '所在单位', value: model.recipient.unit }] : []),
      { label: '汇总日期', value: dateZh },
      { label: '待办事项', value: `${rows.length} 项` },
      { label: '已逾期', value: `${overdue} 项`, alert: overdue > 0 },
      ...(nextDue ? [{ label: '最近到期', value: `${nextDue.code ?? nextDue.title}，${formatInstantZh(nextDue.deadline, ctx.timeZone)}（${nextDue.rel.zh}）` }] : []),
    ],
    table: {
      caption: '待办明细',
      head: ['任务编号', '整改任务', '牵头单位', '完成时限', '状态'],
      nowrap: [0, 3, 4],
      rows: rows.map((r) => ({
        cells: [r.code ?? '未编号', { text: r.title, url: r.url }, r.leadUnit, formatShortZh(r.deadline, ctx.timeZone), { text: r.rel.zh, alert: r.rel.overdue }],
        fill: r.rel.overdue ? '#fdeced' : '#fff8e1',
      })),
    },
    required: {
      text: '已逾期的事项请立即整改并在系统中说明原因；临近到期的事项请按时报送进展、上传佐证材料并申请销号。',
      by: nextDue ? `各项完成时限见上表，最近一项为 ${formatInstantZh(nextDue.deadline, ctx.timeZone)}` : '已逾期事项请立即办理',
    },
    action: { label: '打开工作台', url: model.dashboardUrl },
    issuedOn: dateZh,
    english: `Daily digest for ${model.date}: ${rows.length} task(s) overdue or due within 7 days, ${overdue} overdue.`,
  });
}
