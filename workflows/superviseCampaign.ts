import { ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaign';
import { type CampaignState, campaignStateQuery, type SuperviseCampaignInput, taskWorkflowId } from './definitions';
import { superviseTask } from './superviseTask';

const { closeProblem, reconcileCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Supervises a campaign: starts one `superviseTask` per task (children that outlive the campaign
 * workflow if it is ever terminated), closes each problem when all its tasks are closed, and
 * reconciles the campaign (closure ledger, mail to the office) when every problem is closed.
 */
export async function superviseCampaign(input: SuperviseCampaignInput): Promise<CampaignState> {
  const state: CampaignState = {
    campaignId: input.campaignId,
    totalTasks: input.problems.reduce((n, p) => n + p.tasks.length, 0),
    closedTasks: 0,
    closedProblems: [],
    reconciled: false,
  };
  setHandler(campaignStateQuery, () => state);

  await Promise.all(
    input.problems.map(async (problem) => {
      const children = await Promise.all(
        problem.tasks.map((task) =>
          startChild(superviseTask, {
            workflowId: taskWorkflowId(task.taskId),
            taskQueue: workflowInfo().taskQueue,
            args: [task],
            parentClosePolicy: ParentClosePolicy.ABANDON,
          }),
        ),
      );
      await Promise.all(
        children.map(async (child) => {
          await child.result();
          state.closedTasks += 1;
        }),
      );
      await closeProblem({ problemId: problem.problemId, at: new Date().toISOString() });
      state.closedProblems.push(problem.problemId);
    }),
  );

  await reconcileCampaign({ campaignId: input.campaignId, at: new Date().toISOString() });
  state.reconciled = true;
  return state;
}
