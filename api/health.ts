import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';

export interface HealthDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
}

type Check = { ok: true } | { ok: false; error: string };

async function check(fn: () => Promise<unknown>, timeoutMs = 3000): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** GET /healthz: reachability of Temporal, the database and SMTP; 503 when any is down. */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const [temporal, database, smtp] = await Promise.all([
      check(() => deps.temporal.workflowService.getSystemInfo({})),
      check(() => deps.db.$queryRaw`SELECT 1`),
      check(() => deps.mailer.verify()),
    ]);
    const ok = temporal.ok && database.ok && smtp.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', checks: { temporal, database, smtp } });
  });
  return router;
}
