import { readdir, readFile } from 'node:fs/promises';
import pidusage from 'pidusage';

/**
 * Pids whose command line contains `needle` (e.g. a temp-dir path only our processes carry),
 * optionally only those whose executable name (/proc/<pid>/comm) is `comm`.
 */
export async function pidsByCmdline(needle: string, comm?: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (!cmdline.includes(needle)) continue;
      if (comm && (await readFile(`/proc/${entry}/comm`, 'utf8')).trim() !== comm) continue;
      pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Direct children of a process (from /proc/<pid>/stat). */
export async function childPids(parent: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Resident set size of one process, in bytes (pidusage reads /proc on Linux). */
export async function rssOf(pid: number): Promise<number> {
  return (await pidusage(pid)).memory;
}

/** Resident set size of a process and its descendants (the API's cluster processes), in bytes. */
export async function rssOfTree(root: number): Promise<number> {
  let total = 0;
  for (const pid of await treePids(root)) total += await rssOf(pid).catch(() => 0);
  return total;
}

/** A process and all its descendants. */
export async function treePids(root: number): Promise<number[]> {
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(await childPids(pid)));
  }
  return out;
}

/** CPU use of one process in percent of one core since the previous call for it (pidusage). */
export async function cpuOf(pid: number): Promise<number> {
  return (await pidusage(pid)).cpu;
}

/**
 * Proportional set size of a process tree (PostgreSQL: postmaster and its backends share their
 * buffers, so RSS summed over them counts shared memory many times; PSS splits it fairly).
 */
export async function pssOfTree(root: number): Promise<number> {
  let total = 0;
  for (const pid of await treePids(root)) {
    try {
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
      const kb = /^Pss:\s+(\d+) kB/m.exec(rollup);
      total += kb ? Number(kb[1]) * 1024 : 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
