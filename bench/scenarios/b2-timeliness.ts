import { randomUUID } from 'node:crypto';
import type { CaughtMail } from '../../scripts/lib/mail-catcher';
import { cpuPerOp } from '../lib/cpu';
import { ratio, round, runPool, summary } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const header = (m: CaughtMail, name: string) => {
  const v = m.parsed.headers.get(name);
  return typeof v === 'string' ? v : undefined;
};

interface Arrivals {
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  latenessMs: ReturnType<typeof summary>;
  /** Arrivals earlier than their instant (should be none). */
  early: number;
}

/** Lateness, missing and duplicates of mails keyed by `keyOf` against their due instants. */
function arrivals(mails: CaughtMail[], due: Map<string, number>, keyOf: (m: CaughtMail) => string | undefined): Arrivals {
  const seenIds = new Set<string>();
  const seenKeys = new Set<string>();
  const lateness: number[] = [];
  let duplicates = 0;
  for (const m of mails) {
    const key = keyOf(m);
    if (key === undefined || !due.has(key)) continue;
    const id = m.parsed.messageId ?? `${key}`;
    if (seenIds.has(id)) {
      duplicates += 1;
      continue;
    }
    seenIds.add(id);
    if (seenKeys.has(key)) {
      duplicates += 1; // a second message for the same reminder under another Message-ID
      continue;
    }
    seenKeys.add(key);
    lateness.push(m.receivedAt.getTime() - due.get(key)!);
  }
  return { expected: due.size, received: seenKeys.size, missing: due.size - seenKeys.size, duplicates, latenessMs: summary(lateness), early: lateness.filter((l) => l < 0).length };
}

/**
 * B2: with 10,000 open supervised tasks, 1,000 reminders fall due within one minute (quick: 30
 * in 3 s over the open set B4 left). Each is a task created through the API with its deadline 30
 * days away and `reminderOffsetSeconds` = 30 days minus a few seconds, so its exact extra
 * reminder falls at an instant inside the window (the policy's working-morning reminders and the
 * ladder are weeks away). Lateness = arrival at the SMTP server − the reminder instant the
 * workflow planned (deadline − offset); duplicates are counted by Message-ID.
 * Baseline: the same instants served by a bare workflow (sleep until the instant, one activity
 * sending one mail through nodemailer), in the same run, after ours.
 */
export const b2Timeliness: Scenario = {
  id: 'B2',
  title: 'reminder timeliness',
  async run(ctx: BenchContext) {
    const { stack } = ctx;
    const openTarget = ctx.quick ? 150 : 10_000;
    const count = ctx.quick ? 30 : 1000;
    const windowMs = ctx.quick ? 3_000 : 60_000;
    const graceMs = ctx.quick ? 10_000 : 30_000;
    const fill = await ctx.fillOpenTasks(openTarget);
    if (fill.created) ctx.log(`  ${fill.created} filler tasks created (${round(fill.perSecond)} tasks/s)`);
    const openBefore = await ctx.openTasks();
    // Steady state first: the filler's workflows all planned, nothing waiting in the task queue.
    const drainMs = await ctx.settle(ctx.quick ? 8_000 : 600_000);
    const backlogBefore = await ctx.backlog();
    ctx.log(`  stack quiet after ${round(drainMs / 1000)} s (backlog ${JSON.stringify(backlogBefore)})`);

    // Lead time: enough to create every reminder task AND for the worker to plan each one (its first
    // workflow task and planning activity) before the first falls due. The API answers once the
    // workflow is started; on 2 cores the worker's planning lags behind, and a plan made after its
    // reminder's instant drops that reminder (lib/supervision-policy.ts: a late reminder is noise).
    // Created 4 at a time (gentler than B1's 16, so the worker keeps pace and no backlog builds up);
    // the estimate assumes half of the latest measured create rate.
    const concurrency = 4;
    const creationSeconds = count / ((ctx.createRate ?? 20) / 2);
    const leadMs = Math.ceil(ctx.quick ? Math.max(6, 1.5 * creationSeconds + 2) : Math.max(30, 2 * creationSeconds + 30)) * 1000;
    const offsetSeconds = 30 * 24 * 3600;
    const windowStart = Date.now() + leadMs;
    const instants = Array.from({ length: count }, (_, i) => windowStart + Math.floor((i * windowMs) / count));
    const office = ctx.org.officeId;
    const created = await runPool(instants, concurrency, async (dueAt, i) => {
      const unit = ctx.org.units[i % ctx.org.units.length]!;
      const task = await ctx.api.createTask(office, {
        title: `B2 提醒任务 ${i + 1}`,
        unitId: unit.id,
        ownerId: unit.ownerId,
        deadline: new Date(dueAt + offsetSeconds * 1000).toISOString(),
        reminderOffsetSeconds: offsetSeconds,
      });
      return { id: task.id, dueAt, createdBy: Date.now() };
    });
    const createdAfterDue = created.results.filter((t) => t.createdBy >= t.dueAt).length;
    ctx.log(`  ${count} reminder tasks created in ${round(created.seconds)} s; first due in ${round((windowStart - Date.now()) / 1000)} s`);
    const due = new Map(created.results.map((t) => [t.id, t.dueAt]));
    const taskOf = (m: CaughtMail) => {
      const key = header(m, 'x-idempotency-key');
      const match = key ? /^task:([0-9a-f-]{36}):reminder:/.exec(key) : null;
      return match?.[1];
    };
    const firstMail = stack.smtp.messages.length;
    // The creations' own backlog must be done before the window (else reminders are planned late).
    await ctx.settle(Math.max(0, windowStart - Date.now() - 1000));
    const quietBeforeWindowMs = windowStart - Date.now();
    const backlogAtWindow = await ctx.backlog();
    const cpuBefore = await ctx.cpu();
    const end = windowStart + windowMs + graceMs;
    await Promise.race([stack.smtp.waitFor(count, (m) => taskOf(m) !== undefined && due.has(taskOf(m)!), end - Date.now()).catch(() => {}), sleep(end - Date.now())]);
    await sleep(ctx.quick ? 1000 : 5000); // late duplicates
    const ours = stack.smtp.messages.slice(firstMail);
    const measured = { ...arrivals(ours, due, taskOf), cpuMsPerReminder: cpuPerOp(cpuBefore, await ctx.cpu(), count) };
    const otherMails = ours.filter((m) => !due.has(taskOf(m) ?? '')).length;
    // A missing reminder with no outbox row was never sent (not planned, or planned too late and dropped).
    const inOutbox = await stack.db.mailMessage.count({ where: { kind: 'reminder', taskId: { in: [...due.keys()] } } });

    // Baseline: bare timers on the bench worker, same spread of instants.
    const { taskQueue } = await ctx.bareWorker();
    const baseStart = Date.now() + (ctx.quick ? 2_000 : 15_000);
    const baseDue = new Map<string, number>(Array.from({ length: count }, (_, i) => [`b2-${randomUUID()}`, baseStart + Math.floor((i * windowMs) / count)] as const));
    await runPool([...baseDue], 32, ([key, dueAt]) =>
      stack.temporal.workflow.start('benchTimer', { taskQueue, workflowId: key, args: [{ dueAt: new Date(dueAt).toISOString(), key }] }),
    );
    const firstBase = stack.smtp.messages.length;
    const baseCpuBefore = await ctx.cpu();
    const baseEnd = baseStart + windowMs + graceMs;
    const keyOf = (m: CaughtMail) => header(m, 'x-bench-key');
    await Promise.race([stack.smtp.waitFor(count, (m) => baseDue.has(keyOf(m) ?? ''), baseEnd - Date.now()).catch(() => {}), sleep(baseEnd - Date.now())]);
    await sleep(ctx.quick ? 1000 : 3000);
    const base = { ...arrivals(stack.smtp.messages.slice(firstBase), baseDue, keyOf), cpuMsPerReminder: cpuPerOp(baseCpuBefore, await ctx.cpu(), count) };

    const r = ratio(measured.latenessMs.p99, base.latenessMs.p99);
    const met = measured.latenessMs.p99 !== null && measured.latenessMs.p99 <= 1000 && r !== null && r <= 1.2 && measured.missing === 0 && measured.duplicates === 0;
    const result = {
      scenario: 'B2',
      title: 'reminder timeliness',
      openTasks: openBefore + count,
      reminders: count,
      windowSeconds: windowMs / 1000,
      leadSeconds: leadMs / 1000,
      createdAfterDue,
      drainSecondsBefore: round(drainMs / 1000),
      backlogBefore,
      quietBeforeWindowSeconds: round(quietBeforeWindowMs / 1000),
      backlogAtWindow,
      ...measured,
      remindersInOutbox: inOutbox,
      otherMails,
      path: 'POST /api/tasks with deadline + reminderOffsetSeconds (planned run: exact offset reminder), superviseTask timer → sendTaskMail → outbox → SMTP',
      baseline: { what: 'bare workflow: sleep until the instant, one activity sends one mail (no database, no outbox)', ...base },
      ratio: r,
      target: 'p99 lateness ≤ 1 s and ≤ 1.2 × the bare baseline’s, 0 missing, 0 duplicates',
      met,
    };
    const l = measured.latenessMs;
    return {
      result,
      row: {
        measured: `lateness p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms; missing ${measured.missing}, duplicates ${measured.duplicates} (${count} reminders in ${windowMs / 1000} s, ${result.openTasks.toLocaleString('en')} open tasks; CPU ${measured.cpuMsPerReminder.total} ms/reminder)`,
        baseline: `p50 ${base.latenessMs.p50} ms, p99 ${base.latenessMs.p99} ms, max ${base.latenessMs.max} ms; missing ${base.missing} (CPU ${base.cpuMsPerReminder.total} ms/reminder)`,
        ratio: `p99 ×${r}`,
      },
    };
  },
};
