import type { Db } from '../../lib/db';
import type { CaughtMail, MailCatcher } from '../../scripts/lib/mail-catcher';
import { eventually } from './eventually';

/** Waits until every one of `mails` is recorded sent in the outbox (matched by Message-ID). */
export const recordedSent = (db: Db, mails: CaughtMail[]) =>
  eventually(async () => {
    const ids = mails.map((m) => m.parsed.messageId ?? '');
    const rows = await db.mailMessage.findMany({ where: { messageId: { in: ids } } });
    expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'sent'));
  }, 10_000, 10);

/**
 * The mail server's side of "the worker dies while the k-th mail is in its SMTP transaction (DATA
 * sent, no answer yet)": the first k-1 mails are accepted; the k-th, and any arriving after it
 * from the dying worker, get no answer. Once the accepted ones are recorded sent (never killed in
 * the window between a 250 and its outbox mark), `kill` runs; when every connection of the dead
 * worker has closed, mail is accepted again and `afterKill` resolves with the count accepted by then.
 * Pass `beforeAccept` to the mail catcher; `smtp` is read when the kill happens.
 */
export function killAtMail(opts: { k: number; db: Db; kill: () => Promise<unknown>; smtp: () => MailCatcher }) {
  let phase: 'before' | 'killing' | 'after' = 'before';
  const accepted: CaughtMail[] = [];
  const held: CaughtMail[] = [];
  let killed!: (acceptedAtKill: number) => void;
  let killFailed!: (err: unknown) => void;
  const afterKill = new Promise<number>((resolve, reject) => ((killed = resolve), (killFailed = reject)));

  async function beforeAccept(mail: CaughtMail, { closed }: { closed: Promise<void> }): Promise<void> {
    if (phase === 'after') return; // the new worker's: accepted
    if (phase === 'before' && accepted.length < opts.k - 1) {
      accepted.push(mail);
      return;
    }
    held.push(mail);
    if (phase === 'before') {
      phase = 'killing';
      void (async () => {
        await recordedSent(opts.db, accepted);
        await opts.kill();
        await eventually(() => expect(opts.smtp().openConnections()).toBe(0), 10_000, 10);
        phase = 'after';
        killed(opts.smtp().messages.length);
      })().catch(killFailed);
    }
    // No answer while the dying worker is connected: its message is dropped.
    await closed;
  }
  return { accepted, held, afterKill, beforeAccept };
}
