/**
 * The scale proof (`npm run scale`): N workers and N API processes (`npm run worker`, `npm run api`)
 * on ONE real Temporal server (scripts/real-temporal.ts: go.temporal.io/server v1.32.2, PostgreSQL
 * persistence) and ONE PostgreSQL (embedded), everything on 127.0.0.1, bounded in size:
 *
 *   1. throughput: a burst of tasks whose reminders all fall due at one instant, drained by one
 *      worker, then the same by two workers: reminders accepted by SMTP per second, 1 vs 2;
 *   2. faults: a burst of tasks created through both APIs by clients that retry on the other API
 *      (same Idempotency-Key, same body), reminders and overdue notices falling due during the run;
 *      one worker and one API SIGKILLed when half the tasks are created. Then: every task exists
 *      once, every reminder and every notice mail is delivered once (by Message-ID at the SMTP
 *      server), no outbox row left pending.
 *
 *   node --import tsx scripts/scale.ts [--tasks=200] [--throughput-tasks=100] [--concurrency=8] [--keep]
 *
 * Writes its report to test-output/scale-<date>.json and prints it; exits 1 when a check fails.
 * Needs the server built (`node --import tsx scripts/real-temporal.ts install`, once: ~10 min).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { createAccessTokens } from '../lib/auth';
import { syncPackageCalendar } from '../lib/calendar-store';
import { createDb, type Db } from '../lib/db';
import { repoRoot } from '../lib/tools';
import { type AppProcess, apiReady, startAppProcess, workerRunning } from './lib/app-processes';
import { type CaughtMail, startMailCatcher } from './lib/mail-catcher';
import { deployMigrations } from './lib/migrations';
import { startEmbeddedPostgres } from './lib/postgres';
import { freePort } from './lib/processes';
import { installRealTemporal, pgTarget, startRealTemporal } from './real-temporal';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const TASKS = arg('tasks', 200);
const THROUGHPUT_TASKS = arg('throughput-tasks', 100);
const CONCURRENCY = arg('concurrency', 8);
const KEEP = process.argv.includes('--keep');

const log = (m: string) => console.log(`[scale ${new Date().toISOString().slice(11, 19)}] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Org {
  unitId: string;
  officeId: string;
  owners: { id: string; email: string }[];
}

async function createOrganisation(db: Db): Promise<Org> {
  const tag = randomUUID().slice(0, 8);
  const bureauId = randomUUID();
  await db.unit.create({ data: { id: bureauId, code: `SCALE-${tag}`, name: '市场监督管理局（规模测试）', path: `/${bureauId}/` } });
  const deptId = randomUUID();
  await db.unit.create({ data: { id: deptId, code: `SCALE-D-${tag}`, name: '登记注册科', parentId: bureauId, path: `/${bureauId}/${deptId}/` } });
  const office = await db.person.create({ data: { email: `office-${tag}@example.gov.cn`, displayName: '督查室', unitId: bureauId, roles: ['office'] } });
  const owners = [];
  for (let i = 0; i < 10; i++) {
    owners.push(await db.person.create({ data: { email: `owner${i}-${tag}@example.gov.cn`, displayName: `责任人${i}`, unitId: deptId, roles: ['staff'] }, select: { id: true, email: true } }));
  }
  return { unitId: deptId, officeId: office.id, owners };
}

interface Client {
  /** Creates the task through `apis[first]`, retrying on the others; the attempts it took and the APIs that answered. */
  create(n: number, body: Record<string, unknown>, key: string): Promise<{ id: string; attempts: number; api: number }>;
}

/**
 * A client of the API replicas: on a connection error, a timeout, a 5xx or a 409 (the first try
 * still running on a replica that died) it sends the same request with the same Idempotency-Key
 * to the next replica, backing off, for up to 150 s.
 */
function client(urls: () => string[], token: string, stats: { retries: number; errors: Record<string, number> }): Client {
  return {
    async create(n, body, key) {
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        const list = urls();
        const api = (n + attempt - 1) % list.length;
        let reason: string;
        try {
          const res = await fetch(`${list[api]}/api/tasks`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(20_000),
          });
          const text = await res.text();
          if (res.status === 201 || res.status === 200) return { id: (JSON.parse(text) as { id: string }).id, attempts: attempt, api };
          if (res.status < 500 && res.status !== 409 && res.status !== 429) throw new Error(`task ${n}: HTTP ${res.status} ${text.slice(0, 300)}`);
          reason = `HTTP ${res.status}`;
        } catch (err) {
          if (err instanceof Error && err.message.startsWith(`task ${n}:`)) throw err;
          reason = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : String(err);
        }
        stats.retries += 1;
        stats.errors[reason] = (stats.errors[reason] ?? 0) + 1;
        if (Date.now() - started > 150_000) throw new Error(`task ${n}: gave up after ${attempt} attempts (${reason})`);
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
      }
    },
  };
}

/** Runs `count` jobs with at most `concurrency` at once; `onDone` after each. */
async function pool<T>(count: number, concurrency: number, job: (i: number) => Promise<T>, onDone?: (done: number) => void): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
        onDone?.(++done);
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  await installRealTemporal(log);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-scale-'));
  await chmod(dir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  const report: Record<string, unknown> = { date: new Date().toISOString(), machine: { cpus: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), loadAverageAtStart: os.loadavg().map((l) => +l.toFixed(1)) }, tasks: TASKS, throughputTasks: THROUGHPUT_TASKS, concurrency: CONCURRENCY };
  const failures: string[] = [];
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false, database: 'rectify' });
    stops.push(() => pg.stop());
    await deployMigrations({ databaseUrl: pg.url });
    const db = createDb(pg.url);
    stops.push(() => db.$disconnect());
    await syncPackageCalendar(db);
    const temporal = await startRealTemporal({ dir: path.join(dir, 'temporal'), pg: pgTarget(pg.url), log });
    stops.push(() => temporal.stop());
    const mails: CaughtMail[] = [];
    const smtp = await startMailCatcher({ port: 0, onMessage: (m) => mails.push(m) });
    stops.push(() => smtp.stop());

    const secret = randomBytes(32).toString('base64url');
    const env = { DATABASE_URL: pg.url, SMTP_URL: smtp.url, JWT_SECRET: secret, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'info', LOGIN_RATE_LIMIT: '10000', ...temporal.env() };
    const processes: AppProcess[] = [];
    stops.push(async () => Promise.all(processes.map((p) => p.stop().catch(() => undefined))));
    const startApi = async (name: string) => {
      const port = await freePort();
      const p = await startAppProcess('api', { name, env: { ...env, PORT: String(port) }, logFile: path.join(dir, `${name}.log`) });
      processes.push(p);
      const url = `http://127.0.0.1:${port}`;
      await apiReady(p, url);
      return { p, url };
    };
    const startWorker = async (name: string) => {
      const workerEnv = { ...env, WORKER_METRICS_PORT: String(await freePort()) };
      const p = await startAppProcess('worker', { name, env: workerEnv, logFile: path.join(dir, `${name}.log`) });
      processes.push(p);
      await workerRunning(p);
      return Object.assign(p, { env: workerEnv });
    };
    const [apiA, apiB] = await Promise.all([startApi('api-a'), startApi('api-b')]);
    const workerA = await startWorker('worker-a');
    log(`2 API processes (${apiA.url}, ${apiB.url}) and worker-a up on Temporal ${temporal.address}`);

    const org = await createOrganisation(db);
    const { token } = await createAccessTokens(secret, 3600).issue(org.officeId);
    const alive = { urls: [apiA.url, apiB.url] };
    const stats = { retries: 0, errors: {} as Record<string, number> };
    const c = client(() => alive.urls, token, stats);
    const run = randomUUID().slice(0, 6);
    const reminderMails = () => mails.filter((m) => /整改提醒/.test(m.parsed.subject ?? ''));

    // 1. Throughput: reminders of a burst all due at one instant, drained by 1 worker, then by 2.
    const drain = async (label: string, workers: number) => {
      const before = reminderMails().length;
      const due = Date.now() + 15_000 + THROUGHPUT_TASKS * 60;
      const created0 = Date.now();
      await pool(THROUGHPUT_TASKS, CONCURRENCY, (i) =>
        c.create(i, { title: `吞吐 ${label} ${run} #${i}`, unitId: org.unitId, ownerId: org.owners[i % org.owners.length]!.id, deadline: new Date(due + 60_000).toISOString(), reminderOffsetSeconds: 60 }, `tp-${label}-${run}-${i}`),
      );
      const createdMs = Date.now() - created0;
      if (Date.now() > due) failures.push(`${label}: creating the burst took past its reminders' instant; lower --throughput-tasks`);
      const got = await smtp.waitFor(before + THROUGHPUT_TASKS, (m) => /整改提醒/.test(m.parsed.subject ?? ''), 180_000).catch(() => reminderMails());
      const last = Math.max(...got.slice(before).map((m) => m.receivedAt.getTime()));
      const drainS = (last - due) / 1000;
      const result = { workers, tasks: THROUGHPUT_TASKS, loadAverage1m: +os.loadavg()[0]!.toFixed(1), createPerS: +(THROUGHPUT_TASKS / (createdMs / 1000)).toFixed(1), reminderDrainS: +drainS.toFixed(2), remindersPerS: +(THROUGHPUT_TASKS / Math.max(drainS, 0.001)).toFixed(1) };
      log(`${label}: ${JSON.stringify(result)}`);
      return result;
    };
    const one = await drain('w1', 1);
    const workerB = await startWorker('worker-b');
    const two = await drain('w2', 2);
    report.throughput = { oneWorker: one, twoWorkers: two, ratio: +(two.remindersPerS / one.remindersPerS).toFixed(2) };

    // 2. Faults: a burst through both APIs, reminders and notices due during it, a worker and an API killed mid-run.
    const faultStart = Date.now();
    const killed: Record<string, number> = {};
    const outcomes = await pool(
      TASKS,
      CONCURRENCY,
      (i) => {
        // Each task's reminder 4 s after it is first sent (during the burst), its deadline and overdue
        // notice 120 s after: a retry of a request a killed API held waits out its claim (60 s,
        // api/http/idempotency.ts) and must still send the same body with a deadline in the future.
        const body = { title: `规模 ${run} #${i}`, unitId: org.unitId, ownerId: org.owners[i % org.owners.length]!.id, deadline: new Date(Date.now() + 120_000).toISOString(), reminderOffsetSeconds: 116 };
        return c.create(i, body, `fault-${run}-${i}`);
      },
      (done) => {
        if (done === Math.floor(TASKS / 2)) {
          // SIGKILL: no shutdown, requests in flight lost, activities in flight left to their timeouts.
          apiA.p.child.kill('SIGKILL');
          workerA.child.kill('SIGKILL');
          killed.atTask = done;
          killed.afterMs = Date.now() - faultStart;
          killed.remindersAlready = reminderMails().filter((m) => (m.parsed.text ?? '').includes(`规模 ${run}`)).length;
          log(`SIGKILL api-a (pid ${apiA.p.pid}) and worker-a (pid ${workerA.pid}) after ${done} tasks; ${killed.remindersAlready} reminders of this burst already delivered`);
        }
      },
    );
    report.faults = { killed, createdInMs: Date.now() - faultStart, clientRetries: stats.retries, clientErrors: stats.errors, maxAttempts: Math.max(...outcomes.map((o) => o.attempts)) };
    log(`burst created (${stats.retries} retries: ${JSON.stringify(stats.errors)}); waiting for every reminder and notice`);
    // The surviving worker's own port: its mail counters and the Temporal SDK's metrics, one scrape.
    const scraped = await fetch(`http://127.0.0.1:${workerB.env.WORKER_METRICS_PORT}/metrics`).then((r) => r.text());
    report.survivingWorkerMetrics = {
      mailsSent: scraped.split('\n').filter((l) => l.startsWith('rectify_mails_sent_total{')).map((l) => l.replace('rectify_mails_sent_total', '')),
      temporalSeries: scraped.split('\n').filter((l) => l.startsWith('temporal_')).length,
    };

    // Every task once.
    const rows = await db.task.findMany({ where: { title: { startsWith: `规模 ${run} #` } }, select: { id: true, title: true } });
    const byTitle = new Map<string, number>();
    for (const r of rows) byTitle.set(r.title, (byTitle.get(r.title) ?? 0) + 1);
    const duplicated = [...byTitle].filter(([, n]) => n > 1).map(([t]) => t);
    const missing = Array.from({ length: TASKS }, (_, i) => `规模 ${run} #${i}`).filter((t) => !byTitle.has(t));
    if (duplicated.length) failures.push(`tasks created more than once: ${duplicated.join(', ')}`);
    if (missing.length) failures.push(`tasks missing: ${missing.join(', ')}`);
    const idsFromClients = new Set(outcomes.map((o) => o.id));
    if (idsFromClients.size !== TASKS || rows.some((r) => !idsFromClients.has(r.id))) failures.push('the ids the clients were given are not the tasks stored');
    const taskIds = rows.map((r) => r.id);
    // Every stored task under supervision: its workflow `task-<id>` exists.
    const connection = await Connection.connect({ address: temporal.address });
    const unsupervised: string[] = [];
    try {
      const tc = new TemporalClient({ connection, namespace: temporal.namespace });
      for (const r of rows) {
        try {
          await tc.workflow.getHandle(`task-${r.id}`).describe();
        } catch {
          unsupervised.push(r.id);
        }
      }
    } finally {
      await connection.close();
    }
    const titleOf = (id: string) => rows.find((r) => r.id === id)!.title;
    if (unsupervised.length) failures.push(`tasks stored without a workflow (unsupervised): ${unsupervised.map(titleOf).join(', ')}`);
    report.duplicates = duplicated.map((t) => ({ title: t, rows: rows.filter((r) => r.title === t).map((r) => ({ id: r.id, returnedToClient: idsFromClients.has(r.id), supervised: !unsupervised.includes(r.id) })) }));

    // Every reminder and every notice mail delivered, once (the outbox's Message-ID at the SMTP server).
    const expected = async () => {
      const outbox = await db.mailMessage.findMany({ where: { taskId: { in: taskIds } }, select: { messageId: true, kind: true, status: true, taskId: true, attempts: true } });
      const notices = await db.notice.findMany({ where: { taskId: { in: taskIds } }, select: { taskId: true, level: true } });
      return { outbox, notices };
    };
    const deadline = Date.now() + 300_000;
    let state = await expected();
    for (;;) {
      const reminders = state.outbox.filter((m) => m.kind === 'reminder' && m.status === 'sent').length;
      const noticeTasks = new Set(state.notices.filter((n) => n.level === 1).map((n) => n.taskId)).size;
      const pending = state.outbox.filter((m) => m.status === 'pending').length;
      if ((reminders >= TASKS && noticeTasks >= TASKS && pending === 0) || Date.now() > deadline) break;
      await sleep(2_000);
      state = await expected();
    }
    await sleep(3_000); // a straggling duplicate would arrive now
    state = await expected();
    const delivered = new Map<string, number>();
    for (const m of mails) {
      const id = m.parsed.messageId ? `<${m.parsed.messageId.replace(/^<|>$/g, '')}>` : '';
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    const perTask = (kind: (k: string) => boolean) => {
      const counts = new Map<string, number>();
      for (const m of state.outbox.filter((o) => kind(o.kind))) counts.set(m.taskId!, (counts.get(m.taskId!) ?? 0) + 1);
      return counts;
    };
    const reminderRows = perTask((k) => k === 'reminder');
    const noticeRows = state.outbox.filter((o) => o.kind.startsWith('notice_'));
    const level1 = new Map<string, number>();
    for (const n of state.notices.filter((x) => x.level === 1)) level1.set(n.taskId, (level1.get(n.taskId) ?? 0) + 1);
    const timed = state.outbox.filter((o) => o.kind === 'reminder' || o.kind.startsWith('notice_'));
    const notDelivered = timed.filter((o) => (delivered.get(o.messageId) ?? 0) === 0);
    const deliveredTwice = timed.filter((o) => (delivered.get(o.messageId) ?? 0) > 1);
    const checks = {
      tasksStored: rows.length,
      tasksWithOneReminderRow: taskIds.filter((id) => reminderRows.get(id) === 1).length,
      tasksWithOneLevel1Notice: taskIds.filter((id) => level1.get(id) === 1).length,
      noticeMails: noticeRows.length,
      remindersAndNoticeMailsDelivered: timed.length - notDelivered.length,
      deliveredMoreThanOnce: deliveredTwice.map((o) => ({ kind: o.kind, messageId: o.messageId, times: delivered.get(o.messageId), attempts: o.attempts })),
      notDelivered: notDelivered.map((o) => ({ kind: o.kind, status: o.status })),
      outboxPending: state.outbox.filter((o) => o.status === 'pending').length,
    };
    report.checks = checks;
    if (checks.tasksWithOneReminderRow !== rows.length || rows.length !== TASKS) failures.push(`reminders: ${checks.tasksWithOneReminderRow} of ${rows.length} stored tasks (${TASKS} asked for) have exactly one`);
    if (checks.tasksWithOneLevel1Notice !== rows.length || rows.length !== TASKS) failures.push(`overdue notices: ${checks.tasksWithOneLevel1Notice} of ${rows.length} stored tasks (${TASKS} asked for) have exactly one`);
    if (notDelivered.length) failures.push(`${notDelivered.length} reminder/notice mails never reached the SMTP server`);
    if (deliveredTwice.length) failures.push(`${deliveredTwice.length} mails reached the SMTP server more than once (same Message-ID)`);
    if (checks.outboxPending) failures.push(`${checks.outboxPending} outbox rows still pending`);

    report.logs = { dir: KEEP ? dir : '(removed; --keep keeps it)' };
  } catch (err) {
    failures.push(`run failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!KEEP) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
  report.failures = failures;
  report.ok = failures.length === 0;
  const out = path.join(repoRoot, 'test-output', `scale-${new Date().toISOString().slice(0, 10)}.json`);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  log(`${failures.length ? 'FAILED' : 'OK'}; report: ${path.relative(repoRoot, out)}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
