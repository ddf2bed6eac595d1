/**
 * Who may do what — decided here and nowhere else. Handlers ask this module; they never look at
 * roles themselves. Three ingredients: role, unit scope (a unit and everything below it) and
 * ownership.
 *
 * | role      | reads                                   | acts                                                  |
 * |-----------|-----------------------------------------|-------------------------------------------------------|
 * | admin     | units, people, audit trail              | manages units and people                              |
 * | office    | everything                              | creates campaigns and tasks, assigns; verifies, decides extensions, closes, cancels, reopens |
 * | leader    | campaigns; tasks they supervise         | —                                                     |
 * | unit_head | tasks and people of their unit subtree  | works on those tasks, assigns their responsible person within the unit |
 * | staff     | tasks they are responsible for          | works on their own tasks (acknowledge, progress, evidence, closure and extension requests) |
 * | viewer    | tasks of their unit subtree             | —                                                     |
 *
 * Review cycles and reports: the office and admins configure, pause, run and backfill cycles; leaders,
 * unit heads and viewers read the reports (they are mailed the whole report anyway); staff do not.
 *
 * Evidence files (佐证材料) of a task: whoever reads the task lists and downloads them; the office,
 * the unit_head in scope and the owner upload them.
 *
 * Everyone signed in reads the unit tree, their own profile and manages their own API tokens.
 * A task the actor may not read answers 404 (its existence is not revealed); a visible task the
 * actor may not act on answers 403.
 */
import type { Prisma, Role } from '../generated/prisma/client';

export interface Actor {
  id: string;
  email: string;
  displayName: string;
  unitId: string;
  /** Materialised path of the actor's unit. */
  unitPath: string;
  roles: Role[];
}

export interface TaskScope {
  unitPath: string;
  ownerId: string;
  supervisorId: string | null;
}

const has = (actor: Actor, ...roles: Role[]) => roles.some((r) => actor.roles.includes(r));
const inSubtree = (actor: Actor, unitPath: string) => unitPath.startsWith(actor.unitPath);

export const policy = {
  // Units and people
  readUnits: (_actor: Actor) => true,
  manageUnits: (actor: Actor) => has(actor, 'admin'),
  managePeople: (actor: Actor) => has(actor, 'admin'),
  manageCalendar: (actor: Actor) => has(actor, 'admin'),
  listPeople: (actor: Actor) => has(actor, 'admin', 'office', 'unit_head'),
  readPerson: (actor: Actor, person: { id: string; unitPath: string }) =>
    actor.id === person.id || has(actor, 'admin', 'office') || (has(actor, 'unit_head') && inSubtree(actor, person.unitPath)),
  /** Prisma filter of the people an actor may list. */
  peopleWhere(actor: Actor): Prisma.PersonWhereInput {
    if (has(actor, 'admin', 'office')) return {};
    if (has(actor, 'unit_head')) return { unit: { path: { startsWith: actor.unitPath } } };
    return { id: actor.id };
  },

  // Review cycles and reports (月调度、季讲评、年考核): the office runs them; leaders, unit heads and viewers read them.
  manageReviews: (actor: Actor) => has(actor, 'admin', 'office'),
  readReviews: (actor: Actor) => has(actor, 'admin', 'office', 'leader', 'unit_head', 'viewer'),

  // Tasks
  createTask: (actor: Actor) => has(actor, 'office'),
  readTask(actor: Actor, task: TaskScope): boolean {
    if (has(actor, 'office')) return true;
    if (has(actor, 'unit_head', 'viewer') && inSubtree(actor, task.unitPath)) return true;
    if (has(actor, 'leader') && task.supervisorId === actor.id) return true;
    if (has(actor, 'staff') && task.ownerId === actor.id) return true;
    return false;
  },
  /** Working on a task: acknowledge, report progress, request closure or an extension. */
  workOnTask(actor: Actor, task: TaskScope): boolean {
    if (has(actor, 'unit_head') && inSubtree(actor, task.unitPath)) return true;
    return has(actor, 'staff') && task.ownerId === actor.id;
  },
  /** Supervising a task: verify (accept / return), decide extensions, close directly, cancel, reopen. */
  superviseTask: (actor: Actor, _task: TaskScope) => has(actor, 'office'),
  /** Attaching evidence files (佐证材料) to a task: the office, a unit_head in scope, the owner. Reading them is `readTask`. */
  uploadEvidence: (actor: Actor, task: TaskScope): boolean => has(actor, 'office') || policy.workOnTask(actor, task),
  /** Assigning the responsible person; the new owner must also be within the task's unit. */
  assignTaskOwner(actor: Actor, task: TaskScope): boolean {
    return has(actor, 'office') || (has(actor, 'unit_head') && inSubtree(actor, task.unitPath));
  },
  /** Prisma filter of the tasks an actor may read (the list endpoint's scope). */
  tasksWhere(actor: Actor): Prisma.TaskWhereInput {
    if (has(actor, 'office')) return {};
    const or: Prisma.TaskWhereInput[] = [];
    if (has(actor, 'unit_head', 'viewer')) or.push({ unit: { path: { startsWith: actor.unitPath } } });
    if (has(actor, 'leader')) or.push({ supervisorId: actor.id });
    if (has(actor, 'staff')) or.push({ ownerId: actor.id });
    return or.length ? { OR: or } : { id: { in: [] } };
  },

  // Campaigns (the three lists): the office creates them; the office and leaders read them whole.
  createCampaign: (actor: Actor) => has(actor, 'office'),
  readCampaigns: (actor: Actor) => has(actor, 'office', 'leader'),

  // Audit trail
  readAudit: (actor: Actor) => has(actor, 'admin', 'office'),
  // API tokens: everyone manages their own; an admin may revoke anyone's.
  revokeAnyToken: (actor: Actor) => has(actor, 'admin'),
};
