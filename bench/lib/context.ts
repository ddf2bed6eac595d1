import { temporal } from '@temporalio/proto';
import { createApiClient } from './api-client';
import { cpuSnapshot } from './cpu';
import { createBenchOrg } from './org';
import { rssOf, rssOfTree } from './proc';
import { NAMESPACE, type Stack, TASK_QUEUE } from './stack';
import { runPool } from './stats';
import type { BenchContext } from './types';
import { terminalStatuses } from '../../domain/lifecycle';

const DAY_MS = 24 * 3600_000;

export async function createContext(stack: Stack, opts: { quick: boolean; units: number; log: (m: string) => void }): Promise<BenchContext> {
  const org = await createBenchOrg(stack.db, { units: opts.units });
  const api = createApiClient(stack.apiUrl, stack.accessTokens);
  let fillerSeq = 0;
  const openTasks = () => stack.db.task.count({ where: { status: { notIn: [...terminalStatuses] } } });
  const BARE_QUEUE = 'bench-bare';
  let bare: Promise<{ pid: number }> | undefined;
  const startup = { workerRss: await rssOf(stack.worker.pid), temporalRss: await rssOf(stack.temporalPid), apiRss: await rssOfTree(stack.api.pid) };
  const ctx: BenchContext = {
    quick: opts.quick,
    createRate: null,
    startup,
    async bareWorker() {
      bare ??= stack.startChild('bare-worker', 'worker-process.ts', { BENCH_WORKER: 'bare', TEMPORAL_TASK_QUEUE: BARE_QUEUE });
      return { taskQueue: BARE_QUEUE, pid: (await bare).pid };
    },
    async backlog() {
      const of = async (taskQueueType: temporal.api.enums.v1.TaskQueueType) => {
        const res = await stack.temporal.workflowService.describeTaskQueue({
          namespace: NAMESPACE,
          taskQueue: { name: TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType,
          reportStats: true,
        });
        return Number(res.stats?.approximateBacklogCount ?? 0);
      };
      return {
        workflowTasks: await of(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        activityTasks: await of(temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
      };
    },
    async settle(maxMs = 60_000) {
      const start = Date.now();
      let quiet = 0;
      let prev = await ctx.cpu();
      while (quiet < 2 && Date.now() - start < maxMs) {
        await new Promise((r) => setTimeout(r, 1000));
        const now = await ctx.cpu();
        const busy = now.worker - prev.worker + (now.devServer - prev.devServer) + (now.postgres - prev.postgres);
        const b = busy < 100 ? await ctx.backlog() : null;
        quiet = b && b.workflowTasks === 0 && b.activityTasks === 0 ? quiet + 1 : 0;
        prev = now;
      }
      return Date.now() - start;
    },
    async cpu() {
      const workers = [stack.worker.pid, ...(bare ? [(await bare).pid] : [])];
      return cpuSnapshot({ api: stack.api.pid, workers, temporal: stack.temporalPid, postgres: stack.postgresPid });
    },
    stack,
    org,
    api,
    log: opts.log,
    openTasks,
    async fillOpenTasks(target, { concurrency = 16 } = {}) {
      const missing = target - (await openTasks());
      if (missing <= 0) return { created: 0, seconds: 0, perSecond: null };
      const now = Date.now();
      const bodies = Array.from({ length: missing }, () => {
        const i = fillerSeq++;
        const unit = org.units[i % org.units.length]!;
        return {
          title: `整改任务 ${i + 1}：规范窗口服务收费公示`,
          unitId: unit.id,
          ownerId: unit.ownerId,
          // 30–330 days ahead, spread to the second: no reminder or rung falls due during the run.
          deadline: new Date(now + 30 * DAY_MS + ((i * 7919) % (300 * 86400)) * 1000).toISOString(),
        };
      });
      let done = 0;
      const step = Math.max(1000, Math.ceil(missing / 10));
      const { seconds } = await runPool(bodies, concurrency, async (body) => {
        await api.createTask(org.officeId, body);
        if (++done % step === 0) opts.log(`  … ${done}/${missing} tasks created`);
      });
      ctx.createRate = missing / seconds;
      return { created: missing, seconds, perSecond: missing / seconds };
    },
  };
  return ctx;
}
