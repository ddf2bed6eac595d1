/**
 * An HTTP server in several processes sharing one port (node:cluster): `API_PROCESSES` API
 * processes behind `npm run api` use that many cores, where one Node process uses one (bench B3:
 * a single API process answered status reads at a full core while the second was half idle).
 *
 * The primary serves nothing: it forks the server processes (this entry, its arguments and
 * environment) and passes the first `{ ready }` message on to its own parent once every one has
 * sent one (it exits 1 if one dies before that). It replaces one that dies later, unless it is
 * stopping. On SIGINT/SIGTERM, or when its own parent goes away, it asks each to stop with a
 * `{ stop }` message, which a server process takes as its first stop signal (`onStopMessage`), so
 * it drains its requests in flight as it would for a signal; it exits once they all have.
 *
 * What a process keeps for itself stays its own: a revocation made through one process reaches the
 * others' actor caches within ACTOR_CACHE_MS (api/http/authenticate.ts), as between replicas.
 */
import cluster, { type Worker } from 'node:cluster';

/** Where the primary logs (pino's signature). */
type Log = (fields: Record<string, unknown>, message: string) => void;
export interface ServerPrimaryOptions {
  /** Server processes to fork (2 or more). */
  processes: number;
  logger: { info: Log; warn: Log; error: Log };
}

/** True in the primary of a clustered server (call `runServerPrimary` there and nothing else). */
export const isServerPrimary = (processes: number): boolean => processes > 1 && cluster.isPrimary;

const isReady = (m: unknown): m is Record<string, unknown> & { ready: true } => typeof m === 'object' && m !== null && (m as { ready?: unknown }).ready === true;

export function runServerPrimary(opts: ServerPrimaryOptions): void {
  let stopping = false;
  let announced = false;
  const ready = new Set<number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (m: unknown) => {
      if (!isReady(m) || ready.has(worker.id)) return;
      ready.add(worker.id);
      if (!announced && ready.size >= opts.processes) {
        announced = true;
        opts.logger.info({ processes: opts.processes }, `API 进程已全部就绪 / all ${opts.processes} API processes listening`);
        // To this process's own parent, if any (a supervisor, the bench), as a single process would.
        process.send?.(m);
      }
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        opts.logger.info({}, 'API stopped');
        process.exit(0);
      }
      return;
    }
    if (!announced) {
      // Not up yet: a process that cannot start (configuration, a port taken) would only fail again.
      opts.logger.error({ pid: worker.process.pid, code, signal }, 'API 进程启动失败 / an API process failed to start');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exit(1);
    }
    opts.logger.error({ pid: worker.process.pid, code, signal }, 'API 进程意外退出，正在替换 / an API process exited unexpectedly; starting another');
    fork();
  });
  const stop = (reason: string) => {
    if (stopping) {
      opts.logger.warn({ reason }, 'API exiting at once');
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    opts.logger.info({ reason }, '正在停止 / API stopping: each process finishes its requests in flight');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(0);
    // One not listening yet has no requests to finish (nor a handler for the message): a signal ends it.
    for (const w of workers) {
      if (ready.has(w.id) && w.isConnected()) w.send({ stop: reason });
      else w.process.kill('SIGTERM');
    }
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Started with an IPC channel (a supervisor, the bench): its going away is a stop.
  process.on('disconnect', () => stop('parent gone'));
  for (let i = 0; i < opts.processes; i++) fork();
}

/** In a server process of a cluster: `stop` when the primary asks (a no-op outside a cluster). */
export function onStopMessage(stop: (reason: string) => void): void {
  if (!cluster.isWorker) return;
  process.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && typeof (m as { stop?: unknown }).stop === 'string') stop((m as { stop: string }).stop);
  });
}
