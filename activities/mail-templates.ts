import { createEvent } from 'ics';
/**
 * Task mail texts: Chinese first, English below. Instants are shown in the office's time zone.
 */
export type TaskMailKind = 'reminder' | 'overdue';

export interface TaskMailContext {
  title: string;
  deadline: Date;
  now: Date;
  link: string;
  timeZone: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const formatInstant = (d: Date, timeZone: string, locale: string) =>
  new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Plain-text lines as HTML paragraphs (the HTML part of a mail whose text part is `lines`). */
export const paragraphs = (lines: string[]) => lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');

function hoursBetween(a: Date, b: Date): number {
  return Math.max(0, Math.round((b.getTime() - a.getTime()) / 3_600_000));
}

export function renderTaskMail(kind: TaskMailKind, ctx: TaskMailContext): RenderedMail {
  const zh = formatInstant(ctx.deadline, ctx.timeZone, 'zh-CN');
  const en = formatInstant(ctx.deadline, ctx.timeZone, 'en-GB');
  const lines =
    kind === 'reminder'
      ? {
          subject: `【整改提醒】“${ctx.title}”将于 ${zh} 到期`,
          zh: [`您负责的整改任务“${ctx.title}”将于 ${zh} 到期（约剩 ${hoursBetween(ctx.now, ctx.deadline)} 小时），请抓紧办理并按时报送。`],
          en: [`Reminder: the rectification task "${ctx.title}" is due on ${en} (${ctx.timeZone}).`],
        }
      : {
          subject: `【逾期通知】“${ctx.title}”已超过完成时限`,
          zh: [`您负责的整改任务“${ctx.title}”已于 ${zh} 到期，目前仍未完成，已列为逾期。请立即办理并说明情况。`],
          en: [`Overdue: the rectification task "${ctx.title}" was due on ${en} (${ctx.timeZone}) and is not completed.`],
        };
  const zhLink = `任务详情：${ctx.link}`;
  const enLink = `Task: ${ctx.link}`;
  const text = [...lines.zh, zhLink, '', '——', ...lines.en, enLink, ''].join('\n');
  const html = [
    ...lines.zh.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p>任务详情：<a href="${escapeHtml(ctx.link)}">${escapeHtml(ctx.link)}</a></p>`,
    '<hr>',
    ...lines.en.map((l) => `<p lang="en">${escapeHtml(l)}</p>`),
  ].join('\n');
  return { subject: lines.subject, text, html };
}

/**
 * The deadline as a calendar event (.ics), so the owner's calendar shows it. One UID per task: a
 * moved deadline updates the same event in the owner's calendar.
 */
export function deadlineIcs(task: { id: string; title: string; deadline: Date; link: string }): string {
  const { error, value } = createEvent({
    uid: `task-${task.id}@rectify.local`,
    start: task.deadline.getTime(),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: 30 },
    title: `整改完成时限：${task.title}`,
    description: `整改任务“${task.title}”的完成时限。${task.link}`,
    url: task.link,
    productId: 'rectify',
    alarms: [{ action: 'display', description: `整改任务“${task.title}”即将到期`, trigger: { hours: 24, before: true } }],
  });
  if (error || !value) throw error ?? new Error('could not build the .ics');
  return value;
}
