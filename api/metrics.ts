import type { Client } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { Gauge, Registry } from 'prom-client';
import { z } from 'zod';
import { trafficLights } from '../domain/traffic-light';
import type { Db } from '../lib/db';
import { AppError, ErrorCode } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { httpRequestDuration, metricsText } from '../lib/metrics';
import { type AnyRoute, route } from './http/route';
import { trafficLightWhere } from './tasks/service';

/**
 * Observability endpoints of an API process:
 * - `GET /metrics`: Prometheus text: this process's registry (lib/metrics.ts: request durations,
 *   and, where the worker runs in the same process as with `npm start`, its mail counters), and
 *   gauges read from the database when scraped (outbox backlog, open tasks by traffic light), at
 *   most once per GAUGE_TTL_MS per process whatever the number of scrapers. With METRICS_TOKEN set
 *   it wants `Authorization: Bearer <token>`; the proxy in deploy/ does not pass it from outside.
 * - `GET /readyz`: may this replica take traffic: the database and Temporal answer and it is not
 *   stopping (SIGTERM turns it 503 at once, so a proxy stops sending it requests). `/healthz`
 *   (api/health.ts) stays the whole stack's health, SMTP included.
 */
export interface ObservabilityDeps {
  db: Db;
  temporal: Client;
  logger?: Logger;
  /** METRICS_TOKEN: the bearer token `/metrics` wants; none by default. */
  metricsToken?: string;
  /** True once the process is stopping (api/main.ts): `/readyz` answers 503. */
  draining?: () => boolean;
  /** How long a read of the database gauges serves the scrapes after it (GAUGE_TTL_MS by default). */
  metricsGaugeTtlMs?: number;
}

const GAUGE_TTL_MS = 10_000;

/** Request durations by route template (`/api/tasks/:id`, never the raw URL), method and status. */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const end = httpRequestDuration.startTimer();
    res.once('finish', () => {
      const matched = (req as { route?: { path?: unknown } }).route?.path;
      end({ method: req.method, route: typeof matched === 'string' ? `${req.baseUrl}${matched}` : '(unmatched)', status: String(res.statusCode) });
    });
    next();
  };
}

/** The database gauges of one app, read at most every GAUGE_TTL_MS, each scrape answering from the last read. */
function databaseGauges(deps: ObservabilityDeps): Registry {
  const registry = new Registry();
  let last: Promise<{ pending: number; oldestPendingS: number; lights: Record<string, number> } | null> | undefined;
  let readAt = 0;
  const read = () => {
    if (!last || Date.now() - readAt > (deps.metricsGaugeTtlMs ?? GAUGE_TTL_MS)) {
      readAt = Date.now();
      const now = new Date();
      last = (async () => {
        const [pending, oldest, ...lights] = await Promise.all([
          deps.db.mailMessage.count({ where: { status: 'pending' } }),
          deps.db.mailMessage.findFirst({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } }),
          ...trafficLights.filter((l) => l !== 'none').map((l) => deps.db.task.count({ where: trafficLightWhere(l, now) })),
        ]);
        const open = trafficLights.filter((l) => l !== 'none');
        return {
          pending: pending as number,
          oldestPendingS: oldest && typeof oldest === 'object' ? (now.getTime() - oldest.createdAt.getTime()) / 1000 : 0,
          lights: Object.fromEntries(open.map((l, i) => [l, lights[i] as number])),
        };
      })().catch((err: unknown) => {
        deps.logger?.warn({ err }, '指标读取数据库失败 / metrics: database gauges not read');
        return null;
      });
    }
    return last;
  };
  const up = new Gauge({ name: 'rectify_metrics_database_up', help: '1 when the database gauges below were read at the last scrape, 0 when the database did not answer', registers: [registry] });
  new Gauge({
    name: 'rectify_outbox_backlog',
    help: 'Mails in the outbox not yet accepted by the SMTP server nor rejected (status pending)',
    registers: [registry],
    async collect() {
      const r = await read();
      up.set(r ? 1 : 0);
      if (r) this.set(r.pending);
    },
  });
  new Gauge({
    name: 'rectify_outbox_oldest_pending_seconds',
    help: 'Age of the oldest pending mail in the outbox (0 when none)',
    registers: [registry],
    async collect() {
      const r = await read();
      if (r) this.set(r.oldestPendingS);
    },
  });
  new Gauge({
    name: 'rectify_open_tasks',
    help: 'Open tasks by traffic light (红黄绿灯: red overdue, yellow due within 3 days or escalated, green on track)',
    labelNames: ['light'] as const,
    registers: [registry],
    async collect() {
      const r = await read();
      if (r) for (const [light, n] of Object.entries(r.lights)) this.set({ light }, n);
    },
  });
  return registry;
}

async function answersWithin(fn: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const ZReady = z.object({ status: z.enum(['ready', 'not_ready', 'stopping']), checks: z.object({ database: z.boolean(), temporal: z.boolean() }) });

export function observabilityRoutes(deps: ObservabilityDeps): AnyRoute[] {
  const gauges = databaseGauges(deps);
  return [
    route({
      method: 'get',
      path: '/metrics',
      tag: 'meta',
      summary: 'Prometheus 指标 / metrics in the Prometheus text format (bearer METRICS_TOKEN when set)',
      auth: 'public',
      success: { status: 200, description: 'Prometheus exposition text', binary: true, contentTypes: ['text/plain; version=0.0.4; charset=utf-8'] },
      handler: async ({ req, res }) => {
        if (deps.metricsToken && req.get('authorization') !== `Bearer ${deps.metricsToken}`) {
          res.set('WWW-Authenticate', 'Bearer');
          throw new AppError(ErrorCode.UNAUTHENTICATED, '需要指标令牌 / the metrics token is required');
        }
        const { contentType, text } = await metricsText([gauges]);
        res.setHeader('Cache-Control', 'no-store');
        res.type(contentType).send(text);
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'meta',
      summary: '就绪检查：本副本可否接收请求 / readiness: may this replica take traffic (database and Temporal answer, not stopping)',
      auth: 'public',
      success: { status: 200, description: 'ready (503 with the same body when not)', schema: ZReady },
      errors: [503],
      handler: async ({ res }) => {
        const [database, temporal] = await Promise.all([
          answersWithin(() => deps.db.$queryRaw`SELECT 1`, 2_000),
          answersWithin(() => deps.temporal.workflowService.getSystemInfo({}), 2_000),
        ]);
        const stopping = deps.draining?.() ?? false;
        const status = stopping ? 'stopping' : database && temporal ? 'ready' : 'not_ready';
        res.setHeader('Cache-Control', 'no-store');
        res.status(status === 'ready' ? 200 : 503).json({ status, checks: { database, temporal } });
        return undefined;
      },
    }),
  ];
}
