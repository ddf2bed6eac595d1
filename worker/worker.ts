import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createTaskActivities, type TaskActivityDeps } from '../activities';
import { createCampaignActivities } from '../activities/campaign';
import { createDeadlineActivities } from '../activities/deadlines';
import { createDigestActivities } from '../activities/digest';
import { createNoticeActivities } from '../activities/notices';
import { createReviewActivities } from '../activities/review';
import type { TConfig } from '../lib/config';
import type { Db } from '../lib/db';
import type { Mailer } from '../lib/mail';
import { workflowCode } from './bundle';

export interface StartWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: TaskActivityDeps;
  /** Workflow runs kept in memory (WORKER_MAX_CACHED_WORKFLOWS); the SDK's default otherwise. */
  maxCachedWorkflows?: number;
  /**
   * A bundle to run (tests bundle once per file); otherwise the prebuilt .build/workflow-bundle.js
   * when it is fresh (worker/bundle.ts), and only failing that, workflows/ bundled at start.
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Told where the workflow code came from (for a log line). */
  onWorkflowCode?: (source: ReturnType<typeof workflowCode>['source']) => void;
}

/** Wiring only: the workflows of workflows/ and the activities built from real collaborators. */
export async function createWorker(opts: StartWorkerOptions): Promise<Worker> {
  const code = workflowCode(opts.workflowBundle);
  opts.onWorkflowCode?.(code.source);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: opts.maxCachedWorkflows }),
    ...code.option,
    activities: { ...createTaskActivities(opts.deps), ...createCampaignActivities(opts.deps), ...createNoticeActivities(opts.deps), ...createDigestActivities(opts.deps), ...createDeadlineActivities(opts.deps), ...createReviewActivities(opts.deps) },
  });
}

/** The activities' collaborators: the clients, and the settings they read from the configuration. */
export function activityDeps(config: Pick<TConfig, 'MAIL_FROM' | 'publicUrl' | 'TIME_ZONE' | 'WORKDAY_END'>, clients: { db: Db; mailer: Mailer }): TaskActivityDeps {
  return { db: clients.db, mailer: clients.mailer, mailFrom: config.MAIL_FROM, publicUrl: config.publicUrl, timeZone: config.TIME_ZONE, workdayEnd: config.WORKDAY_END };
}
