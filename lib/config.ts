import path from 'node:path';
import { z } from 'zod';

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
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('rectify'),
  /**
   * Workflow runs a worker keeps in memory (the SDK sizes it from the heap limit: thousands on a big
   * machine, 0.3–0.5 MB each). An evicted run replays its short history when its next timer fires.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(250),
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
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(900),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(DEFAULT_LOGIN_RATE_LIMIT),
  CORS_ORIGINS: optionalString,
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(12, 'must be at least 12 characters').optional()),
  ROOT_UNIT_NAME: z.string().default(DEFAULT_ROOT_UNIT_NAME),
  // Evidence streams to disk as it arrives (memory does not grow with it); sizes are int4 in the database.
  EVIDENCE_MAX_BYTES: z.coerce.number().int().min(1).max(1024 * 1024 * 1024).default(DEFAULT_EVIDENCE_MAX_BYTES),
  EVIDENCE_TYPES: optionalString
    .transform((v) => (v === undefined ? [...DEFAULT_EVIDENCE_TYPES] : [...new Set(v.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))]))
    .pipe(z.array(z.string().regex(MIME_TYPE, 'must be a comma-separated list of MIME types such as application/pdf')).min(1)),
});

export type TConfig = z.infer<typeof ZConfig> & { dataDir: string; publicUrl: string };

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
  };
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
