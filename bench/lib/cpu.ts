import { readFile } from 'node:fs/promises';
import { childPids, treePids } from './proc';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux x86-64). */
const HZ = 100;

async function ticks(pid: number, withReapedChildren = false): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14–17 of stat (utime, stime, cutime, cstime) are 11–14 after the command name
    const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number) as [number, number, number, number];
    return utime + stime + (withReapedChildren ? cutime + cstime : 0);
  } catch {
    return 0;
  }
}

/** CPU time (ms, user + system) one process has used so far. */
export const cpuMsOf = async (pid: number) => (await ticks(pid)) * (1000 / HZ);

/** CPU time (ms) a process and its live descendants have used so far. */
export const treeCpuMsOf = async (pid: number) => (await Promise.all((await treePids(pid)).map(cpuMsOf))).reduce((a, b) => a + b, 0);

export interface CpuProcesses {
  /** The API process (with its cluster processes, when API_PROCESSES > 1). */
  api: number;
  /** Our worker, and the bench's bare worker when it runs. */
  workers: number[];
  temporal: number;
  postgres: number | null;
}

export type CpuSnapshot = Record<'api' | 'worker' | 'devServer' | 'postgres' | 'harness', number>;

/**
 * CPU time (ms) used so far by each part of the stack: our API and worker process(es), the Temporal
 * dev server, PostgreSQL (postmaster, its live backends, and the ones it has reaped) and the
 * harness itself (load generator, mail catcher).
 */
export async function cpuSnapshot(p: CpuProcesses): Promise<CpuSnapshot> {
  let postgres = 0;
  if (p.postgres) {
    postgres = await ticks(p.postgres, true);
    for (const child of await childPids(p.postgres)) postgres += await ticks(child);
  }
  const own = process.cpuUsage();
  return {
    api: await treeCpuMsOf(p.api),
    worker: (await Promise.all(p.workers.map((w) => ticks(w)))).reduce((a, b) => a + b, 0) * (1000 / HZ),
    devServer: (await ticks(p.temporal)) * (1000 / HZ),
    postgres: postgres * (1000 / HZ),
    harness: (own.user + own.system) / 1000,
  };
}

export const zeroCpu = (): CpuSnapshot => ({ api: 0, worker: 0, devServer: 0, postgres: 0, harness: 0 });

/** Adds the CPU used between two snapshots to an accumulator. */
export function addCpu(acc: CpuSnapshot, before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  for (const k of Object.keys(acc) as (keyof CpuSnapshot)[]) acc[k] += after[k] - before[k];
  return acc;
}

/** CPU milliseconds each part spent per operation (two decimals), and their total. */
export function perOp(used: CpuSnapshot, ops: number): CpuSnapshot & { total: number } {
  const r = (v: number) => Math.round((v / Math.max(ops, 1)) * 100) / 100;
  const total = used.api + used.worker + used.devServer + used.postgres + used.harness;
  return { api: r(used.api), worker: r(used.worker), devServer: r(used.devServer), postgres: r(used.postgres), harness: r(used.harness), total: r(total) };
}

/** CPU milliseconds each part spent per operation between two snapshots. */
export const cpuPerOp = (before: CpuSnapshot, after: CpuSnapshot, ops: number) => perOp(addCpu(zeroCpu(), before, after), ops);
