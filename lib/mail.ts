import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export type Mailer = Transporter<SMTPTransport.SentMessageInfo>;

/**
 * How long one SMTP attempt may wait on the server. Well under the 30 s an activity attempt has
 * (workflows/superviseTask.ts): a stalled server makes this attempt give up and fail before
 * Temporal times it out and starts the next one, so two attempts never have the same mail in
 * flight (nodemailer's defaults, 2 and 10 minutes, would let a late 250 land after the retry's).
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000, dnsTimeout: 10_000 } as const;

/** One SMTP transport per process. */
export function createMailer(smtpUrl: string): Mailer {
  return nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS });
}
