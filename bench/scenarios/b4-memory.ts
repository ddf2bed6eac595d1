import { pssOfTree, rssOf, rssOfTree } from '../lib/proc';
import { ratio, round } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

const MB = 1e6;
const mb = (bytes: number) => Math.round(bytes / MB);

/**
 * B4: resident memory of the worker process and of the Temporal dev server with 1,000 / 10,000
 * open tasks (quick: 150). Tasks are created through the API; memory is sampled every
 * second while they are created (peak), and again once the worker has gone quiet (settled).
 * Baseline: the same processes right after start-up, before any task existed.
 */
export const b4Memory: Scenario = {
  id: 'B4',
  title: 'memory',
  async run(ctx: BenchContext) {
    const { stack } = ctx;
    const levels = ctx.quick ? [150] : (process.env.BENCH_B4_LEVELS ?? '1000,10000').split(',').map(Number);
    const points = [];
    for (const level of levels) {
      const peak = { worker: 0, temporal: 0 };
      const sample = async () => {
        peak.worker = Math.max(peak.worker, await rssOf(stack.worker.pid));
        peak.temporal = Math.max(peak.temporal, await rssOf(stack.temporalPid));
      };
      const timer = setInterval(() => void sample().catch(() => {}), 1000);
      let fill;
      try {
        fill = await ctx.fillOpenTasks(level);
      } finally {
        clearInterval(timer);
      }
      // Settled: the new workflows' first tasks are done (the stack is quiet, no backlog), at most 10 minutes.
      const settleMs = await ctx.settle(ctx.quick ? 10_000 : 600_000);
      const backlog = await ctx.backlog();
      await sample();
      const point = {
        openTasks: await ctx.openTasks(),
        created: fill.created,
        createdPerSecond: round(fill.perSecond),
        settleSeconds: round(settleMs / 1000),
        backlogAfterSettle: backlog,
        workerRssMB: mb(await rssOf(stack.worker.pid)),
        workerPeakRssMB: mb(peak.worker),
        devServerRssMB: mb(await rssOf(stack.temporalPid)),
        devServerPeakRssMB: mb(peak.temporal),
        apiRssMB: mb(await rssOfTree(stack.api.pid)),
        postgresPssMB: stack.postgresPid ? mb(await pssOfTree(stack.postgresPid)) : null,
      };
      ctx.log(`  ${point.openTasks} open: worker ${point.workerRssMB} MB (peak ${point.workerPeakRssMB}), dev server ${point.devServerRssMB} MB (peak ${point.devServerPeakRssMB})`);
      points.push(point);
    }
    const targetLevel = ctx.quick ? levels[levels.length - 1]! : 10_000;
    const at = points.find((p) => p.openTasks >= targetLevel) ?? points[points.length - 1]!;
    const baseline = { what: 'RSS right after start-up, no task', workerRssMB: mb(ctx.startup.workerRss), devServerRssMB: mb(ctx.startup.temporalRss), apiRssMB: mb(ctx.startup.apiRss) };
    const r = ratio(at.workerRssMB, baseline.workerRssMB);
    const result = {
      scenario: 'B4',
      title: 'memory',
      unit: 'MB (10^6 bytes), RSS from /proc via pidusage; PostgreSQL as PSS of its process tree',
      points,
      baseline,
      ratio: r,
      devServerRatio: ratio(at.devServerRssMB, baseline.devServerRssMB),
      target: `worker ≤ 400 MB at ${targetLevel.toLocaleString('en')} open tasks`,
      met: at.workerRssMB <= 400 && at.workerPeakRssMB <= 400,
    };
    return {
      result,
      row: {
        measured: points.map((p) => `${p.openTasks.toLocaleString('en')} open: worker ${p.workerRssMB} MB (peak ${p.workerPeakRssMB}), dev server ${p.devServerRssMB} MB`).join('; '),
        baseline: `at start: worker ${baseline.workerRssMB} MB, dev server ${baseline.devServerRssMB} MB`,
        ratio: `worker ×${r}, dev server ×${result.devServerRatio} (at ${at.openTasks.toLocaleString('en')})`,
      },
    };
  },
};
