import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TemporalDevServer } from '../../scripts/lib/temporal';
import { cpuMsOf } from '../lib/cpu';
import { NAMESPACE, startBenchDevServer } from '../lib/stack';
import { ratio, round, runPool } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

/**
 * B8: what durability against power loss costs the dev server. Two fresh dev servers with the same
 * flags as `npm start`, one with SQLite `synchronous=NORMAL` (WAL; what `npm start` and the rest of
 * the bench run) and one with `synchronous=OFF` (the throw-away test servers), each with its own bare
 * worker; N short workflows (start, a 1 s timer, completion) started 16 at a time on each and all
 * run to their end, the arms alternating in rounds. Figures: workflows/s and the dev server's CPU per workflow.
 */
export const b8Durability: Scenario = {
  id: 'B8',
  title: 'dev server durability (synchronous=NORMAL vs OFF)',
  async run(ctx: BenchContext) {
    const n = ctx.quick ? 40 : 400;
    const rounds = ctx.quick ? 1 : 2;
    const concurrency = 16;
    const taskQueue = 'bench-durability';
    const servers: { dev: TemporalDevServer; connection: Connection; worker?: { stop(): Promise<unknown> } }[] = [];
    const start = async (durable: boolean) => {
      const dir = path.join(ctx.stack.dir, `durability-${durable ? 'normal' : 'off'}`);
      await mkdir(dir, { recursive: true });
      const { dev, pid } = await startBenchDevServer(dir, { durable });
      const connection = await Connection.connect({ address: dev.address });
      servers.push({ dev, connection });
      if (!pid) throw new Error('cannot find the durability dev server process');
      servers[servers.length - 1]!.worker = await ctx.stack.startChild(`bare-worker-${durable ? 'normal' : 'off'}`, 'worker-process.ts', { BENCH_WORKER: 'bare', TEMPORAL_ADDRESS: dev.address, TEMPORAL_TASK_QUEUE: taskQueue });
      return { client: new Client({ connection, namespace: NAMESPACE }), pid, seconds: 0, cpuMs: 0, done: 0 };
    };
    try {
      const normal = await start(true);
      const off = await start(false);
      const run = async (arm: typeof normal, count: number) => {
        const cpu = await cpuMsOf(arm.pid);
        // Started 16 at a time, then every one waited to its end: the time until the last completes.
        const t0 = performance.now();
        const r = await runPool(Array.from({ length: count }), concurrency, async () => {
          const handle = await arm.client.workflow.start('benchSleep', { taskQueue, workflowId: `bench-durability-${randomUUID()}`, args: [1000] });
          return { done: handle.result() }; // wrapped, so the pool does not wait for it
        });
        await Promise.all(r.results.map((x) => x.done));
        arm.seconds += (performance.now() - t0) / 1000;
        arm.cpuMs += (await cpuMsOf(arm.pid)) - cpu;
        arm.done += count;
      };
      // Warm-up of both (not measured).
      await run(normal, 16);
      await run(off, 16);
      for (const arm of [normal, off]) Object.assign(arm, { seconds: 0, cpuMs: 0, done: 0 });
      const per = Math.floor(n / rounds);
      for (let r = 0; r < rounds; r++) {
        await run(off, per);
        await run(normal, per);
        ctx.log(`  round ${r + 1}: NORMAL ${round(normal.done / normal.seconds)} workflows/s, OFF ${round(off.done / off.seconds)} workflows/s`);
      }
      const rate = (a: typeof normal) => a.done / a.seconds;
      const r = ratio(rate(normal), rate(off));
      const result = {
        scenario: 'B8',
        title: 'dev server durability (synchronous=NORMAL vs OFF)',
        n: normal.done,
        concurrency,
        normal: { workflowsPerSecond: round(rate(normal)), devServerCpuMsPerWorkflow: round(normal.cpuMs / normal.done, 2) },
        baseline: { what: 'the same on a dev server with synchronous=OFF', workflowsPerSecond: round(rate(off)), devServerCpuMsPerWorkflow: round(off.cpuMs / off.done, 2) },
        ratio: r,
        target: 'measured (issue 14): the cost of synchronous=NORMAL',
        met: true,
      };
      return {
        result,
        row: {
          measured: `synchronous=NORMAL: ${result.normal.workflowsPerSecond} workflows/s (start, 1 s timer, completion; N=${result.n}, ${concurrency} in flight; dev server CPU ${result.normal.devServerCpuMsPerWorkflow} ms/workflow)`,
          baseline: `synchronous=OFF: ${result.baseline.workflowsPerSecond} workflows/s (dev server CPU ${result.baseline.devServerCpuMsPerWorkflow} ms/workflow)`,
          ratio: String(r),
        },
      };
    } finally {
      for (const s of servers.reverse()) {
        await s.worker?.stop().catch(() => undefined);
        await s.connection.close().catch(() => undefined);
        await s.dev.stop().catch(() => undefined);
      }
    }
  },
};
