import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Service } from './processes';

export interface CaughtMail {
  raw: Buffer;
  parsed: ParsedMail;
  envelopeTo: string[];
  receivedAt: Date;
  file: string | null;
}

export interface MailCatcher extends Service {
  port: number;
  url: string;
  messages: CaughtMail[];
  /** Resolves when at least `count` messages matching `filter` have arrived. */
  waitFor(count: number, filter?: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail[]>;
}

/**
 * A local SMTP server (npm `smtp-server`) that accepts every message. `npm start` runs it when no
 * SMTP_URL is configured, keeping each message as an .eml file; the tests use it as the real
 * receiving end of the mail the app sends.
 */
export async function startMailCatcher(opts: {
  port: number;
  dir?: string;
  /** Recipients refused with 550, as a real server refuses an unknown mailbox (tests). */
  rejectRecipients?: string[];
  onMessage?: (m: CaughtMail) => void;
}): Promise<MailCatcher> {
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  const messages: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'rectify mail catcher',
    onRcptTo(address, _session, callback) {
      if (opts.rejectRecipients?.includes(address.address)) {
        return callback(Object.assign(new Error(`mailbox unavailable: ${address.address}`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void (async () => {
          const receivedAt = new Date();
          let file: string | null = null;
          if (opts.dir) {
            const stamp = receivedAt.toISOString().replace(/[:.]/g, '-');
            file = path.join(opts.dir, `${stamp}-${String(++seq).padStart(4, '0')}.eml`);
            await writeFile(file, raw);
          }
          const parsed = await simpleParser(raw);
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
          const mail: CaughtMail = { raw, parsed, envelopeTo, receivedAt, file };
          messages.push(mail);
          opts.onMessage?.(mail);
          for (const wake of waiters) wake();
        })().then(
          () => callback(),
          (err: Error) => callback(err),
        );
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    name: 'mail',
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(count, filter = () => true, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.filter(filter);
          if (found.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} mail(s), got ${messages.filter(filter).length} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
