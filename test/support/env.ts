import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDb, type Db } from '../../lib/db';
import { createMailer, type Mailer } from '../../lib/mail';
import { resolveTemporalBinary } from '../../lib/tools';
import { noticeWorkflowId, searchAttributeKeys, taskWorkflowId } from '../../domain/contract';
import { type MailCatcher, startMailCatcher } from '../../scripts/lib/mail-catcher';
import { ensureSearchAttributes } from '../../scripts/lib/temporal';
import { createWorker } from '../../worker/worker';
import type { Worker } from '@temporalio/worker';

export const testDatabaseUrl = (): string => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: jest globalSetup starts the test database');
  return url;
};

/** Time-skipping test server from the project's binary (no download), with our search attributes. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: resolveTemporalBinary('temporal-test-server', process.env.TEMPORAL_TEST_SERVER) } },
  });
  // The time-skipping server knows no custom search attributes until told (the dev server gets them as flags).
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default', searchAttributeKeys);
  return env;
}

/** Dev server (real Temporal server, SQLite in memory) from the project's `temporal` CLI. */
export const createDevServerEnv = () =>
  TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: resolveTemporalBinary('temporal', process.env.TEMPORAL_CLI) },
      searchAttributes: searchAttributeKeys,
    },
  });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundles workflows/ once per test file. */
export const workflowBundle = () => (bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') }));

export interface Harness {
  env: TestWorkflowEnvironment;
  db: Db;
  mailer: Mailer;
  smtp: MailCatcher;
  worker: Worker;
  taskQueue: string;
  /** Stops the worker, the SMTP server, the database client and the Temporal server. */
  teardown(): Promise<void>;
}

/** A Temporal environment with a real worker, real activities, the test database and a real SMTP server. */
export async function startHarness(env: TestWorkflowEnvironment, opts: Pick<Parameters<typeof startMailCatcher>[0], 'rejectRecipients' | 'beforeAccept'> = {}): Promise<Harness> {
  const smtp = await startMailCatcher({ port: 0, rejectRecipients: opts.rejectRecipients, beforeAccept: opts.beforeAccept });
  const db = createDb(testDatabaseUrl());
  const mailer = createMailer(smtp.url);
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    deps: { db, mailer, mailFrom: '整改督办系统 <noreply@rectify.local>', publicUrl: 'http://localhost:3000', timeZone: 'Asia/Shanghai' },
  });
  const running = worker.run();
  return {
    env,
    db,
    mailer,
    smtp,
    worker,
    taskQueue,
    async teardown() {
      worker.shutdown();
      await running;
      mailer.close();
      await smtp.stop();
      await db.$disconnect();
      await env.teardown();
    },
  };
}

/**
 * Ends a test's task run and the 签收 runs it started (abandoned children), children first. A child
 * that outlives its terminated parent locks the time-skipping server when it completes (its clock
 * stops; the next `env.sleep` never returns), so a test ends them before the next test sleeps.
 */
export async function endTaskRuns(h: Harness, taskId: string): Promise<void> {
  const notices = await h.db.notice.findMany({ where: { taskId }, select: { id: true } });
  const end = (workflowId: string) =>
    h.env.client.workflow
      .getHandle(workflowId)
      .terminate('test done')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err; // already completed
      });
  await Promise.all(notices.map((n) => end(noticeWorkflowId(n.id))));
  await end(taskWorkflowId(taskId));
}

/** Inserts a task row (with a unit and an owner of its own) the way the API does; workflow tests start the workflow themselves. */
export async function insertTask(db: Db, fields: { title?: string; deadline: Date; reminderOffsetSeconds: number }) {
  const unitId = randomUUID();
  const unit = await db.unit.create({ data: { id: unitId, code: `U-${unitId}`, name: '窗口服务股', path: `/${unitId}/` } });
  const owner = await db.person.create({
    data: { email: `owner-${randomUUID().slice(0, 8)}@example.gov.cn`, displayName: '张三', unitId: unit.id, roles: ['staff'] },
  });
  return db.task.create({
    data: {
      title: fields.title ?? '规范市场主体登记窗口服务',
      unitId: unit.id,
      ownerId: owner.id,
      ownerEmail: owner.email,
      deadline: fields.deadline,
      reminderOffsetSeconds: fields.reminderOffsetSeconds,
    },
  });
}
