import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export type Mailer = Transporter<SMTPTransport.SentMessageInfo>;

/** One SMTP transport per process. */
export function createMailer(smtpUrl: string): Mailer {
  return nodemailer.createTransport(smtpUrl);
}
