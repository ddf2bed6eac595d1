import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, ParentClosePolicy, patched, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { CampaignActivities } from '../activities/campaign';
import {
  activityRetry,
  addProblemsUpdate,
  type CampaignProblemsInput,
  type CampaignResume,
  type CampaignState,
  campaignStateQuery,
  type SuperviseCampaignInput,
  type SuperviseTaskInput,
  taskEndedSignal,
  taskReopenedSignal,
  tasksStartedUpdate,
  taskStartSearchAttributes,
  taskWorkflowId,
} from '../domain/contract';
import { superviseCampaignV1 } from './campaign/legacy';
import { superviseTask } from './superviseTask';

const { campaignTaskPage, settleProblems, reconcileCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: activityRetry,
});

const DEFAULT_PAGE_SIZE = 100;
/**
 * Signals a run takes before it hands over. Temporal refuses a run's signals past 10,000
 * (`history.maximumSignalsPerExecution`), and a campaign of 25,000 tasks sends one per task end;
 * and a continue-as-new is refused when a signal arrives while it is being decided, which under
 * a stream of task ends happened on every attempt once a run's history took seconds to replay
 * (a 500 × 50 campaign: 5,103 signals, 30 refused hand-overs in a row). Short runs replay fast.
 */
const SIGNALS_PER_RUN = 250;
/**
 * Task runs a run starts before it hands over. Temporal refuses a run's child starts past 2,000
 * pending children (`limit.numPendingChildExecutions`), and the abandoned task runs count as
 * pending while they run; its continue-as-new suggestion came at up to 1,800 (500 × 50 campaign).
 */
const CHILDREN_PER_RUN = 1_000;

/**
 * Supervises a campaign: starts one `superviseTask` per task (children that outlive this workflow
 * if it is ever terminated), closes each problem when all its tasks have ended, reopens it when one
 * of its tasks is reopened (回头看), and reconciles the campaign (closure ledger, mail to the office)
 * when every problem is closed.
 *
 * It holds no per-task state, so a campaign of any size fits: task inputs are read a page at a
 * time and their runs started a page at a time; task runs report their end with the `taskEnded`
 * signal, and an activity settles the problems of the tasks that ended or were reopened against
 * the database (a problem closes when every task of it has ended). The run continues as new when
 * Temporal suggests it, after 250 signals or 1,000 task runs started, and once a large campaign's tasks are all started,
 * carrying only counters, the reopened tasks and the closed problems.
 */
export async function superviseCampaign(input: SuperviseCampaignInput): Promise<CampaignState> {
  if (!input.paged) return superviseCampaignV1(input as Parameters<typeof superviseCampaignV1>[0]);

  const pageSize = input.pageSize ?? DEFAULT_PAGE_SIZE;
  /** Pages started and settlements made by this run: with `handOverEvery`, a run hands over after that many. */
  let steps = 0;
  /** Task ends and reopenings signalled to this run (counted by runs started since this change). */
  const countSignals = patched('hand-over-after-signals');
  let received = 0;
  const signalsDue = () => countSignals && received >= (input.handOverAfterSignals ?? SIGNALS_PER_RUN);
  /** Task runs started by this run (runs started since this change hand over after CHILDREN_PER_RUN). */
  const countChildren = patched('hand-over-after-children');
  let startedHere = 0;
  const childrenDue = () => countChildren && startedHere >= (input.handOverAfterChildren ?? CHILDREN_PER_RUN);
  const handOverDue = () => workflowInfo().continueAsNewSuggested || signalsDue() || (input.handOverEvery !== undefined && steps >= input.handOverEvery);
  const s: CampaignResume = input.resume ?? { startedThrough: null, allStarted: false, totalTasks: 0, closedTasks: 0, reopened: [], closedProblems: [] };
  /** Task ends and reopenings not yet settled, in the order they came. */
  const news: { taskId: string; ended: boolean }[] = [...(s.unsettled ?? [])];
  let reconciled = false;
  let reconciling = false;
  let handingOver = false;
  /** Problems open in the database after the last settlement (unknown before the first). */
  let openProblems: number | null = null;

  const state = (): CampaignState => ({
    campaignId: input.campaignId,
    totalTasks: s.totalTasks,
    closedTasks: s.closedTasks,
    closedProblems: [...s.closedProblems],
    reconciled,
  });
  setHandler(campaignStateQuery, state);
  const heard = (taskId: string, ended: boolean) => {
    received += 1;
    news.push({ taskId, ended });
  };
  setHandler(taskEndedSignal, ({ taskId }) => heard(taskId, true));
  setHandler(taskReopenedSignal, ({ taskId }) => heard(taskId, false));
  // Answers once the first page of tasks is under supervision (the API waits for it before
  // answering: a small campaign is then wholly supervised), the rest following in the background,
  // so a large campaign is answered within the API's bound.
  setHandler(tasksStartedUpdate, async () => {
    const afterFirstPage = patched('tasks-started-after-first-page');
    await condition(() => s.allStarted || handingOver || (afterFirstPage && s.startedThrough !== null));
    return state();
  });

  const start = (tasks: SuperviseTaskInput[]) =>
    Promise.all(
      tasks.map((task) =>
        startChild(superviseTask, {
          workflowId: taskWorkflowId(task.taskId),
          taskQueue: workflowInfo().taskQueue,
          args: [{ ...task, campaignId: input.campaignId }],
          // Runs started since this change carry their search attributes in the start (see superviseTask).
          ...(patched('child-search-attributes-at-start') ? { typedSearchAttributes: taskStartSearchAttributes(task, Date.now()) } : {}),
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }).catch((err: unknown) => {
          // Already under supervision (a campaign run started again after being stopped): nothing to start.
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        }),
      ),
    );
  setHandler(
    addProblemsUpdate,
    async ({ problems }: { problems: CampaignProblemsInput }) => {
      const tasks = problems.flatMap((p) => p.tasks);
      await start(tasks);
      s.totalTasks += tasks.length;
      openProblems = null; // new problems are open: settle again before reconciling
      return state();
    },
    {
      validator: (_arg: { problems: CampaignProblemsInput }) => {
        if (reconciling) throw ApplicationFailure.create({ type: 'ILLEGAL_TRANSITION', message: '整改批次正在对账 / the campaign is being reconciled', nonRetryable: true });
      },
    },
  );

  const handOver = async () => {
    handingOver = true;
    await condition(allHandlersFinished);
    // Signals not yet settled travel with the run: the next one settles them.
    await continueAsNew<typeof superviseCampaign>({ ...input, resume: { ...s, unsettled: news.splice(0) } });
  };

  // 1. Start every task, a page at a time.
  while (!s.allStarted) {
    const page = await campaignTaskPage({ campaignId: input.campaignId, after: s.startedThrough, limit: pageSize });
    await start(page.tasks);
    startedHere += page.tasks.length;
    if (s.startedThrough === null) s.totalTasks = page.total;
    s.startedThrough = page.tasks.at(-1)?.taskId ?? s.startedThrough;
    s.allStarted = page.tasks.length < pageSize;
    steps += 1;
    if (!s.allStarted && (handOverDue() || childrenDue())) await handOver();
  }
  // Settling starts in a run of its own: the run that started tasks carries two events per task
  // started, and a long history makes each hand-over slow to replay, so under a stream of task
  // signals its continue-as-new kept being refused (new signals arrived during every attempt).
  if (countSignals && startedHere >= SIGNALS_PER_RUN) await handOver();

  // 2. Settle problems as their tasks end or reopen, until every problem is closed.
  for (;;) {
    await condition(() => news.length > 0 || openProblems === null || handOverDue());
    if (handOverDue()) await handOver();
    // The last word on each task counts: ended, or reopened (its problem stays open until it ends again).
    const batch = news.splice(0);
    const last = new Map(batch.map((n) => [n.taskId, n.ended]));
    const endedNow = [...last].filter(([, e]) => e).map(([id]) => id);
    const reopenedNow = [...last].filter(([, e]) => !e).map(([id]) => id);
    s.reopened = [...s.reopened.filter((id) => !last.has(id)), ...reopenedNow];
    s.closedTasks += batch.filter((n) => n.ended).length - batch.filter((n) => !n.ended).length;
    const settled = await settleProblems({ campaignId: input.campaignId, ended: endedNow, reopened: reopenedNow, stillReopened: s.reopened, at: new Date().toISOString() });
    s.closedProblems = settled.closedProblems;
    // Counted in the database as it settles (runs recorded before the count was returned keep their own).
    if (settled.closedTasks !== undefined) s.closedTasks = settled.closedTasks;
    openProblems = settled.openProblems;
    steps += 1;
    if (openProblems === 0 && news.length === 0) {
      reconciling = true;
      await condition(allHandlersFinished); // problems being added are supervised before the ledger is drawn
      if (openProblems === 0 && news.length === 0) break;
      reconciling = false;
    }
  }

  await reconcileCampaign({ campaignId: input.campaignId, at: new Date().toISOString() });
  reconciled = true;
  await condition(allHandlersFinished);
  return state();
}
