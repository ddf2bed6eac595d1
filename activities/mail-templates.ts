import { createEvent } from 'ics';
/**
 * Task mails (to the owner): which template each kind uses, and the pieces older callers import.
 * The templates themselves live in ./mail (one per kind, rendered from a typed model).
 */
import { escapeHtml } from './mail/format';
import type { RenderedMail } from './mail/layout';
import type { MailContext } from './mail/model';
import { renderOverdueMail, renderReminderMail, type TaskMailModel } from './mail/task';

export { escapeHtml } from './mail/format';
export type { RenderedMail } from './mail/layout';

export type TaskMailKind = 'reminder' | 'overdue';

export function renderTaskMail(kind: TaskMailKind, model: TaskMailModel, ctx: MailContext): RenderedMail {
  return kind === 'reminder' ? renderReminderMail(model, ctx) : renderOverdueMail(model, ctx);
}

/** Plain-text lines as HTML paragraphs (the 退信 report, the one mail that is not a notice). */
export const paragraphs = (lines: string[]) => lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n');

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
