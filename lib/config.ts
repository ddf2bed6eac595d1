import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_TASK_QUEUE } from '../domain/contract';

/**
 * Every setting the processes read, parsed once at start-up. A missing or malformed value stops
 * start-up with a message naming the variable (see README "Configuration").
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/**
 * Defaults of the settings below, for code that runs with a partial configuration (tests, the
 * benchmark, an app built without one): the one place they are written.
 */
/** The office's time zone: dates in mails, working days, mornings. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** End of the working day: when a deadline of N working days falls. */
export const DEFAULT_WORKDAY_END = '18:00';
/** Sign-in attempts per client address per minute. */
export const DEFAULT_LOGIN_RATE_LIMIT = 10;
/** Failed sign-ins per account in 15 minutes, all clients together (each adding at most 5). */
export const DEFAULT_LOGIN_ACCOUNT_FAILURE_LIMIT = 30;
/** The first admin's address when ADMIN_EMAIL is not set. */
export const DEFAULT_ADMIN_EMAIL = 'admin@rectify.local';
export const DEFAULT_MAIL_FROM = '整改督办系统 <noreply@rectify.local>';
export const DEFAULT_ROOT_UNIT_NAME = '市场监督管理局';

/** Evidence files (佐证材料): the largest accepted file, and the MIME types accepted. */
export const DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;
export const DEFAULT_EVIDENCE_TYPES: readonly string[] = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/msword',
  'application/vnd.ms-excel',
  'text/plain',
  'application/zip',
];
const MIME_TYPE = /^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/;

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

export const ZConfig = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATA_DIR: z.string().default('.data'),
  PORT: port(3000),
  /** Address the API listens on: loopback unless told otherwise (`0.0.0.0` or `::` for every interface). */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /**
   * The longest a request waits for the database or Temporal (503 UNAVAILABLE with Retry-After
   * past it); each statement and each Temporal call is bounded a little below it.
   */
  /**
   * Processes of `npm run api` serving PORT together (lib/cluster.ts): one Node process uses one
   * core. Each holds its own database pool and actor cache.
   */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(15_000),
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalString.pipe(
    z
      .url()
      .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgresql:// URL')
      .optional(),
  ),
  EMBEDDED_PG_PORT: port(5433),
  /**
   * The database pool of each process (pg `max`): connections it may hold open at once. Every API
   * replica and every worker has its own, so the server must allow their sum (PostgreSQL's
   * `max_connections`, 100 by default, minus what its other users need).
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1_000).default(10),
  /**
   * Prepared statements (planned once per connection; lib/db.ts): `false` behind a pooler in
   * transaction mode that cannot keep them (PgBouncer before 1.21).
   */
  DATABASE_PREPARED_STATEMENTS: optionalString
    .pipe(z.enum(['true', 'false'], 'must be true or false').optional())
    .transform((v) => v !== 'false'),
  /** An idle pooled connection is closed after this long. */
  DATABASE_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(10_000),
  /** Opening a connection or waiting for one from the pool; the API's is never above its request bound (dependencyBounds). */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).optional(),
  /**
   * One statement of a worker (reports over many tasks may be long): unbounded unless set. The API's
   * statements are bounded by REQUEST_TIMEOUT_MS (dependencyBounds) whatever this says.
   */
  WORKER_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).optional(),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /**
   * TLS to TEMPORAL_ADDRESS: `true` (the system's CAs, e.g. Temporal Cloud), implied by any of the
   * settings below; `false` refuses them. TEMPORAL_TLS_CA: the server's CA (PEM file);
   * TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY: the client certificate and its key for mTLS (PEM files,
   * both or neither); TEMPORAL_TLS_SERVER_NAME: the name the server's certificate must carry when it
   * is not the address's host. TEMPORAL_API_KEY: sent as `Authorization: Bearer` (Temporal Cloud API
   * keys), over TLS only.
   */
  TEMPORAL_TLS: optionalString.pipe(z.enum(['true', 'false'], 'must be true or false').optional()),
  TEMPORAL_TLS_CA: optionalString,
  TEMPORAL_TLS_CERT: optionalString,
  TEMPORAL_TLS_KEY: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TASK_QUEUE: z.string().default(DEFAULT_TASK_QUEUE),
  /**
   * Workflow runs a worker keeps in memory (the SDK sizes it from the heap limit: thousands on a big
   * machine, 0.3–0.5 MB each). An evicted run replays its short history when its next timer fires.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(100),
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_CLI: optionalString,
  TEMPORAL_TEST_SERVER: optionalString,
  SMTP_URL: optionalString.pipe(
    z
      .url()
      .refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  SMTP_CATCHER_PORT: port(2525),
  MAIL_FROM: z.string().default(DEFAULT_MAIL_FROM),
  TIME_ZONE: z.string().default(DEFAULT_TIME_ZONE),
  WORKDAY_END: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM').default(DEFAULT_WORKDAY_END),
  JWT_SECRET: optionalString.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /**
   * Secrets access tokens may also be signed with (comma-separated), accepted but never used to sign:
   * the other half of a rotation of JWT_SECRET across API replicas (deploy/README.md).
   */
  JWT_VERIFY_SECRETS: optionalString
    .transform((v) => (v === undefined ? [] : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .pipe(z.array(z.string().min(32, 'each secret must be at least 32 characters'))),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(900),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_LOGIN_RATE_LIMIT),
  LOGIN_ACCOUNT_FAILURE_LIMIT: z.coerce.number().int().min(5).max(100_000).default(DEFAULT_LOGIN_ACCOUNT_FAILURE_LIMIT),
  /**
   * Which proxies in front of the API to believe about the client's address (X-Forwarded-For), for
   * sign-in throttling and the logs: unset or `false`, none (the socket's peer is the client); a
   * hop count (`1`: the nearest proxy); or a comma-separated list of addresses / CIDR ranges /
   * `loopback`, `linklocal`, `uniquelocal` (express `trust proxy`). `true` (trust everyone, so any
   * client could name its own address) is refused.
   */
  TRUST_PROXY: optionalString
    .refine((v) => v !== 'true', '为 true 时任何客户端都能自称任意地址，请列出代理（地址、CIDR 网段、loopback）或跳数 / true would let any client choose its address: name the proxies (addresses, CIDR ranges, loopback) or a hop count')
    .transform((v): number | string[] | false => (v === undefined || v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((p) => p.trim()).filter(Boolean))),
  CORS_ORIGINS: optionalString,
  /** When set, `GET /metrics` on the API wants `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /**
   * A worker's metrics (`npm run worker`): its own and the Temporal SDK's, in Prometheus form at
   * http://WORKER_METRICS_HOST:WORKER_METRICS_PORT/metrics; unset: none. Loopback unless told otherwise.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  WORKER_METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
  ROOT_UNIT_NAME: z.string().default(DEFAULT_ROOT_UNIT_NAME),
  // Evidence streams to disk as it arrives (memory does not grow with it); sizes are int4 in the database.
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(DEFAULT_EVIDENCE_MAX_BYTES),
  EVIDENCE_TYPES: optionalString
    .transform((v) => (v === undefined ? [...DEFAULT_EVIDENCE_TYPES] : [...new Set(v.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))]))
    .pipe(z.array(z.string().regex(MIME_TYPE, 'must be a comma-separated list of MIME types such as application/pdf')).min(1)),
});

/** How to reach the Temporal frontend: read and checked once, at start (temporalSettings). */
export interface TemporalSettings {
  namespace: string;
  /** Absent: plain TCP. `{}`: TLS with the system's CAs. */
  tls?: { serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer }; serverNameOverride?: string };
  apiKey?: string;
}

export type TConfig = z.infer<typeof ZConfig> & { dataDir: string; publicUrl: string; temporal: TemporalSettings };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TConfig {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`配置错误 / invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    ...c,
    dataDir: path.resolve(c.DATA_DIR),
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    temporal: temporalSettings(c),
  };
}

type TemporalEnv = Pick<
  z.infer<typeof ZConfig>,
  'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TLS' | 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_SERVER_NAME' | 'TEMPORAL_API_KEY'
>;

/**
 * The Temporal connection settings, with every file read and checked now, so that a wrong setting
 * stops the process at start with a message naming the variable (never the file's content), not at
 * its first call: a certificate without its key (or the reverse), a file that cannot be read, one
 * that is not PEM, a key that is not the certificate's, an expired certificate, TLS settings with
 * TEMPORAL_TLS=false or without TEMPORAL_ADDRESS (the dev server `npm start` runs has no TLS).
 */
export function temporalSettings(c: TemporalEnv): TemporalSettings {
  const problems: string[] = [];
  const problem = (name: string, zh: string, en: string) => problems.push(`  - ${name}: ${zh} / ${en}`);
  const read = (name: keyof TemporalEnv): Buffer | undefined => {
    const file = c[name];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problem(name, `无法读取文件 ${file}（${code}）`, `cannot read ${file} (${code})`);
      return undefined;
    }
  };
  const certificate = (name: keyof TemporalEnv, pem: Buffer | undefined): X509Certificate | undefined => {
    if (!pem) return undefined;
    try {
      const cert = new X509Certificate(pem);
      if (Date.parse(cert.validTo) < Date.now()) problem(name, `证书已于 ${cert.validTo} 过期`, `the certificate expired on ${cert.validTo}`);
      return cert;
    } catch {
      problem(name, `${c[name]} 不是 PEM 格式的证书`, `${c[name]} is not a PEM certificate`);
      return undefined;
    }
  };
  const tlsFiles = (['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_SERVER_NAME'] as const).filter((k) => c[k]);
  const wantsTls = c.TEMPORAL_TLS === 'true' || tlsFiles.length > 0 || c.TEMPORAL_API_KEY !== undefined;
  if (c.TEMPORAL_TLS === 'false' && (tlsFiles.length || c.TEMPORAL_API_KEY)) {
    problem(
      'TEMPORAL_TLS',
      `为 false，但又设置了 ${[...tlsFiles, ...(c.TEMPORAL_API_KEY ? ['TEMPORAL_API_KEY'] : [])].join('、')}（API 密钥不能明文发送）`,
      `is false, yet ${[...tlsFiles, ...(c.TEMPORAL_API_KEY ? ['TEMPORAL_API_KEY'] : [])].join(', ')} set (an API key is never sent in clear)`,
    );
  }
  if (wantsTls && !c.TEMPORAL_ADDRESS) {
    problem('TEMPORAL_ADDRESS', '已设置 TLS 或 API 密钥，但未设置 Temporal 地址（npm start 自带的开发服务器不支持 TLS）', 'TLS or an API key is set but no address to use them with (the dev server npm start runs has no TLS)');
  }
  if (Boolean(c.TEMPORAL_TLS_CERT) !== Boolean(c.TEMPORAL_TLS_KEY)) {
    const [given, absent] = c.TEMPORAL_TLS_CERT ? ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] : ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CERT'];
    problem(absent, `已设置 ${given}，须同时设置 ${absent}（客户端证书与私钥成对使用）`, `required with ${given}: a client certificate and its key go together`);
  }
  const ca = read('TEMPORAL_TLS_CA');
  certificate('TEMPORAL_TLS_CA', ca);
  const crt = read('TEMPORAL_TLS_CERT');
  const cert = certificate('TEMPORAL_TLS_CERT', crt);
  const key = read('TEMPORAL_TLS_KEY');
  let keyObject: KeyObject | undefined;
  if (key) {
    try {
      keyObject = createPrivateKey(key);
    } catch {
      problem('TEMPORAL_TLS_KEY', `${c.TEMPORAL_TLS_KEY} 不是 PEM 格式的私钥（或已加密）`, `${c.TEMPORAL_TLS_KEY} is not an unencrypted PEM private key`);
    }
  }
  if (cert && keyObject && !cert.checkPrivateKey(keyObject)) {
    problem('TEMPORAL_TLS_KEY', `私钥与 ${c.TEMPORAL_TLS_CERT} 中的证书不匹配`, `the key does not belong to the certificate in ${c.TEMPORAL_TLS_CERT}`);
  }
  if (problems.length) throw new ConfigError(`Temporal 连接配置错误 / invalid Temporal connection settings:\n${problems.join('\n')}`);
  if (!wantsTls) return { namespace: c.TEMPORAL_NAMESPACE };
  return {
    namespace: c.TEMPORAL_NAMESPACE,
    tls: {
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(c.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME } : {}),
    },
    ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}),
  };
}

/**
 * The database client settings of a process from the configuration: pool size and idle timeout;
 * connecting and statements bounded under the request deadline for the API (`api`), as configured
 * for a worker (`worker`: statements unbounded unless WORKER_STATEMENT_TIMEOUT_MS).
 */
export function databaseOptions(
  config: Pick<TConfig, 'REQUEST_TIMEOUT_MS' | 'DATABASE_POOL_SIZE' | 'DATABASE_IDLE_TIMEOUT_MS' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'WORKER_STATEMENT_TIMEOUT_MS' | 'DATABASE_PREPARED_STATEMENTS'>,
  role: 'api' | 'worker',
): { poolSize: number; idleMs: number; connectMs: number; statementMs?: number; preparedStatements: boolean } {
  const bounds = dependencyBounds(config.REQUEST_TIMEOUT_MS);
  const pool = { poolSize: config.DATABASE_POOL_SIZE, idleMs: config.DATABASE_IDLE_TIMEOUT_MS, preparedStatements: config.DATABASE_PREPARED_STATEMENTS };
  if (role === 'api') return { ...pool, connectMs: Math.min(config.DATABASE_CONNECT_TIMEOUT_MS ?? bounds.dbConnectMs, bounds.dbConnectMs), statementMs: bounds.dbStatementMs };
  return { ...pool, connectMs: config.DATABASE_CONNECT_TIMEOUT_MS ?? 10_000, ...(config.WORKER_STATEMENT_TIMEOUT_MS ? { statementMs: config.WORKER_STATEMENT_TIMEOUT_MS } : {}) };
}

/**
 * The bounds beneath REQUEST_TIMEOUT_MS, so a dependency call fails (and the request answers 503
 * naming the outage in the log) before the request's own deadline: connecting to the database, one
 * statement, one Temporal call.
 */
export function dependencyBounds(requestTimeoutMs: number): { dbConnectMs: number; dbStatementMs: number; temporalRpcMs: number } {
  const inner = Math.max(800, Math.round(requestTimeoutMs * 0.8));
  return { dbConnectMs: Math.min(5_000, inner), dbStatementMs: Math.max(300, inner - 1_000), temporalRpcMs: inner };
}

/**
 * A URL fit to print or log: its password (and any `password=`/`pass=` query parameter) replaced
 * by `***`. `smtp://user:secret@host:587` → `smtp://user:***@host:587`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
