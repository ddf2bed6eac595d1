/**
 * The real Temporal server (not the dev server): `go.temporal.io/server` v1.32.2 built from the Go
 * module proxy, all four services (frontend, history, matching, worker) in one process, with
 * PostgreSQL persistence (the embedded PostgreSQL, or any) whose schema the server's own tool
 * (`temporal-sql-tool`) sets up, and, on request, TLS on the frontend with certificates made here
 * with openssl (mutual TLS: the client must present a certificate of the same CA).
 *
 *   node --import tsx scripts/real-temporal.ts install   go install server + sql tool into .tools/temporal-server/bin
 *   node --import tsx scripts/real-temporal.ts [--tls]   run it on a fresh embedded PostgreSQL until Ctrl-C,
 *                                                         printing the settings npm run worker / npm run api take
 *
 * Used by the TLS proof (`npm run test:real-temporal`, test/scale/real-temporal.real.ts) and the
 * scale proof (`npm run scale`, scripts/scale.ts). Nothing here is for production: deploy/ runs the
 * official temporalio images instead. Building needs Go ≥ 1.21 on PATH: the module wants a newer Go,
 * which the go command fetches from the Go module proxy (GOTOOLCHAIN below, about 76 MB, once);
 * the build takes about 10 minutes on 2 cores and 2 GB of module cache.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, chmod, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { searchAttributeKeys } from '../domain/contract';
import { repoRoot } from '../lib/tools';
import { makeCertificates, type TestCertificates } from './lib/certs';
import { startEmbeddedPostgres } from './lib/postgres';
import { freePort, stopChild } from './lib/processes';
import { ensureSearchAttributes } from './lib/temporal';

const run = promisify(execFile);

export const TEMPORAL_SERVER_VERSION = 'v1.32.2';
/** The Go the module needs, fetched by the go command from the module proxy. */
export const GO_TOOLCHAIN = 'go1.27.3';
export const binDir = path.join(repoRoot, '.tools', 'temporal-server', 'bin');
export const serverBinary = () => process.env.TEMPORAL_SERVER_BIN ?? path.join(binDir, 'server');
export const sqlToolBinary = () => process.env.TEMPORAL_SQL_TOOL_BIN ?? path.join(binDir, 'sql');

/** `go install` of the server and its SQL tool (minutes; does nothing when both are there). */
export async function installRealTemporal(log: (m: string) => void = console.log): Promise<void> {
  if (existsSync(serverBinary()) && existsSync(sqlToolBinary())) return;
  const env = { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? GO_TOOLCHAIN, GOBIN: binDir };
  for (const pkg of ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql']) {
    log(`go install ${pkg}@${TEMPORAL_SERVER_VERSION} (GOTOOLCHAIN=${env.GOTOOLCHAIN}) …`);
    await run('nice', ['-n', '10', 'go', 'install', `${pkg}@${TEMPORAL_SERVER_VERSION}`], { env, maxBuffer: 64 * 1024 * 1024 });
  }
}

/** The server module's source in the Go module cache: its schema files. */
async function moduleDir(): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOMODCACHE'], { env: { ...process.env, GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? GO_TOOLCHAIN } });
  const dir = path.join(stdout.trim(), `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`);
  if (!existsSync(path.join(dir, 'schema'))) throw new Error(`Temporal server module not in the Go module cache (${dir}): run \`node --import tsx scripts/real-temporal.ts install\``);
  return dir;
}

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Creates and migrates the two databases (`<prefix>` and `<prefix>_visibility`) with the server's own
 * schema tool, the way its docs and the admin-tools image do: setup-schema at 0.0, then update-schema
 * through the versioned directory.
 */
export async function setupTemporalSchema(pg: PgTarget, prefix = 'temporal', log: (m: string) => void = () => undefined): Promise<{ databases: [string, string] }> {
  const mod = await moduleDir();
  const visibility = `${prefix}_visibility`;
  const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user];
  // The password through the environment (SQL_PASSWORD), never on a command line others can read.
  const sql = (db: string, ...args: string[]) => run(sqlToolBinary(), [...base, '--db', db, ...args], { env: { ...process.env, SQL_PASSWORD: pg.password } });
  for (const [db, schema] of [
    [prefix, 'temporal'],
    [visibility, 'visibility'],
  ] as const) {
    await sql(db, 'create-database');
    await sql(db, 'setup-schema', '-v', '0.0');
    await sql(db, 'update-schema', '-d', path.join(mod, 'schema', 'postgresql', 'v12', schema, 'versioned'));
    log(`schema ${schema} set up in database ${db} (temporal-sql-tool)`);
  }
  return { databases: [prefix, visibility] };
}

export interface RealTemporal {
  address: string;
  namespace: string;
  pid: number;
  child: ChildProcess;
  configFile: string;
  logFile: string;
  certs: TestCertificates | null;
  /** Connection options of a client that reaches it (TLS and the client certificate when on). */
  clientOptions(): { address: string; tls?: { serverRootCACertificate: Buffer; clientCertPair: { crt: Buffer; key: Buffer }; serverNameOverride: string } };
  /** The environment npm run worker / npm run api take to reach it (lib/config.ts). */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

const yamlString = (s: string) => JSON.stringify(s);

/**
 * A free port under 32768: the server keeps its members' ports in a smallint column
 * (cluster_membership.rpc_port), so the kernel's ephemeral ports (32768 and up here) are refused.
 */
async function lowFreePort(): Promise<number> {
  const { createServer } = await import('node:net');
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** The server's configuration: development-postgres12.yaml's shape, our ports and database, TLS when asked. */
function serverConfig(o: { pg: PgTarget; databases: [string, string]; ports: Record<'frontend' | 'frontendHttp' | 'history' | 'matching' | 'worker' | 'metrics' | 'pprof', number>; membership: number[]; dynamicConfig: string; certs: TestCertificates | null }): string {
  const store = (db: string, conns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: ${yamlString(db)}
        connectAddr: ${yamlString(`${o.pg.host}:${o.pg.port}`)}
        connectProtocol: "tcp"
        user: ${yamlString(o.pg.user)}
        password: ${yamlString(o.pg.password)}
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  const tls = o.certs
    ? `  tls:
    frontend:
      server:
        certFile: ${yamlString(o.certs.serverCert)}
        keyFile: ${yamlString(o.certs.serverKey)}
        requireClientAuth: true
        clientCaFiles: [${yamlString(o.certs.ca)}]
      client:
        serverName: "localhost"
        rootCaFiles: [${yamlString(o.certs.ca)}]
    systemWorker:
      certFile: ${yamlString(o.certs.clientCert)}
      keyFile: ${yamlString(o.certs.clientKey)}
      client:
        serverName: "localhost"
        rootCaFiles: [${yamlString(o.certs.ca)}]
`
    : '';
  const svc = (name: string, grpc: number, membership: number, extra = '') => `  ${name}:
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true
${extra}`;
  return `log:
  stdout: true
  level: warn

persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default:
${store(o.databases[0], 20)}
    postgres-visibility:
${store(o.databases[1], 5)}

global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  pprof:
    port: ${o.ports.pprof}
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${o.ports.metrics}"
${tls}
services:
${svc('frontend', o.ports.frontend, o.membership[0]!, `      httpPort: ${o.ports.frontendHttp}\n`)}${svc('matching', o.ports.matching, o.membership[1]!)}${svc('history', o.ports.history, o.membership[2]!)}${svc('worker', o.ports.worker, o.membership[3]!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "localhost:${o.ports.frontend}"

dcRedirectionPolicy:
  policy: "noop"

dynamicConfigClient:
  filepath: ${yamlString(o.dynamicConfig)}
  pollInterval: "10s"
`;
}

/** Dynamic config: development-sql.yaml's essentials; namespaces and search attributes seen at once (tests). */
const DYNAMIC_CONFIG = `limit.maxIDLength:
  - value: 255
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
system.namespaceCacheRefreshInterval:
  - value: 1s
frontend.workerVersioningDataAPIs:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
system.enableDeploymentVersions:
  - value: true
system.enableDeployments:
  - value: true
`;

/**
 * Runs the real server on `pg` (its two databases created and migrated first under `prefix`), TLS
 * on the frontend when `tls` (certificates made in `dir/certs`), the namespace registered with the
 * app's search attributes; resolves once a client can list workflows in it.
 */
export async function startRealTemporal(opts: { dir: string; pg: PgTarget; tls?: boolean; namespace?: string; prefix?: string; log?: (m: string) => void }): Promise<RealTemporal> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? 'default';
  await mkdir(opts.dir, { recursive: true });
  const { databases } = await setupTemporalSchema(opts.pg, opts.prefix ?? 'temporal', log);
  const certs = opts.tls ? await makeCertificates(path.join(opts.dir, 'certs')) : null;
  const ports = {
    frontend: await lowFreePort(),
    frontendHttp: await lowFreePort(),
    history: await lowFreePort(),
    matching: await lowFreePort(),
    worker: await lowFreePort(),
    metrics: await lowFreePort(),
    pprof: await lowFreePort(),
  };
  const membership = [await lowFreePort(), await lowFreePort(), await lowFreePort(), await lowFreePort()];
  const dynamicConfig = path.join(opts.dir, 'dynamicconfig.yaml');
  await writeFile(dynamicConfig, DYNAMIC_CONFIG);
  const configFile = path.join(opts.dir, 'temporal.yaml');
  // Holds the database password: readable by this user only.
  await writeFile(configFile, serverConfig({ pg: opts.pg, databases, ports, membership, dynamicConfig, certs }), { mode: 0o600 });
  const logFile = path.join(opts.dir, 'temporal-server.log');
  const out = await open(logFile, 'a');
  const child = spawn(serverBinary(), ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', out.fd, out.fd] });
  await out.close();
  const address = `127.0.0.1:${ports.frontend}`;
  const clientOptions = () =>
    certs
      ? {
          address,
          tls: {
            serverRootCACertificate: readFileSync(certs.ca),
            clientCertPair: { crt: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
            serverNameOverride: 'localhost',
          },
        }
      : { address };
  const stop = () => stopChild(child, 15_000);
  try {
    let exited: string | null = null;
    child.once('exit', (code, signal) => (exited = `code ${code}, signal ${signal}`));
    const started = Date.now();
    let connection: Connection | undefined;
    for (;;) {
      if (exited) throw new Error(`Temporal server exited (${exited}); log: ${logFile}`);
      if (Date.now() - started > 120_000) throw new Error(`Temporal server not serving within 120 s; log: ${logFile}`);
      try {
        connection ??= await Connection.connect({ ...clientOptions(), connectTimeout: 2_000 });
        await connection.workflowService.getSystemInfo({});
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    } catch (err) {
      if (!/already exists|AlreadyExists/i.test(String(err))) throw err;
    }
    // The namespace is served once every service's namespace cache has it (refreshed every second here).
    for (const deadline = Date.now() + 60_000; ; ) {
      try {
        await ensureSearchAttributes(connection, namespace, searchAttributeKeys);
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await connection.close();
    log(`real Temporal server ${TEMPORAL_SERVER_VERSION} serving on ${address}${certs ? ' (mutual TLS)' : ''} in ${Date.now() - started} ms, namespace ${namespace}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address,
    namespace,
    pid: child.pid!,
    child,
    configFile,
    logFile,
    certs,
    clientOptions,
    env: () => ({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      ...(certs ? { TEMPORAL_TLS_CA: certs.ca, TEMPORAL_TLS_CERT: certs.clientCert, TEMPORAL_TLS_KEY: certs.clientKey, TEMPORAL_TLS_SERVER_NAME: 'localhost' } : {}),
    }),
    stop,
  };
}

/** PostgreSQL host, port, user and password from a postgresql:// URL. */
export function pgTarget(url: string): PgTarget {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'install') {
    await installRealTemporal();
    console.log(`installed: ${serverBinary()}, ${sqlToolBinary()}`);
    return;
  }
  const tls = argv.includes('--tls');
  if (!existsSync(serverBinary())) throw new Error(`no Temporal server at ${serverBinary()}: run \`node --import tsx scripts/real-temporal.ts install\``);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-real-temporal-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await freePort(), persistent: false, database: 'rectify' });
  const temporal = await startRealTemporal({ dir, pg: pgTarget(pg.url), tls, log: console.log });
  console.log(['', 'Temporal server running; for npm run worker / npm run api:', ...Object.entries(temporal.env()).map(([k, v]) => `  export ${k}=${v}`), `  log: ${temporal.logFile}`, 'Ctrl-C stops it.'].join('\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await temporal.stop();
  await pg.stop();
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
