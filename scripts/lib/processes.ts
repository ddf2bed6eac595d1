import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import net from 'node:net';

/** A child process we started and must stop. */
export interface Service {
  name: string;
  stop(): Promise<void>;
}

/** Sends SIGTERM and waits for exit; SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Spawns a command and resolves with the first stdout line matching `ready`, or rejects on exit/timeout. */
export function spawnUntil(
  command: string,
  args: string[],
  ready: (line: string) => boolean,
  opts: SpawnOptions & { timeoutMs?: number; onLine?: (line: string) => void } = {},
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], ...opts });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not become ready within ${opts.timeoutMs ?? 60_000} ms`));
    }, opts.timeoutMs ?? 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      opts.onLine?.(line);
      if (ready(line)) {
        clearTimeout(timer);
        resolve({ child, line });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited early (code ${code}, signal ${signal})`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** An unused TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when a TCP connection to host:port succeeds, polling until `timeoutMs`. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A service that can tell when it ended by itself (crash, kill), as opposed to being stopped. */
export interface ExitingService extends Service {
  /** Settles when the service ended on its own, with how; never after `stop()`. */
  exited: Promise<string>;
}

export interface SupervisorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface Supervised<T extends ExitingService> extends Service {
  /** The instance running now (a new one after each restart). */
  current(): T;
  /** Restarts so far. */
  restarts(): number;
  /** Resolves once an instance started after the `n`-th restart is up (tests). */
  whenRestarted(n: number): Promise<T>;
}

/**
 * Starts a service and keeps it running: when it ends by itself it is started again after a
 * backoff (doubling from `initialBackoffMs` to `maxBackoffMs`, back to the start once an instance
 * has run for `stableMs`), each exit and restart logged. A failed restart counts as one more exit.
 * `stop()` stops the instance running and ends the supervision.
 */
export async function supervise<T extends ExitingService>(opts: {
  name: string;
  start: () => Promise<T>;
  log: SupervisorLog;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  stableMs?: number;
}): Promise<Supervised<T>> {
  const { name, log, initialBackoffMs = 1_000, maxBackoffMs = 30_000, stableMs = 60_000 } = opts;
  let current = await opts.start();
  let restarts = 0;
  let stopped = false;
  let wakeStop: () => void = () => undefined;
  const stopSignal = new Promise<void>((resolve) => (wakeStop = resolve));
  const waiters: { n: number; resolve: (s: T) => void }[] = [];

  const loop = async () => {
    let backoff = initialBackoffMs;
    let startedAt = Date.now();
    let exit: Promise<string> = current.exited;
    for (;;) {
      const how = await Promise.race([exit, stopSignal.then(() => null)]);
      if (how === null || stopped) return;
      if (Date.now() - startedAt >= stableMs) backoff = initialBackoffMs;
      log.warn({ service: name, exit: how, restartInMs: backoff }, `${name} 已退出，将重新启动 / ${name} exited, restarting`);
      await Promise.race([new Promise((r) => setTimeout(r, backoff)), stopSignal]);
      if (stopped) return;
      backoff = Math.min(maxBackoffMs, backoff * 2);
      try {
        current = await opts.start();
      } catch (err) {
        log.error({ service: name, err }, `${name} 重新启动失败 / ${name} failed to restart`);
        startedAt = Date.now();
        exit = Promise.resolve(`restart failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      if (stopped) {
        await current.stop();
        return;
      }
      restarts += 1;
      startedAt = Date.now();
      exit = current.exited;
      log.info({ service: name, restarts }, `${name} 已重新启动 / ${name} restarted`);
      for (const w of waiters.splice(0)) {
        if (restarts >= w.n) w.resolve(current);
        else waiters.push(w);
      }
    }
  };
  const running = loop();

  return {
    name,
    current: () => current,
    restarts: () => restarts,
    whenRestarted: (n) => (restarts >= n ? Promise.resolve(current) : new Promise((resolve) => waiters.push({ n, resolve }))),
    async stop() {
      stopped = true;
      wakeStop();
      await running;
      await current.stop();
    },
  };
}
