import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';

export type Mailer = Transporter<SMTPPool.SentMessageInfo>;

/**
 * How long one SMTP attempt may wait on the server. Well under the 30 s an activity attempt has
 * (workflows/task/proxies.ts): a stalled server makes this attempt give up and fail before
 * Temporal times it out and starts the next one, so two attempts never have the same mail in
 * flight (nodemailer's defaults, 2 and 10 minutes, would let a late 250 land after the retry's).
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000, dnsTimeout: 10_000 } as const;

/**
 * The connection pool: mails share up to `maxConnections` open SMTP connections instead of one
 * connection (TCP, greeting, EHLO) per mail. `maxRequeues: 0`: when a connection drops while it
 * hands over a message, the pool does not send that message again on its own, the send fails and
 * the activity's retry (through the outbox) decides; a pool retry could land after the activity
 * attempt has timed out and its retry has sent the same mail. Idle connections are closed (QUIT)
 * after 8 s, before the 10 s socket timeout would cut them.
 */
export const SMTP_POOL = { maxConnections: 5, maxMessages: 100, maxRequeues: 0, idleTimeout: 8_000 } as const;

/**
 * The longest one mail may take from `sendMail` to the server's answer, waiting for a free pooled
 * connection included: then it is taken out of the queue (or its connection closed) and fails, still
 * well under the activity's 30 s, so no queued mail is delivered after its attempt gave up.
 */
export const SMTP_SEND_DEADLINE_MS = 20_000;

/** One pooled SMTP transport per process; close() ends its connections. */
export function createMailer(smtpUrl: string, opts: { sendDeadlineMs?: number } = {}): Mailer {
  const deadlineMs = opts.sendDeadlineMs ?? SMTP_SEND_DEADLINE_MS;
  const mailer = nodemailer.createTransport({ url: smtpUrl, pool: true, ...SMTP_POOL, ...SMTP_TIMEOUTS });
  mailer.use('compile', (mail, done) => {
    mail.data.signal ??= AbortSignal.timeout(deadlineMs);
    done();
  });
  return mailer;
}
