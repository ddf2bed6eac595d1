/**
 * The worker as its own process (B4 measures its RSS apart from the harness), wired exactly as
 * `npm start` wires it (scripts/start.ts): the real activities on the real database and SMTP.
 * BENCH_WORKER=bare runs the bare-SDK baselines instead (bench/workflows/bare.ts), on their own task queue.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { loadConfig } from '../../lib/config';
import { createDb } from '../../lib/db';
import { createMailer } from '../../lib/mail';
import { createWorker } from '../../worker/worker';
import { createBareActivities } from './bare-activities';
import { childLifecycle } from './child';

async function main() {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS! });
  const kind = process.env.BENCH_WORKER ?? 'rectify';
  const db = kind === 'rectify' ? createDb(config.DATABASE_URL!) : null;
  const mailer = createMailer(config.SMTP_URL!);
  const worker =
    kind === 'rectify'
      ? await createWorker({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
          deps: { db: db!, mailer, mailFrom: config.MAIL_FROM, publicUrl: config.publicUrl, timeZone: config.TIME_ZONE },
          // The bench measures the worker as deployed: from the bundle bootstrap built, never webpack in here.
          onWorkflowCode: (source) => {
            if (source !== 'prebuilt') throw new Error(`bench worker: no fresh .build/workflow-bundle.js (${source}); run node scripts/build-workflow-bundle.mjs`);
          },
        })
      : await Worker.create({
          connection,
          namespace: config.TEMPORAL_NAMESPACE,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          workflowsPath: require.resolve('../workflows/bare'),
          activities: createBareActivities({ mailer }),
          // The same cache as the product's worker: with the SDK's default (≈ 2,300 runs here) every
          // bare run stayed cached while ours, 100, replayed on each wake (B2's baseline was not the same work).
          maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
        });
  const running = worker.run();
  running.catch((err: unknown) => {
    console.error('worker failed', err);
    process.exit(1);
  });
  childLifecycle({ kind, taskQueue: config.TEMPORAL_TASK_QUEUE }, async () => {
    worker.shutdown();
    await running;
    await connection.close();
    mailer.close();
    await db?.$disconnect();
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
