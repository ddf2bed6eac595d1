import { z } from 'zod';
import { ZPage } from '../http/common';

export const ZTaskStatus = z.enum(['open', 'overdue', 'completed']);

export const taskStatusLabels: Record<z.infer<typeof ZTaskStatus>, string> = {
  open: '办理中',
  overdue: '已逾期',
  completed: '已完成',
};

export const ZCreateTaskRequest = z.strictObject({
  title: z.string().trim().min(1).max(200),
  /** Lead unit (牵头单位). */
  unitId: z.uuid(),
  /** Responsible person (责任人), within the lead unit or below it. */
  ownerId: z.uuid(),
  /** Supervising leader (分管领导), a person with the leader role. */
  supervisorId: z.uuid().optional(),
  deadline: z.iso.datetime({ offset: true }),
  /** Seconds before the deadline that the reminder goes out; 0 disables it. Default one day. */
  reminderOffsetSeconds: z.number().int().min(0).max(366 * 24 * 3600).default(24 * 3600),
});
export type TCreateTaskRequest = z.infer<typeof ZCreateTaskRequest>;

export const ZCompleteTaskRequest = z.strictObject({
  note: z.string().max(2000).optional(),
});
export type TCompleteTaskRequest = z.infer<typeof ZCompleteTaskRequest>;

export const ZAssignOwnerRequest = z.strictObject({ ownerId: z.uuid() });

export const ZListTasksQuery = z.strictObject({
  status: ZTaskStatus.optional(),
  unitId: z.uuid().optional(),
  ...ZPage,
});
export type TListTasksQuery = z.infer<typeof ZListTasksQuery>;

const ZPersonRef = z.object({ id: z.string(), displayName: z.string(), email: z.string() });

export const ZTask = z.object({
  id: z.string(),
  title: z.string(),
  status: ZTaskStatus,
  statusLabel: z.string(),
  unit: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  owner: ZPersonRef,
  supervisor: ZPersonRef.nullable(),
  deadline: z.string(),
  reminderOffsetSeconds: z.number(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  workflowId: z.string(),
});

export const ZTaskDetail = ZTask.extend({
  mails: z.array(
    z.object({ kind: z.string(), to: z.string(), subject: z.string(), status: z.string(), messageId: z.string(), sentAt: z.string().nullable() }),
  ),
  events: z.array(z.object({ type: z.string(), at: z.string() })),
});

export const ZTaskState = z.object({
  taskId: z.string(),
  status: ZTaskStatus,
  deadline: z.string(),
  remindedAt: z.string().nullable(),
  overdueAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});

export const ZTaskList = z.object({ items: z.array(ZTask), total: z.number(), page: z.number(), pageSize: z.number() });
