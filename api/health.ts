import type { Client } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../lib/db';
import { AppError, ErrorCode } from '../lib/errors';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../lib/mail';
import { type AnyRoute, route } from './http/route';
import { policy } from './policy';

export interface HealthDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
  logger?: Logger;
}

type Check = { ok: true; ms: number } | { ok: false; ms: number; error: string };

async function check(fn: () => Promise<unknown>, timeoutMs = 3000): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - started };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

async function checkAll(deps: HealthDeps) {
  const [temporal, database, smtp] = await Promise.all([
    check(() => deps.temporal.workflowService.getSystemInfo({})),
    check(() => deps.db.$queryRaw`SELECT 1`),
    check(() => deps.mailer.verify()),
  ]);
  return { ok: temporal.ok && database.ok && smtp.ok, checks: { temporal, database, smtp } };
}

/**
 * `GET /healthz` (anyone, e.g. a load balancer): `{ status: "ok" | "degraded" }`, 503 when the
 * database, Temporal or SMTP is unreachable; nothing about hosts, ports or errors (a failing
 * check's text goes to the log). The details are `GET /api/health`, for admins.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const { ok, checks } = await checkAll(deps);
    logFailures(deps, checks);
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded' });
  });
  return router;
}

const logFailures = (deps: HealthDeps, checks: Record<string, Check>) => {
  for (const [name, c] of Object.entries(checks)) if (!c.ok) deps.logger?.warn({ check: name, error: c.error }, 'health check failed');
};

const ZCheck = z.object({ ok: z.boolean(), ms: z.number().int(), error: z.string().optional() });
const ZHealthDetails = z.object({ status: z.enum(['ok', 'degraded']), checks: z.object({ temporal: ZCheck, database: ZCheck, smtp: ZCheck }) });

/** `GET /api/health` (admins): each check with its time and, when it fails, its error text. */
export function healthDetailRoutes(deps: HealthDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/health',
      tag: 'meta',
      summary: '运行状况详情（管理员）/ health of each dependency, with error texts (admins)',
      auth: 'user',
      success: { status: 200, description: 'every dependency reachable (503 with the same body when one is not)', schema: ZHealthDetails },
      errors: [403, 503],
      handler: async ({ actor, res }) => {
        if (!policy.manageUnits(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅管理员可查看运行状况详情 / only admins see health details');
        const { ok, checks } = await checkAll(deps);
        logFailures(deps, checks);
        res.setHeader('Cache-Control', 'no-store');
        res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', checks });
        return undefined;
      },
    }),
  ];
}
