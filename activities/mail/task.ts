/** The task's own mails to its owner: the reminder before the deadline, and the overdue notice of an unplanned task. */
import { formatDateZh, formatInstantEn, formatInstantZh, formatShortZh } from './format';
import { renderOfficialMail, type RenderedMail } from './layout';
import { codeOf, type MailContext, type Matter, matterFields, type Recipient, relativeOf } from './model';

export interface TaskMailModel {
  recipient: Recipient;
  matter: Matter;
  /** The task's page in the workbench. */
  taskUrl: string;
}

/** 整改任务到期提醒. */
export function renderReminderMail(model: TaskMailModel, ctx: MailContext): RenderedMail {
  const { matter: m } = model;
  const rel = relativeOf(m, ctx);
  const deadline = formatInstantZh(m.deadline, ctx.timeZone);
  return renderOfficialMail({
    subject: `【整改提醒】“${m.title}”将于 ${formatShortZh(m.deadline, ctx.timeZone)} 到期（${rel.zh}）`,
    issuer: ctx.issuer,
    reference: `任务编号 ${codeOf(m)}`,
    title: '整改任务到期提醒',
    badge: { text: '到期提醒', tone: 'blue' },
    recipient: model.recipient,
    body: [`您负责的整改任务“${m.title}”（${codeOf(m)}）将于 ${deadline} 到期，${rel.zh}。请抓紧推进整改，按时报送进展。`],
    fields: matterFields(m, ctx),
    required: {
      text: '请在完成时限前完成整改，在系统中报送进展、上传佐证材料并申请销号；确需延期的，请在到期前提出延期申请并说明理由。',
      by: `${deadline}前`,
    },
    action: { label: '办理任务', url: model.taskUrl },
    issuedOn: formatDateZh(ctx.now, ctx.timeZone),
    english: `Reminder: the rectification task "${m.title}" (${codeOf(m)}) is due on ${formatInstantEn(m.deadline, ctx.timeZone)}, ${rel.en}.`,
  });
}

/** 整改任务逾期通知 (a task without a supervision plan; planned tasks get the numbered 提醒 instead). */
export function renderOverdueMail(model: TaskMailModel, ctx: MailContext): RenderedMail {
  const { matter: m } = model;
  const rel = relativeOf(m, ctx);
  const deadline = formatInstantZh(m.deadline, ctx.timeZone);
  return renderOfficialMail({
    subject: `【逾期通知】“${m.title}”已超过完成时限`,
    issuer: ctx.issuer,
    reference: `任务编号 ${codeOf(m)}`,
    title: '整改任务逾期通知',
    badge: { text: '已逾期', tone: 'red' },
    recipient: model.recipient,
    body: [`您负责的整改任务“${m.title}”（${codeOf(m)}）已于 ${deadline} 到期，目前仍未完成，已列为逾期（${rel.zh}）。`],
    fields: matterFields(m, ctx),
    required: {
      text: '请立即组织整改，在系统中报送进展并说明逾期原因；整改完成后上传佐证材料、申请销号。',
      by: '收到本通知后 1 个工作日内报送进展',
    },
    action: { label: '办理任务', url: model.taskUrl },
    issuedOn: formatDateZh(ctx.now, ctx.timeZone),
    english: `Overdue: the rectification task "${m.title}" (${codeOf(m)}) was due on ${formatInstantEn(m.deadline, ctx.timeZone)} and is not completed (${rel.en}).`,
  });
}
