/**
 * What the mail templates need from the database and the configuration: the issuing office, the
 * recipients' names and units, a task as a Matter, and the workbench pages the links open.
 */
import type { WorkingCalendar } from '../../domain/calendar';
import { type CalendarState, calendarStateSql, loadCalendar } from '../../lib/calendar-store';
import type { Db } from '../../lib/db';
import type { Matter, Recipient } from './model';
import { DEFAULT_ROOT_UNIT_NAME } from '../../lib/config';

/** The supervision office's own suffix: 市场监督管理局 → 市场监督管理局督查室. */
export const OFFICE_SUFFIX = '督查室';
const FALLBACK_ROOT = DEFAULT_ROOT_UNIT_NAME;

/**
 * The issuing office (发文机关): the configured name (MAIL_ISSUING_OFFICE) if any, otherwise the
 * root of the unit tree the mail is about (the first unit of `unitPath`, or the first root unit) +
 * 督查室. The root's name is the data (ROOT_UNIT_NAME at the first start, renamed by admins).
 */
export async function issuingOffice(deps: { db: Db; issuingOffice?: string }, unitPath?: string | null): Promise<string> {
  if (deps.issuingOffice) return deps.issuingOffice;
  const rootId = unitPath?.split('/').find(Boolean);
  const root =
    (rootId ? await deps.db.unit.findUnique({ where: { id: rootId }, select: { name: true } }) : null) ??
    (await deps.db.unit.findFirst({ where: { parentId: null }, orderBy: { createdAt: 'asc' }, select: { name: true } }));
  return officeOf(root?.name);
}

const officeOf = (rootName: string | null | undefined) => {
  const name = rootName ?? FALLBACK_ROOT;
  return name.endsWith(OFFICE_SUFFIX) ? name : `${name}${OFFICE_SUFFIX}`;
};

/** The workbench pages mails link to (never the API). */
export function pages(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    dashboard: () => `${base}/`,
    task: (id: string) => `${base}/tasks/${id}`,
    notice: (id: string) => `${base}/notices/${id}`,
    campaign: (id: string) => `${base}/campaigns/${id}`,
    review: (id: string) => `${base}/reviews/${id}`,
  };
}

/** The recipients' names and units, by e-mail; an address nobody holds is shown as itself. */
export async function recipientsByEmail(db: Db, emails: string[]): Promise<(email: string) => Recipient> {
  const people = await db.person.findMany({ where: { email: { in: emails } }, select: { email: true, displayName: true, unit: { select: { name: true } } } });
  const byEmail = new Map(people.map((p) => [p.email, { person: p.displayName, unit: p.unit.name }]));
  return (email) => byEmail.get(email) ?? { person: email };
}

/** What a task mail reads of a task: the Prisma `include` and the Matter built from it. */
export const matterInclude = {
  unit: { select: { name: true, path: true } },
  owner: { select: { displayName: true, unit: { select: { name: true } } } },
  supervisor: { select: { displayName: true } },
  coUnits: { select: { unit: { select: { name: true } } } },
  problem: { select: { description: true, campaign: { select: { name: true, code: true } } } },
} as const;

export interface MatterTask {
  title: string;
  code: string | null;
  deadline: Date;
  unit: { name: string; path: string };
  owner: { displayName: string; unit: { name: string } };
  supervisor: { displayName: string } | null;
  coUnits: { unit: { name: string } }[];
  problem: { description: string; campaign: { name: string; code: string } } | null;
}

/** The matter of a task, at the deadline the mail is about (a moved deadline's mail shows its own). */
export function matterOf(task: MatterTask, deadline: Date = task.deadline): Matter {
  return {
    title: task.title,
    code: task.code,
    problem: task.problem?.description ?? null,
    campaign: task.problem ? `${task.problem.campaign.name}（${task.problem.campaign.code}）` : null,
    leadUnit: task.unit.name,
    coUnits: task.coUnits.map((c) => c.unit.name),
    owner: task.owner.displayName,
    supervisor: task.supervisor?.displayName ?? null,
    deadline,
  };
}

/** The working-day calendar, read only when a deadline is a day or more ahead (nearer ones count hours and minutes). */
export async function calendarFor(db: Db, deadlines: Date[], now: Date): Promise<WorkingCalendar | undefined> {
  return needsCalendar(deadlines, now) ? loadCalendar(db) : undefined;
}

/** Calendar days before a deadline counts in working days (nearer ones count hours and minutes). */
const needsCalendar = (deadlines: Date[], now: Date) => deadlines.some((d) => d.getTime() - now.getTime() >= 24 * 3600_000);

/**
 * Everything a task mail and its .ics are rendered from, in one statement: the task as a Matter
 * (the shape of `matterInclude`, co-units by code), the issuing office's root unit (as
 * issuingOffice finds it) and the calendar's state. The calendar itself comes from loadCalendar's
 * cache for that state: it is read again only after a calendar change.
 */
export async function loadTaskMail(
  deps: { db: Db; issuingOffice?: string },
  taskId: string,
  deadline: Date,
  now: Date,
): Promise<{ task: MatterTask & { id: string; ownerEmail: string }; issuer: string; calendar: WorkingCalendar | undefined } | null> {
  const [row] = await deps.db.$queryRaw<(MatterTask & { id: string; ownerEmail: string; rootName: string | null; calendar: CalendarState })[]>`
    SELECT t.id, t.title, t.code, t.deadline, t."ownerEmail",
           json_build_object('name', u.name, 'path', u.path) AS unit,
           json_build_object('displayName', o."displayName", 'unit', json_build_object('name', ou.name)) AS owner,
           CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('displayName', s."displayName") END AS supervisor,
           coalesce((SELECT json_agg(json_build_object('unit', json_build_object('name', cu.name)) ORDER BY cu.code)
                     FROM "TaskCoUnit" tc JOIN "Unit" cu ON cu.id = tc."unitId" WHERE tc."taskId" = t.id), '[]'::json) AS "coUnits",
           CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('description', p.description, 'campaign', json_build_object('name', c.name, 'code', c.code)) END AS problem,
           coalesce((SELECT r.name FROM "Unit" r WHERE r.id::text = split_part(u.path, '/', 2)),
                    (SELECT r.name FROM "Unit" r WHERE r."parentId" IS NULL ORDER BY r."createdAt" LIMIT 1)) AS "rootName",
           row_to_json(state) AS calendar
    FROM "Task" t
    JOIN "Unit" u ON u.id = t."unitId"
    JOIN "Person" o ON o.id = t."ownerId"
    JOIN "Unit" ou ON ou.id = o."unitId"
    LEFT JOIN "Person" s ON s.id = t."supervisorId"
    LEFT JOIN "Problem" p ON p.id = t."problemId"
    LEFT JOIN "Campaign" c ON c.id = p."campaignId"
    CROSS JOIN ${calendarStateSql} AS state
    WHERE t.id = ${taskId}::uuid`;
  if (!row) return null;
  const { rootName, calendar: state, ...task } = row;
  return {
    task,
    issuer: deps.issuingOffice ?? officeOf(rootName),
    calendar: needsCalendar([deadline], now) ? await loadCalendar(deps.db, state) : undefined,
  };
}
