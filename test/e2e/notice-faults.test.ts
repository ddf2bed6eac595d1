import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { messageIdOf } from '../../activities/outbox';
import { type NoticeColor, noticeLabel } from '../../activities/mail/notice';
import { localDate, zonedInstant } from '../../domain/calendar';
import { type SuperviseTaskInput, taskStartSearchAttributes, taskWorkflowId } from '../../domain/contract';
import { defaultPolicy, planSupervision, type RecipientRole } from '../../domain/supervision-policy';
import { loadCalendar } from '../../lib/calendar-store';
import { DEFAULT_TIME_ZONE } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { type AppProcess, startAppProcess, workerRunning } from '../../scripts/lib/app-processes';
import { type CaughtMail, type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { createDevServerEnv, testDatabaseUrl } from '../support/env';
import { eventually } from '../support/eventually';
import { killAtMail } from '../support/kill-mid-mail';
import { createOrg, type Org } from '../support/org';

/**
 * Numbered escalation notices (督办〔年〕第N号, activities/notices.ts `issueNotice`) on the planned
 * path every task the API starts takes, through two faults: the worker process SIGKILLed in the
 * middle of a burst, and the mail server down while the notices fall due. After each, every notice
 * was mailed exactly once to each of its recipients (counted at the SMTP server, by Message-ID and
 * by recipient), every outbox row is `sent`, each mail carries its notice's number, and the numbers
 * the burst took are unique and leave no gap in the year's sequence.
 *
 * The burst, per case, in a small organisation of its own (test/support/org.ts): 8 tasks of
 * officeA1 (unit head: headA of deptA; supervising leader: leader), each with an owner of its own,
 * started exactly as `POST /api/tasks` starts them (api/tasks/service.ts: `planned: true`):
 * - 4 overdue for 3 working days (a past deadline chosen from the plan, so that the ladder's rungs
 *   1–3 are due now and rung 4 is days away): 提醒 to the owner, 督办单（黄） to owner + unit head,
 *   督办单（橙） to owner + unit head + leader, issued one after the other at once;
 * - 4 due 3 s after the start: 提醒 (rung 1, at the deadline itself) to the owner.
 * 16 notices and 28 mails per case. The default ladder's later rungs come days later and go to
 * the whole office / every unit head of the shared database, so the burst stops at rung 3.
 *
 * Real components only: the Temporal dev server, the test database, an SMTP server, and the worker
 * as its own process, started as `npm run worker` starts it (scripts/lib/app-processes.ts). The kill
 * follows what the SMTP server and the outbox have seen, never a sleep. As in worker-kill.test.ts,
 * it never falls between a 250 reply and the outbox marking that mail sent (plain SMTP cannot close
 * that window; the repeat would carry the same Message-ID).
 *
 * Numbers are per year across the whole database (the `NoticeCounter` row), shared with the test
 * files running alongside: the gap check covers every number taken between the burst's start and
 * its end, whoever took it.
 */

const TZ = DEFAULT_TIME_ZONE;
const OVERDUE_TASKS = 4;
const DUE_SOON_TASKS = 4;
/** Rungs due in the overdue tasks' burst (the default ladder's first three). */
const OVERDUE_RUNGS = 3;

/** An issuance mail's outbox key (activities/notices.ts): notice:<notice id>:<recipient>. */
const ISSUANCE_KEY = /^notice:([0-9a-f-]{36}):([^:]+)$/;
const keyOf = (m: CaughtMail) => {
  const v = m.parsed.headers.get('x-idempotency-key');
  return typeof v === 'string' ? v : '';
};

const countBy = (keys: Iterable<string>) => {
  const counts: Record<string, number> = {};
  for (const k of keys) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
};
const once = (keys: Iterable<string>) => Object.fromEntries([...keys].map((k) => [k, 1]));

/** The promise's value, or a failure naming what did not happen within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface BurstTask {
  id: string;
  ownerEmail: string;
  overdue: boolean;
}
interface Burst {
  org: Org;
  tasks: BurstTask[];
  year: number;
  /** The year's last notice number before the burst began. */
  counterBefore: number;
}

describe('numbered escalation notices (planned supervision) through a worker kill and an SMTP outage', () => {
  let env: TestWorkflowEnvironment;
  let db: Db;
  let logDir: string;
  const workers = new Set<AppProcess>();
  const catchers = new Set<MailCatcher>();

  beforeAll(async () => {
    [env] = await Promise.all([createDevServerEnv(), mkdtemp(path.join(os.tmpdir(), 'notice-faults-')).then((d) => (logDir = d))]);
    db = createDb(testDatabaseUrl());
  }, 60_000);
  afterEach(async () => {
    // No worker outlives its test, passed or failed; then the SMTP servers can close.
    await Promise.all([...workers].map(kill));
    await Promise.all([...catchers].map((c) => c.stop()));
    catchers.clear();
  });
  afterAll(async () => {
    await db?.$disconnect();
    await env?.teardown();
  });

  async function catcher(opts: Parameters<typeof startMailCatcher>[0]) {
    const c = await startMailCatcher(opts);
    catchers.add(c);
    return c;
  }

  /** `npm run worker` on the test's task queue, resolved once it polls. */
  async function startWorker(taskQueue: string, smtpUrl: string): Promise<AppProcess> {
    const p = await startAppProcess('worker', {
      name: `worker on ${taskQueue}`,
      logFile: path.join(logDir, `${taskQueue}-${randomUUID().slice(0, 4)}.log`),
      env: {
        DATABASE_URL: testDatabaseUrl(),
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        TEMPORAL_TASK_QUEUE: taskQueue,
        SMTP_URL: smtpUrl,
        LOG_LEVEL: 'info',
      },
    });
    workers.add(p);
    await workerRunning(p, 60_000);
    return p;
  }
  /** SIGKILL, then waits for the exit. */
  async function kill(p: AppProcess) {
    p.child.kill('SIGKILL');
    await p.exited;
    workers.delete(p);
  }

  /**
   * A deadline at 18:00 some working days ago, such that rungs 1–3 of the default ladder are due
   * (more than a minute ago) and rung 4 is more than an hour away, whatever day and hour it is now.
   */
  async function overdueDeadline(now: Date): Promise<Date> {
    const calendar = await loadCalendar(db);
    for (let n = 1; n <= 20; n++) {
      const deadline = zonedInstant(calendar.shiftWorkingDays(localDate(now, TZ), -n), '18:00', TZ);
      const rungs = planSupervision({ calendar, policy: defaultPolicy, deadline, timeZone: TZ, now }).filter((s) => s.kind === 'escalation');
      const due = rungs.filter((r) => Date.parse(r.at) < now.getTime() - 60_000);
      if (due.length === OVERDUE_RUNGS && Date.parse(rungs[OVERDUE_RUNGS]!.at) > now.getTime() + 3600_000) return deadline;
    }
    throw new Error('no deadline with exactly rungs 1–3 due');
  }

  /** Stores the burst's tasks as the API does and starts their supervision as the API does. */
  async function startBurst(taskQueue: string): Promise<Burst> {
    const org = await createOrg(db);
    const now = new Date();
    const year = Number(localDate(now, TZ).slice(0, 4));
    const counterBefore = (await db.noticeCounter.findUnique({ where: { year } }))?.last ?? 0;
    const past = await overdueDeadline(now);
    const soon = new Date(now.getTime() + 3000);
    const specs = [...Array.from({ length: OVERDUE_TASKS }, () => past), ...Array.from({ length: DUE_SOON_TASKS }, () => soon)];
    const tasks = await Promise.all(
      specs.map(async (deadline, i) => {
        const owner = await db.person.create({
          data: { email: `owner${i}-${org.tag}@example.gov.cn`, displayName: `窗口经办人${i}`, unitId: org.units.officeA1.id, roles: ['staff'] },
        });
        return db.task.create({
          data: {
            title: `窗口服务整改 ${i}`,
            unitId: org.units.officeA1.id,
            ownerId: owner.id,
            ownerEmail: owner.email,
            supervisorId: org.people.leader.id,
            deadline,
            deadlineWorkingDays: null,
            createdAt: now,
            reminderOffsetSeconds: 0,
          },
        });
      }),
    );
    for (const t of tasks) {
      // The input and start request api/tasks/service.ts `create` builds for startSupervision.
      const input: SuperviseTaskInput = {
        taskId: t.id,
        title: t.title,
        ownerEmail: t.ownerEmail,
        deadline: t.deadline.toISOString(),
        reminderOffsetSeconds: t.reminderOffsetSeconds,
        leadUnitCode: org.units.officeA1.code,
        planned: true,
      };
      await env.client.workflow.start('superviseTask', { taskQueue, workflowId: taskWorkflowId(t.id), args: [input], typedSearchAttributes: taskStartSearchAttributes(input, Date.now()) });
    }
    return { org, year, counterBefore, tasks: tasks.map((t) => ({ id: t.id, ownerEmail: t.ownerEmail, overdue: t.deadline.getTime() === past.getTime() })) };
  }

  /** The notices a task of the burst must have: level → recipients, from the default ladder by role. */
  function expectedNotices(b: Burst, t: BurstTask): { level: number; recipients: string[] }[] {
    const who: Partial<Record<RecipientRole, string>> = { owner: t.ownerEmail, unit_head: b.org.people.headA.email, supervisor: b.org.people.leader.email };
    return defaultPolicy.ladder.slice(0, t.overdue ? OVERDUE_RUNGS : 1).map((rung) => ({
      level: rung.level,
      recipients: rung.recipients.map((role) => {
        const email = who[role];
        if (!email) throw new Error(`rung ${rung.level} goes to ${role}: not in this burst's expectations`);
        return email;
      }),
    }));
  }
  const expectedMailCount = (b: Burst) => b.tasks.reduce((n, t) => n + expectedNotices(b, t).reduce((m, e) => m + e.recipients.length, 0), 0);

  /**
   * Waits until every notice of the burst is stored, every one of its mails is recorded sent, and no
   * task workflow has an activity pending (no retry still to come), then checks notices, numbers,
   * outbox and what the SMTP server received.
   */
  async function expectEachNoticeMailedOnce(b: Burst, smtp: MailCatcher) {
    const ids = b.tasks.map((t) => t.id);
    const expectedCount = b.tasks.reduce((n, t) => n + expectedNotices(b, t).length, 0);
    const { notices, rows } = await eventually(
      async () => {
        const notices = await db.notice.findMany({ where: { taskId: { in: ids } }, orderBy: { seq: 'asc' } });
        expect(notices).toHaveLength(expectedCount);
        const rows = (await db.mailMessage.findMany({ where: { taskId: { in: ids } } })).filter((r) => ISSUANCE_KEY.test(r.idempotencyKey));
        expect(rows).toHaveLength(expectedMailCount(b));
        expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
        for (const id of ids) {
          const { raw } = await env.client.workflow.getHandle(taskWorkflowId(id)).describe();
          expect(raw.pendingActivities ?? []).toHaveLength(0);
        }
        return { notices, rows };
      },
      80_000,
      500,
    );

    // The notices: per task, one per due rung, to the rung's recipients by role.
    for (const t of b.tasks) {
      const mine = notices.filter((n) => n.taskId === t.id).sort((x, y) => x.level - y.level);
      expect(mine.map((n) => ({ level: n.level, recipients: n.recipients }))).toEqual(expectedNotices(b, t));
    }
    // One issuance recorded per notice (a second numbering attempt that stored something would show).
    expect(await db.auditEvent.count({ where: { action: 'notice.issue', targetType: 'task', targetId: { in: ids } } })).toBe(expectedCount);

    // Numbers: 督办〔year〕第seq号, unique, and no number of the burst's window left unused.
    expect(notices.every((n) => n.year === b.year && n.number === `督办〔${n.year}〕第${n.seq}号`)).toBe(true);
    expect(new Set(notices.map((n) => n.seq)).size).toBe(notices.length);
    const counterAfter = (await db.noticeCounter.findUniqueOrThrow({ where: { year: b.year } })).last;
    expect(notices[0]!.seq).toBeGreaterThan(b.counterBefore);
    expect(notices[notices.length - 1]!.seq).toBeLessThanOrEqual(counterAfter);
    const window = Array.from({ length: counterAfter - b.counterBefore }, (_, i) => b.counterBefore + 1 + i);
    // Other files number notices alongside (a counter increment, then the notice): allow them a moment.
    await eventually(async () => {
      const taken = await db.notice.findMany({ where: { year: b.year, seq: { gt: b.counterBefore, lte: counterAfter } }, select: { seq: true }, orderBy: { seq: 'asc' } });
      expect(taken.map((n) => n.seq)).toEqual(window);
    }, 5_000, 100);

    // The outbox: one row per notice and recipient, Message-ID from its key.
    const expectedKeys = notices.flatMap((n) => n.recipients.map((to) => `notice:${n.id}:${to}`));
    expect(countBy(rows.map((r) => r.idempotencyKey))).toEqual(once(expectedKeys));
    expect(rows.every((r) => r.messageId === messageIdOf(r.idempotencyKey))).toBe(true);

    // The SMTP server: every mail to this burst's people that is a notice's issuance, each exactly once.
    const people = new Set([...b.tasks.map((t) => t.ownerEmail), b.org.people.headA.email, b.org.people.leader.email]);
    const toUs = smtp.messages.filter((m) => m.envelopeTo.some((to) => people.has(to)));
    const issued = toUs.filter((m) => ISSUANCE_KEY.test(keyOf(m)));
    // Anything else they got is a reminder mail, never the first release's single overdue mail.
    expect(toUs.filter((m) => !issued.includes(m)).map(keyOf).filter((k) => !/^(task:[^:]+:reminder:|notice:[^:]+:ack-reminder:)/.test(k))).toEqual([]);
    expect(countBy(issued.map((m) => m.parsed.messageId ?? '(none)'))).toEqual(once(expectedKeys.map(messageIdOf)));
    expect(countBy(issued.map((m) => `${keyOf(m)} → ${m.envelopeTo.join(',')}`))).toEqual(once(expectedKeys.map((k) => `${k} → ${ISSUANCE_KEY.exec(k)![2]}`)));
    const perRecipient = countBy(notices.flatMap((n) => n.recipients));
    expect(countBy(issued.flatMap((m) => m.envelopeTo))).toEqual(perRecipient);
    expect(perRecipient).toEqual({
      ...Object.fromEntries(b.tasks.map((t) => [t.ownerEmail, t.overdue ? OVERDUE_RUNGS : 1])),
      [b.org.people.headA.email]: OVERDUE_TASKS * 2,
      [b.org.people.leader.email]: OVERDUE_TASKS,
    });

    // Each mail carries its notice's number: in the subject, the text and the HTML.
    const byId = new Map(notices.map((n) => [n.id, n]));
    for (const m of issued) {
      const n = byId.get(ISSUANCE_KEY.exec(keyOf(m))![1]!)!;
      expect(m.parsed.subject).toMatch(new RegExp(`^【${noticeLabel(n.type, n.color as NoticeColor | null)}】${n.number}：“.+”已逾期$`));
      expect(m.parsed.text).toContain(n.number);
      expect(String(m.parsed.html)).toContain(n.number);
    }
    return { notices, rows };
  }

  test('the worker is SIGKILLed while the 10th of 28 notice mails is in its SMTP transaction; a new worker finishes: each mailed once, numbers gap-free', async () => {
    const k = 10;
    const taskQueue = `notice-kill-${randomUUID()}`;
    const first: { worker?: AppProcess } = {};
    const { accepted, held, afterKill, beforeAccept } = killAtMail({ k, db, kill: () => kill(first.worker!), smtp: () => smtp });
    const smtp: MailCatcher = await catcher({ port: 0, beforeAccept });
    first.worker = await startWorker(taskQueue, smtp.url);
    const burst = await startBurst(taskQueue);
    expect(expectedMailCount(burst)).toBe(28);

    expect(await within(afterKill, 40_000, () => `no kill: ${accepted.length} accepted, ${held.length} held; worker log ${first.worker?.logFile}`)).toBe(k - 1);
    // Killed mid-burst: some notices numbered, others not issued yet (an overdue task's 3rd rung
    // waits for its first two rungs' 3 mails, so 9 accepted mails cannot have let all 16 be issued).
    const issuedAtKill = await db.notice.count({ where: { taskId: { in: burst.tasks.map((t) => t.id) } } });
    expect(issuedAtKill).toBeGreaterThan(0);
    expect(issuedAtKill).toBeLessThan(OVERDUE_TASKS * OVERDUE_RUNGS + DUE_SOON_TASKS);
    await startWorker(taskQueue, smtp.url);

    const { rows } = await expectEachNoticeMailedOnce(burst, smtp);
    // The interrupted mails went through the outbox again: a later attempt, the same Message-ID.
    const interrupted = rows.filter((r) => held.some((m) => m.parsed.messageId === r.messageId));
    expect(interrupted.length).toBeGreaterThanOrEqual(1);
    expect(interrupted.every((r) => r.attempts >= 2)).toBe(true);
  }, 120_000);

  test('the mail server is down while the 16 notices fall due, then back: each mailed once, numbers gap-free', async () => {
    const taskQueue = `notice-outage-${randomUUID()}`;
    const down = await catcher({ port: 0 });
    await startWorker(taskQueue, down.url);
    const port = down.port;
    await down.stop(); // the outage starts before anything is due
    catchers.delete(down);

    const burst = await startBurst(taskQueue);
    const ids = burst.tasks.map((t) => t.id);
    // Every task's first notice is numbered and tried, none delivered: its mail pending, tried again.
    await eventually(async () => {
      const rows = (await db.mailMessage.findMany({ where: { taskId: { in: ids } } })).filter((r) => ISSUANCE_KEY.test(r.idempotencyKey));
      expect(rows).toHaveLength(ids.length);
      expect(rows.every((r) => r.status === 'pending' && r.attempts >= 2)).toBe(true);
    }, 30_000, 200);
    // The ladder waits on its first rung: nothing above level 1 while the mail cannot go.
    const duringOutage = await db.notice.findMany({ where: { taskId: { in: ids } } });
    expect(duringOutage.map((n) => n.level)).toEqual(ids.map(() => 1));

    const back = await catcher({ port });
    const { rows } = await expectEachNoticeMailedOnce(burst, back);
    const firstRung = new Set(duringOutage.map((n) => n.id));
    const heldBack = rows.filter((r) => firstRung.has(ISSUANCE_KEY.exec(r.idempotencyKey)![1]!));
    expect(heldBack).toHaveLength(ids.length);
    expect(heldBack.every((r) => r.attempts >= 3)).toBe(true);
  }, 120_000);
});
