import { z } from 'zod';
import { ZTaskStatus } from '../tasks/schemas';

const ZLightCounts = z.object({ red: z.number(), yellow: z.number(), green: z.number(), overdue: z.number(), open: z.number(), closed: z.number() });
const ZRef = z.object({ id: z.string(), code: z.string(), name: z.string() });
const ZTaskItem = z.object({
  id: z.string(),
  code: z.string().nullable(),
  title: z.string(),
  status: ZTaskStatus,
  statusLabel: z.string(),
  deadline: z.string(),
  trafficLight: z.enum(['green', 'yellow', 'red', 'none']),
  unit: ZRef,
});

/** The workbench's 工作台: counts, charts and lists over the tasks the caller may see (api/policy.ts). */
export const ZDashboard = z.object({
  generatedAt: z.string(),
  totals: ZLightCounts,
  byUnit: z.array(ZLightCounts.extend({ unit: ZRef })),
  byCampaign: z.array(ZLightCounts.extend({ campaign: ZRef, total: z.number(), progress: z.number().describe('closed share of its tasks, 0–1') })),
  closuresPerWeek: z.array(z.object({ weekStart: z.string().describe('Monday, YYYY-MM-DD in the office time zone'), closed: z.number() })),
  dueSoon: z.array(ZTaskItem).describe('open tasks due within 7 days, soonest first'),
  myTodo: z.array(ZTaskItem.extend({ reason: z.enum(['own', 'verify', 'extension']) })),
  noticesAwaitingAck: z.number().describe("the caller's notices still to acknowledge (签收)"),
  ranking: z
    .object({
      reportId: z.string(),
      cycleName: z.string(),
      period: z.string(),
      units: z.array(z.object({ rank: z.number(), code: z.string(), name: z.string(), score: z.number() })),
    })
    .nullable()
    .describe('the latest scored review report, when the caller may read reports'),
});
export type TDashboard = z.infer<typeof ZDashboard>;
