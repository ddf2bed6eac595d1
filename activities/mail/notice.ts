/**
 * The numbered notices of the escalation ladder (督办〔2026〕第N号): 提醒, 督办单 (yellow / orange),
 * 约谈, 通报, 问责, one layout whose title, wording and requirement follow the rung; and the daily
 * 签收 reminder of a notice nobody has acknowledged.
 */
import { type NoticeType, noticeTypeLabels } from '../../domain/supervision-policy';
import { formatDateZh, formatInstantEn, formatInstantZh } from './format';
import { type BadgeTone, renderOfficialMail, type RenderedMail } from './layout';
import { codeOf, type MailContext, type Matter, matterFields, type Recipient, relativeOf } from './model';

export type NoticeColor = 'yellow' | 'orange';

export interface NoticeMailModel {
  number: string;
  level: number;
  type: NoticeType;
  color?: NoticeColor | null;
  requiresAck: boolean;
  issuedAt: Date;
  recipient: Recipient;
  matter: Matter;
  /** The notice's page (where it is acknowledged, 签收). */
  noticeUrl: string;
  taskUrl: string;
  /** The ladder's next rung: the time limit of what this notice requires, and what follows if it is missed. */
  next?: { at: Date; label: string } | null;
}

/** 督办单（黄）, 约谈… */
export const noticeLabel = (type: NoticeType, color?: NoticeColor | null) =>
  `${noticeTypeLabels[type]}${color === 'yellow' ? '（黄）' : color === 'orange' ? '（橙）' : ''}`;

const titles: Record<NoticeType, string> = {
  reminder: '整改逾期提醒单',
  supervision_notice: '督办通知单',
  admonition: '约谈通知书',
  circular: '督办情况通报',
  accountability: '问责移送通知书',
};

const badgeOf = (type: NoticeType, color?: NoticeColor | null): { text: string; tone: BadgeTone } => {
  if (type === 'supervision_notice') return color === 'orange' ? { text: '橙色督办', tone: 'orange' } : { text: '黄色督办', tone: 'yellow' };
  return { reminder: { text: '逾期提醒', tone: 'blue' as const }, admonition: { text: '约谈', tone: 'red' as const }, circular: { text: '通报', tone: 'red' as const }, accountability: { text: '问责', tone: 'red' as const } }[type];
};

const englishNames: Record<NoticeType, string> = {
  reminder: 'overdue reminder',
  supervision_notice: 'supervision notice',
  admonition: 'admonition notice',
  circular: 'circular',
  accountability: 'referral for accountability',
};

/** The numbered notice of one rung. */
export function renderNoticeMail(model: NoticeMailModel, ctx: MailContext): RenderedMail {
  const { matter: m } = model;
  const rel = relativeOf(m, ctx);
  const label = noticeLabel(model.type, model.color);
  const deadline = formatInstantZh(m.deadline, ctx.timeZone);
  const fact = `${m.leadUnit}牵头、${m.owner}负责的整改任务“${m.title}”（${codeOf(m)}），完成时限为 ${deadline}，截至 ${formatInstantZh(model.issuedAt, ctx.timeZone)} 仍未办结，${rel.zh}。`;
  const decision: Record<NoticeType, string> = {
    reminder: '现予逾期提醒。',
    supervision_notice: `根据整改督办工作要求，现予${model.color === 'orange' ? '橙色' : '黄色'}督办。`,
    admonition: `经督办仍未办结。根据整改督办工作要求，决定对${m.leadUnit}负责同志进行约谈。`,
    circular: `经督办、约谈仍未办结，现予通报。各单位要引以为戒，对照检查本单位整改任务，确保按时办结。`,
    accountability: `经多次督办仍未办结。根据有关规定，现将该事项移送问责。`,
  };
  const requirement: Record<NoticeType, string> = {
    reminder: '请立即组织整改，在系统中报送进展并说明逾期原因；整改完成后上传佐证材料、申请销号。',
    supervision_notice: '请立即组织整改，报送整改进展和逾期原因说明；整改完成后上传佐证材料、申请销号。',
    admonition: `请${m.leadUnit}主要负责同志和分管领导按督查室安排参加约谈，书面报告逾期原因、整改措施和完成时间。`,
    circular: `请${m.leadUnit}立即整改到位并申请销号；各单位对照自查，举一反三。`,
    accountability: `请${m.leadUnit}报送书面情况说明，配合做好问责相关工作；整改任务继续督办，直至办结销号。`,
  };
  const ack = model.requiresAck ? '收到本通知后请点击下方“签收通知”按钮签收；' : '';
  return renderOfficialMail({
    subject: `【${label}】${model.number}：“${m.title}”已逾期`,
    issuer: ctx.issuer,
    reference: model.number,
    title: titles[model.type],
    badge: badgeOf(model.type, model.color),
    recipient: model.recipient,
    body: [fact + decision[model.type]],
    fields: [
      ...matterFields(m, ctx),
      { label: '督办级别', value: `第${model.level}级 ${label}`, alert: model.level > 1 },
      { label: '签收', value: model.requiresAck ? '需签收（未签收的，每个工作日上午催办）' : '无需签收' },
    ],
    required: {
      text: ack + requirement[model.type],
      by: model.next ? `${formatInstantZh(model.next.at, ctx.timeZone)}前；逾期未办结的，升级为${model.next.label}` : undefined,
    },
    action: { label: model.requiresAck ? '签收通知' : '查看通知', url: model.noticeUrl },
    links: [{ label: '任务详情', url: model.taskUrl }],
    issuedOn: formatDateZh(model.issuedAt, ctx.timeZone),
    english: `${model.number}, ${englishNames[model.type]}${model.color ? ` (${model.color})` : ''}: the rectification task "${m.title}" (${codeOf(m)}) was due on ${formatInstantEn(m.deadline, ctx.timeZone)} and is ${rel.en}.${model.requiresAck ? ' Please acknowledge it.' : ''}`,
  });
}

export interface AckReminderModel {
  number: string;
  type: NoticeType;
  color?: NoticeColor | null;
  issuedAt: Date;
  recipient: Recipient;
  matter: Matter;
  noticeUrl: string;
  taskUrl: string;
}

/** 签收催办: a notice that requires 签收 and has none yet, once each working morning. */
export function renderAckReminderMail(model: AckReminderModel, ctx: MailContext): RenderedMail {
  const { matter: m } = model;
  const rel = relativeOf(m, ctx);
  return renderOfficialMail({
    subject: `【请签收】${model.number}`,
    issuer: ctx.issuer,
    reference: model.number,
    title: '督办通知签收催办',
    badge: { text: '待签收', tone: 'orange' },
    recipient: model.recipient,
    body: [`${model.number}《${titles[model.type]}》（${noticeLabel(model.type, model.color)}）已于 ${formatInstantZh(model.issuedAt, ctx.timeZone)} 发出，至今尚未签收。所督办的整改任务“${m.title}”（${codeOf(m)}）${rel.zh}。`],
    fields: [{ label: '通知编号', value: model.number }, ...matterFields(m, ctx)],
    required: { text: '请点击下方“签收通知”按钮签收该通知，并抓紧组织整改；签收前，每个工作日上午继续催办。', by: `${formatDateZh(ctx.now, ctx.timeZone)}（今日）内签收` },
    action: { label: '签收通知', url: model.noticeUrl },
    links: [{ label: '任务详情', url: model.taskUrl }],
    issuedOn: formatDateZh(ctx.now, ctx.timeZone),
    english: `${model.number} is not acknowledged yet; the task "${m.title}" (${codeOf(m)}) is ${rel.en}. Please acknowledge it.`,
  });
}
