import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition, WorkflowNotFoundError } from '@temporalio/common';
import { type AuditEvent, Prisma, type Task } from '../../generated/prisma/client';
import { type AuditEntry, auditInsertSql, auditRow, recordAudit } from '../../lib/audit';
import { insertTasksSql } from '../../lib/task-rows';
import { type CalendarState, calendarStateSql, loadCalendar } from '../../lib/calendar-store';
import { startDeadlineRecompute } from '../../lib/deadlines';
import { DEFAULT_TIME_ZONE } from '../../lib/config';
import { taskEventLabels, type TaskEventType } from '../../domain/events';
import { type Db, rawDbOf } from '../../lib/db';
import { AppError, ErrorCode } from '../../lib/errors';
import {
  acknowledgeUpdate,
  cancelUpdate,
  completeTaskUpdate,
  decideExtensionUpdate,
  reportProgressUpdate,
  requestClosureUpdate,
  requestExtensionUpdate,
  type RecomputeDeadlinesResult,
  type SuperviseTaskInput,
  type TaskState,
  taskStartSearchAttributes,
  taskWorkflowId,
  verifyUpdate,
  WorkflowErrorType,
} from '../../domain/contract';
import { paginate } from '../http/common';
import { presentNotice } from '../notices/service';
import { type Actor, policy, type TaskScope } from '../policy';
import { allowedActions, isTerminal, lifecycle, stateRefusal, type TaskAction, type TaskFacts, taskStatusLabels, terminalStatuses } from '../../domain/lifecycle';
import { ESCALATED_FROM_LEVEL, type TrafficLight, trafficLight, trafficLightLabels, YELLOW_BEFORE_DEADLINE_MS } from '../../domain/traffic-light';
import type { TCreateTaskRequest, TListTasksQuery } from './schemas';

export interface TaskServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  now?: () => Date;
  /** The office's time zone and the end of its working day, for working-day deadlines. */
  timeZone?: string;
  workdayEnd?: string;
}

export type TaskService = ReturnType<typeof createTaskService>;

const notFound = (id: string) => new AppError(ErrorCode.NOT_FOUND, `任务不存在 / task ${id} not found`);
const forbidden = (what: string) => new AppError(ErrorCode.FORBIDDEN, `无权${what} / not allowed`);
const illegal = (rule: string, message: string) => new AppError(ErrorCode.ILLEGAL_TRANSITION, message, { rule });
const invalid = (field: string, rule: string, message: string) =>
  new AppError(ErrorCode.VALIDATION_FAILED, message, [{ field, rule, message }]);

const unitRef = { select: { id: true, code: true, name: true } } as const;
const taskInclude = {
  unit: { select: { id: true, code: true, name: true, path: true } },
  owner: { select: { id: true, displayName: true, email: true } },
  supervisor: { select: { id: true, displayName: true, email: true } },
  coUnits: { select: { unit: unitRef } },
  problem: { select: { id: true, code: true, description: true, campaign: { select: { id: true, code: true, name: true } } } },
  // What the light and the lifecycle rules need beyond the row: escalated (a 督办单 or later issued), an extension pending.
  _count: { select: { notices: { where: { level: { gte: ESCALATED_FROM_LEVEL } } }, extensions: { where: { status: 'pending' } } } },
} satisfies Prisma.TaskInclude;
type TaskRow = Prisma.TaskGetPayload<{ include: typeof taskInclude }>;
/** The task read's timeline: the rows of `loadTimeline`'s one statement, as Prisma's include would give them. */
export const timelineInclude = {
  ...taskInclude,
  mails: { orderBy: { createdAt: 'asc' } },
  events: { orderBy: { at: 'asc' } },
  progress: { orderBy: { createdAt: 'asc' } },
  verifications: { orderBy: { createdAt: 'asc' } },
  extensions: { orderBy: { createdAt: 'asc' } },
  notices: { orderBy: { issuedAt: 'asc' } },
} satisfies Prisma.TaskInclude;
type TimelineRow = Prisma.TaskGetPayload<{ include: typeof timelineInclude }>;
type TimelineRelation = 'mails' | 'events' | 'progress' | 'verifications' | 'extensions' | 'notices';

/** The keys of a row's DateTime fields (nullable or not). */
type DateKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends Date ? K : never }[keyof T];
/** `keys` if they are every DateTime field of T, a type error otherwise (a new one must be named here). */
const everyDate =
  <T>() =>
  <const K extends readonly DateKeys<T>[]>(...keys: [DateKeys<T>] extends [K[number]] ? K : never) =>
    keys;
/**
 * The DateTime fields of the timeline's rows and of the audit entry: the one-statement read gets
 * them as JSON text and revives them here, so the rows are the ones Prisma would have given.
 */
const timelineDates = {
  mails: everyDate<TimelineRow['mails'][number]>()('sentAt', 'createdAt'),
  events: everyDate<TimelineRow['events'][number]>()('at', 'createdAt'),
  progress: everyDate<TimelineRow['progress'][number]>()('createdAt'),
  verifications: everyDate<TimelineRow['verifications'][number]>()('createdAt'),
  extensions: everyDate<TimelineRow['extensions'][number]>()('currentDeadline', 'requestedDeadline', 'decidedAt', 'createdAt'),
  notices: everyDate<TimelineRow['notices'][number]>()('acknowledgedAt', 'issuedAt'),
} satisfies Record<TimelineRelation, readonly string[]>;
const auditDates = everyDate<AuditEvent>()('at');

/** A JSON row's named timestamps as Dates (null stays null). */
function revive<T>(row: Record<string, unknown>, keys: readonly string[]): T {
  for (const k of keys) if (typeof row[k] === 'string') row[k] = new Date(row[k]);
  return row as T;
}

/**
 * The status read in one statement: the task's row with its unit, people, co-units, problem and
 * campaign, the counts the light and the rules need, every timeline relation, and its audit
 * entries — each relation a JSON array in timelineInclude's order. Prisma's include took two
 * statements and ≈0.6 ms of client CPU more per read, for the same rows (bench B3).
 */
export const timelineSql = (id: string) => Prisma.sql`
  SELECT t.*,
    json_build_object('id', u.id, 'code', u.code, 'name', u.name, 'path', u.path) AS unit,
    json_build_object('id', o.id, 'displayName', o."displayName", 'email', o.email) AS owner,
    (SELECT json_build_object('id', s.id, 'displayName', s."displayName", 'email', s.email) FROM "Person" s WHERE s.id = t."supervisorId") AS supervisor,
    coalesce((SELECT json_agg(json_build_object('unit', json_build_object('id', cu.id, 'code', cu.code, 'name', cu.name)))
              FROM "TaskCoUnit" c JOIN "Unit" cu ON cu.id = c."unitId" WHERE c."taskId" = t.id), '[]') AS "coUnits",
    (SELECT json_build_object('id', p.id, 'code', p.code, 'description', p.description, 'campaign', json_build_object('id', k.id, 'code', k.code, 'name', k.name))
     FROM "Problem" p JOIN "Campaign" k ON k.id = p."campaignId" WHERE p.id = t."problemId") AS problem,
    json_build_object(
      'notices', (SELECT count(*) FROM "Notice" n WHERE n."taskId" = t.id AND n.level >= ${ESCALATED_FROM_LEVEL}),
      'extensions', (SELECT count(*) FROM "ExtensionRequest" x WHERE x."taskId" = t.id AND x.status = 'pending')) AS "_count",
    coalesce((SELECT json_agg(m ORDER BY m."createdAt") FROM "MailMessage" m WHERE m."taskId" = t.id), '[]') AS mails,
    coalesce((SELECT json_agg(e ORDER BY e.at) FROM "TaskEvent" e WHERE e."taskId" = t.id), '[]') AS events,
    coalesce((SELECT json_agg(r ORDER BY r."createdAt") FROM "ProgressReport" r WHERE r."taskId" = t.id), '[]') AS progress,
    coalesce((SELECT json_agg(v ORDER BY v."createdAt") FROM "Verification" v WHERE v."taskId" = t.id), '[]') AS verifications,
    coalesce((SELECT json_agg(x ORDER BY x."createdAt") FROM "ExtensionRequest" x WHERE x."taskId" = t.id), '[]') AS extensions,
    coalesce((SELECT json_agg(n ORDER BY n."issuedAt") FROM "Notice" n WHERE n."taskId" = t.id), '[]') AS notices,
    coalesce((SELECT json_agg(a ORDER BY a.at) FROM "AuditEvent" a WHERE a."targetType" = 'task' AND a."targetId" = t.id::text), '[]') AS audit
  FROM "Task" t JOIN "Unit" u ON u.id = t."unitId" JOIN "Person" o ON o.id = t."ownerId"
  WHERE t.id = ${id}::uuid`;

/**
 * The task's row with its whole timeline and audit entries (timelineSql), or null when there is
 * none. On the client's own pool where it has one (lib/db.ts rawDbOf: the rows come back typed as
 * the ORM would give them — timestamptz as Dates, json parsed — without its raw-query mapping).
 */
export async function loadTimeline(db: Db, id: string): Promise<{ task: TimelineRow; audit: AuditEvent[] } | null> {
  type Row = TimelineRow & { audit: AuditEvent[] };
  const sql = timelineSql(id);
  const raw = rawDbOf(db);
  const [row] = raw ? (await raw.pool.query<Row>({ name: raw.nameOf(sql.text), text: sql.text, values: sql.values })).rows : await db.$queryRaw<Row[]>(sql);
  if (!row) return null;
  const { audit, ...task } = row;
  for (const relation of Object.keys(timelineDates) as TimelineRelation[]) {
    for (const r of task[relation] as unknown as Record<string, unknown>[]) revive(r, timelineDates[relation]);
  }
  return { task, audit: audit.map((a) => revive<AuditEvent>(a as unknown as Record<string, unknown>, auditDates)) };
}

const scopeOf = (t: TaskRow): TaskScope => ({ unitPath: t.unit.path, ownerId: t.ownerId, supervisorId: t.supervisorId });
/** The id of the task a keyed create makes: the same person and key name the same task, on every replica. */
export function taskIdOf(actorId: string, key: string): string {
  const h = createHash('sha256').update(`task:${actorId}:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

const factsOf = (t: TaskRow): TaskFacts => ({ status: t.status, pendingExtension: t._count.extensions > 0, deadline: t.deadline.toISOString() });
const lightOf = (t: TaskRow, now: Date) => trafficLight({ ...t, escalationLevel: t._count.notices > 0 ? ESCALATED_FROM_LEVEL : 0 }, now.getTime());

/** The database filter of a traffic light: domain/traffic-light.ts's rule, written as a query. */
export function trafficLightWhere(light: TrafficLight, now: Date): Prisma.TaskWhereInput {
  const open = { status: { notIn: [...terminalStatuses] } } satisfies Prisma.TaskWhereInput;
  const red = { OR: [{ overdue: true }, { deadline: { lte: now } }] } satisfies Prisma.TaskWhereInput;
  const soonOrEscalated = {
    OR: [{ deadline: { lte: new Date(now.getTime() + YELLOW_BEFORE_DEADLINE_MS) } }, { notices: { some: { level: { gte: ESCALATED_FROM_LEVEL } } } }],
  } satisfies Prisma.TaskWhereInput;
  switch (light) {
    case 'none':
      return { status: { in: [...terminalStatuses] } };
    case 'red':
      return { ...open, ...red };
    case 'yellow':
      return { AND: [open, { NOT: red }, soonOrEscalated] };
    case 'green':
      return { AND: [open, { NOT: red }, { NOT: soonOrEscalated }] };
  }
}

/** A LIKE pattern's wildcards taken literally: `%` and `_` in a search mean themselves. */
const literal = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createTaskService(deps: TaskServiceDeps) {
  const now = deps.now ?? (() => new Date());

  function present(t: TaskRow) {
    const light = lightOf(t, now());
    return {
      id: t.id,
      code: t.code,
      title: t.title,
      status: t.status,
      statusLabel: taskStatusLabels[t.status],
      overdue: t.overdue,
      trafficLight: light,
      trafficLightLabel: trafficLightLabels[light],
      returnCount: t.returnCount,
      unit: { id: t.unit.id, code: t.unit.code, name: t.unit.name },
      coUnits: t.coUnits.map((c) => c.unit),
      problem: t.problem ? { id: t.problem.id, code: t.problem.code, description: t.problem.description } : null,
      campaign: t.problem?.campaign ?? null,
      owner: t.owner,
      supervisor: t.supervisor,
      deadline: t.deadline.toISOString(),
      reminderOffsetSeconds: t.reminderOffsetSeconds,
      completedAt: t.completedAt?.toISOString() ?? null,
      createdAt: t.createdAt.toISOString(),
      workflowId: taskWorkflowId(t.id),
    };
  }

  /** The task if the actor may read it; otherwise 404, whether or not it exists. */
  async function visible(actor: Actor, id: string): Promise<TaskRow> {
    const task = await deps.db.task.findUnique({ where: { id }, include: taskInclude });
    if (!task || !policy.readTask(actor, scopeOf(task))) throw notFound(id);
    return task;
  }

  /** A person who may be made responsible for a task of the given unit: active, in its subtree. */
  function checkOwner<P extends { active: boolean; unit: { path: string } }>(owner: P | null, unitPath: string, field: string): asserts owner is P {
    if (!owner || !owner.active) throw invalid(field, 'exists', '责任人不存在或已停用 / owner not found or inactive');
    if (!owner.unit.path.startsWith(unitPath)) throw invalid(field, 'owner.in_unit', '责任人必须属于牵头单位 / owner must belong to the lead unit');
  }

  async function eligibleOwner(ownerId: string, unitPath: string, field: string) {
    const owner = await deps.db.person.findUnique({ where: { id: ownerId }, include: { unit: { select: { path: true } } } });
    checkOwner(owner, unitPath, field);
    return owner;
  }

  /**
   * What a create checks, in one statement: the lead unit, the owner with their unit's path, the
   * supervisor, and for a working-day deadline the calendar's state (loadCalendar's cache answers
   * the calendar for it). Each is null when not found.
   */
  async function createLookups(input: TCreateTaskRequest) {
    type PersonRef = { id: string; email: string; displayName: string; active: boolean };
    const [row] = await deps.db.$queryRaw<
      { unit: { id: string; code: string; name: string; path: string } | null; owner: (PersonRef & { unit: { path: string } }) | null; supervisor: (PersonRef & { roles: string[] }) | null; calendarState: CalendarState | null }[]
    >`
      SELECT (SELECT json_build_object('id', u.id, 'code', u.code, 'name', u.name, 'path', u.path) FROM "Unit" u WHERE u.id = ${input.unitId}::uuid) AS unit,
             (SELECT json_build_object('id', p.id, 'email', p.email, 'displayName', p."displayName", 'active', p.active, 'unit', json_build_object('path', pu.path))
              FROM "Person" p JOIN "Unit" pu ON pu.id = p."unitId" WHERE p.id = ${input.ownerId}::uuid) AS owner,
             (SELECT json_build_object('id', s.id, 'email', s.email, 'displayName', s."displayName", 'active', s.active, 'roles', s.roles)
              FROM "Person" s WHERE s.id = ${input.supervisorId ?? null}::uuid) AS supervisor,
             ${input.workingDays ? Prisma.sql`(SELECT row_to_json(state) FROM ${calendarStateSql} AS state)` : Prisma.sql`NULL::json`} AS "calendarState"`;
    return row!;
  }

  /**
   * The task with its whole timeline and audit entries in one statement (timelineSql), and nothing
   * of it answered unless the actor may read the task (404 otherwise).
   */
  async function get(actor: Actor, id: string) {
    const read = await loadTimeline(deps.db, id);
    if (!read || !policy.readTask(actor, scopeOf(read.task))) throw notFound(id);
    return presentDetail(actor, read.task, read.audit);
  }

  /** The task read's answer from its rows (read by `get`, or just written by `create`). */
  function presentDetail(actor: Actor, task: TimelineRow, audit: AuditEvent[]) {
    const { mails, events, progress, verifications, extensions, notices } = task;
    const actions = allowedActions(factsOf(task), policy.partiesOf(actor, scopeOf(task))).filter((a) => a !== 'reschedule');
    return {
      ...present(task),
      allowedActions: actions,
      allowedActionLabels: Object.fromEntries(actions.map((a) => [a, lifecycle[a].label])),
      mails: mails.map((m) => ({ kind: m.kind, to: m.to, subject: m.subject, status: m.status, messageId: m.messageId, sentAt: m.sentAt?.toISOString() ?? null })),
      events: events.map((e) => ({ type: e.type, label: taskEventLabels[e.type as TaskEventType] ?? e.type, at: e.at.toISOString(), data: e.data })),
      progress: progress.map((p) => ({ text: p.text, authorId: p.authorId, at: p.createdAt.toISOString() })),
      verifications: verifications.map((v) => ({ decision: v.decision, reason: v.reason, verifierId: v.verifierId, at: v.createdAt.toISOString() })),
      extensions: extensions.map((e) => ({
        requestedDeadline: e.requestedDeadline.toISOString(),
        previousDeadline: e.currentDeadline.toISOString(),
        reason: e.reason,
        status: e.status,
        decisionReason: e.decisionReason,
        at: e.createdAt.toISOString(),
      })),
      audit: audit.map((a) => ({ action: a.action, actorEmail: a.actorEmail, at: a.at.toISOString() })),
      notices: notices.map(presentNotice),
    };
  }

  /**
   * The task if the actor may take the action on it: 404 outside their scope, 403 when the table
   * gives them no part in the action, 409 when the task's state refuses it — for an ended task
   * (its workflow is gone) the projection answers; for an open one the workflow's validator has the
   * final word (the same table, on the source of truth).
   */
  async function actionable(actor: Actor, id: string, action: TaskAction): Promise<TaskRow> {
    const task = await visible(actor, id);
    if (!policy.mayTake(actor, scopeOf(task), action)) throw forbidden(lifecycle[action].label);
    const refusal = isTerminal(task.status) ? stateRefusal(action, factsOf(task)) : null;
    if (refusal) throw illegal(refusal.rule, refusal.message);
    return task;
  }

  async function transition<A>(actor: Actor, id: string, action: TaskAction, update: UpdateDefinition<TaskState, [A]>, arg: A, requestId?: string): Promise<TaskState> {
    const task = await actionable(actor, id, action);
    let state: TaskState;
    try {
      state = await deps.temporal.workflow.getHandle(taskWorkflowId(id)).executeUpdate(update, { args: [arg] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === WorkflowErrorType.ILLEGAL_TRANSITION) {
        const rule = (err.cause.details?.[0] as { rule?: string } | undefined)?.rule ?? `task.${action}`;
        throw illegal(rule, err.cause.message);
      }
      if (err instanceof WorkflowNotFoundError) {
        const current = await deps.db.task.findUnique({ where: { id }, select: { status: true } });
        if (current && isTerminal(current.status)) throw illegal(`task.${action}.from_${current.status}`, `任务${taskStatusLabels[current.status]} / task is ${current.status}`);
        if (!current) throw notFound(id);
        throw new AppError(ErrorCode.UNAVAILABLE, '任务督办流程尚未就绪，请稍后重试 / the task is not under supervision yet, retry shortly', undefined, { cause: err });
      }
      throw err;
    }
    await recordAudit(deps.db, { actor, action: `task.${action}`, targetType: 'task', targetId: id, before: { status: task.status }, after: { status: state.status, ...(arg as object) }, requestId });
    return state;
  }

  /** Starts the task's run: `reuse` after a closed run (回头看), `first` only if the task never had one. */
  async function startSupervision(input: SuperviseTaskInput, reuse: boolean | 'first') {
    await deps.temporal.workflow.start('superviseTask', {
      taskQueue: deps.taskQueue,
      workflowId: taskWorkflowId(input.taskId),
      args: [input],
      typedSearchAttributes: taskStartSearchAttributes(input, Date.now()),
      ...(reuse === true ? { workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE } : {}),
      ...(reuse === 'first' ? { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE } : {}),
    });
  }

  /** A keyed create met its earlier try's task: its supervision is started if that try died before starting it. */
  async function resumeKeyedCreate(actor: Actor, t: { id: string; title: string; ownerEmail: string; deadline: Date; reminderOffsetSeconds: number; unit: { code: string } }) {
    try {
      await startSupervision({ taskId: t.id, title: t.title, ownerEmail: t.ownerEmail, deadline: t.deadline.toISOString(), reminderOffsetSeconds: t.reminderOffsetSeconds, leadUnitCode: t.unit.code, planned: true }, 'first');
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，请稍后重试 / workflow service unavailable', undefined, { cause: err });
    }
    return get(actor, t.id);
  }

  /** The filters, scoping and order of the task list, defined once for the page and the export. */
  function listQuery(actor: Actor, q: Omit<TListTasksQuery, 'page' | 'pageSize'>) {
    const where: Prisma.TaskWhereInput = {
      AND: [
        policy.tasksWhere(actor),
        q.status ? { status: q.status } : {},
        q.overdue === undefined ? {} : { overdue: q.overdue },
        q.trafficLight ? trafficLightWhere(q.trafficLight, now()) : {},
        q.unitId ? { unitId: q.unitId } : {},
        q.campaignId ? { problem: { campaignId: q.campaignId } } : {},
        q.q ? { OR: [{ title: { contains: literal(q.q), mode: 'insensitive' } }, { code: { contains: literal(q.q), mode: 'insensitive' } }] } : {},
        q.deadlineFrom ? { deadline: { gte: new Date(q.deadlineFrom) } } : {},
        q.deadlineTo ? { deadline: { lte: new Date(q.deadlineTo) } } : {},
      ],
    };
    const [field, dir] = q.sort.startsWith('-') ? [q.sort.slice(1), 'desc' as const] : [q.sort, 'asc' as const];
    const orderBy: Prisma.TaskOrderByWithRelationInput[] = [{ [field]: dir }, { id: 'asc' }];
    return { where, orderBy };
  }

  return {
    get,

    /** What a repeated move is compared against (api/http/idempotency.ts): the task's last change. */
    async version(id: string): Promise<string | null> {
      const t = await deps.db.task.findUnique({ where: { id }, select: { projectionSeq: true, updatedAt: true } });
      return t ? `${t.projectionSeq}:${t.updatedAt.getTime()}` : null;
    },

    async list(actor: Actor, q: TListTasksQuery) {
      const { where, orderBy } = listQuery(actor, q);
      const [rows, total] = await Promise.all([deps.db.task.findMany({ where, include: taskInclude, orderBy, ...paginate(q) }), deps.db.task.count({ where })]);
      return { items: rows.map(present), total, page: q.page, pageSize: q.pageSize };
    },

    /**
     * The same tasks as `list` (same filters, scoping and order), a page at a time by keyset: each
     * page continues after the last row of the one before (a cursor on the order's columns), so the
     * 100th page costs what the first does and nothing is counted. For exports.
     */
    async *scan(actor: Actor, q: Omit<TListTasksQuery, 'page' | 'pageSize'>, pageSize: number) {
      const { where, orderBy } = listQuery(actor, q);
      for (let after: string | undefined; ; ) {
        const rows = await deps.db.task.findMany({ where, include: taskInclude, orderBy, take: pageSize, ...(after ? { cursor: { id: after }, skip: 1 } : {}) });
        if (rows.length) yield rows.map(present);
        if (rows.length < pageSize) return;
        after = rows[rows.length - 1]!.id;
      }
    },

    /** Writes the task (and its audit event), then starts its workflow; if the start fails, the task is removed again. */
    async create(actor: Actor, input: TCreateTaskRequest, requestId?: string, opts: { idempotencyKey?: string } = {}) {
      if (!policy.createTask(actor)) throw forbidden('创建任务');
      // A keyed create names its task by the key: a retry whose first try died after storing the task
      // (on this API replica or another) meets that row and its workflow instead of making a second.
      const keyedId = opts.idempotencyKey ? taskIdOf(actor.id, opts.idempotencyKey) : undefined;
      if (keyedId) {
        const existing = await deps.db.task.findUnique({ where: { id: keyedId }, include: { unit: { select: { code: true } } } });
        if (existing) return resumeKeyedCreate(actor, existing);
      }
      const { unit, owner, supervisor, calendarState } = await createLookups(input);
      const calendar = input.workingDays ? await loadCalendar(deps.db, calendarState ?? undefined) : null;
      const deadline = calendar
        ? calendar.addWorkingDays(now(), input.workingDays!, deps.timeZone ?? DEFAULT_TIME_ZONE, deps.workdayEnd)
        : new Date(input.deadline!);
      if (deadline.getTime() <= now().getTime()) throw invalid('body.deadline', 'future', '完成时限必须晚于当前时间 / deadline must be in the future');
      if (!unit) throw invalid('body.unitId', 'exists', '牵头单位不存在 / lead unit not found');
      checkOwner(owner, unit.path, 'body.ownerId');
      if (input.supervisorId && (!supervisor || !supervisor.active || !supervisor.roles.includes('leader'))) {
        throw invalid('body.supervisorId', 'supervisor.is_leader', '分管领导须为在职的领导 / supervisor must be an active leader');
      }
      // The task and its audit event in one statement (atomic without a transaction's four round
      // trips); a keyed try that meets its key's row writes neither, and that row is the answer.
      const id = keyedId ?? randomUUID();
      const auditEntry: AuditEntry = {
        actor,
        action: 'task.create',
        targetType: 'task',
        targetId: id,
        after: { title: input.title, unitId: unit.id, ownerId: owner.id, deadline: deadline.toISOString(), workingDays: input.workingDays ?? null, calendarVersion: calendar?.version ?? null },
        requestId,
      };
      const [task] = await deps.db.$queryRaw<(Task & { auditId: string; auditAt: Date })[]>`
        WITH task AS (
          ${insertTasksSql([
            {
              id,
              title: input.title,
              unitId: unit.id,
              ownerId: owner.id,
              ownerEmail: owner.email,
              supervisorId: input.supervisorId ?? null,
              deadline,
              deadlineWorkingDays: input.workingDays ?? null,
              // The assignment instant the working days count from (recomputations use it too).
              createdAt: now(),
              deadlineCalendarVersion: calendar?.version ?? null,
              reminderOffsetSeconds: input.reminderOffsetSeconds,
            },
          ])}
          ON CONFLICT (id) DO NOTHING RETURNING *
        ), audit AS (
          ${auditInsertSql(auditEntry)}
          WHERE EXISTS (SELECT 1 FROM task) RETURNING id, at
        )
        SELECT task.*, audit.id AS "auditId", audit.at AS "auditAt" FROM task CROSS JOIN audit`;
      // The same key at once on another replica: its row won, and is the answer.
      if (!task) return resumeKeyedCreate(actor, await deps.db.task.findUniqueOrThrow({ where: { id }, include: { unit: { select: { code: true } } } }));
      try {
        await startSupervision(
          { taskId: task.id, title: task.title, ownerEmail: task.ownerEmail, deadline: deadline.toISOString(), reminderOffsetSeconds: task.reminderOffsetSeconds, leadUnitCode: unit.code, planned: true },
          false,
        );
      } catch (err) {
        // The audit trail is append-only, so the undo is recorded rather than erased.
        await deps.db.$transaction(async (tx) => {
          await tx.task.delete({ where: { id: task.id } });
          await recordAudit(tx, { actor, action: 'task.create.rolled_back', targetType: 'task', targetId: task.id, requestId });
        });
        throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，任务未创建 / workflow service unavailable', undefined, { cause: err });
      }
      // Answered from the rows just written and read (a new task has no timeline yet): no read-back.
      const { auditId, auditAt, ...row } = task;
      const audit = auditRow(auditEntry, { id: auditId, at: auditAt });
      const person = (p: { id: string; displayName: string; email: string }) => ({ id: p.id, displayName: p.displayName, email: p.email });
      const written: TimelineRow = {
        ...row,
        unit: { id: unit.id, code: unit.code, name: unit.name, path: unit.path },
        owner: person(owner),
        supervisor: supervisor ? person(supervisor) : null,
        coUnits: [],
        problem: null,
        _count: { notices: 0, extensions: 0 },
        mails: [],
        events: [],
        progress: [],
        verifications: [],
        extensions: [],
        notices: [],
      };
      return presentDetail(actor, written, [audit]);
    },

    complete: (actor: Actor, id: string, body: { note?: string }, requestId?: string) =>
      transition(actor, id, 'complete', completeTaskUpdate, { by: actor.id, ...body }, requestId),
    acknowledge: (actor: Actor, id: string, requestId?: string) =>
      transition(actor, id, 'acknowledge', acknowledgeUpdate, { by: actor.id }, requestId),
    reportProgress: (actor: Actor, id: string, text: string, requestId?: string) =>
      transition(actor, id, 'report_progress', reportProgressUpdate, { by: actor.id, text }, requestId),
    async requestClosure(actor: Actor, id: string, body: { evidenceIds: string[]; note?: string }, requestId?: string) {
      const found = await deps.db.evidence.count({ where: { id: { in: body.evidenceIds }, taskId: id } });
      if (found !== new Set(body.evidenceIds).size) {
        throw invalid('body.evidenceIds', 'evidence.of_task', '佐证材料须先上传到本任务 / evidence must be uploaded to this task first');
      }
      return transition(actor, id, 'request_closure', requestClosureUpdate, { by: actor.id, ...body }, requestId);
    },
    verify: (actor: Actor, id: string, body: { decision: 'accept' | 'return'; reason?: string }, requestId?: string) =>
      transition(actor, id, 'verify', verifyUpdate, { by: actor.id, ...body }, requestId),
    requestExtension: (actor: Actor, id: string, body: { requestedDeadline: string; reason: string }, requestId?: string) =>
      transition(actor, id, 'request_extension', requestExtensionUpdate, { by: actor.id, reason: body.reason, requestedDeadline: new Date(body.requestedDeadline).toISOString() }, requestId),
    decideExtension: (actor: Actor, id: string, body: { approve: boolean; reason?: string }, requestId?: string) =>
      transition(actor, id, 'decide_extension', decideExtensionUpdate, { by: actor.id, ...body }, requestId),
    cancel: (actor: Actor, id: string, reason: string, requestId?: string) =>
      transition(actor, id, 'cancel', cancelUpdate, { by: actor.id, reason }, requestId),

    /** Reopens a closed task after a follow-up check (回头看): a new supervision run with a new deadline. */
    async reopen(actor: Actor, id: string, body: { reason: string; deadline: string }, requestId?: string) {
      const task = await visible(actor, id);
      if (!policy.mayTake(actor, scopeOf(task), 'reopen')) throw forbidden(lifecycle.reopen.label);
      const refusal = stateRefusal('reopen', factsOf(task));
      if (refusal) throw illegal(refusal.rule, refusal.message);
      const deadline = new Date(body.deadline);
      if (deadline.getTime() <= now().getTime()) throw invalid('body.deadline', 'future', '完成时限必须晚于当前时间 / deadline must be in the future');
      // A campaign's task: its campaign workflow reopens the problem and tracks the new run.
      const campaign = task.problemId ? (await deps.db.problem.findUniqueOrThrow({ where: { id: task.problemId }, include: { campaign: true } })).campaign : null;
      if (campaign?.status === 'reconciled') {
        throw illegal('task.reopen.campaign_reconciled', '所属整改批次已对账，不能重新打开 / the campaign is already reconciled');
      }
      // The new run tells the campaign workflow (durably, from inside it), so a failed start strands nothing.
      await startSupervision(
        {
          taskId: task.id,
          title: task.title,
          ownerEmail: task.ownerEmail,
          deadline: deadline.toISOString(),
          reminderOffsetSeconds: task.reminderOffsetSeconds,
          reopen: { reason: body.reason, by: actor.id, seqBase: task.projectionSeq, returnCount: task.returnCount },
          planned: true,
          leadUnitCode: task.unit.code,
          ...(campaign ? { campaignId: campaign.id, campaignCode: campaign.code } : {}),
        },
        true,
      );
      await recordAudit(deps.db, { actor, action: 'task.reopen', targetType: 'task', targetId: id, before: { status: 'closed' }, after: { reason: body.reason, deadline: deadline.toISOString() }, requestId });
      return get(actor, id);
    },

    /**
     * After a calendar change: recomputes every open working-day deadline counted on an older
     * calendar version, as durable steps in the `recomputeDeadlines` workflow (one run per calendar
     * version; a second call joins it), and answers what it did. Each moved deadline goes through its
     * task's workflow and is audited.
     */
    async recomputeWorkingDayDeadlines(actor: Actor | null, requestId?: string): Promise<RecomputeDeadlinesResult> {
      const calendar = await loadCalendar(deps.db);
      const handle = await startDeadlineRecompute(deps.temporal, {
        taskQueue: deps.taskQueue,
        version: calendar.version,
        by: actor ? { id: actor.id, email: actor.email } : null,
        ...(requestId ? { requestId } : {}),
      });
      return handle.result();
    },

    /** Assigns the responsible person; mail follows the new owner from the next send on. */
    async assignOwner(actor: Actor, id: string, ownerId: string, requestId?: string) {
      const task = await actionable(actor, id, 'assign_owner');
      const owner = await eligibleOwner(ownerId, task.unit.path, 'body.ownerId');
      await deps.db.$transaction(async (tx) => {
        await tx.task.update({ where: { id }, data: { ownerId: owner.id, ownerEmail: owner.email } });
        await recordAudit(tx, { actor, action: 'task.assign_owner', targetType: 'task', targetId: id, before: { ownerId: task.ownerId }, after: { ownerId: owner.id }, requestId });
      });
      return get(actor, id);
    },
  };
}
