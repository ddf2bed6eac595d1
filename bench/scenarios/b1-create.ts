import { randomUUID } from 'node:crypto';
import { taskStartSearchAttributes } from '../../domain/contract';
import type { CreateTaskBody } from '../lib/api-client';
import { addCpu, perOp, zeroCpu } from '../lib/cpu';
import { ratio, round, runPool, summary } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

const DAY_MS = 24 * 3600_000;

/**
 * B1: N tasks created through the API (validation, database rows and audit event, workflow start,
 * the task read back), against two baselines in the same run at the same concurrency: N bare
 * supervised workflows (`benchSupervised`: the same start request with the task's search attributes,
 * one planning activity without a database, the timer to the first instant — the irreducible
 * Temporal work of a supervised task; the target's baseline), and N empty workflows started with a
 * bare `client.workflow.start` (Temporal's start alone). The arms alternate in rounds (full mode: 2)
 * so drift hits all three.
 */
export const b1Create: Scenario = {
  id: 'B1',
  title: 'create tasks',
  async run(ctx: BenchContext) {
    const n = ctx.quick ? 40 : 1000;
    const concurrency = 16;
    const rounds = ctx.quick ? 1 : 2;
    const { taskQueue } = await ctx.bareWorker();
    const office = ctx.org.officeId;
    let seq = 0;
    const body = (): CreateTaskBody => {
      const i = seq++;
      const unit = ctx.org.units[i % ctx.org.units.length]!;
      return { title: `B1 整改任务 ${i + 1}`, unitId: unit.id, ownerId: unit.ownerId, deadline: new Date(Date.now() + 60 * DAY_MS + i * 1000).toISOString() };
    };
    const startEmpty = () => ctx.stack.temporal.workflow.start('benchEmpty', { taskQueue, workflowId: `bench-empty-${randomUUID()}`, args: [] });
    const startSupervised = () => {
      const b = body();
      const input = { taskId: randomUUID(), title: b.title, ownerEmail: 'bench@bench.example.gov.cn', deadline: b.deadline, reminderOffsetSeconds: 0, leadUnitCode: 'BENCH', planned: true };
      return ctx.stack.temporal.workflow.start('benchSupervised', {
        taskQueue,
        workflowId: `bench-supervised-${input.taskId}`,
        args: [{ deadline: b.deadline }],
        typedSearchAttributes: taskStartSearchAttributes(input, Date.now()),
      });
    };

    // Warm-up (not measured): connections, JIT, the dev server's first writes.
    await runPool(Array.from({ length: ctx.quick ? 5 : 20 }, body), 4, (b) => ctx.api.createTask(office, b));
    await runPool(Array.from({ length: ctx.quick ? 5 : 20 }), 4, startEmpty);
    await runPool(Array.from({ length: ctx.quick ? 5 : 20 }), 4, startSupervised);

    const api = { seconds: 0, latencies: [] as number[], cpu: zeroCpu() };
    const bare = { seconds: 0, latencies: [] as number[], cpu: zeroCpu() };
    const supervised = { seconds: 0, latencies: [] as number[], cpu: zeroCpu() };
    const per = Math.floor(n / rounds);
    /** One arm's round: timed until the last call returns; CPU counted until the stack is quiet again (the worker's share included). */
    const arm = async (into: typeof api, run: () => Promise<{ seconds: number; latencies: number[] }>) => {
      const settleMs = ctx.quick ? 5_000 : 60_000;
      await ctx.settle(settleMs);
      const before = await ctx.cpu();
      const r = await run();
      await ctx.settle(settleMs);
      addCpu(into.cpu, before, await ctx.cpu());
      into.seconds += r.seconds;
      into.latencies.push(...r.latencies);
      return r.seconds;
    };
    for (let r = 0; r < rounds; r++) {
      const b = await arm(bare, () => runPool(Array.from({ length: per }), concurrency, startEmpty));
      const s = await arm(supervised, () => runPool(Array.from({ length: per }), concurrency, startSupervised));
      const a = await arm(api, () => runPool(Array.from({ length: per }, body), concurrency, (x) => ctx.api.createTask(office, x)));
      ctx.log(`  round ${r + 1}: API ${round(per / a)} tasks/s, bare supervised ${round(per / s)} workflows/s, bare start ${round(per / b)} workflows/s`);
    }
    const apiRate = (per * rounds) / api.seconds;
    const bareRate = (per * rounds) / bare.seconds;
    const supervisedRate = (per * rounds) / supervised.seconds;
    ctx.createRate = apiRate;
    const r = ratio(apiRate, supervisedRate);
    const cpuMsPerTask = perOp(api.cpu, per * rounds);
    const result = {
      scenario: 'B1',
      title: 'create tasks',
      n: per * rounds,
      concurrency,
      tasksPerSecond: round(apiRate),
      latencyMs: summary(api.latencies),
      cpuMsPerTask,
      baseline: {
        what: 'bare supervised workflow: the same start request (search attributes), one planning activity without a database, the timer to the first instant',
        workflowsPerSecond: round(supervisedRate),
        latencyMs: summary(supervised.latencies),
        cpuMsPerWorkflow: perOp(supervised.cpu, per * rounds),
      },
      emptyStart: {
        what: 'bare client.workflow.start of an empty workflow',
        workflowsPerSecond: round(bareRate),
        latencyMs: summary(bare.latencies),
        cpuMsPerWorkflow: perOp(bare.cpu, per * rounds),
        ratio: ratio(apiRate, bareRate),
      },
      ratio: r,
      target: 'ratio ≥ 0.8 (against the bare supervised workflow); CPU ≤ 35 ms per task',
      met: r !== null && r >= 0.8 && cpuMsPerTask.total <= 35,
    };
    return {
      result,
      row: {
        measured: `${result.tasksPerSecond} tasks/s (p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; N=${result.n}, ${concurrency} in flight; CPU ${result.cpuMsPerTask.total} ms/task)`,
        baseline:
          `bare supervised: ${result.baseline.workflowsPerSecond} workflows/s (p50 ${result.baseline.latencyMs.p50} ms, p99 ${result.baseline.latencyMs.p99} ms; CPU ${result.baseline.cpuMsPerWorkflow.total} ms/workflow); ` +
          `empty start: ${result.emptyStart.workflowsPerSecond} starts/s (CPU ${result.emptyStart.cpuMsPerWorkflow.total} ms/start)`,
        ratio: `${r} (empty start: ${result.emptyStart.ratio})`,
      },
    };
  },
};
