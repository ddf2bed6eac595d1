import type { temporal } from '@temporalio/proto';
import {
  CampaignCodeSearchAttribute,
  LeadUnitSearchAttribute,
  type SuperviseTaskInput,
  TaskDeadlineSearchAttribute,
  taskStartSearchAttributes,
  TaskStatusSearchAttribute,
  taskWorkflowId,
  TrafficLightSearchAttribute,
} from '../../domain/contract';
import { createTimeSkippingEnv, type Harness, insertTask, startHarness } from '../support/env';
import { eventually } from '../support/eventually';

const DAY = 24 * 3600 * 1000;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * A task's run starts with its search attributes in the start request (the API's start and the
 * campaign's child starts): its first workflow task then upserts nothing (each upsert is a
 * visibility write on the server). A run whose preset values no longer hold (the light changed)
 * upserts only that; a run started without them (an older starter) upserts them as before.
 */
describe('superviseTask: search attributes at start', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(await createTimeSkippingEnv());
  });
  afterAll(async () => {
    await h?.teardown();
  });

  async function start(deadlineInDays: number, preset: 'start' | 'stale-light' | 'none') {
    const now = await h.env.currentTimeMs();
    const task = await insertTask(h.db, { deadline: new Date(now + deadlineInDays * DAY), reminderOffsetSeconds: 0 });
    const input: SuperviseTaskInput = {
      taskId: task.id,
      title: task.title,
      ownerEmail: task.ownerEmail,
      deadline: task.deadline.toISOString(),
      reminderOffsetSeconds: 0,
      planned: true,
      campaignCode: 'SA-2026',
      leadUnitCode: 'U-SA',
    };
    // 'stale-light': the light computed as if the deadline were weeks away (green); the run sees yellow.
    const attrs = preset === 'none' ? undefined : taskStartSearchAttributes(input, preset === 'stale-light' ? now - 30 * DAY : now);
    const handle = await h.env.client.workflow.start('superviseTask', { taskQueue: h.taskQueue, workflowId: taskWorkflowId(task.id), args: [input], ...(attrs ? { typedSearchAttributes: attrs } : {}) });
    // The plan is made (its activity completed) and the run waits on its first timer.
    const events = await eventually(async () => {
      const history = (await handle.fetchHistory()).events ?? [];
      expect(history.some((e) => e.timerStartedEventAttributes)).toBe(true);
      return history;
    });
    return { handle, task, events };
  }
  const upserts = (events: HistoryEvent[]) =>
    events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).map((e) => Object.keys(e.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes?.indexedFields ?? {}).sort());
  /** Our upserts; the SDK adds one of TemporalChangeVersion per patch marker a new run records. */
  const upserted = (events: HistoryEvent[]) => upserts(events).filter((keys) => keys.join() !== 'TemporalChangeVersion');
  const patchUpserts = (events: HistoryEvent[]) => upserts(events).length - upserted(events).length;

  test('started with them: nothing upserted, the attributes as the start request set them', async () => {
    const { handle, task, events } = await start(30, 'start');
    expect(upserted(events)).toEqual([]);
    expect(patchUpserts(events)).toBe(1); // one patch call in a new run, not two
    const sa = (await handle.describe()).typedSearchAttributes;
    expect(sa.get(TaskStatusSearchAttribute)).toBe('assigned');
    expect(sa.get(TaskDeadlineSearchAttribute)?.getTime()).toBe(task.deadline.getTime());
    expect(sa.get(CampaignCodeSearchAttribute)).toBe('SA-2026');
    expect(sa.get(LeadUnitSearchAttribute)).toBe('U-SA');
    expect(sa.get(TrafficLightSearchAttribute)).toBe('green');
  });

  test('started with a light that no longer holds: only the light is upserted', async () => {
    const { handle, events } = await start(2, 'stale-light');
    expect(upserted(events)).toEqual([['TrafficLight']]);
    expect((await handle.describe()).typedSearchAttributes.get(TrafficLightSearchAttribute)).toBe('yellow');
  });

  test('started without them (an older starter): status and deadline, units, light upserted as before', async () => {
    const { handle, events } = await start(30, 'none');
    expect(upserted(events)).toEqual([['TaskDeadline', 'TaskStatus'], ['CampaignCode', 'LeadUnit'], ['TrafficLight']]);
    expect(patchUpserts(events)).toBe(1);
    const sa = (await handle.describe()).typedSearchAttributes;
    expect(sa.get(TaskStatusSearchAttribute)).toBe('assigned');
    expect(sa.get(TrafficLightSearchAttribute)).toBe('green');
  });
});
