import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { campaignStateQuery, campaignWorkflowId, completeTaskUpdate, type SuperviseCampaignInput, taskWorkflowId } from '../../domain/contract';
import { createTimeSkippingEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createOrg, type Org } from '../support/org';

/**
 * A campaign of any size runs within Temporal's limits: its run carries no task inputs (they are
 * read a page at a time) and hands over to a new run (continue-as-new) carrying only counters. Here
 * pages of 2 tasks and a hand-over every 2 steps make a 3 × 3 campaign cross pages and runs — the
 * same path a campaign of 500 × 50 takes when Temporal suggests continuing as new.
 */
describe('superviseCampaign, paged: tasks started a page at a time, runs handed over, problems settled, reconciled', () => {
  let h: Harness;
  let org: Org;
  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
    org = await createOrg(h.db);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  /** Every one of `tasks` under supervision: its run is running. */
  const allSupervised = (tasks: { id: string }[]) =>
    eventually(async () => {
      for (const t of tasks) expect((await h.env.client.workflow.getHandle(taskWorkflowId(t.id)).describe()).status.name).toBe('RUNNING');
    }, 30_000);
  /** The office closes a task (销号) on its run. */
  const close = (id: string) => h.env.client.workflow.getHandle(taskWorkflowId(id)).executeUpdate(completeTaskUpdate, { args: [{ by: org.people.office.id, note: '已整改' }] });

  /** A campaign of 3 problems × 3 tasks in the database, as the campaign service writes it. */
  async function createCampaign(code: string) {
    const now = await h.env.currentTimeMs();
    const campaign = await h.db.campaign.create({ data: { code, name: '分页督办批次', source: 'inspection', ownerUnitId: org.units.bureau.id } });
    const problems: { problem: { id: string; code: string }; tasks: { id: string }[] }[] = [];
    for (let p = 1; p <= 3; p++) {
      const problem = await h.db.problem.create({
        data: { campaignId: campaign.id, seq: p, code: `${code}-00${p}`, description: `问题${p}`, source: 'inspection', category: '作风建设', severity: 'moderate', foundOn: new Date('2026-03-02') },
      });
      const tasks: { id: string }[] = [];
      for (let t = 1; t <= 3; t++) {
        tasks.push(
          await h.db.task.create({
            data: {
              id: randomUUID(),
              title: `措施${p}-${t}`,
              problemId: problem.id,
              seq: t,
              code: `${problem.code}-${t}`,
              unitId: org.units.officeA1.id,
              ownerId: org.people.staffA1.id,
              ownerEmail: org.people.staffA1.email,
              deadline: new Date(now + 30 * 24 * 3600_000),
              reminderOffsetSeconds: 0,
            },
          }),
        );
      }
      problems.push({ problem, tasks });
    }
    return { campaign, problems };
  }

  /** The campaign created and its workflow started with `options`, once every task is under supervision. */
  async function superviseNewCampaign(code: string, options: Omit<SuperviseCampaignInput, 'campaignId' | 'paged'>) {
    const { campaign, problems } = await createCampaign(code);
    const input: SuperviseCampaignInput = { campaignId: campaign.id, paged: true, ...options };
    const handle = await h.env.client.workflow.start('superviseCampaign', { taskQueue: h.taskQueue, workflowId: campaignWorkflowId(campaign.id), args: [input] });
    const allTasks = problems.flatMap((p) => p.tasks);
    // Every task comes under supervision exactly once (one run each), across pages and runs.
    await allSupervised(allTasks);
    return { campaign, problems, handle, allTasks };
  }

  test('3 problems × 3 tasks, pages of 2, a new run every 2 steps: every task supervised once, each problem closes with its last task, the campaign reconciles', async () => {
    const { campaign, problems, handle } = await superviseNewCampaign(`PG-${org.tag}`, { pageSize: 2, handOverEvery: 2 });

    const problemStatus = async () => (await h.db.problem.findMany({ where: { campaignId: campaign.id }, orderBy: { seq: 'asc' } })).map((p) => p.status);

    // Problem 1 closes with its last task; the others stay open.
    for (const t of problems[0]!.tasks.slice(0, 2)) await close(t.id);
    expect(await problemStatus()).toEqual(['open', 'open', 'open']);
    await close(problems[0]!.tasks[2]!.id);
    await eventually(async () => expect(await problemStatus()).toEqual(['closed', 'open', 'open']), 20_000);
    await eventually(async () => expect(await handle.query(campaignStateQuery)).toMatchObject({ totalTasks: 9, closedTasks: 3, closedProblems: [problems[0]!.problem.id], reconciled: false }), 20_000);

    for (const t of [...problems[1]!.tasks, ...problems[2]!.tasks]) await close(t.id);
    await eventually(async () => expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe('reconciled'), 30_000);
    const final = await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id)).result();
    expect(final).toMatchObject({ totalTasks: 9, closedTasks: 9, reconciled: true });
    expect(final.closedProblems).toHaveLength(3);

    // It really crossed runs: the last run is not the first.
    const last = await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id)).describe();
    expect(last.runId).not.toBe(handle.firstExecutionRunId);
    // One ledger row per task, each closed by the office (carried by the closing transition).
    const ledger = (await h.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).ledger as { rows: { closedBy: string | null }[] };
    expect(ledger.rows).toHaveLength(9);
    expect(ledger.rows.every((r) => r.closedBy === org.people.office.email)).toBe(true);
  });

  test('a run hands over after starting its budget of task runs (Temporal refuses starts past 2,000 pending children), without Temporal\'s suggestion', async () => {
    const { campaign, handle, allTasks } = await superviseNewCampaign(`PC-${org.tag}`, { pageSize: 2, handOverAfterChildren: 4 });
    // The first run started two pages (4 task runs), then handed over; the rest followed in later runs.
    const first = await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id), handle.firstExecutionRunId).fetchHistory();
    const kinds = (first.events ?? []).map((e) => e.eventType);
    expect(kinds.filter((k) => k === temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)).toHaveLength(4);
    expect(kinds.at(-1)).toBe(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    await Promise.all(allTasks.map((t) => close(t.id)));
    await eventually(async () => expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe('reconciled'), 30_000);
    expect(await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id)).result()).toMatchObject({ totalTasks: 9, closedTasks: 9, reconciled: true });
  });

  test('a burst of task ends hands over after the run\'s signal budget, without Temporal\'s suggestion: nothing lost, the campaign reconciles', async () => {
    const { campaign, handle, allTasks } = await superviseNewCampaign(`PS-${org.tag}`, { handOverAfterSignals: 3 });

    // Nine ends at once: nine signals, three runs' worth.
    await Promise.all(allTasks.map((t) => close(t.id)));
    await eventually(async () => expect((await h.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe('reconciled'), 30_000);
    const final = await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id)).result();
    expect(final).toMatchObject({ totalTasks: 9, closedTasks: 9, reconciled: true });
    expect(final.closedProblems).toHaveLength(3);
    expect((await h.env.client.workflow.getHandle(campaignWorkflowId(campaign.id)).describe()).runId).not.toBe(handle.firstExecutionRunId);
  });
});
