import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
import { mailAccepted, mailsDeferred, mailsRejected } from '../lib/metrics';
import { paragraphs } from './mail-templates';

export interface OutboxMail {
  /** One mail per key, ever: a retried activity or a restarted worker finds it and sends nothing. */
  idempotencyKey: string;
  kind: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  taskId?: string;
  attachments?: { filename: string; content: string | Buffer; contentType?: string }[];
  /** The instant a timed mail was planned for (reminder, overdue): its lateness is measured from it (lib/metrics.ts). */
  plannedAt?: Date;
}

// A task mail's key (activities/index.ts): task:<id>:<kind>:<deadline>[:<planned step instant>].
const TASK_MAIL_KEY = /^task:[^:]+:(reminder|overdue):(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))(?::(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d)))?$/;

/**
 * When a timed mail was due: as given, else from a task mail's key (an overdue mail at the deadline;
 * a reminder at its planned step, or, in the first release's regime, its offset before the deadline).
 */
async function plannedInstant(db: Db, mail: OutboxMail): Promise<Date | undefined> {
  if (mail.plannedAt) return mail.plannedAt;
  const m = TASK_MAIL_KEY.exec(mail.idempotencyKey);
  if (!m) return undefined;
  const [, kind, deadline, step] = m;
  if (step) return new Date(step);
  if (kind === 'overdue') return new Date(deadline!);
  const task = mail.taskId ? await db.task.findUnique({ where: { id: mail.taskId }, select: { reminderOffsetSeconds: true } }) : null;
  return task && task.reminderOffsetSeconds > 0 ? new Date(Date.parse(deadline!) - task.reminderOffsetSeconds * 1000) : undefined;
}

/** The activity's logger (JSON lines with the workflow id, worker/logging.ts) when called from an activity. */
function activityLog(): Context['log'] | undefined {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}

/** Message-ID derived from the idempotency key, so a receiver can recognise a repeat. */
export const messageIdOf = (key: string) => `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@rectify.local>`;

/**
 * Sends a mail through the outbox: the row is written before sending and marked sent after, so a
 * retry after a successful send does nothing. (A crash between the SMTP acceptance and the mark
 * can still repeat one mail; the stable Message-ID lets the receiving side drop it.)
 */
export async function sendOnce(deps: { db: Db; mailer: Mailer; mailFrom: string; now: () => Date }, mail: OutboxMail) {
  const messageId = messageIdOf(mail.idempotencyKey);
  const row = await deps.db.mailMessage.upsert({
    where: { idempotencyKey: mail.idempotencyKey },
    create: { idempotencyKey: mail.idempotencyKey, taskId: mail.taskId ?? null, kind: mail.kind, to: mail.to, subject: mail.subject, messageId, attempts: 1 },
    update: { attempts: { increment: 1 } },
  });
  const result = { idempotencyKey: mail.idempotencyKey, messageId, alreadySent: false, rejected: false };
  if (row.status === 'sent') return { ...result, alreadySent: true };
  if (row.status === 'rejected') return { ...result, rejected: true };
  try {
    await deps.mailer.sendMail({
      from: deps.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId,
      headers: { 'X-Idempotency-Key': mail.idempotencyKey },
      attachments: mail.attachments,
    });
  } catch (err) {
    // 5xx: the server refuses this message for good (unknown mailbox…). Retrying cannot help: record
    // it and tell the office. Anything else (outage, 4xx) is thrown, and the activity retries.
    const code = (err as { responseCode?: number }).responseCode;
    if (code === undefined || code < 500 || code > 599) {
      mailsDeferred.inc({ kind: mail.kind });
      activityLog()?.warn('邮件暂未发出，将重试 / mail deferred, to be retried', { kind: mail.kind, messageId, attempt: row.attempts, error: (err as Error).message });
      throw err;
    }
    mailsRejected.inc({ kind: mail.kind });
    activityLog()?.warn('邮件被拒收 / mail rejected', { kind: mail.kind, messageId, responseCode: code });
    const error = `${code} ${(err as Error).message}`.slice(0, 500);
    await deps.db.mailMessage.update({ where: { idempotencyKey: mail.idempotencyKey }, data: { status: 'rejected', error } });
    if (mail.kind !== 'mail_rejected') await reportRejection(deps, mail, error);
    return { ...result, rejected: true };
  }
  const acceptedAt = deps.now();
  mailAccepted(mail.kind, await plannedInstant(deps.db, mail).catch(() => undefined), acceptedAt);
  activityLog()?.info('邮件已发出 / mail sent', { kind: mail.kind, messageId, attempt: row.attempts });
  await deps.db.mailMessage.update({ where: { idempotencyKey: mail.idempotencyKey }, data: { status: 'sent', sentAt: acceptedAt } });
  return result;
}

/** Tells every active member of the supervision office that a mail could not be delivered. */
async function reportRejection(deps: Parameters<typeof sendOnce>[0], mail: OutboxMail, error: string) {
  const office = await deps.db.person.findMany({ where: { active: true, roles: { has: 'office' } } });
  const text = [`以下邮件被收件服务器拒收，未能送达，请核实收件人邮箱：`, `收件人：${mail.to}`, `主题：${mail.subject}`, `原因：${error}`, '', '——', `A mail to ${mail.to} was rejected: ${error}`];
  for (const person of office) {
    await sendOnce(deps, {
      idempotencyKey: `rejected:${mail.idempotencyKey}:${person.email}`,
      kind: 'mail_rejected',
      to: person.email,
      taskId: mail.taskId,
      subject: `【退信】邮件无法投递：${mail.to}`,
      text: text.join('\n'),
      html: paragraphs(text),
    });
  }
}
