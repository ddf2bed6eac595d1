/**
 * A period's frozen snapshot per unit, taken "as of" the period's end from the trail of what
 * happened (task transitions in TaskEvent, notices, verifications, extension decisions), never
 * from today's state: re-running a past period gives the same numbers whatever happened since.
 */
import { type TrafficLight, trafficLight } from '../../domain/traffic-light';
import type { Db } from '../db';

const DAY = 86_400_000;

/** The task's light at the snapshot instant: domain/traffic-light.ts's rule. */
export type Light = TrafficLight;

export interface TaskRow {
  taskId: string;
  code: string | null;
  title: string;
  owner: string;
  /** The deadline in force at the snapshot instant. */
  deadline: string;
  status: string;
  overdue: boolean;
  overdueDays: number;
  /** Highest escalation level issued up to the snapshot instant (0 = none). */
  level: number;
  light: Light;
  closedAt: string | null;
  onTime: boolean | null;
}

export interface UnitMetrics {
  /** Items under review: open when the period began, or created in it. */
  tasks: number;
  open: number;
  closed: number;
  closedOnTime: number;
  cancelled: number;
  overdue: number;
  overdueDays: number;
  maxOverdueDays: number;
  /** Escalation notices issued in the period, by ladder level. */
  escalations: Record<string, number>;
  /** Closure requests returned (退回) in the period. */
  returned: number;
  /** Extensions approved in the period. */
  extensions: number;
  /** closedOnTime / closed; null when nothing was closed. */
  onTimeRate: number | null;
  /** closed / (closed + open); null when there is neither. */
  closureRate: number | null;
}

export interface UnitSnapshot {
  unitId: string;
  code: string;
  name: string;
  metrics: UnitMetrics;
  /** Open at the period's end (overdue ones flagged), by deadline. */
  openTasks: TaskRow[];
  /** Closed in the period, by closing time. */
  closedTasks: TaskRow[];
  /** Numbers of the notices of each level issued in the period (for the rating reasons). */
  notices: { number: string; level: number }[];
  /** Red with anything overdue at the end, yellow with anything close to its deadline or escalated, else green. */
  light: Exclude<Light, 'none'>;
}

export interface Snapshot {
  start: string;
  end: string;
  units: UnitSnapshot[];
  totals: UnitMetrics;
}

/** What the snapshot is computed from (see loadSnapshotInput). */
export interface SnapshotInput {
  /**
   * The tasks under review, each with its last transition before the period's start (status) and
   * before its end (status, instant, deadline), and the deadline the first transition after the
   * end replaced (for a task with no transition before the end).
   */
  tasks: {
    id: string;
    code: string | null;
    title: string;
    unitId: string;
    owner: string;
    createdAt: Date;
    deadline: Date;
    endStatus: string | null;
    endAt: Date | null;
    endDeadline: string | null;
    laterDeadlineBefore: string | null;
  }[];
  units: { id: string; code: string; name: string }[];
  notices: { taskId: string; level: number; number: string; issuedAt: Date }[];
  returned: { taskId: string; n: number }[];
  extensions: { taskId: string; n: number }[];
}

/**
 * Reads what a snapshot of [start, end) needs, in one pass over the tasks: only rows up to `end`
 * count, and tasks already closed or cancelled when the period began are left out in the database.
 */
export async function loadSnapshotInput(db: Db, start: Date, end: Date): Promise<SnapshotInput> {
  const [tasks, notices, returned, extensions] = await Promise.all([
    db.$queryRaw<SnapshotInput['tasks']>`
      SELECT t.id, t.code, t.title, t."unitId", p."displayName" AS owner, t."createdAt", t.deadline,
             e.status AS "endStatus", e.at AS "endAt", e.deadline AS "endDeadline", a."deadlineBefore" AS "laterDeadlineBefore"
      FROM "Task" t
      JOIN "Person" p ON p.id = t."ownerId"
      LEFT JOIN LATERAL (
        SELECT data->>'status' AS status FROM "TaskEvent" WHERE "taskId" = t.id AND at < ${start} ORDER BY at DESC, (data->>'seq')::int DESC LIMIT 1
      ) s ON true
      LEFT JOIN LATERAL (
        SELECT data->>'status' AS status, at, data->>'deadline' AS deadline FROM "TaskEvent" WHERE "taskId" = t.id AND at < ${end} ORDER BY at DESC, (data->>'seq')::int DESC LIMIT 1
      ) e ON true
      LEFT JOIN LATERAL (
        SELECT data->>'deadlineBefore' AS "deadlineBefore" FROM "TaskEvent" WHERE e.at IS NULL AND "taskId" = t.id AND at >= ${end} ORDER BY at ASC, (data->>'seq')::int ASC LIMIT 1
      ) a ON true
      WHERE t."createdAt" < ${end} AND (t."createdAt" >= ${start} OR coalesce(s.status, 'assigned') NOT IN ('closed', 'cancelled'))`, // domain/lifecycle.ts terminalStatuses, written as SQL
    db.$queryRaw<SnapshotInput['notices']>`SELECT "taskId", level, number, "issuedAt" FROM "Notice" WHERE "issuedAt" < ${end}`,
    db.$queryRaw<SnapshotInput['returned']>`
      SELECT "taskId", count(*)::int AS n FROM "Verification"
      WHERE decision = 'return' AND "createdAt" >= ${start} AND "createdAt" < ${end} GROUP BY "taskId"`,
    db.$queryRaw<SnapshotInput['extensions']>`
      SELECT "taskId", count(*)::int AS n FROM "ExtensionRequest"
      WHERE status = 'approved' AND "decidedAt" >= ${start} AND "decidedAt" < ${end} GROUP BY "taskId"`,
  ]);
  const unitIds = [...new Set(tasks.map((t) => t.unitId))];
  const units = await db.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, code: true, name: true } });
  return { tasks, units, notices, returned, extensions };
}

const emptyMetrics = (): UnitMetrics => ({
  tasks: 0,
  open: 0,
  closed: 0,
  closedOnTime: 0,
  cancelled: 0,
  overdue: 0,
  overdueDays: 0,
  maxOverdueDays: 0,
  escalations: {},
  returned: 0,
  extensions: 0,
  onTimeRate: null,
  closureRate: null,
});

function withRates(m: UnitMetrics): UnitMetrics {
  return {
    ...m,
    onTimeRate: m.closed ? m.closedOnTime / m.closed : null,
    closureRate: m.closed + m.open ? m.closed / (m.closed + m.open) : null,
  };
}

function add(into: UnitMetrics, m: UnitMetrics) {
  for (const k of ['tasks', 'open', 'closed', 'closedOnTime', 'cancelled', 'overdue', 'overdueDays', 'returned', 'extensions'] as const) into[k] += m[k];
  into.maxOverdueDays = Math.max(into.maxOverdueDays, m.maxOverdueDays);
  for (const [level, n] of Object.entries(m.escalations)) into.escalations[level] = (into.escalations[level] ?? 0) + n;
}

const byDeadline = (a: TaskRow, b: TaskRow) => a.deadline.localeCompare(b.deadline) || (a.code ?? a.taskId).localeCompare(b.code ?? b.taskId);

/** The snapshot of [start, end): a pure function of its input, so the same input gives the same report. */
export function buildSnapshot(input: SnapshotInput, start: Date, end: Date): Snapshot {
  const returned = new Map(input.returned.map((r) => [r.taskId, r.n]));
  const extensions = new Map(input.extensions.map((r) => [r.taskId, r.n]));
  const noticesOf = new Map<string, SnapshotInput['notices']>();
  for (const n of input.notices) noticesOf.set(n.taskId, [...(noticesOf.get(n.taskId) ?? []), n]);

  const units = new Map<string, UnitSnapshot>();
  for (const u of input.units) units.set(u.id, { unitId: u.id, code: u.code, name: u.name, metrics: emptyMetrics(), openTasks: [], closedTasks: [], notices: [], light: 'green' });

  for (const t of input.tasks) {
    const unit = units.get(t.unitId);
    if (!unit) continue;
    const status = t.endStatus ?? 'assigned';
    // The deadline in force then: recorded with the last transition; else the one the next transition
    // replaced; else (no transition ever) the task's own.
    const deadline = new Date(t.endDeadline ?? t.laterDeadlineBefore ?? t.deadline.toISOString());
    const notices = noticesOf.get(t.id) ?? [];
    const level = notices.reduce((max, n) => Math.max(max, n.level), 0);
    const m = unit.metrics;
    m.tasks += 1;
    m.returned += returned.get(t.id) ?? 0;
    m.extensions += extensions.get(t.id) ?? 0;
    for (const n of notices) {
      if (n.issuedAt < start) continue;
      m.escalations[n.level] = (m.escalations[n.level] ?? 0) + 1;
      unit.notices.push({ number: n.number, level: n.level });
    }
    const row: TaskRow = { taskId: t.id, code: t.code, title: t.title, owner: t.owner, deadline: deadline.toISOString(), status, overdue: false, overdueDays: 0, level, light: 'none', closedAt: null, onTime: null };
    if (status === 'closed') {
      const closedAt = t.endAt!;
      m.closed += 1;
      const onTime = closedAt.getTime() <= deadline.getTime();
      if (onTime) m.closedOnTime += 1;
      unit.closedTasks.push({ ...row, closedAt: closedAt.toISOString(), onTime });
    } else if (status === 'cancelled') {
      m.cancelled += 1;
    } else {
      m.open += 1;
      const late = end.getTime() - deadline.getTime();
      // Overdue then is the deadline passed by then (the flag is today's, not the period's).
      const light = trafficLight({ status, overdue: false, deadline, escalationLevel: level }, end.getTime());
      if (light === 'red') {
        const days = Math.ceil(late / DAY);
        m.overdue += 1;
        m.overdueDays += days;
        m.maxOverdueDays = Math.max(m.maxOverdueDays, days);
        unit.openTasks.push({ ...row, overdue: true, overdueDays: days, light: 'red' });
      } else {
        unit.openTasks.push({ ...row, light });
      }
    }
  }

  const totals = emptyMetrics();
  const list = [...units.values()]
    .filter((u) => u.metrics.tasks > 0)
    .map((u) => {
      add(totals, u.metrics);
      u.openTasks.sort(byDeadline);
      u.closedTasks.sort((a, b) => a.closedAt!.localeCompare(b.closedAt!) || byDeadline(a, b));
      u.notices.sort((a, b) => a.number.localeCompare(b.number, 'zh-CN', { numeric: true }));
      u.light = u.metrics.overdue > 0 ? 'red' : u.openTasks.some((t) => t.light === 'yellow') ? 'yellow' : 'green';
      return { ...u, metrics: withRates(u.metrics) };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
  return { start: start.toISOString(), end: end.toISOString(), units: list, totals: withRates(totals) };
}

export async function takeSnapshot(db: Db, start: Date, end: Date): Promise<Snapshot> {
  return buildSnapshot(await loadSnapshotInput(db, start, end), start, end);
}
