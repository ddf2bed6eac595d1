import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDb, type Db } from '../../lib/db';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { type SuperviseTaskInput, taskWorkflowId } from '../../domain/contract';
import { createDevServerEnv, insertTask, testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { killAtMail, recordedSent } from '../support/kill-mid-mail';

/**
 * The worker process dies (SIGKILL) in the middle of a burst of overdue notices, and a new one takes
 * over: every notice arrives exactly once, counted at the SMTP server (per recipient and per
 * Message-ID), and every outbox row ends `sent`.
 *
 * Real components only: the Temporal dev server, the test database, an SMTP server, and the worker
 * as its own process (`node --import tsx worker/main.ts`, `npm run worker`). The kill points follow
 * what the SMTP server and the outbox have seen, not a sleep: in the first test the server holds
 * the answer to a message while the worker is killed; in the second the worker is killed once the
 * server has taken k messages and the outbox has recorded them sent.
 *
 * What this cannot show, because plain SMTP cannot close it: a worker that dies after the server's
 * 250 reply and before the outbox marks the row `sent` (a few milliseconds: one UPDATE) sends that
 * mail again on retry, with the same Message-ID (derived from the idempotency key), so the
 * receiving side can recognise the repeat. The tests below kill only outside that window: before
 * the 250 (the message is dropped and resent once) or after the rows are marked `sent`.
 */

const root = path.resolve(__dirname, '../..');

interface WorkerProcess {
  output: string[];
  /** SIGKILL to the worker's process group (the worker and any helper it started), then waits for its exit. */
  kill(): Promise<void>;
  /** SIGTERM, as a service manager stops it; resolves with how it exited. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
const workers = new Set<WorkerProcess>();

/** Starts the worker process on the task queue and resolves once it logs that it is running. */
async function startWorkerProcess(env: TestWorkflowEnvironment, taskQueue: string, smtpUrl: string): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    detached: true, // a process group of its own, so one kill reaches everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: smtpUrl,
      LOG_LEVEL: 'info',
    },
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const worker: WorkerProcess = {
    output,
    async kill() {
      signalGroup('SIGKILL');
      await exited;
      workers.delete(worker);
    },
    async terminate() {
      signalGroup('SIGTERM');
      const { code, signal } = await exited;
      workers.delete(worker);
      return { code, signal };
    },
  };
  workers.add(worker);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not running within 60 s:\n${output.join('\n')}`)), 60_000);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        if (line.includes('worker running')) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then(({ code, signal, error }) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''}) before running:\n${output.join('\n')}`));
    });
  });
  return worker;
}

/** Starts a supervised task per deadline (no reminder): each sends its overdue notice when due. */
async function startTasks(env: TestWorkflowEnvironment, db: Db, taskQueue: string, deadlines: Date[]) {
  const tasks = await Promise.all(deadlines.map((deadline) => insertTask(db, { deadline, reminderOffsetSeconds: 0 })));
  for (const t of tasks) {
    const input: SuperviseTaskInput = { taskId: t.id, title: t.title, ownerEmail: t.ownerEmail, deadline: t.deadline.toISOString(), reminderOffsetSeconds: 0 };
    await env.client.workflow.start('superviseTask', { taskQueue, workflowId: taskWorkflowId(t.id), args: [input] });
  }
  return tasks;
}

/** The promise's value, or a failure naming what did not happen within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const countBy = (keys: (string | undefined)[]) => {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[String(k)] = (counts[String(k)] ?? 0) + 1;
  return counts;
};
const once = (keys: Iterable<string>) => Object.fromEntries([...keys].map((k) => [k, 1]));

/** Resolves once the outbox rows of these messages are all marked sent. */
describe('killing the worker process during a burst of overdue notices', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  let smtp: MailCatcher | undefined;

  beforeAll(async () => {
    env = await createDevServerEnv();
    db = createDb(testDatabaseUrl());
  }, 60_000);
  afterEach(async () => {
    // No worker outlives its test, passed or failed; then the SMTP server can close.
    await Promise.all([...workers].map((w) => w.kill()));
    await smtp?.stop();
    smtp = undefined;
  });
  afterAll(async () => {
    await Promise.all([...workers].map((w) => w.kill()));
    await db?.$disconnect();
    await env?.teardown();
  });

  /**
   * Waits until every task's notice is recorded sent and no workflow has an activity pending (so no
   * retry is still to come), then checks the count at the SMTP server: each owner got one mail,
   * each outbox Message-ID arrived once.
   */
  async function expectEachDeliveredOnce(tasks: { id: string; ownerEmail: string }[]) {
    const ids = tasks.map((t) => t.id);
    const rows = await eventually(
      async () => {
        const rows = await db.mailMessage.findMany({ where: { taskId: { in: ids } } });
        expect(rows).toHaveLength(tasks.length);
        expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
        for (const t of tasks) {
          const { raw } = await env.client.workflow.getHandle(taskWorkflowId(t.id)).describe();
          expect(raw.pendingActivities ?? []).toHaveLength(0);
        }
        return rows;
      },
      60_000,
      500,
    );
    const owners = new Set(tasks.map((t) => t.ownerEmail));
    const mine = smtp!.messages.filter((m) => m.envelopeTo.some((to) => owners.has(to)));
    expect(countBy(mine.flatMap((m) => m.envelopeTo))).toEqual(once(owners));
    expect(countBy(mine.map((m) => m.parsed.messageId))).toEqual(once(rows.map((r) => r.messageId)));
    expect(mine.every((m) => m.parsed.subject?.startsWith('【逾期通知】'))).toBe(true);
    return rows;
  }

  test('killed while the 4th notice is in its SMTP transaction (DATA sent, no answer yet): none lost, none doubled', async () => {
    const k = 4;
    const taskQueue = `worker-kill-${randomUUID()}`;
    const first: { worker?: WorkerProcess } = {};
    const { held, afterKill, beforeAccept } = killAtMail({ k, db, kill: () => first.worker!.kill(), smtp: () => smtp! });
    smtp = await startMailCatcher({ port: 0, beforeAccept });
    first.worker = await startWorkerProcess(env, taskQueue, smtp.url);

    const deadline = new Date(Date.now() + 2000);
    const tasks = await startTasks(env, db, taskQueue, Array.from({ length: 8 }, () => deadline));

    // The messages held when the worker died were dropped, not delivered: k-1 accepted so far.
    expect(await within(afterKill, 30_000, () => `no kill: ${held.length} held, worker output:\n${first.worker?.output.join('\n')}`)).toBe(k - 1);
    expect(held.length).toBeGreaterThanOrEqual(1);
    await startWorkerProcess(env, taskQueue, smtp.url);

    const rows = await expectEachDeliveredOnce(tasks);
    // The interrupted mails went through the outbox again: a second attempt, the same Message-ID.
    const interrupted = rows.filter((r) => held.some((m) => m.parsed.messageId === r.messageId));
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(interrupted.every((r) => r.attempts >= 2)).toBe(true);
  }, 90_000);

  test('killed between mails (the first 4 notices delivered and recorded, the next 4 not yet due): none lost, none doubled', async () => {
    const k = 4;
    const taskQueue = `worker-kill-${randomUUID()}`;
    smtp = await startMailCatcher({ port: 0 });
    const first = await startWorkerProcess(env, taskQueue, smtp.url);

    const firstDue = new Date(Date.now() + 2000);
    const firstWave = await startTasks(env, db, taskQueue, Array.from({ length: k }, () => firstDue));
    const delivered = await smtp.waitFor(k, () => true, 30_000);
    await recordedSent(db, delivered);
    // The rest of the burst falls due 3 s from now; the worker is killed at once (milliseconds).
    const due = new Date(Date.now() + 3000);
    const secondWave = await startTasks(env, db, taskQueue, Array.from({ length: 8 - k }, () => due));
    await first.kill();

    // Between mails: k accepted and recorded, nothing of the rest begun (no outbox row), none due yet.
    expect(Date.now()).toBeLessThan(due.getTime());
    expect(smtp.messages).toHaveLength(k);
    expect(await db.mailMessage.count({ where: { taskId: { in: secondWave.map((t) => t.id) } } })).toBe(0);

    const second = await startWorkerProcess(env, taskQueue, smtp.url);
    await expectEachDeliveredOnce([...firstWave, ...secondWave]);

    // Stopped the ordinary way, the worker finishes and exits 0.
    expect(await second.terminate()).toEqual({ code: 0, signal: null });
    expect(second.output.join('\n')).toContain('worker stopped');
  }, 90_000);
});
