import { recordAudit } from '../lib/audit';
import type { Prisma } from '../generated/prisma/client';
import type { TaskActivityDeps } from './index';
import { issuingOffice, pages, recipientsByEmail } from './mail/context';
import { renderLedgerMail } from './mail/ledger';
import { sendOnce } from './outbox';
import { closureOutcome, closureTotals, type ClosureOutcome } from '../domain/closure';
import { loadLedgerData, renderLedgerWorkbook } from '../lib/spreadsheet/ledger';
import { closerOf, readTaskEvent, type TaskEventType } from '../domain/events';
import { supervisionInput, type SuperviseTaskInput } from '../domain/contract';
import { terminalStatuses } from '../domain/lifecycle';
import { DEFAULT_WORKDAY_END } from '../lib/config';

export interface LedgerRow {
  problemCode: string;
  problem: string;
  taskCode: string;
  measure: string;
  leadUnit: string;
  owner: string;
  deadline: string;
  closedAt: string | null;
  /** Closed by its deadline (按时销号). */
  onTime: boolean;
  /** How it ended: on_time 按时销号, late 逾期销号, cancelled 已撤销 (neither on time nor late). */
  outcome: ClosureOutcome;
  /** Passed its deadline while open, whenever it was closed. */
  wentOverdue: boolean;
  closedBy: string | null;
  /** Closure requests the office returned (退回次数). */
  returned: number;
}

/** Closure ledger (销号台账): who closed what, when, on time or late. */
export interface Ledger {
  campaignId: string;
  code: string;
  name: string;
  reconciledAt: string;
  /** Every task counts once: closed on time, closed late, or cancelled (a cancelled task is not late). */
  totals: { problems: number; tasks: number; onTime: number; late: number; cancelled: number };
  rows: LedgerRow[];
}

export function createCampaignActivities(deps: TaskActivityDeps) {
  const now = deps.now ?? (() => new Date());

  return {
    /** Closes a problem once all its tasks are closed; a repeat finds it closed and writes nothing. */
    async closeProblem(input: { problemId: string; at: string }): Promise<{ closed: boolean }> {
      return deps.db.$transaction(async (tx) => {
        const { count } = await tx.problem.updateMany({ where: { id: input.problemId, status: 'open' }, data: { status: 'closed', closedAt: new Date(input.at) } });
        if (count === 1) await recordAudit(tx, { actor: null, action: 'problem.close', targetType: 'problem', targetId: input.problemId, after: { status: 'closed' } });
        return { closed: count === 1 };
      });
    },

    /** Reopens a closed problem when one of its tasks is reopened (回头看). */
    async reopenProblem(input: { problemId: string; at: string }): Promise<{ reopened: boolean }> {
      return deps.db.$transaction(async (tx) => {
        const { count } = await tx.problem.updateMany({ where: { id: input.problemId, status: 'closed' }, data: { status: 'open', closedAt: null } });
        if (count === 1) await recordAudit(tx, { actor: null, action: 'problem.reopen', targetType: 'problem', targetId: input.problemId, after: { status: 'open' } });
        return { reopened: count === 1 };
      });
    },

    /**
     * A page of the campaign's tasks in id order after `after`, as the inputs of their supervision
     * runs (a paged campaign never carries them all), and how many tasks the campaign has.
     */
    async campaignTaskPage(input: { campaignId: string; after: string | null; limit: number }): Promise<{ tasks: SuperviseTaskInput[]; total: number }> {
      const where = { problem: { campaignId: input.campaignId } } satisfies Prisma.TaskWhereInput;
      const [rows, total, campaign] = await Promise.all([
        deps.db.task.findMany({
          where: { ...where, ...(input.after ? { id: { gt: input.after } } : {}) },
          orderBy: { id: 'asc' },
          take: input.limit,
          include: { unit: { select: { code: true } } },
        }),
        deps.db.task.count({ where }),
        deps.db.campaign.findUniqueOrThrow({ where: { id: input.campaignId }, select: { code: true } }),
      ]);
      return { tasks: rows.map((t) => supervisionInput(t, campaign.code)), total };
    },

    /**
     * Settles the problems of tasks that ended or were reopened, against the database: a reopened
     * task's problem opens again; an ended task's problem closes when every task of it has ended and
     * none is reopened (`stillReopened`, which the workflow keeps). Idempotent: a retry finds the
     * problems as it left them. Answers how many problems are open and which are closed.
     */
    async settleProblems(input: { campaignId: string; ended: string[]; reopened: string[]; stillReopened: string[]; at: string }): Promise<{ openProblems: number; closedProblems: string[]; closedTasks?: number }> {
      const at = new Date(input.at);
      const problemsOf = async (taskIds: string[]) =>
        taskIds.length ? [...new Set((await deps.db.task.findMany({ where: { id: { in: taskIds } }, select: { problemId: true } })).map((t) => t.problemId!))] : [];
      for (const problemId of await problemsOf(input.reopened)) {
        await deps.db.$transaction(async (tx) => {
          const { count } = await tx.problem.updateMany({ where: { id: problemId, status: 'closed' }, data: { status: 'open', closedAt: null } });
          if (count === 1) await recordAudit(tx, { actor: null, action: 'problem.reopen', targetType: 'problem', targetId: problemId, after: { status: 'open' } });
        });
      }
      const candidates = await deps.db.problem.findMany({
        where: {
          campaignId: input.campaignId,
          status: 'open',
          ...(input.ended.length ? { tasks: { some: { id: { in: input.ended } } } } : {}),
          // Every task of it has ended, and none is reopened and still running.
          AND: [{ tasks: { every: { status: { in: [...terminalStatuses] } } } }, { tasks: { none: { id: { in: input.stillReopened } } } }],
        },
        select: { id: true },
      });
      for (const p of candidates) {
        await deps.db.$transaction(async (tx) => {
          const { count } = await tx.problem.updateMany({ where: { id: p.id, status: 'open' }, data: { status: 'closed', closedAt: at } });
          if (count === 1) await recordAudit(tx, { actor: null, action: 'problem.close', targetType: 'problem', targetId: p.id, after: { status: 'closed' } });
        });
      }
      const [openProblems, closed, closedTasks] = await Promise.all([
        deps.db.problem.count({ where: { campaignId: input.campaignId, status: 'open' } }),
        deps.db.problem.findMany({ where: { campaignId: input.campaignId, status: 'closed' }, select: { id: true }, orderBy: { seq: 'asc' } }),
        deps.db.task.count({ where: { problem: { campaignId: input.campaignId }, status: { in: [...terminalStatuses] } } }),
      ]);
      return { openProblems, closedProblems: closed.map((p) => p.id), closedTasks };
    },

    /**
     * Reconciles a campaign whose problems are all closed (对账): writes its closure ledger once and
     * mails it, with the 台账 workbook, to the office (every active person with the office role;
     * the campaign's creator if there is none), once per campaign and recipient.
     * Answers the ledger's totals, not the ledger: the answer is recorded in the campaign's history,
     * and the rows (one per task, ~9 MiB at the schema's 500 × 50) pass Temporal's 2 MiB payload limit.
     */
    async reconcileCampaign(input: { campaignId: string; at: string }): Promise<Pick<Ledger, 'campaignId' | 'reconciledAt' | 'totals'>> {
      const current = await deps.db.campaign.findUniqueOrThrow({ where: { id: input.campaignId }, select: { status: true, ledger: true } });
      // Built before the transaction: reading every task of a campaign at the schema's 500 × 50 takes
      // longer than an interactive transaction may run (Prisma's 5 s; P2028 and a retry for ever).
      const built = current.status === 'reconciled' && current.ledger ? null : await buildLedger(deps.db, input.campaignId, input.at);
      const ledger = await deps.db.$transaction(async (tx) => {
        const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: input.campaignId } });
        if ((campaign.status === 'reconciled' && campaign.ledger) || !built) return campaign.ledger as unknown as Ledger;
        await tx.campaign.update({
          where: { id: campaign.id },
          data: { status: 'reconciled', reconciledAt: new Date(input.at), ledger: built as unknown as Prisma.InputJsonValue },
        });
        await recordAudit(tx, { actor: null, action: 'campaign.reconcile', targetType: 'campaign', targetId: campaign.id, after: built.totals });
        return built;
      });
      const campaign = await deps.db.campaign.findUniqueOrThrow({ where: { id: input.campaignId } });
      const office = await deps.db.person.findMany({ where: { active: true, roles: { has: 'office' } }, orderBy: { email: 'asc' }, select: { email: true } });
      const creator = campaign.createdById ? await deps.db.person.findUnique({ where: { id: campaign.createdById }, select: { email: true } }) : null;
      const to = office.length ? office.map((p) => p.email) : creator ? [creator.email] : [];
      if (to.length) {
        const data = await loadLedgerData(deps.db, campaign.id, new Date(ledger.reconciledAt));
        const workbook = await renderLedgerWorkbook(data!, { timeZone: deps.timeZone, workdayEnd: deps.workdayEnd ?? DEFAULT_WORKDAY_END, now: new Date(ledger.reconciledAt) });
        const recipient = await recipientsByEmail(deps.db, to);
        const issuer = await issuingOffice(deps);
        // Rendered once for every recipient (at 25,000 tasks the JSON is ~9 MiB).
        const ledgerJson = Buffer.from(JSON.stringify(ledger, null, 2));
        for (const email of to) {
          const mail = renderLedgerMail({ ledger, recipient: recipient(email), campaignUrl: pages(deps.publicUrl).campaign(ledger.campaignId) }, { issuer, timeZone: deps.timeZone, now: now() });
          await sendOnce(
            { ...deps, now },
            {
              idempotencyKey: `campaign:${ledger.campaignId}:reconciled:${email}`,
              kind: 'campaign_reconciled',
              to: email,
              ...mail,
              attachments: [
                { filename: `台账-${ledger.code}.xlsx`, content: workbook, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
                { filename: `ledger-${ledger.code}.json`, content: ledgerJson, contentType: 'application/json' },
              ],
            },
          );
        }
      }
      return { campaignId: ledger.campaignId, reconciledAt: ledger.reconciledAt, totals: ledger.totals };
    },
  };
}

async function buildLedger(tx: Prisma.TransactionClient, campaignId: string, at: string): Promise<Ledger> {
  const campaign = await tx.campaign.findUniqueOrThrow({
    where: { id: campaignId },
    include: {
      problems: {
        orderBy: { seq: 'asc' },
        include: {
          tasks: {
            orderBy: { seq: 'asc' },
            include: { unit: true, owner: true, events: { where: { type: { in: ['overdue', 'completed', 'verified'] satisfies TaskEventType[] } }, orderBy: { at: 'asc' } } },
          },
        },
      },
    },
  });
  // Who closed it: carried by the closing transition itself (the office's direct closure, or its
  // acceptance of a closure request; the last one counts), never looked up in the audit trail.
  const closerIds = new Map<string, string>();
  for (const t of campaign.problems.flatMap((p) => p.tasks)) {
    for (const e of t.events) {
      const event = readTaskEvent(e.type, e.data);
      const by = event && closerOf(event);
      if (by) closerIds.set(t.id, by);
    }
  }
  const closers = await tx.person.findMany({ where: { id: { in: [...new Set(closerIds.values())] } }, select: { id: true, email: true } });
  const emailOf = new Map(closers.map((p) => [p.id, p.email]));
  const closedBy = new Map([...closerIds].map(([taskId, personId]) => [taskId, emailOf.get(personId) ?? null]));
  const rows: LedgerRow[] = campaign.problems.flatMap((p) =>
    p.tasks.map((t) => ({
      problemCode: p.code,
      problem: p.description,
      taskCode: t.code ?? t.id,
      measure: t.title,
      leadUnit: t.unit.name,
      owner: t.owner.displayName,
      deadline: t.deadline.toISOString(),
      closedAt: t.completedAt?.toISOString() ?? null,
      onTime: closureOutcome(t) === 'on_time',
      outcome: closureOutcome(t),
      wentOverdue: t.events.some((e) => e.type === 'overdue'),
      closedBy: closedBy.get(t.id) ?? null,
      returned: t.returnCount,
    })),
  );
  const { onTime, late, cancelled } = closureTotals(rows.map((r) => r.outcome));
  return {
    campaignId,
    code: campaign.code,
    name: campaign.name,
    reconciledAt: at,
    totals: { problems: campaign.problems.length, tasks: rows.length, onTime, late, cancelled },
    rows,
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
