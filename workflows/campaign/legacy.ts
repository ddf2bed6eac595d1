import { allHandlersFinished, ApplicationFailure, condition, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { CampaignActivities } from '../../activities/campaign';
import {
  addProblemsUpdate,
  type CampaignState,
  campaignStateQuery,
  type SuperviseCampaignInput,
  type TaskStatus,
  taskEndedSignal,
  taskReopenedSignal,
  tasksStartedUpdate,
  taskWorkflowId,
  activityRetry,
} from '../../domain/contract';
import { superviseTask } from '../superviseTask';

const { closeProblem, reopenProblem, reconcileCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: activityRetry,
});

/**
 * The first release of `superviseCampaign`, kept for the runs it started (their input carries every
 * task's input, and their history must replay): starts one `superviseTask` per task (children that outlive this workflow
 * if it is ever terminated), closes each problem when all its tasks have ended, reopens it when one
 * of its tasks is reopened (回头看), and reconciles the campaign (closure ledger, mail to the office)
 * when every problem is closed. Task runs report their end with the `taskEnded` signal, so a
 * reopened task's new run is tracked like the first.
 */
export async function superviseCampaignV1(input: SuperviseCampaignInput & { problems: NonNullable<SuperviseCampaignInput['problems']> }): Promise<CampaignState> {
  const ended = new Map<string, TaskStatus>();
  const closedProblems = new Set<string>();
  const state = (): CampaignState => ({
    campaignId: input.campaignId,
    totalTasks: input.problems.reduce((n, p) => n + p.tasks.length, 0),
    closedTasks: ended.size,
    closedProblems: [...closedProblems],
    reconciled: false,
  });
  let reconciled = false;
  setHandler(campaignStateQuery, () => ({ ...state(), reconciled }));
  setHandler(taskEndedSignal, ({ taskId, status }) => void ended.set(taskId, status));
  setHandler(taskReopenedSignal, ({ taskId }) => void ended.delete(taskId));
  let started = false;
  setHandler(tasksStartedUpdate, async () => {
    await condition(() => started);
    return { ...state(), reconciled };
  });

  const supervise = async (problems: NonNullable<SuperviseCampaignInput['problems']>) => {
    for (const problem of problems) {
      for (const task of problem.tasks) {
        await startChild(superviseTask, {
          workflowId: taskWorkflowId(task.taskId),
          taskQueue: workflowInfo().taskQueue,
          args: [{ ...task, campaignId: input.campaignId }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      }
    }
  };
  let reconciling = false;
  setHandler(
    addProblemsUpdate,
    async ({ problems }) => {
      await condition(() => started);
      await supervise(problems);
      input.problems.push(...problems);
      return { ...state(), reconciled };
    },
    {
      validator: (_arg: { problems: NonNullable<SuperviseCampaignInput['problems']> }) => {
        if (reconciling) throw ApplicationFailure.create({ type: 'ILLEGAL_TRANSITION', message: '整改批次正在对账 / the campaign is being reconciled', nonRetryable: true });
      },
    },
  );

  await supervise(input.problems);
  started = true;

  const problemEnded = (p: NonNullable<SuperviseCampaignInput['problems']>[number]) => p.tasks.every((t) => ended.has(t.taskId));
  const inSync = () => input.problems.every((p) => problemEnded(p) === closedProblems.has(p.problemId));
  for (;;) {
    await condition(() => !inSync());
    for (const p of input.problems) {
      const at = new Date().toISOString();
      if (problemEnded(p) && !closedProblems.has(p.problemId)) {
        await closeProblem({ problemId: p.problemId, at });
        closedProblems.add(p.problemId);
      } else if (!problemEnded(p) && closedProblems.has(p.problemId)) {
        await reopenProblem({ problemId: p.problemId, at });
        closedProblems.delete(p.problemId);
      }
    }
    if (closedProblems.size === input.problems.length && inSync()) break;
  }

  reconciling = true;
  await condition(allHandlersFinished); // problems being added are supervised before the ledger is drawn
  if (!inSync() || closedProblems.size !== input.problems.length) throw ApplicationFailure.nonRetryable('problems were added while reconciling');
  await reconcileCampaign({ campaignId: input.campaignId, at: new Date().toISOString() });
  reconciled = true;
  await condition(allHandlersFinished);
  return { ...state(), reconciled };
}
