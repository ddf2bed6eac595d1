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
import { mayTake, type Party, type TaskAction } from '../domain/lifecycle';

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
  /**
   * How the actor stands to a task (domain/lifecycle.ts's parties): the office for every task, the
   * head of the lead unit or a unit above it, the responsible person. What each may do, and from
   * which state, is the lifecycle table's to say.
   */
  partiesOf(actor: Actor, task: TaskScope): Party[] {
    const as: Party[] = [];
    if (has(actor, 'office')) as.push('office');
    if (has(actor, 'unit_head') && inSubtree(actor, task.unitPath)) as.push('unit_head');
    if (has(actor, 'staff') && task.ownerId === actor.id) as.push('owner');
    return as;
  },
  /** Whether the actor may take the action on the task at all (its state is the lifecycle's to judge). */
  mayTake: (actor: Actor, task: TaskScope, action: TaskAction): boolean => mayTake(action, policy.partiesOf(actor, task)),
  /** Attaching evidence files (佐证材料) to a task: the office, a unit_head in scope, the owner. Reading them is `readTask`. */
  uploadEvidence: (actor: Actor, task: TaskScope): boolean => policy.mayTake(actor, task, 'upload_evidence'),
  /** Prisma filter of the tasks an actor may read (the list endpoint's scope). */
  tasksWhere(actor: Actor): Prisma.TaskWhereInput {
    if (has(actor, 'office')) return {};
    const or: Prisma.TaskWhereInput[] = [];
    if (has(actor, 'unit_head', 'viewer')) or.push({ unit: { path: { startsWith: actor.unitPath } } });
    if (has(actor, 'leader')) or.push({ supervisorId: actor.id });
    if (has(actor, 'staff')) or.push({ ownerId: actor.id });
    return or.length ? { OR: or } : { id: { in: [] } };
  },

  // Escalation notices (督办通知): a recipient reads and acknowledges (签收) it; whoever reads its task reads it too.
  isNoticeRecipient: (actor: Actor, n: { recipients: string[] }) => n.recipients.includes(actor.email),
  readNotice: (actor: Actor, n: { recipients: string[] }, task: TaskScope) => policy.isNoticeRecipient(actor, n) || policy.readTask(actor, task),
  acknowledgeNotice: (actor: Actor, n: { recipients: string[] }) => policy.isNoticeRecipient(actor, n),
  /** Prisma filter of the notices listed to an actor: the office sees all, everyone else the ones addressed to them. */
  noticesWhere: (actor: Actor): Prisma.NoticeWhereInput => (has(actor, 'office') ? {} : { recipients: { has: actor.email } }),

  // Campaigns (the three lists): the office creates them; the office and leaders read them whole.
  createCampaign: (actor: Actor) => has(actor, 'office'),
  readCampaigns: (actor: Actor) => has(actor, 'office', 'leader'),

  // Audit trail
  readAudit: (actor: Actor) => has(actor, 'admin', 'office'),
  // API tokens: everyone manages their own; an admin may revoke anyone's.
  revokeAnyToken: (actor: Actor) => has(actor, 'admin'),
};
