import type { Client } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import {
  completeTaskUpdate,
  type SuperviseTaskInput,
  type TaskState,
  taskWorkflowId,
  WorkflowErrorType,
} from '../../workflows/definitions';
import { paginate } from '../http/common';
import { type Actor, policy, type TaskScope } from '../policy';
import { type TCompleteTaskRequest, type TCreateTaskRequest, type TListTasksQuery, taskStatusLabels } from './schemas';

export interface TaskServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  now?: () => Date;
}

export type TaskService = ReturnType<typeof createTaskService>;

const notFound = (id: string) => new AppError(ErrorCode.NOT_FOUND, `任务不存在 / task ${id} not found`);
const forbidden = (what: string) => new AppError(ErrorCode.FORBIDDEN, `无权${what} / not allowed`);
const alreadyCompleted = () =>
  new AppError(ErrorCode.ILLEGAL_TRANSITION, '任务已完成，不能重复完成 / task is already completed', { rule: 'task.complete.once' });
const invalid = (field: string, rule: string, message: string) =>
  new AppError(ErrorCode.VALIDATION_FAILED, message, [{ field, rule, message }]);

const taskInclude = {
  unit: { select: { id: true, code: true, name: true, path: true } },
  owner: { select: { id: true, displayName: true, email: true } },
  supervisor: { select: { id: true, displayName: true, email: true } },
} satisfies Prisma.TaskInclude;
type TaskRow = Prisma.TaskGetPayload<{ include: typeof taskInclude }>;

const scopeOf = (t: TaskRow): TaskScope => ({ unitPath: t.unit.path, ownerId: t.ownerId, supervisorId: t.supervisorId });

function present(t: TaskRow) {
  return {
    id: t.id,
    title: t.title,
    status: t.status,
    statusLabel: taskStatusLabels[t.status],
    unit: { id: t.unit.id, code: t.unit.code, name: t.unit.name },
    owner: t.owner,
    supervisor: t.supervisor,
    deadline: t.deadline.toISOString(),
    reminderOffsetSeconds: t.reminderOffsetSeconds,
    completedAt: t.completedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    workflowId: taskWorkflowId(t.id),
  };
}

export function createTaskService(deps: TaskServiceDeps) {
  const now = deps.now ?? (() => new Date());

  /** The task if the actor may read it; otherwise 404, whether or not it exists. */
  async function visible(actor: Actor, id: string): Promise<TaskRow> {
    const task = await deps.db.task.findUnique({ where: { id }, include: taskInclude });
    if (!task || !policy.readTask(actor, scopeOf(task))) throw notFound(id);
    return task;
  }

  /** A person who may be made responsible for a task of the given unit: active, in its subtree. */
  async function eligibleOwner(ownerId: string, unitPath: string, field: string) {
    const owner = await deps.db.person.findUnique({ where: { id: ownerId }, include: { unit: { select: { path: true } } } });
    if (!owner || !owner.active) throw invalid(field, 'exists', '责任人不存在或已停用 / owner not found or inactive');
    if (!owner.unit.path.startsWith(unitPath)) throw invalid(field, 'owner.in_unit', '责任人必须属于牵头单位 / owner must belong to the lead unit');
    return owner;
  }

  async function get(actor: Actor, id: string) {
    const task = await visible(actor, id);
    const [mails, events] = await Promise.all([
      deps.db.mailMessage.findMany({ where: { taskId: id }, orderBy: { createdAt: 'asc' } }),
      deps.db.taskEvent.findMany({ where: { taskId: id }, orderBy: { at: 'asc' } }),
    ]);
    return {
      ...present(task),
      mails: mails.map((m) => ({
        kind: m.kind,
        to: m.to,
        subject: m.subject,
        status: m.status,
        messageId: m.messageId,
        sentAt: m.sentAt?.toISOString() ?? null,
      })),
      events: events.map((e) => ({ type: e.type, at: e.at.toISOString() })),
    };
  }

  return {
    get,

    async list(actor: Actor, q: TListTasksQuery) {
      const where: Prisma.TaskWhereInput = {
        AND: [policy.tasksWhere(actor), q.status ? { status: q.status } : {}, q.unitId ? { unitId: q.unitId } : {}],
      };
      const [rows, total] = await Promise.all([
        deps.db.task.findMany({ where, include: taskInclude, orderBy: [{ deadline: 'asc' }, { id: 'asc' }], ...paginate(q) }),
        deps.db.task.count({ where }),
      ]);
      return { items: rows.map(present), total, page: q.page, pageSize: q.pageSize };
    },

    /** Writes the task (and its audit event), then starts its workflow; if the start fails, both are undone. */
    async create(actor: Actor, input: TCreateTaskRequest, requestId?: string) {
      if (!policy.createTask(actor)) throw forbidden('创建任务');
      const deadline = new Date(input.deadline);
      if (deadline.getTime() <= now().getTime()) throw invalid('body.deadline', 'future', '完成时限必须晚于当前时间 / deadline must be in the future');
      const unit = await deps.db.unit.findUnique({ where: { id: input.unitId } });
      if (!unit) throw invalid('body.unitId', 'exists', '牵头单位不存在 / lead unit not found');
      const owner = await eligibleOwner(input.ownerId, unit.path, 'body.ownerId');
      if (input.supervisorId) {
        const supervisor = await deps.db.person.findUnique({ where: { id: input.supervisorId } });
        if (!supervisor || !supervisor.active || !supervisor.roles.includes('leader')) {
          throw invalid('body.supervisorId', 'supervisor.is_leader', '分管领导须为在职的领导 / supervisor must be an active leader');
        }
      }
      const task = await deps.db.$transaction(async (tx) => {
        const created = await tx.task.create({
          data: {
            title: input.title,
            unitId: unit.id,
            ownerId: owner.id,
            ownerEmail: owner.email,
            supervisorId: input.supervisorId ?? null,
            deadline,
            reminderOffsetSeconds: input.reminderOffsetSeconds,
          },
        });
        await recordAudit(tx, {
          actor,
          action: 'task.create',
          targetType: 'task',
          targetId: created.id,
          after: { title: created.title, unitId: created.unitId, ownerId: created.ownerId, deadline: input.deadline },
          requestId,
        });
        return created;
      });
      const workflowInput: SuperviseTaskInput = {
        taskId: task.id,
        title: task.title,
        ownerEmail: task.ownerEmail,
        deadline: deadline.toISOString(),
        reminderOffsetSeconds: task.reminderOffsetSeconds,
      };
      try {
        await deps.temporal.workflow.start('superviseTask', { taskQueue: deps.taskQueue, workflowId: taskWorkflowId(task.id), args: [workflowInput] });
      } catch (err) {
        // The audit trail is append-only, so the undo is recorded rather than erased.
        await deps.db.$transaction(async (tx) => {
          await tx.task.delete({ where: { id: task.id } });
          await recordAudit(tx, { actor, action: 'task.create.rolled_back', targetType: 'task', targetId: task.id, requestId });
        });
        throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，任务未创建 / workflow service unavailable', undefined, { cause: err });
      }
      return get(actor, task.id);
    },

    /** Completes a task through its workflow's validated update. */
    async complete(actor: Actor, id: string, input: TCompleteTaskRequest, requestId?: string): Promise<TaskState> {
      const task = await visible(actor, id);
      if (!policy.completeTask(actor, scopeOf(task))) throw forbidden('完成此任务');
      // A completed task's workflow has ended; answer from the projection without asking it.
      if (task.status === 'completed') throw alreadyCompleted();
      const handle = deps.temporal.workflow.getHandle(taskWorkflowId(id));
      let state: TaskState;
      try {
        state = await handle.executeUpdate(completeTaskUpdate, { args: [input] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          if (err.cause.type === WorkflowErrorType.ILLEGAL_TRANSITION) throw alreadyCompleted();
        }
        // A concurrent completion may have ended the workflow between our read and the update.
        if (err instanceof WorkflowNotFoundError) {
          const current = await deps.db.task.findUnique({ where: { id }, select: { status: true } });
          if (current?.status === 'completed') throw alreadyCompleted();
          throw notFound(id);
        }
        throw err;
      }
      await recordAudit(deps.db, {
        actor,
        action: 'task.complete',
        targetType: 'task',
        targetId: id,
        before: { status: task.status },
        after: { status: state.status, note: input.note ?? null },
        requestId,
      });
      return state;
    },

    /** Assigns the responsible person; mail follows the new owner from the next send on. */
    async assignOwner(actor: Actor, id: string, ownerId: string, requestId?: string) {
      const task = await visible(actor, id);
      if (!policy.assignTaskOwner(actor, scopeOf(task))) throw forbidden('指派责任人');
      if (task.status === 'completed') {
        throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '任务已完成，不能改派 / task is completed', { rule: 'task.assign.open_only' });
      }
      const owner = await eligibleOwner(ownerId, task.unit.path, 'body.ownerId');
      await deps.db.$transaction(async (tx) => {
        await tx.task.update({ where: { id }, data: { ownerId: owner.id, ownerEmail: owner.email } });
        await recordAudit(tx, {
          actor,
          action: 'task.assign_owner',
          targetType: 'task',
          targetId: id,
          before: { ownerId: task.ownerId },
          after: { ownerId: owner.id },
          requestId,
        });
      });
      return get(actor, id);
    },
  };
}
