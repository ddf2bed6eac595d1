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
  /** Client connections open now (a test waits for a killed client's connections to be gone). */
  openConnections(): number;
  /** Settles when the server stops listening by itself (not after `stop()`). */
  exited: Promise<string>;
  /** Resolves when at least `count` messages matching `filter` have arrived. */
  waitFor(count: number, filter?: (m: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail[]>;
}

/**
 * A local SMTP server (npm `smtp-server`) that accepts every message. `npm start` runs it when no
 * SMTP_URL is configured, keeping each message as an .eml file; the tests use it as the real
 * receiving end of the mail the app sends.
 *
 * A message counts as delivered (kept in `messages`, saved, passed to `onMessage`) only when the
 * server answers its DATA with 250 to a client that is still connected. A client that disconnects
 * before that answer never learns the message was taken, so for it the transaction failed and it
 * will send again: such a message is dropped, as a real server drops it.
 */
export async function startMailCatcher(opts: {
  port: number;
  dir?: string;
  /** Recipients refused with 550, as a real server refuses an unknown mailbox (tests). */
  rejectRecipients?: string[];
  onMessage?: (m: CaughtMail) => void;
  /**
   * Called when a message's DATA has arrived in full, before the server answers (tests). The
   * answer waits for the returned promise; `closed` resolves when the client disconnects. If the
   * client is gone by then, the message is dropped; if the hook throws, the server answers 450.
   */
  beforeAccept?: (m: CaughtMail, transaction: { closed: Promise<void> }) => void | Promise<void>;
}): Promise<MailCatcher> {
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  const messages: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  let seq = 0;
  // One entry per connection (smtp-server keeps one session object per connection).
  const connections = new WeakMap<object, { closed: boolean; whenClosed: Promise<void>; close: () => void }>();
  const open = new Set<object>();
  const connectionOf = (session: object) => {
    let c = connections.get(session);
    if (!c) {
      let close!: () => void;
      const whenClosed = new Promise<void>((resolve) => (close = resolve));
      c = { closed: false, whenClosed, close };
      connections.set(session, c);
    }
    return c;
  };

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
      const connection = connectionOf(session);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      // A client gone in the middle of the message: the stream is destroyed and never ends.
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void (async () => {
          const receivedAt = new Date();
          const parsed = await simpleParser(raw);
          const envelopeTo = session.envelope.rcptTo.map((r) => r.address);
          const mail: CaughtMail = { raw, parsed, envelopeTo, receivedAt, file: null };
          await opts.beforeAccept?.(mail, { closed: connection.whenClosed });
          if (connection.closed) return false;
          if (opts.dir) {
            const stamp = receivedAt.toISOString().replace(/[:.]/g, '-');
            mail.file = path.join(opts.dir, `${stamp}-${String(++seq).padStart(4, '0')}.eml`);
            await writeFile(mail.file, raw);
          }
          messages.push(mail);
          opts.onMessage?.(mail);
          for (const wake of waiters) wake();
          return true;
        })().then(
          (accepted) => callback(accepted ? null : Object.assign(new Error('client disconnected before the message was accepted'), { responseCode: 451 })),
          (err: Error) => callback(err),
        );
      });
    },
    onConnect(session, callback) {
      if (!connectionOf(session).closed) open.add(session);
      callback();
    },
    onClose(session) {
      const connection = connectionOf(session);
      connection.closed = true;
      open.delete(session);
      connection.close();
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  // A client's socket error (ECONNRESET when it dies in the middle of a transaction) ends that
  // connection only; without a listener the 'error' event would bring the whole process down.
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  let stopping = false;
  const exited = new Promise<string>((resolve) => server.server.once('close', () => !stopping && resolve('stopped listening')));

  return {
    name: 'mail',
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    openConnections: () => open.size,
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
    exited,
    stop: () => {
      stopping = true;
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
