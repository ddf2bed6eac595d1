import { randomUUID } from 'node:crypto';
import type { CreateTaskBody } from '../lib/api-client';
import { addCpu, perOp, zeroCpu } from '../lib/cpu';
import { ratio, round, runPool, summary } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

const DAY_MS = 24 * 3600_000;

/**
 * B1: N tasks created through the API (validation, database rows and audit event, workflow start,
 * the task read back), against N empty workflows started with a bare `client.workflow.start` in
 * the same run, at the same concurrency. The arms alternate in rounds (full mode: 2) so drift hits both.
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

    // Warm-up (not measured): connections, JIT, the dev server's first writes.
    await runPool(Array.from({ length: ctx.quick ? 5 : 20 }, body), 4, (b) => ctx.api.createTask(office, b));
    await runPool(Array.from({ length: ctx.quick ? 5 : 20 }), 4, startEmpty);

    const api = { seconds: 0, latencies: [] as number[], cpu: zeroCpu() };
    const bare = { seconds: 0, latencies: [] as number[], cpu: zeroCpu() };
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
      const a = await arm(api, () => runPool(Array.from({ length: per }, body), concurrency, (x) => ctx.api.createTask(office, x)));
      ctx.log(`  round ${r + 1}: API ${round(per / a)} tasks/s, bare start ${round(per / b)} workflows/s`);
    }
    const apiRate = (per * rounds) / api.seconds;
    const bareRate = (per * rounds) / bare.seconds;
    ctx.createRate = apiRate;
    const r = ratio(apiRate, bareRate);
    const result = {
      scenario: 'B1',
      title: 'create tasks',
      n: per * rounds,
      concurrency,
      tasksPerSecond: round(apiRate),
      latencyMs: summary(api.latencies),
      cpuMsPerTask: perOp(api.cpu, per * rounds),
      baseline: {
        what: 'bare client.workflow.start of an empty workflow',
        workflowsPerSecond: round(bareRate),
        latencyMs: summary(bare.latencies),
        cpuMsPerWorkflow: perOp(bare.cpu, per * rounds),
      },
      ratio: r,
      target: 'ratio ≥ 0.8',
      met: r !== null && r >= 0.8,
    };
    return {
      result,
      row: {
        measured: `${result.tasksPerSecond} tasks/s (p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; N=${result.n}, ${concurrency} in flight; CPU ${result.cpuMsPerTask.total} ms/task)`,
        baseline: `${result.baseline.workflowsPerSecond} starts/s (p50 ${result.baseline.latencyMs.p50} ms, p99 ${result.baseline.latencyMs.p99} ms; CPU ${result.baseline.cpuMsPerWorkflow.total} ms/start)`,
        ratio: String(r),
      },
    };
  },
};
