import net from 'node:net';
import { createMailer, SMTP_POOL } from '../../lib/mail';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';

const mail = (n: number) => ({ from: 'noreply@rectify.local', to: `owner-${n}@example.gov.cn`, subject: `提醒 ${n}`, text: `第 ${n} 封`, messageId: `<m-${n}-${Date.now()}@rectify.local>` });

/** A TCP relay in front of the catcher that counts the connections opened through it. */
async function countingRelay(target: number) {
  let opened = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    opened += 1;
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    opened: () => opened,
    stop: () => new Promise<void>((r) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => r());
    }),
  };
}

describe('the pooled SMTP transport (lib/mail.ts)', () => {
  let smtp: MailCatcher;
  let hold: Promise<void> | undefined;
  beforeAll(async () => {
    smtp = await startMailCatcher({ port: 0, beforeAccept: () => hold });
  });
  afterAll(() => smtp.stop());

  test(`a burst of 30 mails shares at most ${SMTP_POOL.maxConnections} connections, and every mail arrives once`, async () => {
    const relay = await countingRelay(smtp.port);
    const mailer = createMailer(relay.url);
    try {
      const sent = Array.from({ length: 30 }, (_, i) => mail(i));
      await Promise.all(sent.map((m) => mailer.sendMail(m)));
      const ids = new Set(sent.map((m) => m.messageId));
      const arrived = smtp.messages.filter((m) => ids.has(m.parsed.messageId!));
      expect(arrived).toHaveLength(30);
      expect(new Set(arrived.map((m) => m.parsed.messageId)).size).toBe(30);
      expect(relay.opened()).toBeGreaterThanOrEqual(1);
      expect(relay.opened()).toBeLessThanOrEqual(SMTP_POOL.maxConnections);
    } finally {
      mailer.close();
      await relay.stop();
    }
  });

  test('a mail not answered within the send deadline fails, whether it was being handed over or waiting for a connection; one still queued is never sent later', async () => {
    let release!: () => void;
    hold = new Promise<void>((r) => (release = r));
    const mailer = createMailer(smtp.url, { sendDeadlineMs: 1_500 });
    try {
      // maxConnections are held by the server after DATA; the rest wait in the pool's queue.
      const sent = Array.from({ length: SMTP_POOL.maxConnections + 3 }, (_, i) => mail(100 + i));
      const started = Date.now();
      const outcomes = await Promise.allSettled(sent.map((m) => mailer.sendMail(m)));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(outcomes.map((o) => o.status)).toEqual(sent.map(() => 'rejected'));
      release();
      await new Promise((r) => setTimeout(r, 1_500));
      const arrived = new Set(smtp.messages.map((m) => m.parsed.messageId));
      // The queued ones were taken out of the queue: never sent, whenever a connection frees up.
      const queued = sent.slice(SMTP_POOL.maxConnections);
      expect(queued.filter((m) => arrived.has(m.messageId))).toEqual([]);
      // Those whose DATA the server had in full are the server's to take or drop (as with an
      // unpooled transport's socket timeout); the outbox then retries with the same Message-ID.
      // The pool still works after the aborted deliveries.
      await mailer.sendMail(mail(200));
    } finally {
      hold = undefined;
      release();
      mailer.close();
    }
  });
});
