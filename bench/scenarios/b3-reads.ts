import autocannon from 'autocannon';
import { loadTest, type LoadTestResult } from 'loadtest';
import { taskStateQuery, taskWorkflowId } from '../../domain/contract';
import { cpuPerOp, treeCpuMsOf } from '../lib/cpu';
import { freePort } from '../../scripts/lib/processes';
import { ratio, round, runFor, summary } from '../lib/stats';
import type { BenchContext, Scenario } from '../lib/types';

interface Point {
  connections: number;
  /** A floor server's own CPU ms per request (its process tree; the stack's parts are in cpuMsPerRequest). */
  serverCpuMsPerRequest?: number;
  /** CPU ms per request of the API, dev server, PostgreSQL, worker and harness (load generator). */
  cpuMsPerRequest?: ReturnType<typeof cpuPerOp>;
  requestsPerSecond: number;
  p50: number | null;
  p99: number | null;
  errors: number;
  non2xx: number;
}

/** autocannon against one endpoint; `path` picks each request's path. */
async function cannon(ctx: BenchContext, opts: { url: string; bearer: string; path: () => string; connections: number; seconds: number; overallRate?: number }): Promise<Point> {
  const before = await ctx.cpu();
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    headers: { authorization: opts.bearer },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: opts.path() }) }],
  });
  const cpuMsPerRequest = cpuPerOp(before, await ctx.cpu(), result.requests.total);
  return {
    connections: opts.connections,
    cpuMsPerRequest,
    requestsPerSecond: round(result.requests.total / result.duration)!,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/**
 * Requests sent at a steady rate, one every 1000/rate ms whatever the answers (loadtest's
 * `requestsPerSecond`: an open loop that adds connections when all are busy). autocannon's
 * `overallRate` is not that: it gives each connection a quota per second, which the connections
 * spend back to back at the start of each second, so "800 req/s" over 64 connections is 64 requests
 * in flight for half of each second and none for the rest (its latency is kept beside this as
 * `atRateBursts`).
 */
async function paced(ctx: BenchContext, opts: { url: string; bearer: string; path: () => string; rate: number; seconds: number; warmUpSeconds?: number; serverPid?: number }): Promise<Point> {
  const run = (seconds: number) =>
    new Promise<LoadTestResult & { clients: number; elapsedSeconds: number }>((resolve, reject) =>
      loadTest(
        {
          url: opts.url,
          maxSeconds: seconds,
          requestsPerSecond: opts.rate,
          agentKeepAlive: true,
          quiet: true,
          headers: { authorization: opts.bearer },
          requestGenerator: (_options, params: { path: string }, request: (p: unknown, cb: unknown) => unknown, callback) => request({ ...params, path: opts.path() }, callback),
        },
        (error: unknown, r: LoadTestResult & { clients: number; elapsedSeconds: number }) => (error ? reject(error) : resolve(r)),
      ),
    );
  // Warm-up (not measured): the open loop's JIT and connections, as autocannon's warm-up above.
  if (opts.warmUpSeconds) await run(opts.warmUpSeconds);
  const before = await ctx.cpu();
  const serverBefore = opts.serverPid ? await treeCpuMsOf(opts.serverPid) : 0;
  const result = await run(opts.seconds);
  const codes = Object.entries(result.errorCodes);
  return {
    connections: result.clients, // the connections the open loop needed
    cpuMsPerRequest: cpuPerOp(before, await ctx.cpu(), result.totalRequests),
    ...(opts.serverPid ? { serverCpuMsPerRequest: round(((await treeCpuMsOf(opts.serverPid)) - serverBefore) / Math.max(result.totalRequests, 1), 2)! } : {}),
    requestsPerSecond: round(result.totalRequests / result.elapsedSeconds)!,
    p50: result.percentiles[50] ?? null,
    p99: result.percentiles[99] ?? null,
    errors: codes.filter(([code]) => code === '-1').reduce((n, [, k]) => n + k, 0),
    non2xx: codes.filter(([code]) => code !== '-1').reduce((n, [, k]) => n + k, 0),
  };
}

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

/**
 * B3: reads over HTTP with autocannon at increasing concurrency, of a task's status page
 * (GET /api/tasks/:id, the task with its timeline) and of a filtered list (GET /api/tasks with
 * unit, status and traffic-light filters, first page of 20), as the supervision office, over the
 * open tasks left by B1–B2. Baseline: the same tasks' state asked from their workflows by Query
 * (taskState) with the same number of requests in flight. Then both reads at a steady 800 req/s
 * (`paced`), and the status read at autocannon's 800 req/s quota for comparison with earlier runs.
 * The target (issue 16) is the status read's: ≤ 2.0 ms of CPU across all processes, p99 ≤ 20 ms at
 * 800 req/s, ≥ 10 × the Query baseline (its ≤ 3 statements: test/api/task-read-statements.test.ts);
 * the list's figures are reported beside it.
 */
export const b3Reads: Scenario = {
  id: 'B3',
  title: 'status and list reads',
  async run(ctx: BenchContext) {
    const { stack } = ctx;
    const seconds = ctx.quick ? 2 : 10;
    const levels = ctx.quick ? [8] : [1, 4, 16, 64];
    const ids = (await stack.db.task.findMany({ where: { status: 'assigned' }, select: { id: true }, take: 1000, orderBy: { createdAt: 'desc' } })).map((t) => t.id);
    if (ids.length === 0) throw new Error('no open task to read');
    const bearer = await ctx.api.bearer(ctx.org.officeId);
    const statusPath = () => `/api/tasks/${pick(ids)}`;
    const listPath = () => `/api/tasks?unitId=${pick(ctx.org.units).id}&status=assigned&trafficLight=green&sort=deadline&pageSize=20`;
    // Warm-up: JIT, connection pools, workflow cache.
    await cannon(ctx, { url: stack.apiUrl, bearer, path: statusPath, connections: 8, seconds: 1 });
    await cannon(ctx, { url: stack.apiUrl, bearer, path: listPath, connections: 8, seconds: 1 });

    const status: Point[] = [];
    const list: Point[] = [];
    const query: Point[] = [];
    for (const connections of levels) {
      status.push(await cannon(ctx, { url: stack.apiUrl, bearer, path: statusPath, connections, seconds }));
      list.push(await cannon(ctx, { url: stack.apiUrl, bearer, path: listPath, connections, seconds }));
      const qBefore = await ctx.cpu();
      const q = await runFor(seconds * 1000, connections, () => stack.temporal.workflow.getHandle(taskWorkflowId(pick(ids))).query(taskStateQuery).then(() => undefined));
      const s = summary(q.latencies);
      query.push({ connections, cpuMsPerRequest: cpuPerOp(qBefore, await ctx.cpu(), q.latencies.length), requestsPerSecond: round(q.perSecond)!, p50: s.p50, p99: s.p99, errors: q.errors, non2xx: 0 });
      ctx.log(`  ${connections} in flight: status ${status.at(-1)!.requestsPerSecond} req/s, list ${list.at(-1)!.requestsPerSecond} req/s, Query ${query.at(-1)!.requestsPerSecond} req/s`);
    }
    const rate = 800;
    // Each at-rate point on a quiet stack (the Query baseline's replays can keep the worker and the
    // dev server busy after its last answer), and the list last: at 800 req/s it falls behind, and an open loop's backlog would reach the next point.
    const quiet = async () => ctx.log(`  stack quiet after ${((await ctx.settle()) / 1000).toFixed(1)} s`);
    await quiet();
    const atRateStatus = await paced(ctx, { url: stack.apiUrl, bearer, path: statusPath, rate, seconds, warmUpSeconds: 2 });
    await quiet();
    const atRateBursts = {
      what: `autocannon overallRate ${rate} over 64 connections: a quota per connection and second, spent in a burst`,
      status: await cannon(ctx, { url: stack.apiUrl, bearer, path: statusPath, connections: 64, seconds, overallRate: rate }),
    };
    await quiet();
    // The floor: the same bytes from a plain Node server (one process, no framework, no database), paced alike.
    const sample = await fetch(`${stack.apiUrl}${statusPath()}`, { headers: { authorization: bearer } }).then((r) => r.text());
    const plain = await stack.startChild('plain-server', 'plain-server.ts', { PLAIN_BODY: sample });
    const atRateFloor = {
      what: `a plain Node HTTP server answering a status read's ${Buffer.byteLength(sample)} bytes, paced at ${rate} req/s`,
      ...(await paced(ctx, { url: String(plain.ready.url), bearer, path: statusPath, rate, seconds, warmUpSeconds: 2, serverPid: plain.pid })),
    };
    await plain.stop();
    ctx.log(`  at ${rate} req/s paced, plain server: p99 ${atRateFloor.p99} ms`);
    await quiet();
    // The second floor: the status read's own statement on a plain pg pool behind a plain HTTP
    // server, in as many processes as the API: what the database round trip alone gives at this rate.
    const dbFloorServer = await stack.startChild('db-floor-server', 'db-floor-server.ts', { PORT: String(await freePort()) });
    const atRateDbFloor = {
      what: `the status read's statement (timelineSql, prepared) on a plain pg pool behind a plain Node HTTP server in ${stack.childEnv.API_PROCESSES} processes (no Express, ORM, authentication or logging), paced at ${rate} req/s`,
      ...(await paced(ctx, { url: String(dbFloorServer.ready.url), bearer, path: statusPath, rate, seconds, warmUpSeconds: 2, serverPid: dbFloorServer.pid })),
    };
    await dbFloorServer.stop();
    ctx.log(`  at ${rate} req/s paced, database floor: p99 ${atRateDbFloor.p99} ms (its server ${atRateDbFloor.serverCpuMsPerRequest} ms CPU/req)`);
    await quiet();
    const atRate = { status: atRateStatus, list: await paced(ctx, { url: stack.apiUrl, bearer, path: listPath, rate, seconds }) };
    ctx.log(`  at ${rate} req/s paced: status ${atRate.status.requestsPerSecond} req/s p99 ${atRate.status.p99} ms, list ${atRate.list.requestsPerSecond} req/s p99 ${atRate.list.p99} ms`);
    ctx.log(`  at ${rate} req/s in bursts: status ${atRateBursts.status.requestsPerSecond} req/s p99 ${atRateBursts.status.p99} ms`);

    const best = (ps: Point[]) => ps.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const bestStatus = best(status);
    const bestList = best(list);
    const bestQuery = best(query);
    const statusRatio = ratio(bestStatus.requestsPerSecond, bestQuery.requestsPerSecond);
    const listRatio = ratio(bestList.requestsPerSecond, bestQuery.requestsPerSecond);
    const holds = (p: Point) => p.requestsPerSecond >= rate * 0.95 && p.p99 !== null && p.p99 <= 20 && p.errors === 0 && p.non2xx === 0;
    const errors = [...status, ...list].reduce((n, p) => n + p.errors + p.non2xx, 0);
    const cpuMet = (bestStatus.cpuMsPerRequest?.total ?? Infinity) <= 2.0;
    const result = {
      scenario: 'B3',
      title: 'status and list reads',
      tasksRead: ids.length,
      openTasks: await ctx.openTasks(),
      secondsPerPoint: seconds,
      status,
      list,
      atRate: { requestsPerSecondAsked: rate, paced: 'loadtest requestsPerSecond (open loop)', ...atRate },
      atRateBursts,
      atRateFloor,
      atRateDbFloor,
      errors,
      baseline: { what: 'Query taskState of the same workflows, same requests in flight', points: query },
      ratio: statusRatio,
      listRatio,
      target: 'status read: CPU ≤ 2.0 ms across all processes, p99 ≤ 20 ms at 800 req/s, ≥ 10× the Query baseline',
      met: cpuMet && holds(atRate.status) && (statusRatio ?? 0) >= 10 && errors === 0,
    };
    return {
      result,
      row: {
        measured:
          `status: best ${bestStatus.requestsPerSecond} req/s (${bestStatus.connections} conn., p50 ${bestStatus.p50} ms, p99 ${bestStatus.p99} ms, CPU ${bestStatus.cpuMsPerRequest?.total} ms/req), at ${rate} req/s paced: ${atRate.status.requestsPerSecond} req/s p99 ${atRate.status.p99} ms (the read's statement on plain pg and http: p99 ${atRateDbFloor.p99} ms, ${atRateDbFloor.serverCpuMsPerRequest} ms CPU/req in its server against the API's ${atRate.status.cpuMsPerRequest?.api}; a plain Node server with the same bytes: p99 ${atRateFloor.p99} ms; in autocannon's per-second bursts: p99 ${atRateBursts.status.p99} ms); ` +
          `list: best ${bestList.requestsPerSecond} req/s (p99 ${bestList.p99} ms, CPU ${bestList.cpuMsPerRequest?.total} ms/req), at ${rate} paced: ${atRate.list.requestsPerSecond} req/s p99 ${atRate.list.p99} ms`,
        baseline: `Query: best ${bestQuery.requestsPerSecond} req/s (${bestQuery.connections} in flight, p50 ${bestQuery.p50} ms, p99 ${bestQuery.p99} ms, CPU ${bestQuery.cpuMsPerRequest?.total} ms/req)`,
        ratio: `status ×${statusRatio}, list ×${listRatio}`,
      },
    };
  },
};
