import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { onStopMessage } from '../../lib/cluster';
import { stopChild } from '../../scripts/lib/processes';

/** A TypeScript entry of ours running as its own Node process (its RSS is its own). */
export interface NodeChild {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The message the child sent when it was ready. */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <file>` with an IPC channel; resolves with the first `{ ready: true }`
 * message. stdout and stderr go to `logFile` (the API logs every request there, as `npm start`
 * does to its terminal). The child exits by itself when the IPC channel closes (the harness died).
 */
export async function startNodeChild(opts: {
  name: string;
  file: string;
  env: Record<string, string>;
  logFile: string;
  timeoutMs?: number;
  nodeArgs?: string[];
}): Promise<NodeChild> {
  const log = openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.resolve(opts.file)], {
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, ...opts.env },
  });
  closeSync(log);
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.name} not ready within ${opts.timeoutMs ?? 180_000} ms (log: ${opts.logFile})`));
    }, opts.timeoutMs ?? 180_000);
    child.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && (m as { ready?: boolean }).ready) {
        clearTimeout(timer);
        resolve(m as Record<string, unknown>);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited before it was ready (code ${code}, signal ${signal}; log: ${opts.logFile})`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return { name: opts.name, pid: child.pid!, child, ready, stop: () => stopChild(child, 30_000) };
}

/** Inside a child: tell the parent we are ready, and stop cleanly on SIGTERM or when the parent goes away. */
export function childLifecycle(ready: Record<string, unknown>, stop: () => Promise<void>): void {
  let stopping: Promise<void> | undefined;
  const exit = () => {
    stopping ??= stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.on('disconnect', exit);
  onStopMessage(exit);
  process.send?.({ ready: true, ...ready });
}
