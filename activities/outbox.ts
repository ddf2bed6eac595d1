import { createHash } from 'node:crypto';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';

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
  if (row.status === 'sent') return { idempotencyKey: mail.idempotencyKey, messageId, alreadySent: true };
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
  await deps.db.mailMessage.update({ where: { idempotencyKey: mail.idempotencyKey }, data: { status: 'sent', sentAt: deps.now() } });
  return { idempotencyKey: mail.idempotencyKey, messageId, alreadySent: false };
}
