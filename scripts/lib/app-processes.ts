import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../lib/tools';
import { stopChild } from './processes';

/** `npm run api` or `npm run worker` as a child process: its pid, log and how it ended. */
export interface AppProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Settles when the process exits, with its code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The worker process as `npm run worker` starts it (package.json): glibc limited to two malloc
 * arenas (its per-thread arenas kept freed memory resident), a bounded old space (V8 collects
 * lazily under the default ≈ 4 GB limit) and a 4 MB young generation semi-space (V8's 16 MB default
 * kept ≈ 50 MB more resident at 10,000 open tasks: bench B4 404 → 351 MB). Overridable as there:
 * MALLOC_ARENA_MAX, WORKER_MAX_OLD_SPACE_MB, WORKER_MAX_SEMI_SPACE_MB.
 */
export const workerProcess = {
  env: { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
  nodeArgs: [`--max-old-space-size=${process.env.WORKER_MAX_OLD_SPACE_MB ?? '512'}`, `--max-semi-space-size=${process.env.WORKER_MAX_SEMI_SPACE_MB ?? '4'}`],
};

/**
 * The API process as `npm run api` starts it (package.json): a bounded old space. Under V8's
 * default ≈ 4 GB limit the heap grew with a 100,000-task export's allocation rate (+226 MiB over a
 * tenth of the rows; bench B6) though no rows are held: bounded, the export's peak is flat.
 * Overridable as there: API_MAX_OLD_SPACE_MB.
 */
export const apiProcess = {
  env: {},
  nodeArgs: [`--max-old-space-size=${process.env.API_MAX_OLD_SPACE_MB ?? '512'}`],
};

/**
 * Starts `api/main.ts` or `worker/main.ts` exactly as `npm run api` / `npm run worker` do (node
 * with the tsx loader, as `apiProcess` / `workerProcess` say), environment on top of this one's,
 * output to `logFile`. Does not wait for it to be ready: see waitUntil.
 */
export async function startAppProcess(kind: 'api' | 'worker', opts: { name?: string; env: Record<string, string>; logFile: string }): Promise<AppProcess> {
  const out = await open(opts.logFile, 'a');
  const file = path.join(repoRoot, kind === 'api' ? 'api/main.ts' : 'worker/main.ts');
  const spec = kind === 'api' ? apiProcess : workerProcess;
  const args = [...spec.nodeArgs, '--import', 'tsx', file];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: ['ignore', out.fd, out.fd],
    env: { ...process.env, ...spec.env, ...opts.env },
  });
  await out.close();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    name: opts.name ?? kind,
    child,
    pid: child.pid!,
    logFile: opts.logFile,
    exited,
    log: () => readFile(opts.logFile, 'utf8'),
    stop: () => stopChild(child, 30_000),
  };
}

/** Polls `check` until it is true; fails naming `what` and the process's log when it exits or time runs out. */
export async function waitUntil(p: AppProcess, what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  let gone = false;
  void p.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (gone) throw new Error(`${p.name} exited before ${what}; log ${p.logFile}:\n${(await p.log()).slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${p.name}: not ${what} within ${timeoutMs} ms; log ${p.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The API answers 200 on /readyz (database and Temporal reachable). */
export const apiReady = (p: AppProcess, url: string, timeoutMs?: number) =>
  waitUntil(p, 'ready (/readyz)', async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3_000) })).status === 200, timeoutMs);

/** The worker has logged that it polls its task queue. */
export const workerRunning = (p: AppProcess, timeoutMs?: number) => waitUntil(p, 'running', async () => (await p.log()).includes('worker running'), timeoutMs);
