import { z } from 'zod';
import { type TaskAction, taskActions, taskStatuses } from '../../domain/lifecycle';
import { trafficLights } from '../../domain/traffic-light';
import { ZPage } from '../http/common';
import { ZNotice } from '../notices/schemas';

export const ZTaskStatus = z.enum(taskStatuses);

/** 红黄绿灯 (domain/traffic-light.ts): red overdue, yellow due within 3 days or escalated, green on track; none once closed or cancelled. */
export const ZTrafficLight = z.enum(trafficLights);
/** What the caller may do with the task now (domain/lifecycle.ts): the page shows exactly these actions. */
export const ZTaskAction = z.enum(taskActions.filter((a) => a !== 'reschedule') as [TaskAction, ...TaskAction[]]);

export const ZCreateTaskRequest = z
  .strictObject({
  title: z.string().trim().min(1).max(200),
  /** Lead unit (牵头单位). */
  unitId: z.uuid(),
  /** Responsible person (责任人), within the lead unit or below it. */
  ownerId: z.uuid(),
  /** Supervising leader (分管领导), a person with the leader role. */
  supervisorId: z.uuid().optional(),
  /** A fixed deadline (完成时限)… */
  deadline: z.iso.datetime({ offset: true }).optional(),
  /** …or N working days (工作日) from now on the official calendar, ending at the end of the working day. */
  workingDays: z.number().int().min(1).max(250).optional(),
  reminderOffsetSeconds: z.number().int().min(0).max(366 * 24 * 3600).default(0).describe('an extra reminder this many seconds before the deadline, besides the policy ones'),
}).refine((t) => (t.deadline === undefined) !== (t.workingDays === undefined), {
  message: 'give either deadline or workingDays',
  path: ['deadline'],
});
export type TCreateTaskRequest = z.infer<typeof ZCreateTaskRequest>;

export const ZCompleteTaskRequest = z.strictObject({
  note: z.string().max(2000).optional(),
});
export type TCompleteTaskRequest = z.infer<typeof ZCompleteTaskRequest>;

export const ZAssignOwnerRequest = z.strictObject({ ownerId: z.uuid() });
export const ZEmptyRequest = z.strictObject({});
export const ZProgressRequest = z.strictObject({ text: z.string().trim().min(1).max(5000) });
export const ZClosureRequest = z.strictObject({ evidenceIds: z.array(z.uuid()).min(1).max(50), note: z.string().max(2000).optional() });
export const ZVerifyRequest = z.strictObject({ decision: z.enum(['accept', 'return']), reason: z.string().trim().max(2000).optional() });
export const ZExtensionRequest = z.strictObject({ requestedDeadline: z.iso.datetime({ offset: true }), reason: z.string().trim().min(1).max(2000) });
export const ZExtensionDecision = z.strictObject({ approve: z.boolean(), reason: z.string().trim().max(2000).optional() });
export const ZCancelRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const ZReopenRequest = z.strictObject({ reason: z.string().trim().min(1).max(2000), deadline: z.iso.datetime({ offset: true }) });

const ZBool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ZListTasksQuery = z.strictObject({
  status: ZTaskStatus.optional(),
  overdue: ZBool.optional(),
  trafficLight: ZTrafficLight.optional(),
  unitId: z.uuid().optional(),
  campaignId: z.uuid().optional(),
  q: z.string().trim().min(1).max(100).optional().describe('text in the measure or code'),
  deadlineFrom: z.iso.datetime({ offset: true }).optional(),
  deadlineTo: z.iso.datetime({ offset: true }).optional(),
  sort: z.enum(['deadline', '-deadline', 'createdAt', '-createdAt']).default('deadline'),
  ...ZPage,
});
export type TListTasksQuery = z.infer<typeof ZListTasksQuery>;

const ZPersonRef = z.object({ id: z.string(), displayName: z.string(), email: z.string() });
const ZUnitRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const ZTask = z.object({
  id: z.string(),
  title: z.string(),
  code: z.string().nullable(),
  status: ZTaskStatus,
  statusLabel: z.string(),
  overdue: z.boolean(),
  trafficLight: ZTrafficLight,
  trafficLightLabel: z.string(),
  returnCount: z.number(),
  /** Lead unit (牵头单位). */
  unit: ZUnitRef,
  /** Co-operating units (配合单位). */
  coUnits: z.array(ZUnitRef),
  /** The problem (问题) and campaign (整改批次) of a campaign's task; null for a standalone task. */
  problem: z.object({ id: z.string(), code: z.string(), description: z.string() }).nullable(),
  campaign: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
  owner: ZPersonRef,
  supervisor: ZPersonRef.nullable(),
  deadline: z.string(),
  reminderOffsetSeconds: z.number(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  workflowId: z.string(),
});

export const ZTaskDetail = ZTask.extend({
  allowedActions: z.array(ZTaskAction).describe('what the caller may do with the task now, from the same table as the workflow (domain/lifecycle.ts)'),
  /** Labels of the allowed actions, 中文. */
  allowedActionLabels: z.record(z.string(), z.string()),
  mails: z.array(
    z.object({ kind: z.string(), to: z.string(), subject: z.string(), status: z.string(), messageId: z.string(), sentAt: z.string().nullable() }),
  ),
  /** The task's transitions (domain/events.ts), each with its 中文 label and, where it has one, the reason or note. */
  events: z.array(z.object({ type: z.string(), label: z.string(), at: z.string(), data: z.unknown() })),
  progress: z.array(z.object({ text: z.string(), authorId: z.string(), at: z.string() })),
  verifications: z.array(z.object({ decision: z.enum(['accept', 'return']), reason: z.string().nullable(), verifierId: z.string(), at: z.string() })),
  extensions: z.array(
    z.object({ requestedDeadline: z.string(), previousDeadline: z.string(), reason: z.string(), status: z.enum(['pending', 'approved', 'rejected']), decisionReason: z.string().nullable(), at: z.string() }),
  ),
  audit: z.array(z.object({ action: z.string(), actorEmail: z.string().nullable(), at: z.string() })),
  notices: z.array(ZNotice),
});

export const ZTaskState = z.object({
  taskId: z.string(),
  status: ZTaskStatus,
  overdue: z.boolean(),
  deadline: z.string(),
  remindedAt: z.string().nullable(),
  remindedFor: z.string().nullable(),
  overdueAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  returnCount: z.number(),
  pendingExtension: z.object({ requestedDeadline: z.string(), reason: z.string(), requestedBy: z.string() }).nullable(),
  seq: z.number(),
});

export const ZTaskList = z.object({ items: z.array(ZTask), total: z.number(), page: z.number(), pageSize: z.number() });
