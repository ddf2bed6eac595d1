import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import cors from 'cors';
import express, { Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { AccessTokenIssuer } from '../lib/auth';
import type { Db } from '../lib/db';
import type { Logger } from '../lib/logger';
import type { Mailer } from '../lib/mail';
import { createDiskStorage, type EvidenceStorage } from '../lib/storage';
import { DEFAULT_LOGIN_RATE_LIMIT, DEFAULT_TIME_ZONE, type TConfig } from '../lib/config';
import { auditRoutes } from './audit/routes';
import { createAuditService } from './audit/service';
import { authRoutes } from './auth/routes';
import { calendarRoutes } from './calendar/routes';
import { createCalendarService } from './calendar/service';
import { campaignRoutes } from './campaigns/routes';
import { dashboardRoutes } from './dashboard/routes';
import { createDashboardService } from './dashboard/service';
import { createCampaignService } from './campaigns/service';
import { errorHandler, notFoundHandler, requestDeadline } from './errors';
import { evidenceRoutes } from './evidence/routes';
import { createEvidenceService, type EvidenceLimits } from './evidence/service';
import { healthDetailRoutes, healthRoutes } from './health';
import { httpMetrics, observabilityRoutes } from './metrics';
import { syncReviewSchedules } from '../lib/review/schedules';
import { authenticate } from './http/authenticate';
import { createIdempotency } from './http/idempotency';
import { defaultWebDist, legacyMailLinks, webApp } from './http/web-app';
import { buildOpenApiDocument } from './http/openapi';
import { type AnyRoute, methodNotAllowed, mountRoutes, route } from './http/route';
import { noticeRoutes } from './notices/routes';
import { createNoticeService } from './notices/service';
import { peopleRoutes } from './people/routes';
import { createPeopleService } from './people/service';
import { reviewRoutes } from './reviews/routes';
import { createReviewService } from './reviews/service';
import { createTaskService } from './tasks/service';
import { taskRoutes } from './tasks/routes';
import { unitRoutes } from './units/routes';
import { createUnitService } from './units/service';

export interface AppDeps {
  db: Db;
  temporal: Client;
  mailer: Mailer;
  taskQueue: string;
  logger: Logger;
  accessTokens: AccessTokenIssuer;
  /** Where evidence file contents live (lib/storage.ts), and what an upload may be. */
  evidenceStorage: EvidenceStorage;
  evidenceLimits: EvidenceLimits;
  loginRateLimit?: number;
  /** Failed sign-ins per account in 15 minutes (api/auth/throttle.ts); LOGIN_ACCOUNT_FAILURE_LIMIT. */
  loginAccountFailureLimit?: number;
  /** METRICS_TOKEN: the bearer token `GET /metrics` wants; none by default (api/metrics.ts). */
  metricsToken?: string;
  /** True once the process is stopping: `GET /readyz` answers 503 (api/main.ts). */
  draining?: () => boolean;
  /** How long one read of the database gauges of `/metrics` serves later scrapes (10 s by default). */
  metricsGaugeTtlMs?: number;
  /** The proxies whose X-Forwarded-For names the client (express `trust proxy`); TRUST_PROXY, none by default. */
  trustProxy?: number | string[] | false;
  /** Origins allowed to call the API from a browser; none (CORS off) by default. */
  corsOrigins?: string[];
  now?: () => Date;
  /** The office's time zone and end of working day (working-day deadlines). */
  timeZone?: string;
  workdayEnd?: string;
  /** Rows read per query by the streamed task export (1,000 by default; tests cross pages with less). */
  exportPageSize?: number;
  /** Every request answers within this (503 UNAVAILABLE past it); REQUEST_TIMEOUT_MS, 15 s by default. */
  requestTimeoutMs?: number;
  /** The built web workbench served at `/` (default web/dist, built by scripts/build-web.mjs). */
  webDist?: string;
}

/**
 * The app's collaborators from the configuration and the process's clients: one wiring for
 * `npm start` and every other process that serves the API (the benchmark's).
 */
export function appDeps(
  config: Pick<TConfig, 'TEMPORAL_TASK_QUEUE' | 'EVIDENCE_MAX_BYTES' | 'EVIDENCE_TYPES' | 'LOGIN_RATE_LIMIT' | 'LOGIN_ACCOUNT_FAILURE_LIMIT' | 'TRUST_PROXY' | 'METRICS_TOKEN' | 'CORS_ORIGINS' | 'TIME_ZONE' | 'WORKDAY_END' | 'REQUEST_TIMEOUT_MS'>,
  clients: { db: Db; temporal: Client; mailer: Mailer; logger: Logger; accessTokens: AccessTokenIssuer; evidenceDir: string },
): AppDeps {
  return {
    db: clients.db,
    temporal: clients.temporal,
    mailer: clients.mailer,
    logger: clients.logger,
    accessTokens: clients.accessTokens,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    evidenceStorage: createDiskStorage(clients.evidenceDir),
    evidenceLimits: { maxBytes: config.EVIDENCE_MAX_BYTES, allowedTypes: config.EVIDENCE_TYPES },
    loginRateLimit: config.LOGIN_RATE_LIMIT,
    loginAccountFailureLimit: config.LOGIN_ACCOUNT_FAILURE_LIMIT,
    trustProxy: config.TRUST_PROXY,
    metricsToken: config.METRICS_TOKEN,
    corsOrigins: config.CORS_ORIGINS?.split(',').map((o) => o.trim()),
    timeZone: config.TIME_ZONE,
    workdayEnd: config.WORKDAY_END,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
  };
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Every documented endpoint of the API, each described once (see http/route.ts). */
export function apiRoutes(deps: AppDeps): AnyRoute[] {
  const tasks = createTaskService(deps);
  const reviewDeps = { db: deps.db, temporal: deps.temporal, taskQueue: deps.taskQueue, timeZone: deps.timeZone ?? DEFAULT_TIME_ZONE, now: deps.now };
  // A review cycle runs on the first working day of a period: its schedule follows calendar changes.
  // A failure there must not fail the calendar change: every start brings the schedules up to date again.
  const syncReviewCycles = () =>
    syncReviewSchedules(deps.temporal, deps.db, reviewDeps).then(
      () => undefined,
      (err: unknown) => deps.logger.warn({ err }, '考核周期计划未能随日历更新，将在下次启动时更新 / review schedules not updated after the calendar change'),
    );
  const routes: AnyRoute[] = [
    ...authRoutes({ db: deps.db, accessTokens: deps.accessTokens, loginRateLimit: deps.loginRateLimit ?? DEFAULT_LOGIN_RATE_LIMIT, loginAccountFailureLimit: deps.loginAccountFailureLimit }),
    ...unitRoutes(createUnitService(deps.db)),
    ...peopleRoutes(createPeopleService(deps.db)),
    ...taskRoutes(tasks, { timeZone: deps.timeZone, workdayEnd: deps.workdayEnd, pageSize: deps.exportPageSize }),
    ...calendarRoutes(createCalendarService({ db: deps.db, recomputeWorkingDayDeadlines: tasks.recomputeWorkingDayDeadlines, afterChange: syncReviewCycles })),
    ...noticeRoutes(createNoticeService(deps)),
    ...campaignRoutes(createCampaignService(deps)),
    ...evidenceRoutes(createEvidenceService({ db: deps.db, storage: deps.evidenceStorage, limits: deps.evidenceLimits }), deps.evidenceLimits),
    ...auditRoutes(createAuditService(deps.db)),
    ...reviewRoutes(createReviewService(reviewDeps)),
    ...dashboardRoutes(createDashboardService({ db: deps.db, now: deps.now, timeZone: deps.timeZone })),
    ...healthDetailRoutes(deps),
    ...observabilityRoutes(deps),
  ];
  const document = () => buildOpenApiDocument(routes, { title: 'rectify 整改督办 API', version: '0.1.0' });
  routes.push(
    route({
      method: 'get',
      path: '/api/openapi.json',
      tag: 'meta',
      summary: 'OpenAPI 3.1 文档 / this document',
      auth: 'public',
      success: { status: 200, description: 'OpenAPI document' },
      handler: async () => document(),
    }),
  );
  return routes;
}

/** The Express app, built from its collaborators (one of each per process, passed in). */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip: the socket's peer, unless TRUST_PROXY names the proxies that may say who the client is.
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One short line per request: id, method, url, status, time. Headers (and tokens) stay out of the log.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  app.use(httpMetrics());
  app.use(requestDeadline(deps.requestTimeoutMs ?? 15_000, deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
    }),
  );
  if (deps.corsOrigins?.length) app.use(cors({ origin: deps.corsOrigins }));
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRoutes(deps));
  app.use(legacyMailLinks);
  const routes = apiRoutes(deps);
  const router = Router();
  mountRoutes(router, routes, authenticate(deps), createIdempotency(deps.db));
  app.use(router);
  app.use(methodNotAllowed(routes));
  app.use('/api/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' } }));
  app.use(webApp(deps.webDist ?? defaultWebDist));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
