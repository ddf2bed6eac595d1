import { createHash } from 'node:crypto';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
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
    if (code === undefined || code < 500 || code > 599) throw err;
    const error = `${code} ${(err as Error).message}`.slice(0, 500);
    await deps.db.mailMessage.update({ where: { idempotencyKey: mail.idempotencyKey }, data: { status: 'rejected', error } });
    if (mail.kind !== 'mail_rejected') await reportRejection(deps, mail, error);
    return { ...result, rejected: true };
  }
  await deps.db.mailMessage.update({ where: { idempotencyKey: mail.idempotencyKey }, data: { status: 'sent', sentAt: deps.now() } });
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
