/**
 * A campaign at the schema's maximum (500 problems × 50 tasks = 25,000 tasks) created and
 * reconciled on the real code path: the campaign document validated by the API's schema and
 * created by the campaign service (one transaction, then `superviseCampaign` started), the paged
 * workflow starting one real `superviseTask` per task, each task then ended through the task
 * service (the API's own path: `complete` or `cancel`, an Update on the task's run), problems
 * settled and the campaign reconciled (对账: closure ledger, ledger mail) — real activities,
 * real PostgreSQL, the Temporal dev server (a real server with its default limits), the worker's
 * workflow cache as in production (WORKER_MAX_CACHED_WORKFLOWS, 100).
 *
 * Then it walks the campaign's chain of runs (continue-as-new) and prints, per run, its history
 * length and size, the largest payload, the most child runs pending at once and its workflow
 * tasks (longest, timed out, failed), against Temporal's limits (51,200 events / 50 MiB per run,
 * 2 MiB per payload, 2,000 pending children).
 *
 *   node --import tsx scripts/campaign-max.ts [--problems=500] [--tasks=50] [--end=complete|cancel]
 *     [--concurrency=16] [--text=short|max] [--start-only] [--fallback-rows] [--overlap]
 *     [--suggest-divisor=1] [--pending-children=N] [--worker=process|inline] [--max-cached=N] [--json=out.json]
 *
 * --fallback-rows: when the campaign service refuses the document (its one transaction is bounded:
 * at 25,000 tasks it ran past it on a loaded 2-core machine), report that and go on with the same
 * rows written in bulk without the bound, the workflow started as the service starts it.
 * --overlap: the office closes each task as soon as it is supervised, while later pages still start.
 *
 * DATABASE_URL of a migrated database, or a throwaway PostgreSQL it starts. Exits 1 when a check fails.
 * test/workflows/campaign-max.test.ts runs the same code (runCampaignMax) inside jest.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createCampaignService } from '../api/campaigns/service';
import { ZCreateCampaignRequest, type TCreateCampaignRequest } from '../api/campaigns/schemas';
import type { Actor } from '../api/policy';
import { createTaskService } from '../api/tasks/service';
import { campaignWorkflowId, type CampaignState, searchAttributeKeys, type SuperviseCampaignInput, tasksStartedUpdate } from '../domain/contract';
import type { Prisma } from '../generated/prisma/client';
import { terminalStatuses } from '../domain/lifecycle';
import type { Ledger } from '../activities/campaign';
import { syncPackageCalendar } from '../lib/calendar-store';
import { createDb } from '../lib/db';
import { resolveTemporalBinary } from '../lib/tools';
import { ZConfig } from '../lib/config';
import pidusage from 'pidusage';
import { type AppProcess, startAppProcess, waitUntil } from './lib/app-processes';
import { startMailCatcher } from './lib/mail-catcher';
import { AppError, ErrorCode } from '../lib/errors';
import { createDevServerEnv, type Harness, startHarness, testDatabaseUrl } from '../test/support/env';
import { createOrg, type Org } from '../test/support/org';
import { deployMigrations } from './lib/migrations';
import { startEmbeddedPostgres } from './lib/postgres';
import { freePort } from './lib/processes';

/** Temporal's defaults (server 1.32, dynamic config): what each run of the chain must stay under. */
export const TEMPORAL_LIMITS = {
  historyEvents: 51_200,
  historyBytes: 50 * 2 ** 20,
  payloadBytes: 2 * 2 ** 20,
  pendingChildren: 2_000,
  /** The server suggests continuing as new from here (limit.historyCount.suggestContinueAsNew, limit.historySize.suggestContinueAsNew). */
  suggestEvents: 4 * 1024,
  suggestBytes: 4 * 2 ** 20,
} as const;

/**
 * The dev server (test/support/env.ts createDevServerEnv) with its default limits, or with its
 * continue-as-new suggestion (4,096 events, 4 MiB) divided by `suggestDivisor` (a smaller campaign
 * then hands over as often as a larger one does) and its pending-children limit set (2,000 by default).
 */
export function createScaledDevServerEnv(opts: { suggestDivisor?: number; pendingChildren?: number } = {}): Promise<TestWorkflowEnvironment> {
  const { suggestDivisor = 1, pendingChildren } = opts;
  if (suggestDivisor === 1 && pendingChildren === undefined) return createDevServerEnv();
  const value = (key: string, v: number) => ['--dynamic-config-value', `${key}=${Math.round(v)}`];
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalBinary('temporal', process.env.TEMPORAL_CLI) },
      searchAttributes: searchAttributeKeys,
      extraArgs: [
        ...value('limit.historyCount.suggestContinueAsNew', TEMPORAL_LIMITS.suggestEvents / suggestDivisor),
        ...value('limit.historySize.suggestContinueAsNew', TEMPORAL_LIMITS.suggestBytes / suggestDivisor),
        ...value('limit.numPendingChildExecutions.error', pendingChildren ?? TEMPORAL_LIMITS.pendingChildren),
      ],
    },
  });
}

export interface RunFigures {
  runId: string;
  status: string;
  events: number;
  historyBytes: number;
  /** The largest single payload in the run's history, and the event that carried it. */
  maxPayloadBytes: number;
  maxPayloadEvent: string;
  /** Child runs started by this run and not yet reported ended, at most, over the run. */
  maxPendingChildren: number;
  childrenStarted: number;
  signals: number;
  /** Size of the run's input (the previous run's hand-over). */
  inputBytes: number;
  /** Workflow tasks of the run: how many, the longest (started to completed), and how many timed out or failed. */
  workflowTasks: number;
  maxWorkflowTaskMs: number;
  workflowTaskTimeouts: number;
  workflowTaskFailures: number;
  /** Why they failed (WorkflowTaskFailedCause), by count. */
  workflowTaskFailureCauses: Record<string, number>;
}

export interface CampaignMaxFigures {
  campaignId: string;
  code: string;
  problems: number;
  tasks: number;
  end: 'complete' | 'cancel';
  /** The campaign document as JSON (what POST /api/campaigns would carry). */
  documentBytes: number;
  /** Why the campaign service refused the document, when it did (then the rows were written by createRows). */
  createFailure: string | null;
  seconds: { create: number; allStarted: number; ended: number; reconciled: number; total: number; figures: number };
  tasksPerSecond: { started: number; ended: number };
  runs: RunFigures[];
  max: { events: number; historyBytes: number; payloadBytes: number; pendingChildren: number };
  /** A few task runs' histories (first, middle, last by id). */
  taskRuns: { events: number; maxPayloadBytes: number }[];
  /** The last run's result; null when the campaign workflow failed (then `failure` says why). */
  result: CampaignState | null;
  failure: string | null;
  ledger: { rows: number; totals: Ledger['totals']; bytes: number };
  ledgerMails: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A long error message's telling line (Prisma's quotes the code around the failing call first). */
const shortly = (message: string) => /(Transaction API error|Invalid|Error)[^\n]*/.exec(message.split('\n').filter((l) => /error/i.test(l)).at(-1) ?? '')?.[0] ?? message.slice(0, 300);
/** An error's message with its causes'. */
const messages = (err: unknown): string => (err instanceof Error ? [err.message, ...(err.cause ? [messages(err.cause)] : [])].join(': ') : String(err));
const seconds = (from: number) => Math.round((Date.now() - from) / 100) / 10;

/** The campaign document at the given shape, as the office would write it (one lead unit and owner for all). */
export function campaignDocument(org: Org, shape: { problems: number; tasks: number; code: string; deadline: Date; text?: 'short' | 'max' }): TCreateCampaignRequest {
  // 'max': every text at the schema's longest (description 2,000, measure 500 characters), in Chinese (3 bytes each in UTF-8).
  const long = (prefix: string, length: number) => (shape.text === 'max' ? (prefix + '规范窗口服务行为'.repeat(length)).slice(0, length) : prefix);
  return ZCreateCampaignRequest.parse({
    code: shape.code,
    name: `满额督办批次 ${shape.problems}×${shape.tasks}`,
    source: 'inspection',
    problems: Array.from({ length: shape.problems }, (_, p) => ({
      description: long(`问题${p + 1}：窗口服务不规范`, 2000),
      category: '作风建设',
      severity: 'moderate',
      foundOn: '2026-03-02',
      tasks: Array.from({ length: shape.tasks }, (_, t) => ({
        measure: long(`整改措施${p + 1}-${t + 1}：`, 500),
        leadUnit: org.units.officeA1.code,
        owner: org.people.staffA1.email,
        deadline: shape.deadline.toISOString(),
      })),
    })),
  });
}

/**
 * The rows the campaign service writes for the document (api/campaigns/service.ts insertProblems:
 * the same ids, codes and columns, in bulk), written without its transaction's bound, and the
 * campaign workflow started as the service starts it: paged, answered once the first page is supervised.
 */
async function createRows(h: CampaignHarness, org: Org, doc: TCreateCampaignRequest): Promise<{ id: string }> {
  const campaign = await h.db.campaign.create({ data: { code: doc.code, name: doc.name, source: doc.source, ownerUnitId: org.units.bureau.id, createdById: org.people.office.id } });
  const problems: Prisma.ProblemCreateManyInput[] = [];
  const tasks: Prisma.TaskCreateManyInput[] = [];
  for (const [i, p] of doc.problems.entries()) {
    const code = `${doc.code}-${String(i + 1).padStart(3, '0')}`;
    const problemId = randomUUID();
    problems.push({ id: problemId, campaignId: campaign.id, seq: i + 1, code, description: p.description, category: p.category, severity: p.severity, source: p.source ?? doc.source, foundOn: new Date(p.foundOn) });
    for (const [ti, t] of p.tasks.entries()) {
      tasks.push({ id: randomUUID(), problemId, seq: ti + 1, code: `${code}-${ti + 1}`, title: t.measure, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, supervisorId: null, deadline: new Date(t.deadline), reminderOffsetSeconds: t.reminderOffsetSeconds });
    }
  }
  await h.db.problem.createMany({ data: problems });
  await h.db.task.createMany({ data: tasks });
  const input: SuperviseCampaignInput = { campaignId: campaign.id, paged: true };
  const handle = await h.env.client.workflow.start('superviseCampaign', { taskQueue: h.taskQueue, workflowId: campaignWorkflowId(campaign.id), args: [input] });
  await handle.executeUpdate(tasksStartedUpdate);
  return campaign;
}

/** Every payload (an object with `data` bytes) inside an event, by walking its fields. */
function payloadSizes(value: unknown, out: number[], seen = new Set<unknown>()): number[] {
  if (!value || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (value instanceof Uint8Array) return out;
  const v = value as { data?: unknown; metadata?: unknown };
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') {
    out.push(temporal.api.common.v1.Payload.encode(v as temporal.api.common.v1.IPayload).finish().length);
    return out;
  }
  for (const child of Object.values(value)) payloadSizes(child, out, seen);
  return out;
}

const EventType = temporal.api.enums.v1.EventType;

/** The figures of one run's history. */
export function runFigures(runId: string, status: string, history: temporal.api.history.v1.IHistory): RunFigures {
  const events = history.events ?? [];
  let maxPayloadBytes = 0;
  let maxPayloadEvent = '';
  let pending = 0;
  let maxPendingChildren = 0;
  let childrenStarted = 0;
  let signals = 0;
  let workflowTasks = 0;
  let maxWorkflowTaskMs = 0;
  let workflowTaskTimeouts = 0;
  let workflowTaskFailures = 0;
  let wftStartedAt = 0;
  const workflowTaskFailureCauses: Record<string, number> = {};
  const at = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
  for (const e of events) {
    for (const size of payloadSizes(e, [])) {
      if (size > maxPayloadBytes) {
        maxPayloadBytes = size;
        maxPayloadEvent = EventType[e.eventType ?? 0] ?? String(e.eventType);
      }
    }
    switch (e.eventType) {
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
        pending += 1;
        childrenStarted += 1;
        maxPendingChildren = Math.max(maxPendingChildren, pending);
        break;
      case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED:
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED:
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED:
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT:
      case EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
        pending -= 1;
        if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED) childrenStarted -= 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        signals += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        wftStartedAt = at(e);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        workflowTasks += 1;
        maxWorkflowTaskMs = Math.max(maxWorkflowTaskMs, Math.round(at(e) - wftStartedAt));
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        workflowTaskTimeouts += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: {
        workflowTaskFailures += 1;
        const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[e.workflowTaskFailedEventAttributes?.cause ?? 0] ?? 'unknown';
        workflowTaskFailureCauses[cause] = (workflowTaskFailureCauses[cause] ?? 0) + 1;
        break;
      }
    }
  }
  const first = events[0]?.workflowExecutionStartedEventAttributes;
  return {
    runId,
    status,
    events: events.length,
    historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    maxPayloadBytes,
    maxPayloadEvent,
    maxPendingChildren,
    childrenStarted,
    signals,
    inputBytes: first?.input ? temporal.api.common.v1.Payloads.encode(first.input).finish().length : 0,
    workflowTasks,
    maxWorkflowTaskMs,
    workflowTaskTimeouts,
    workflowTaskFailures,
    workflowTaskFailureCauses,
  };
}

/** The campaign's runs, first to last (each continued as new into the next), with their figures. */
export async function campaignRuns(client: Client, workflowId: string, expectLast: string | null): Promise<RunFigures[]> {
  // Visibility trails the server a little: wait until it lists the last run.
  for (let i = 0; ; i++) {
    const listed: { runId: string; status: string; start: number }[] = [];
    for await (const w of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) listed.push({ runId: w.runId, status: w.status.name, start: w.startTime.getTime() });
    if (expectLast === null || listed.some((r) => r.runId === expectLast && r.status === 'COMPLETED') || i > 100) {
      listed.sort((a, b) => a.start - b.start);
      const out: RunFigures[] = [];
      for (const r of listed) out.push(runFigures(r.runId, r.status, await client.workflow.getHandle(workflowId, r.runId).fetchHistory()));
      return out;
    }
    await sleep(200);
  }
}

const maxima = (runs: RunFigures[]): CampaignMaxFigures['max'] => ({
  events: Math.max(...runs.map((r) => r.events)),
  historyBytes: Math.max(...runs.map((r) => r.historyBytes)),
  payloadBytes: Math.max(...runs.map((r) => r.maxPayloadBytes)),
  pendingChildren: Math.max(...runs.map((r) => r.maxPendingChildren)),
});

/** Runs `count` jobs with at most `concurrency` at once. */
async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/**
 * Creates the campaign, waits for every task to be under supervision, ends every task through the
 * task service, waits for the campaign to reconcile, checks the reconciliation and measures the runs.
 */
export async function runCampaignMax(
  h: CampaignHarness,
  org: Org,
  opts: { problems: number; tasks: number; end: 'complete' | 'cancel'; concurrency: number; text?: 'short' | 'max'; startOnly?: boolean; fallbackRows?: boolean; overlap?: boolean; log?: (m: string) => void; timeoutMs?: number },
): Promise<CampaignMaxFigures> {
  const log = opts.log ?? (() => undefined);
  const client = h.env.client;
  const deadlineAt = Date.now() + (opts.timeoutMs ?? 3_600_000);
  const waitFor = async (what: string, done: () => Promise<boolean>, every = 500) => {
    while (!(await done())) {
      if (Date.now() > deadlineAt) throw new Error(`timed out waiting for ${what}`);
      await sleep(every);
    }
  };
  const total = opts.problems * opts.tasks;
  const code = `CMAX-${org.tag.toUpperCase()}`;
  const office: Actor = { ...org.people.office, unitPath: org.units.bureau.path };
  const deps = { db: h.db, temporal: client, taskQueue: h.taskQueue, timeZone: 'Asia/Shanghai' };
  const campaigns = createCampaignService(deps);
  const tasks = createTaskService(deps);

  const t0 = Date.now();
  const doc = campaignDocument(org, { problems: opts.problems, tasks: opts.tasks, code, deadline: new Date(Date.now() + 30 * 24 * 3600_000), text: opts.text });
  const documentBytes = Buffer.byteLength(JSON.stringify(doc));
  log(`document: ${opts.problems} × ${opts.tasks} = ${total} tasks, ${(documentBytes / 2 ** 20).toFixed(2)} MiB of JSON`);
  let created: { id: string };
  let createFailure: string | null = null;
  try {
    created = await campaigns.create(office, doc, 'campaign-max');
  } catch (err) {
    // The service's one transaction is bounded (api/campaigns/service.ts): a finding, reported; the
    // run goes on with the same rows written without that bound and the workflow started as the service starts it.
    if (!opts.fallbackRows) throw err;
    createFailure = messages(err);
    log(`the campaign service refused the document after ${seconds(t0)} s: ${shortly(createFailure)}`);
    created = await createRows(h, org, doc);
  }
  const createS = seconds(t0);
  log(`created in ${createS} s (answered once the first page is under supervision)`);

  // Every task under supervision: its run is listed with the campaign's code (running, or ended already when ending overlaps).
  const listed = async () => (await client.workflow.count(`CampaignCode = "${code}"`)).count;
  let lastLog = 0;
  let allStartedS = NaN;
  const allStarted = waitFor('every task to be under supervision', async () => {
    const n = await listed();
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${n} / ${total} task runs started (${seconds(t0)} s)`);
    }
    return n >= total;
  }).then(() => {
    allStartedS = seconds(t0);
    log(`all ${total} task runs started after ${allStartedS} s`);
  });
  // Without overlap the office starts closing tasks once all are supervised; with it, as soon as each is.
  if (!opts.overlap) await allStarted;

  if (opts.startOnly) {
    const runs = await campaignRuns(client, campaignWorkflowId(created.id), null);
    return {
      campaignId: created.id,
      code,
      problems: opts.problems,
      tasks: total,
      end: opts.end,
      documentBytes,
      createFailure,
      seconds: { create: createS, allStarted: allStartedS, ended: NaN, reconciled: NaN, total: seconds(t0), figures: NaN },
      tasksPerSecond: { started: Math.round(total / allStartedS), ended: NaN },
      runs,
      max: maxima(runs),
      taskRuns: [],
      result: null,
      failure: 'stopped once every task was started (--start-only)',
      ledger: { rows: 0, totals: { problems: 0, tasks: 0, onTime: 0, late: 0, cancelled: 0 }, bytes: 0 },
      ledgerMails: 0,
    };
  }

  // End every task through the task service, as the office does in the API.
  const ids = (await h.db.task.findMany({ where: { problem: { campaignId: created.id } }, select: { id: true }, orderBy: { id: 'asc' } })).map((t) => t.id);
  if (ids.length !== total) throw new Error(`${ids.length} task rows, expected ${total}`);
  const t1 = Date.now();
  let ended = 0;
  await pool(ids.length, opts.concurrency, async (i) => {
    for (let attempt = 1; ; attempt++) {
      try {
        if (opts.end === 'complete') await tasks.complete(office, ids[i]!, { note: '已整改' });
        else await tasks.cancel(office, ids[i]!, '批次调整，撤销该措施');
        break;
      } catch (err) {
        // The only answer worth retrying: the run is not under supervision yet (the campaign is still starting its page, with overlap).
        if (!(err instanceof AppError && err.code === ErrorCode.UNAVAILABLE) || (!opts.overlap && attempt > 20) || Date.now() > deadlineAt) throw err;
        await sleep(opts.overlap ? 1_000 : 500);
      }
    }
    ended += 1;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${ended} / ${total} tasks ended (${seconds(t1)} s)`);
    }
  });
  const endingS = seconds(t1);
  await allStarted;
  const endedS = seconds(t0);
  log(`all ${total} tasks ended after ${endedS} s (${endingS} s of ending)`);

  const handle = client.workflow.getHandle<() => Promise<CampaignState>>(campaignWorkflowId(created.id));
  // A failed campaign run, or an activity failing again and again, is a finding, not a crash: the figures are still measured.
  let result: CampaignState | null = null;
  let failure: string | null = null;
  const outcome = handle.result().then(
    (r) => ({ r }),
    (err: unknown) => ({ err }),
  );
  while (!result && !failure) {
    const o = await Promise.race([outcome, sleep(5_000).then(() => null)]);
    if (o && 'r' in o) result = o.r;
    else if (o) failure = messages(o.err);
    else if (Date.now() > deadlineAt) failure = 'timed out waiting for the campaign to reconcile';
    else {
      const stuck = ((await handle.describe()).raw.pendingActivities ?? []).find((a) => (a.attempt ?? 0) >= 4);
      if (stuck) failure = `activity ${stuck.activityType?.name} failing, attempt ${stuck.attempt}: ${stuck.lastFailure?.message}`;
    }
  }
  const reconciledS = seconds(t0);
  log(failure ? `campaign workflow ended without a result after ${reconciledS} s: ${failure}` : `campaign reconciled after ${reconciledS} s`);

  const t2 = Date.now();
  const last = await handle.describe();
  const runs = await campaignRuns(client, campaignWorkflowId(created.id), last.runId);
  // A few task runs: first, middle and last by id.
  const taskRuns = [];
  for (const id of [ids[0]!, ids[Math.floor(ids.length / 2)]!, ids.at(-1)!]) {
    const f = runFigures(id, '', await client.workflow.getHandle(`task-${id}`).fetchHistory());
    taskRuns.push({ events: f.events, maxPayloadBytes: f.maxPayloadBytes });
  }
  const campaign = await h.db.campaign.findUniqueOrThrow({ where: { id: created.id } });
  const ledger = campaign.ledger as unknown as Ledger;
  const ledgerMails = await h.db.mailMessage.count({ where: { idempotencyKey: { startsWith: `campaign:${created.id}:reconciled:` }, status: 'sent' } });
  const figures: CampaignMaxFigures = {
    campaignId: created.id,
    code,
    problems: opts.problems,
    tasks: total,
    end: opts.end,
    documentBytes,
    createFailure,
    seconds: { create: createS, allStarted: allStartedS, ended: endedS, reconciled: reconciledS, total: seconds(t0), figures: seconds(t2) },
    tasksPerSecond: { started: Math.round(total / allStartedS), ended: Math.round(total / Math.max(0.1, endingS)) },
    runs,
    max: maxima(runs),
    taskRuns,
    result,
    failure,
    ledger: { rows: ledger?.rows?.length ?? 0, totals: ledger?.totals, bytes: Buffer.byteLength(JSON.stringify(ledger ?? null)) },
    ledgerMails,
  };
  return figures;
}

/** What must hold once the campaign is reconciled; the failures, none when all hold. */
export async function reconciliationFailures(h: CampaignHarness, f: CampaignMaxFigures): Promise<string[]> {
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => void (ok || failures.push(what));
  const campaign = await h.db.campaign.findUniqueOrThrow({ where: { id: f.campaignId } });
  const open = await h.db.task.count({ where: { problem: { campaignId: campaign.id }, status: { notIn: [...terminalStatuses] } } });
  const openProblems = await h.db.problem.count({ where: { campaignId: campaign.id, status: 'open' } });
  const problems = await h.db.problem.count({ where: { campaignId: campaign.id } });
  check(f.createFailure === null, `the campaign service refused the document: ${shortly(f.createFailure ?? '')}`);
  check(open === 0, `${open} tasks not ended`);
  check(problems === f.problems && openProblems === 0, `${openProblems} of ${problems} problems open`);
  check(campaign.status === 'reconciled', `campaign ${campaign.status}`);
  check(f.ledger.rows === f.tasks && f.ledger.totals?.tasks === f.tasks && f.ledger.totals?.problems === f.problems, `ledger of ${f.ledger.rows} rows (${JSON.stringify(f.ledger.totals)})`);
  const endedAs = f.end === 'complete' ? f.ledger.totals?.onTime : f.ledger.totals?.cancelled;
  check(endedAs === f.tasks, `ledger counts ${endedAs} tasks ${f.end === 'complete' ? 'on time' : 'cancelled'}`);
  check(f.ledgerMails >= 1, 'no ledger mail sent');
  check(f.failure === null, `campaign workflow: ${f.failure}`);
  check(!!f.result && f.result.reconciled && f.result.totalTasks === f.tasks && f.result.closedTasks === f.tasks && f.result.closedProblems.length === f.problems, `workflow result ${JSON.stringify(f.result && { ...f.result, closedProblems: f.result.closedProblems.length })}`);
  // A task's run tells the campaign it ended, then completes: the last ones may close just after the campaign reconciles.
  let running = Infinity;
  for (let i = 0; i < 60 && running > 0; i++) {
    if (i > 0) await sleep(500);
    running = (await h.env.client.workflow.count(`CampaignCode = "${f.code}" AND ExecutionStatus = "Running"`)).count;
  }
  check(running === 0, `${running} task runs still running 30 s after the campaign reconciled`);
  check(f.max.events < TEMPORAL_LIMITS.historyEvents / 5, `a run of ${f.max.events} events`);
  check(f.max.historyBytes < TEMPORAL_LIMITS.historyBytes / 5, `a run of ${f.max.historyBytes} bytes`);
  check(f.max.payloadBytes < TEMPORAL_LIMITS.payloadBytes / 4, `a payload of ${f.max.payloadBytes} bytes`);
  check(f.max.pendingChildren < TEMPORAL_LIMITS.pendingChildren, `${f.max.pendingChildren} children pending in one run`);
  return failures;
}

/** One line per run, and the maxima. */
export function formatFigures(f: CampaignMaxFigures): string {
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const lines = [
    `campaign ${f.problems} × ${f.tasks / f.problems} = ${f.tasks} tasks, ended by ${f.end}; document ${kb(f.documentBytes)}`,
    ...(f.createFailure ? [`the campaign service refused the document (rows then written in bulk without its bound): ${shortly(f.createFailure)}`] : []),
    `seconds: create ${f.seconds.create}, all started ${f.seconds.allStarted}, all ended ${f.seconds.ended}, reconciled ${f.seconds.reconciled} (figures ${f.seconds.figures})`,
    `task runs per second: started ${f.tasksPerSecond.started}, ended ${f.tasksPerSecond.ended}`,
    `${f.runs.length} campaign runs:`,
    ...f.runs.map(
      (r, i) =>
        `  #${i + 1} ${r.status.padEnd(16)} ${String(r.events).padStart(6)} events ${kb(r.historyBytes).padStart(11)}  max payload ${kb(r.maxPayloadBytes).padStart(9)} (${r.maxPayloadEvent})  children ${r.childrenStarted} (≤${r.maxPendingChildren} pending)  signals ${r.signals}  input ${kb(r.inputBytes)}  WFTs ${r.workflowTasks} (longest ${r.maxWorkflowTaskMs} ms, ${r.workflowTaskTimeouts} timed out, ${r.workflowTaskFailures} failed${r.workflowTaskFailures ? ` ${JSON.stringify(r.workflowTaskFailureCauses)}` : ''})`,
    ),
    `max per run: ${f.max.events} events (limit ${TEMPORAL_LIMITS.historyEvents}), ${kb(f.max.historyBytes)} (limit ${kb(TEMPORAL_LIMITS.historyBytes)}), payload ${kb(f.max.payloadBytes)} (limit ${kb(TEMPORAL_LIMITS.payloadBytes)}), ${f.max.pendingChildren} pending children (limit ${TEMPORAL_LIMITS.pendingChildren})`,
    `task runs: ${f.taskRuns.map((t) => `${t.events} events, max payload ${kb(t.maxPayloadBytes)}`).join('; ')}`,
    `ledger: ${f.ledger.rows} rows, ${kb(f.ledger.bytes)}, totals ${JSON.stringify(f.ledger.totals)}; ledger mails sent ${f.ledgerMails}`,
  ];
  return lines.join('\n');
}

/** What the run needs of a harness: the Temporal client, the database and the task queue a worker polls. */
export type CampaignHarness = Pick<Harness, 'env' | 'db' | 'taskQueue'>;

/** A worker process's exit the supervisor restarted it after. */
interface WorkerExit {
  at: string;
  code: number | null;
  signal: string | null;
  /** The last lines of its log. */
  tail: string;
}

/**
 * The dev server, the database and a mail catcher, and the worker as production runs it: `npm run
 * worker` (worker/main.ts, 512 MB old space, MALLOC_ARENA_MAX=2, its configuration from the
 * environment: WORKER_MAX_CACHED_WORKFLOWS 100 by default), restarted when it exits as a service
 * manager would, every exit kept. Its resident memory is sampled.
 */
async function startProcessHarness(env: TestWorkflowEnvironment, opts: { maxCached?: number; log: (m: string) => void }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rectify-campaign-max-'));
  const smtp = await startMailCatcher({ port: 0 });
  const db = createDb(testDatabaseUrl());
  const taskQueue = `campaign-max-${randomUUID()}`;
  const workerEnv = {
    DATABASE_URL: testDatabaseUrl(),
    SMTP_URL: smtp.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATA_DIR: path.join(dir, 'data'),
    LOG_LEVEL: 'warn',
    ...(opts.maxCached === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(opts.maxCached) }),
  };
  const exits: WorkerExit[] = [];
  let peakRssBytes = 0;
  let stopping = false;
  let current: AppProcess;
  let n = 0;
  const start = async (): Promise<void> => {
    n += 1;
    const p = await startAppProcess('worker', { name: `worker-${n}`, env: workerEnv, logFile: path.join(dir, `worker-${n}.log`) });
    current = p;
    void p.exited.then(async ({ code, signal }) => {
      if (stopping) return;
      const tail = (await p.log()).split('\n').slice(-30).join('\n');
      exits.push({ at: new Date().toISOString(), code, signal, tail });
      opts.log(`worker process exited (code ${code}, signal ${signal}); restarting it. Its log ends:\n${tail}`);
      await start();
    });
    // Its log is kept to warnings (a line per activity otherwise): it runs once it polls the task queue.
    await waitUntil(p, 'polling its task queue', async () => {
      const { pollers } = await env.client.workflowService.describeTaskQueue({ namespace: env.namespace ?? 'default', taskQueue: { name: taskQueue }, taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW });
      return (pollers ?? []).some((w) => w.identity?.startsWith(`${p.pid}@`));
    }, 300_000);
  };
  await start();
  const sampler = setInterval(() => {
    void pidusage(current.pid).then(
      (u) => (peakRssBytes = Math.max(peakRssBytes, u.memory)),
      () => undefined,
    );
  }, 5_000);
  return {
    env,
    db,
    taskQueue,
    exits,
    peakRssBytes: () => peakRssBytes,
    async teardown() {
      stopping = true;
      clearInterval(sampler);
      await current.stop();
      await smtp.stop();
      await db.$disconnect();
      await env.teardown();
    },
  };
}

async function main(): Promise<number> {
  const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
  const problems = Number(arg('problems', '500'));
  const tasksPer = Number(arg('tasks', '50'));
  const end = arg('end', 'complete') as 'complete' | 'cancel';
  const concurrency = Number(arg('concurrency', '16'));
  const json = arg('json', '');
  const text = arg('text', 'short') as 'short' | 'max';
  const startOnly = process.argv.includes('--start-only');
  const fallbackRows = process.argv.includes('--fallback-rows');
  const overlap = process.argv.includes('--overlap');
  // --suggest-divisor=8: the dev server suggests continuing as new 8 times sooner; --pending-children=N: its limit (default 2,000).
  const suggestDivisor = Number(arg('suggest-divisor', '1'));
  const pendingChildren = arg('pending-children', '') ? Number(arg('pending-children', '')) : undefined;
  // --worker=process: `npm run worker` as a child process, restarted when it exits (production's settings); inline: the test harness's worker in this process.
  const workerMode = arg('worker', 'process') as 'process' | 'inline';
  // The process worker's WORKER_MAX_CACHED_WORKFLOWS (production's default, 100, when not given).
  const maxCached = arg('max-cached', '') ? Number(arg('max-cached', '')) : undefined;
  const log = (m: string) => console.log(`[campaign-max ${new Date().toISOString().slice(11, 19)}] ${m}`);

  Runtime.install({ logger: new DefaultLogger('WARN') });
  const stops: (() => Promise<unknown>)[] = [];
  // Interrupted: stop the servers it started (the dev server, PostgreSQL) before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void Promise.allSettled(stops.map((stop) => stop())).then(() => process.exit(130));
    });
  }
  try {
    if (!process.env.DATABASE_URL) {
      const pg = await startEmbeddedPostgres({ dataDir: await mkdtemp(path.join(os.tmpdir(), 'rectify-campaign-max-pg-')), port: await freePort(), persistent: false, database: 'rectify_campaign_max' });
      stops.push(() => pg.stop());
      await deployMigrations({ databaseUrl: pg.url });
      const db = createDb(pg.url);
      await syncPackageCalendar(db);
      await db.$disconnect();
      process.env.DATABASE_URL = pg.url;
    }
    const env = await createScaledDevServerEnv({ suggestDivisor, pendingChildren });
    const processHarness = workerMode === 'process' ? await startProcessHarness(env, { maxCached, log }) : undefined;
    const h: CampaignHarness & { teardown(): Promise<void> } = processHarness ?? (await startHarness(env));
    if (suggestDivisor !== 1 || pendingChildren !== undefined) log(`dev server limits: continue-as-new suggested from ${TEMPORAL_LIMITS.suggestEvents / suggestDivisor} events / ${TEMPORAL_LIMITS.suggestBytes / suggestDivisor} bytes, ${pendingChildren ?? TEMPORAL_LIMITS.pendingChildren} pending children at most`);
    log(workerMode === 'process' ? `worker: npm run worker's process, caching ${maxCached ?? ZConfig.shape.WORKER_MAX_CACHED_WORKFLOWS.parse(undefined)} workflow runs` : "worker: in this process (the test harness's), caching the SDK's default number of workflow runs");
    stops.unshift(() => h.teardown());
    const org = await createOrg(h.db);
    log(`dev server and worker up; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const f = await runCampaignMax(h, org, { problems, tasks: tasksPer, end, concurrency, text, startOnly, fallbackRows, overlap, log });
    console.log(formatFigures(f));
    const worker = processHarness && { exits: processHarness.exits, peakRssMb: Math.round(processHarness.peakRssBytes() / 1e6) };
    if (worker) console.log(`worker process: peak RSS ${worker.peakRssMb} MB; exited and restarted ${worker.exits.length} times${worker.exits.map((e) => `\n  ${e.at} code ${e.code} signal ${e.signal}`).join('')}`);
    const failures = startOnly ? [] : await reconciliationFailures(h, f);
    if (json) await writeFile(json, JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, loadAverage: os.loadavg(), ...f, result: f.result && { ...f.result, closedProblems: f.result.closedProblems.length }, worker, failures }, null, 2));
    if (failures.length) console.log(`FAILED:\n  ${failures.join('\n  ')}`);
    else console.log('every check held');
    return failures.length ? 1 : 0;
  } finally {
    for (const stop of stops) await stop().catch((err: unknown) => console.error(err));
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
