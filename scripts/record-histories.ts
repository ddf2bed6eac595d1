/**
 * Records workflow histories for the replay test (test/workflows/replay.test.ts): runs each
 * scenario on the time-skipping server with real activities and saves its event history as JSON
 * under test/workflows/histories/ (binary protobuf). Run it when a workflow release is cut:
 *   npx tsx scripts/record-histories.ts   (DATABASE_URL of a migrated database, or a throwaway one it starts)
 * Scenarios whose file exists are skipped: saved histories are never rewritten: after a release, a workflow change that would not
 * replay them must go through patched().
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import {
  acknowledgeUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  reportProgressUpdate,
  requestClosureUpdate,
  requestExtensionUpdate,
  taskStartSearchAttributes,
  taskStateQuery,
  taskWorkflowId,
  type ReviewCycleInput,
  type SuperviseTaskInput,
  verifyUpdate,
} from '../domain/contract';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { syncPackageCalendar } from '../lib/calendar-store';
import { createDb } from '../lib/db';
import { createTimeSkippingEnv, insertTask, startHarness } from '../test/support/env';
import { createOrg } from '../test/support/org';
import { campaignWorkflowId, recomputeDeadlinesWorkflowId, type SuperviseCampaignInput } from '../domain/contract';
import { deployMigrations } from './lib/migrations';
import { freePort } from './lib/processes';
import { startEmbeddedPostgres } from './lib/postgres';

const DAY = 24 * 3600_000;

/** Where the replay test reads the saved histories. */
const histories = path.join(__dirname, '..', 'test', 'workflows', 'histories');

async function main() {
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!process.env.DATABASE_URL) {
    pg = await startEmbeddedPostgres({ dataDir: await mkdtemp(path.join(os.tmpdir(), 'rectify-histories-pg-')), port: await freePort(), persistent: false, database: 'rectify_histories' });
    await deployMigrations({ databaseUrl: pg.url });
    const db = createDb(pg.url);
    await syncPackageCalendar(db);
    await db.$disconnect();
    process.env.DATABASE_URL = pg.url;
  }
  const h = await startHarness(await createTimeSkippingEnv());
  const save = async (workflowId: string, file: string, runId?: string) => {
    const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    // Binary protobuf: the exact bytes the server sent, independent of JSON mapping details.
    await writeFile(file, temporal.api.history.v1.History.encode(history).finish());
    console.log(`saved ${path.relative(process.cwd(), file)} (${history.events?.length} events)`);
  };
  try {
    const by = '00000000-0000-4000-8000-000000000000';
    const scenarios: Record<string, (start: () => Promise<ReturnType<typeof h.env.client.workflow.getHandle>>) => Promise<unknown>> = {
      // Second release: planned reminders and rungs, the whole lifecycle with a return and an extension.
      'planned-lifecycle': async (start) => {
        const handle = await start();
        await handle.executeUpdate(acknowledgeUpdate, { args: [{ by }] });
        await handle.executeUpdate(reportProgressUpdate, { args: [{ by, text: '进展' }] });
        await handle.executeUpdate(requestClosureUpdate, { args: [{ by, evidenceIds: [by] }] });
        await handle.executeUpdate(verifyUpdate, { args: [{ by, decision: 'return', reason: '材料不全' }] });
        await handle.executeUpdate(requestExtensionUpdate, { args: [{ by, requestedDeadline: new Date(Date.parse((await handle.query(taskStateQuery)).deadline) + 2 * DAY).toISOString(), reason: '协调' }] });
        await handle.executeUpdate(decideExtensionUpdate, { args: [{ by, approve: true }] });
        await h.env.sleep(6 * DAY);
        await handle.executeUpdate(requestClosureUpdate, { args: [{ by, evidenceIds: [by] }] });
        await handle.executeUpdate(verifyUpdate, { args: [{ by, decision: 'accept' }] });
        return handle.result();
      },
      // Second release: a planned task left overdue climbs the ladder, then the office closes it.
      'planned-escalated': async (start) => {
        const handle = await start();
        await h.env.sleep(12 * DAY);
        await handle.executeUpdate(completeTaskUpdate, { args: [{}] });
        return handle.result();
      },
      // Fourth release: started with its search attributes in the start request (as the API and the
      // campaign start runs now), left overdue up the ladder, then closed.
      'planned-preset-search-attributes': async (start) => {
        const handle = await start();
        await h.env.sleep(12 * DAY);
        await handle.executeUpdate(completeTaskUpdate, { args: [{}] });
        return handle.result();
      },
      // reminder, overdue notice, then completion
      'reminded-overdue-completed': async (start) => {
        const handle = await start();
        await h.env.sleep(6 * DAY);
        await h.smtp.waitFor(2);
        await handle.executeUpdate(completeTaskUpdate, { args: [{ note: '已整改' }] });
        return handle.result();
      },
      // completed before the reminder: no mail
      'completed-early': async (start) => {
        const handle = await start();
        await h.env.sleep(DAY);
        await handle.executeUpdate(completeTaskUpdate, { args: [{}] });
        return handle.result();
      },
    };
    for (const [name, run] of Object.entries(scenarios)) {
      const file = path.join(histories, `superviseTask-${name}.binpb`);
      if (existsSync(file)) continue; // a saved history is never rewritten: it stands for runs already out there
      const now = await h.env.currentTimeMs();
      const task = await insertTask(h.db, { deadline: new Date(now + 5 * DAY), reminderOffsetSeconds: 2 * 24 * 3600 });
      const input: SuperviseTaskInput = {
        taskId: task.id,
        title: task.title,
        ownerEmail: task.ownerEmail,
        deadline: task.deadline.toISOString(),
        reminderOffsetSeconds: 2 * 24 * 3600,
        ...(name.startsWith('planned-') ? { planned: true } : {}),
      };
      const workflowId = taskWorkflowId(task.id);
      const started = name.includes('preset-search-attributes') ? { ...input, leadUnitCode: 'U-REPLAY' } : input;
      const preset = started === input ? {} : { typedSearchAttributes: taskStartSearchAttributes(started, now) };
      await run(() => h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId, args: [started], ...preset }));
      await save(workflowId, file);
    }

    // Third release: a review cycle run for a given period (snapshot, report, mail).
    const reviewFile = path.join(histories, 'reviewCycle-given-period.binpb');
    if (!existsSync(reviewFile)) {
      const cycleKey = `history-${Date.now()}`;
      await h.db.reviewCycle.create({ data: { key: cycleKey, name: '月调度', period: 'monthly', reportType: 'dispatch', recipientRoles: ['leader'] } });
      const workflowId = `review-${cycleKey}`;
      await h.env.client.workflow.execute('reviewCycle', { taskQueue: h.taskQueue, workflowId, args: [{ cycleKey, period: '2025-09' } satisfies ReviewCycleInput] });
      await save(workflowId, reviewFile);
    }

    /** A paged campaign of 3 × 2 tasks run with `options` and closed task by task: its first run and its last saved. */
    const recordPagedCampaign = async (file: string, options: Omit<SuperviseCampaignInput, 'campaignId' | 'paged'>) => {
      if (existsSync(file)) return;
      const org = await createOrg(h.db);
      const now = await h.env.currentTimeMs();
      const code = `HIST-${org.tag}`;
      const campaign = await h.db.campaign.create({ data: { code, name: '回放批次', source: 'inspection', ownerUnitId: org.units.bureau.id } });
      const taskIds: string[] = [];
      for (let p = 1; p <= 3; p++) {
        const problem = await h.db.problem.create({ data: { campaignId: campaign.id, seq: p, code: `${code}-00${p}`, description: `问题${p}`, source: 'inspection', category: '作风建设', severity: 'moderate', foundOn: new Date('2026-03-02') } });
        for (let t = 1; t <= 2; t++) {
          const task = await h.db.task.create({
            data: { id: randomUUID(), title: `措施${p}-${t}`, problemId: problem.id, seq: t, code: `${problem.code}-${t}`, unitId: org.units.officeA1.id, ownerId: org.people.staffA1.id, ownerEmail: org.people.staffA1.email, deadline: new Date(now + 20 * DAY), reminderOffsetSeconds: 0 },
          });
          taskIds.push(task.id);
        }
      }
      const workflowId = campaignWorkflowId(campaign.id);
      const handle = await h.env.client.workflow.start('superviseCampaign', { taskQueue: h.taskQueue, workflowId, args: [{ campaignId: campaign.id, paged: true, ...options } satisfies SuperviseCampaignInput] });
      for (const id of taskIds) {
        for (;;) {
          try {
            await h.env.client.workflow.getHandle(taskWorkflowId(id)).executeUpdate(completeTaskUpdate, { args: [{ by, note: '已整改' }] });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 200)); // not started yet
          }
        }
      }
      await h.env.client.workflow.getHandle(workflowId).result();
      // The first run (pages started, handed over) and the last (problems settled, reconciled).
      await save(workflowId, file.replace('.binpb', '-first-run.binpb'), handle.firstExecutionRunId);
      await save(workflowId, file);
    };
    // Fourth release: a paged campaign (pages of 2, a new run every 2 steps).
    await recordPagedCampaign(path.join(histories, 'superviseCampaign-paged.binpb'), { pageSize: 2, handOverEvery: 2 });
    // Fifth release: hand-overs after a budget of task runs started and of signals (patched markers).
    await recordPagedCampaign(path.join(histories, 'superviseCampaign-paged-budgets.binpb'), { pageSize: 2, handOverAfterChildren: 2, handOverAfterSignals: 3 });

    // Fourth release: recomputing deadlines after a calendar change (nothing stale: one page).
    const recomputeFile = path.join(histories, 'recomputeDeadlines-one-page.binpb');
    if (!existsSync(recomputeFile)) {
      const workflowId = recomputeDeadlinesWorkflowId(999_999);
      await h.env.client.workflow.execute('recomputeDeadlines', { taskQueue: h.taskQueue, workflowId, args: [{ by: null }] });
      await save(workflowId, recomputeFile);
    }
  } finally {
    await h.teardown();
    await pg?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
