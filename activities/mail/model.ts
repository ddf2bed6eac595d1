/**
 * The typed models the mail templates render from, and the pieces they share: who the mail is to,
 * the matter (task) it is about, and the office's context (issuing office, time zone, calendar, now).
 */
import type { WorkingCalendar } from '../../domain/calendar';
import { formatInstantZh, relativeTime, type RelativeTime } from './format';
import type { MailField } from './layout';

export interface MailContext {
  /** 发文机关, e.g. 市场监督管理局督查室. */
  issuer: string;
  timeZone: string;
  now: Date;
  /** The working-day calendar, for "还剩 3 个工作日"; days when absent. */
  calendar?: WorkingCalendar;
}

/** 主送: the person the mail goes to and their unit. */
export interface Recipient {
  person: string;
  unit?: string | null;
}

/** The matter a task mail or notice is about (整改任务 with its three lists). */
export interface Matter {
  /** 整改措施 */
  title: string;
  /** XF-2026-001-1; standalone tasks have none. */
  code: string | null;
  problem?: string | null;
  /** 2026 行风建设攻坚行动（XF-2026） */
  campaign?: string | null;
  leadUnit: string;
  coUnits?: string[];
  owner: string;
  supervisor?: string | null;
  deadline: Date;
}

export const codeOf = (m: Pick<Matter, 'code'>) => m.code ?? '未编号';

/** How far the matter's deadline is, at the mail's instant. */
export const relativeOf = (m: Pick<Matter, 'deadline'>, ctx: MailContext): RelativeTime => relativeTime(m.deadline, ctx.now, ctx);

/** The key-value table of a matter: what it is, its code, who is responsible, the deadline and how far away or overdue it is. */
export function matterFields(m: Matter, ctx: MailContext): MailField[] {
  const rel = relativeOf(m, ctx);
  return [
    { label: '事项', value: m.title },
    { label: '任务编号', value: codeOf(m) },
    ...(m.problem ? [{ label: '问题', value: m.problem }] : []),
    ...(m.campaign ? [{ label: '整改批次', value: m.campaign }] : []),
    { label: '牵头单位', value: m.leadUnit },
    ...(m.coUnits?.length ? [{ label: '配合单位', value: m.coUnits.join('、') }] : []),
    { label: '责任人', value: m.owner },
    ...(m.supervisor ? [{ label: '分管领导', value: m.supervisor }] : []),
    { label: '完成时限', value: formatInstantZh(m.deadline, ctx.timeZone) },
    { label: rel.overdue ? '逾期情况' : '剩余时间', value: rel.zh, alert: rel.overdue },
  ];
}
