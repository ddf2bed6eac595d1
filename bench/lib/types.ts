import type { CpuSnapshot } from './cpu';
import type { BenchOrg } from './org';
import type { Stack } from './stack';
import type { ApiClient } from './api-client';

export interface BenchContext {
  quick: boolean;
  stack: Stack;
  org: BenchOrg;
  api: ApiClient;
  log(message: string): void;
  /** Open (not closed or cancelled) tasks in the database. */
  openTasks(): Promise<number>;
  /**
   * Creates filler tasks through the API until `target` tasks are open: deadlines 30–330 days
   * ahead spread over the units, no extra reminder, so nothing they plan falls due during the run.
   */
  fillOpenTasks(target: number, opts?: { concurrency?: number }): Promise<{ created: number; seconds: number; perSecond: number | null }>;
  /** Tasks per second of the latest creation through the API (B2 sizes its lead time with it). */
  createRate: number | null;
  /** The bench worker of the bare-SDK baselines (bench/workflows/bare.ts), started on first use. */
  bareWorker(): Promise<{ taskQueue: string; pid: number }>;
  /** CPU time used so far by the API, the worker(s), the dev server, PostgreSQL and the harness (lib/cpu.ts). */
  cpu(): Promise<CpuSnapshot>;
  /**
   * Waits until the stack is quiet (the worker(s), the dev server and PostgreSQL together under 10 %
   * of one core, and nothing in the task queue's backlog, for 2 s in a row; at most `maxMs`):
   * the backlog of one phase must not slow the next. Returns the time waited.
   */
  settle(maxMs?: number): Promise<number>;
  /**
   * Tasks waiting in our task queue's normal (non-sticky) queues. A worker that falls behind leaves
   * workflow tasks there, each needing a full replay when it is finally picked up.
   */
  backlog(): Promise<{ workflowTasks: number; activityTasks: number }>;
  /** Resident memory right after start-up, before any task exists (B4's baseline). */
  startup: { workerRss: number; temporalRss: number; apiRss: number };
}

/** One scenario's outcome: the JSON line (and results file entry), and its row of the Markdown table. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  baseline: Record<string, unknown> | null;
  ratio: number | null;
  target: string;
  met: boolean;
  [measurement: string]: unknown;
}

export interface TableRow {
  /** The headline figure(s), absolute. */
  measured: string;
  baseline: string;
  ratio: string;
}

export interface Scenario {
  /** B1, B2…: the results file and the table are keyed by it. */
  id: string;
  title: string;
  run(ctx: BenchContext): Promise<{ result: ScenarioResult; row: TableRow }>;
}
