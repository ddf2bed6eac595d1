/**
 * What the mail templates need from the database and the configuration: the issuing office, the
 * recipients' names and units, a task as a Matter, and the workbench pages the links open.
 */
import type { WorkingCalendar } from '../../domain/calendar';
import { loadCalendar } from '../../lib/calendar-store';
import type { Db } from '../../lib/db';
import type { Matter, Recipient } from './model';

/** The supervision office's own suffix: 市场监督管理局 → 市场监督管理局督查室. */
export const OFFICE_SUFFIX = '督查室';
const FALLBACK_ROOT = '市场监督管理局';

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
  const name = root?.name ?? FALLBACK_ROOT;
  return name.endsWith(OFFICE_SUFFIX) ? name : `${name}${OFFICE_SUFFIX}`;
}

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
  return deadlines.some((d) => d.getTime() - now.getTime() >= 24 * 3600_000) ? loadCalendar(db) : undefined;
}
