/**
 * The real Temporal server (go.temporal.io/server v1.32.2, PostgreSQL persistence set up by its own
 * schema tool) with mutual TLS on its frontend, certificates made by openssl for this run
 * (scripts/real-temporal.ts). Out of the default `npm test` (it needs the server built with Go):
 * `npm run test:real-temporal`.
 *
 * - `npm run api` and `npm run worker`, configured with TEMPORAL_TLS_CA/CERT/KEY/SERVER_NAME only,
 *   connect: a task created through the API is supervised by the worker and its reminder arrives.
 * - Misconfigurations are refused: a certificate without its key stops both processes at start with
 *   the message naming the variable; a CA that did not sign the server's certificate, a client
 *   without a certificate and a client without TLS are refused by the server, and the worker says so
 *   at start in one line.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { createAccessTokens } from '../../lib/auth';
import { loadConfig } from '../../lib/config';
import { createDb, type Db } from '../../lib/db';
import { boundedConnectionOptions } from '../../lib/temporal-client';
import { type AppProcess, apiReady, startAppProcess, workerRunning } from '../../scripts/lib/app-processes';
import { makeCertificates } from '../../scripts/lib/certs';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { deployMigrations } from '../../scripts/lib/migrations';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../../scripts/lib/postgres';
import { freePort } from '../../scripts/lib/processes';
import { pgTarget, type RealTemporal, startRealTemporal } from '../../scripts/real-temporal';
import { createOrg } from '../support/org';

jest.setTimeout(240_000);

describe('a real Temporal server with mutual TLS', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let temporal: RealTemporal;
  let smtp: MailCatcher;
  let db: Db;
  const processes: AppProcess[] = [];
  const jwtSecret = randomBytes(32).toString('base64url');
  const env = () => ({ DATABASE_URL: pg.url, SMTP_URL: smtp.url, JWT_SECRET: jwtSecret, DATA_DIR: dir, LOG_LEVEL: 'info', ...temporal.env() });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-real-tls-'));
    await chmod(dir, 0o755);
    pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false, database: 'rectify' });
    await deployMigrations({ databaseUrl: pg.url });
    db = createDb(pg.url);
    smtp = await startMailCatcher({ port: 0 });
    temporal = await startRealTemporal({ dir: path.join(dir, 'temporal'), pg: pgTarget(pg.url), tls: true });
  });
  afterAll(async () => {
    for (const p of processes) await p.stop().catch(() => undefined);
    await temporal?.stop();
    await smtp?.stop();
    await db?.$disconnect();
    await pg?.stop();
  });

  test('the settings of lib/config.ts reach it; the server refuses no client certificate, another CA, and no TLS', async () => {
    const config = loadConfig(temporal.env());
    const ok = await Connection.connect(boundedConnectionOptions(temporal.address, 5_000, config.temporal));
    try {
      const info = await ok.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBe('1.32.2');
    } finally {
      await ok.close();
    }
    const other = await makeCertificates(path.join(dir, 'other-ca'));
    const refused = async (settings: Record<string, string | undefined>) => {
      const c = loadConfig({ ...temporal.env(), ...settings });
      const conn = Connection.lazy(boundedConnectionOptions(temporal.address, 3_000, c.temporal));
      try {
        await conn.workflowService.getSystemInfo({});
        return 'connected';
      } catch (err) {
        return String(err);
      } finally {
        await conn.close();
      }
    };
    // mTLS: no client certificate → handshake refused.
    expect(await refused({ TEMPORAL_TLS_CERT: undefined, TEMPORAL_TLS_KEY: undefined })).not.toBe('connected');
    // A client trusting another CA refuses the server's certificate.
    expect(await refused({ TEMPORAL_TLS_CA: other.ca })).not.toBe('connected');
    // A client certificate from another CA is refused by the server.
    expect(await refused({ TEMPORAL_TLS_CERT: other.clientCert, TEMPORAL_TLS_KEY: other.clientKey })).not.toBe('connected');
    // Plain TCP to a TLS frontend.
    const plain = Connection.lazy(boundedConnectionOptions(temporal.address, 3_000));
    await expect(plain.workflowService.getSystemInfo({})).rejects.toThrow();
    await plain.close();
  });

  test('npm run api and npm run worker over TLS: a task created through the API is supervised, its reminder arrives', async () => {
    const port = await freePort();
    const api = await startAppProcess('api', { env: { ...env(), PORT: String(port) }, logFile: path.join(dir, 'api.log') });
    const worker = await startAppProcess('worker', { env: env(), logFile: path.join(dir, 'worker.log') });
    processes.push(api, worker);
    const url = `http://127.0.0.1:${port}`;
    await apiReady(api, url);
    await workerRunning(worker);
    const org = await createOrg(db);
    const { token } = await createAccessTokens(jwtSecret, 900).issue(org.people.office.id);
    const res = await fetch(`${url}/api/tasks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'TLS 集群测试：窗口公示', unitId: org.units.deptB.id, ownerId: org.people.staffB.id, deadline: new Date(Date.now() + 8_000).toISOString(), reminderOffsetSeconds: 4 }),
    });
    expect(res.status).toBe(201);
    const mails = await smtp.waitFor(1, (m) => m.envelopeTo.includes(org.people.staffB.email) && /整改提醒/.test(m.parsed.subject ?? ''), 60_000);
    expect(mails[0]!.parsed.text).toContain('TLS 集群测试');
    expect(await api.log()).toMatch(/"tls":true/);
    expect(await worker.log()).toMatch(/"tls":true/);
  });

  test('a misconfiguration is refused at start, in one clear line', async () => {
    // A certificate without its key: both processes stop before connecting, naming the variable.
    for (const kind of ['api', 'worker'] as const) {
      const p = await startAppProcess(kind, { name: `${kind}-no-key`, env: { ...env(), PORT: String(await freePort()), TEMPORAL_TLS_KEY: '' }, logFile: path.join(dir, `${kind}-no-key.log`) });
      processes.push(p);
      expect((await p.exited).code).toBe(1);
      expect(await p.log()).toContain('TEMPORAL_TLS_KEY: 已设置 TEMPORAL_TLS_CERT，须同时设置 TEMPORAL_TLS_KEY（客户端证书与私钥成对使用） / required with TEMPORAL_TLS_CERT');
    }
    // A CA file that cannot be read.
    const unreadable = await startAppProcess('worker', { name: 'worker-missing-ca', env: { ...env(), TEMPORAL_TLS_CA: path.join(dir, 'no-such-ca.pem') }, logFile: path.join(dir, 'worker-missing-ca.log') });
    processes.push(unreadable);
    expect((await unreadable.exited).code).toBe(1);
    expect(await unreadable.log()).toMatch(/TEMPORAL_TLS_CA: 无法读取文件 .*no-such-ca\.pem（ENOENT）/);
    // Without TLS against the TLS frontend: the worker cannot connect and says so at start.
    const plain = await startAppProcess('worker', {
      name: 'worker-plain',
      env: { ...env(), TEMPORAL_TLS_CA: '', TEMPORAL_TLS_CERT: '', TEMPORAL_TLS_KEY: '', TEMPORAL_TLS_SERVER_NAME: '' },
      logFile: path.join(dir, 'worker-plain.log'),
    });
    processes.push(plain);
    expect((await plain.exited).code).toBe(1);
    expect(await plain.log()).toMatch(new RegExp(`无法连接 Temporal ${temporal.address.replace(/\./g, '\\.')}（未启用 TLS）.* / cannot connect to Temporal at .* \\(plain TCP, no TLS\\)`));
  });
});
