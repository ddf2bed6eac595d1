import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { childPids } from '../../bench/lib/proc';
import { type AppProcess, apiReady, startAppProcess } from '../../scripts/lib/app-processes';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { freePort } from '../../scripts/lib/processes';
import { createDevServerEnv, testDatabaseUrl } from '../support/env';

/** CPU ticks (user + system) a process has used so far. */
const ticks = async (pid: number) => {
  const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
};
/** The primary's server processes (not tsx's esbuild service, its other child). */
const serversOf = async (primary: number) => {
  const out: number[] = [];
  for (const pid of await childPids(primary)) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes('api/main.ts')) out.push(pid);
  return out;
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** GET on a connection of its own (so the cluster's round robin hands each to the next process). */
const get = (url: string) =>
  new Promise<number>((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// `API_PROCESSES=2 npm run api` (lib/cluster.ts): two processes serve one port, a dead one is
// replaced, SIGTERM stops them all and the primary exits 0; one that cannot start ends it all.
describe('npm run api with API_PROCESSES', () => {
  let env: TestWorkflowEnvironment;
  let smtp: MailCatcher;
  let logDir: string;
  const started: AppProcess[] = [];

  beforeAll(async () => {
    [env, smtp, logDir] = await Promise.all([createDevServerEnv(), startMailCatcher({ port: 0 }), mkdtemp(path.join(os.tmpdir(), 'api-processes-'))]);
  }, 60_000);
  afterAll(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    await smtp?.stop();
    await env?.teardown();
  });

  const startApi = async (port: number, processes: number) => {
    const p = await startAppProcess('api', {
      logFile: path.join(logDir, `api-${port}-${started.length}.log`),
      env: {
        DATABASE_URL: testDatabaseUrl(),
        TEMPORAL_ADDRESS: env.address,
        SMTP_URL: smtp.url,
        JWT_SECRET: randomBytes(32).toString('base64url'),
        PORT: String(port),
        DATA_DIR: logDir,
        API_PROCESSES: String(processes),
        LOG_LEVEL: 'info',
      },
    });
    started.push(p);
    return p;
  };

  test('two processes answer on one port; one killed is replaced; SIGTERM ends them all with exit 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await startApi(port, 2);
    await apiReady(api, url, 90_000);
    const servers = await serversOf(api.pid);
    expect(servers).toHaveLength(2);

    // Both serve: each spends CPU on its share of 200 connections.
    const before = await Promise.all(servers.map(ticks));
    for (let i = 0; i < 200; i++) expect(await get(`${url}/readyz`)).toBe(200);
    const after = await Promise.all(servers.map(ticks));
    for (const [i, t] of after.entries()) expect(t).toBeGreaterThan(before[i]!);

    process.kill(servers[0]!, 'SIGKILL');
    const replaced = await eventually('a replacement process', async () => {
      const now = await serversOf(api.pid);
      return now.length === 2 && !now.includes(servers[0]!) ? now : undefined;
    });
    expect(replaced).toContain(servers[1]);
    // The replacement listens (the third "API listening" in the log), and the two answer.
    await eventually('the replacement listening', async () => ((await api.log()).split('API listening').length - 1 === 3 ? true : undefined));
    expect(await api.log()).toContain('an API process exited unexpectedly');
    const again = await Promise.all(replaced.map(ticks));
    for (let i = 0; i < 200; i++) expect(await get(`${url}/readyz`)).toBe(200);
    for (const [i, t] of (await Promise.all(replaced.map(ticks))).entries()) expect(t).toBeGreaterThan(again[i]!);

    api.child.kill('SIGTERM');
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(replaced.filter(alive)).toEqual([]);
    expect(await api.log()).toContain('API stopped');
  }, 150_000);

  test('a process that cannot start (its port is taken) ends the primary with exit 1, not a restart loop', async () => {
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as { port: number }).port;
      const api = await startApi(port, 2);
      expect((await api.exited).code).toBe(1);
      expect(await api.log()).toContain('an API process failed to start');
    } finally {
      taken.close();
    }
  }, 120_000);
});
