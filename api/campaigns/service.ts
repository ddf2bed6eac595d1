import { randomUUID } from 'node:crypto';
import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { Prisma } from '../../generated/prisma/client';
import { recordAudit } from '../../lib/audit';
import { insertTasksSql, type TaskInsertRow } from '../../lib/task-rows';
import { effectivePolicy } from '../../domain/supervision-policy';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode, type FieldIssue } from '../../lib/errors';
import { addProblemsUpdate, type CampaignProblemsInput, campaignWorkflowId, type SuperviseCampaignInput, supervisionInput, tasksStartedUpdate } from '../../domain/contract';
import { type Actor, policy } from '../policy';
import { taskStatusLabels } from '../../domain/lifecycle';
import { createCampaignSpreadsheets } from './spreadsheet/service';
import { problemSourceLabels, severityLabels, type TCampaignProblemRow, type TCreateCampaignRequest } from './schemas';


/**
 * A campaign's rows go in one transaction: three bulk statements for up to 25,000 tasks. Prisma's
 * default 5 s for an interactive transaction is too short for a 5,000-row import on a loaded
 * 2-core machine (the benchmark's commit answered 503 past it); 10 s stays inside the request's
 * own 15 s bound, and each statement keeps its statement timeout.
 */
const CAMPAIGN_WRITE_TRANSACTION = { timeout: 10_000 } as const;

export interface CampaignServiceDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  now?: () => Date;
  /** The office's time zone and end of working day (spreadsheet dates, working-day deadlines). */
  timeZone?: string;
  workdayEnd?: string;
}

const campaignInclude = {
  problems: {
    orderBy: { seq: 'asc' },
    include: {
      tasks: {
        orderBy: { seq: 'asc' },
        include: {
          unit: { select: { id: true, code: true, name: true } },
          owner: { select: { id: true, displayName: true, email: true } },
          coUnits: { include: { unit: { select: { id: true, code: true, name: true } } } },
        },
      },
    },
  },
} satisfies Prisma.CampaignInclude;
type CampaignRow = Prisma.CampaignGetPayload<{ include: typeof campaignInclude }>;

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

function present(c: CampaignRow) {
  return {
    id: c.id,
    code: c.code,
    name: c.name,
    source: c.source,
    sourceLabel: problemSourceLabels[c.source],
    status: c.status,
    statusLabel: c.status === 'reconciled' ? '已对账' : '整改中',
    periodStart: day(c.periodStart),
    periodEnd: day(c.periodEnd),
    workflowId: campaignWorkflowId(c.id),
    reconciledAt: c.reconciledAt?.toISOString() ?? null,
    problems: c.problems.map((p) => ({
      id: p.id,
      code: p.code,
      description: p.description,
      category: p.category,
      severity: p.severity,
      severityLabel: severityLabels[p.severity],
      source: p.source,
      foundOn: day(p.foundOn)!,
      status: p.status,
      statusLabel: p.status === 'closed' ? '已销号' : '整改中',
      tasks: p.tasks.map((t) => ({
        id: t.id,
        code: t.code ?? t.id,
        measure: t.title,
        status: t.status,
        statusLabel: taskStatusLabels[t.status],
        leadUnit: t.unit,
        coUnits: t.coUnits.map((cu) => cu.unit),
        owner: t.owner,
        deadline: t.deadline.toISOString(),
        completedAt: t.completedAt?.toISOString() ?? null,
      })),
    })),
    ledger: c.ledger ?? null,
    policy: effectivePolicy(c.policy),
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;

type Resolved = {
  row: TCampaignProblemRow['tasks'][number];
  lead?: { id: string };
  coUnits: ({ id: string } | undefined)[];
  owner?: { id: string; email: string };
  supervisor?: { id: string };
}[];

/**
 * Writes problems (numbered from `after` + 1) and their tasks (codes like XF-2026-003-2) and
 * co-units in three statements whatever their number (ids
 * made here, rows in bulk), so a campaign at the schema's size fits the transaction's bound.
 */
async function insertProblems(tx: Prisma.TransactionClient, campaign: { id: string; code: string; source: TCreateCampaignRequest['source'] }, after: number, problems: TCampaignProblemRow[], resolved: Resolved) {
  let k = 0;
  const problemRows: Prisma.ProblemCreateManyInput[] = [];
  const taskRows: TaskInsertRow[] = [];
  const coUnitRows: Prisma.TaskCoUnitCreateManyInput[] = [];
  for (const [i, p] of problems.entries()) {
    const seq = after + i + 1;
    const problemCode = `${campaign.code}-${String(seq).padStart(3, '0')}`;
    const problemId = randomUUID();
    problemRows.push({ id: problemId, campaignId: campaign.id, seq, code: problemCode, description: p.description, category: p.category, severity: p.severity, source: p.source ?? campaign.source, foundOn: new Date(p.foundOn) });
    for (const [ti] of p.tasks.entries()) {
      const r = resolved[k++]!;
      const taskId = randomUUID();
      taskRows.push({
        id: taskId,
        problemId,
        seq: ti + 1,
        code: `${problemCode}-${ti + 1}`,
        title: r.row.measure,
        unitId: r.lead!.id,
        ownerId: r.owner!.id,
        ownerEmail: r.owner!.email,
        supervisorId: r.supervisor?.id ?? null,
        deadline: new Date(r.row.deadline),
        reminderOffsetSeconds: r.row.reminderOffsetSeconds,
      });
      for (const u of r.coUnits) coUnitRows.push({ taskId, unitId: u!.id });
    }
  }
  await tx.problem.createMany({ data: problemRows });
  if (taskRows.length) await tx.$executeRaw(insertTasksSql(taskRows));
  if (coUnitRows.length) await tx.taskCoUnit.createMany({ data: coUnitRows });
}

/** The workflow input of the given problems of a campaign. */
function supervisionOf(campaign: { code: string }, problems: CampaignRow['problems']): CampaignProblemsInput {
  return problems.map((p) => ({ problemId: p.id, tasks: p.tasks.map((t) => supervisionInput({ ...t, ownerEmail: t.owner.email }, campaign.code)) }));
}

export function createCampaignService(deps: CampaignServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const notFound = () => new AppError(ErrorCode.NOT_FOUND, '整改批次不存在 / campaign not found');

  async function get(actor: Actor, id: string) {
    if (!policy.readCampaigns(actor)) throw notFound();
    const c = await deps.db.campaign.findUnique({ where: { id }, include: campaignInclude });
    if (!c) throw notFound();
    return present(c);
  }

  /** Resolves unit codes and e-mails of the spreadsheet; every problem is reported at once, by path. */
  async function resolve(problems: TCampaignProblemRow[]) {
    const rows = problems.flatMap((p, pi) => p.tasks.map((t, ti) => ({ t, at: `body.problems.${pi}.tasks.${ti}` })));
    const codes = [...new Set(rows.flatMap(({ t }) => [t.leadUnit, ...t.coUnits]))];
    const emails = [...new Set(rows.flatMap(({ t }) => [t.owner, t.supervisor ?? []].flat()).map((e) => e.toLowerCase()))];
    const [units, people] = await Promise.all([
      deps.db.unit.findMany({ where: { code: { in: codes } } }),
      deps.db.person.findMany({ where: { email: { in: emails } }, include: { unit: { select: { path: true } } } }),
    ]);
    const unitByCode = new Map(units.map((u) => [u.code, u]));
    const personByEmail = new Map(people.map((p) => [p.email, p]));
    const issues: FieldIssue[] = [];
    const issue = (field: string, rule: string, message: string) => issues.push({ field, rule, message });
    const resolved = rows.map(({ t, at }) => {
      const lead = unitByCode.get(t.leadUnit);
      if (!lead) issue(`${at}.leadUnit`, 'exists', `单位编码不存在 / no unit with code ${t.leadUnit}`);
      const coUnits = t.coUnits.map((code, i) => {
        const u = unitByCode.get(code);
        if (!u) issue(`${at}.coUnits.${i}`, 'exists', `单位编码不存在 / no unit with code ${code}`);
        else if (u.code === t.leadUnit) issue(`${at}.coUnits.${i}`, 'not_lead_unit', '配合单位不能是牵头单位 / a co-operating unit cannot be the lead unit');
        return u;
      });
      const owner = personByEmail.get(t.owner.toLowerCase());
      if (!owner || !owner.active) issue(`${at}.owner`, 'exists', `责任人不存在或已停用 / no active person ${t.owner}`);
      else if (lead && !owner.unit.path.startsWith(lead.path)) issue(`${at}.owner`, 'owner.in_unit', '责任人必须属于牵头单位 / owner must belong to the lead unit');
      const supervisor = t.supervisor ? personByEmail.get(t.supervisor.toLowerCase()) : undefined;
      if (t.supervisor && (!supervisor || !supervisor.active || !supervisor.roles.includes('leader'))) {
        issue(`${at}.supervisor`, 'supervisor.is_leader', '分管领导须为在职的领导 / supervisor must be an active leader');
      }
      if (Date.parse(t.deadline) <= now().getTime()) issue(`${at}.deadline`, 'future', '完成时限必须晚于当前时间 / deadline must be in the future');
      return { row: t, lead, coUnits, owner, supervisor };
    });
    if (issues.length) throw new AppError(ErrorCode.VALIDATION_FAILED, '整改清单校验未通过 / the lists have errors', issues);
    return resolved;
  }

  const service = {
    get,

    /** The rules create() applies to the lists (units, people, deadlines), as issues by path; none when they hold. */
    async check(problems: TCampaignProblemRow[]): Promise<FieldIssue[]> {
      try {
        await resolve(problems);
        return [];
      } catch (err) {
        if (err instanceof AppError && err.code === ErrorCode.VALIDATION_FAILED) return err.details as FieldIssue[];
        throw err;
      }
    },

    async list(actor: Actor) {
      if (!policy.readCampaigns(actor)) throw new AppError(ErrorCode.FORBIDDEN, '无权查看整改批次 / not allowed');
      const rows = await deps.db.campaign.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
      return {
        items: rows.map((c) => ({ id: c.id, code: c.code, name: c.name, source: c.source, status: c.status, createdAt: c.createdAt.toISOString() })),
      };
    },

    /** Adds problems (with their tasks) to a running campaign; answers once they are under supervision. */
    async addProblems(actor: Actor, id: string, problems: TCampaignProblemRow[], requestId?: string) {
      if (!policy.createCampaign(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅督查室可维护整改批次 / only the supervision office maintains campaigns');
      const campaign = await deps.db.campaign.findUnique({ where: { id } });
      if (!campaign) throw notFound();
      if (campaign.status !== 'active') throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '整改批次已对账，不能再添加问题 / the campaign is reconciled', { rule: 'campaign.add.active_only' });
      const resolved = await resolve(problems);
      const newIds = await deps.db.$transaction(async (tx) => {
        const last = await tx.problem.aggregate({ where: { campaignId: id }, _max: { seq: true } });
        const before = new Set((await tx.problem.findMany({ where: { campaignId: id }, select: { id: true } })).map((p) => p.id));
        await insertProblems(tx, campaign, last._max.seq ?? 0, problems, resolved);
        const added = (await tx.problem.findMany({ where: { campaignId: id }, select: { id: true } })).map((p) => p.id).filter((pid) => !before.has(pid));
        await recordAudit(tx, { actor, action: 'campaign.add_problems', targetType: 'campaign', targetId: id, after: { problems: added.length, tasks: resolved.length }, requestId });
        return added;
      });
      const rows = await deps.db.problem.findMany({ where: { id: { in: newIds } }, orderBy: { seq: 'asc' }, include: campaignInclude.problems.include });
      try {
        await deps.temporal.workflow.getHandle(campaignWorkflowId(id)).executeUpdate(addProblemsUpdate, { args: [{ problems: supervisionOf(campaign, rows) }] });
      } catch (err) {
        await deps.db.$transaction(async (tx) => {
          await tx.task.deleteMany({ where: { problemId: { in: newIds } } });
          await tx.problem.deleteMany({ where: { id: { in: newIds } } });
          await recordAudit(tx, { actor, action: 'campaign.add_problems.rolled_back', targetType: 'campaign', targetId: id, requestId });
        });
        if (err instanceof WorkflowUpdateFailedError) {
          throw new AppError(ErrorCode.ILLEGAL_TRANSITION, '整改批次正在对账，不能再添加问题 / the campaign is being reconciled', { rule: 'campaign.add.active_only' });
        }
        throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，问题未添加 / workflow service unavailable', undefined, { cause: err });
      }
      return get(actor, id);
    },

    /**
     * Creates a campaign with its problem, task and responsibility lists in one transaction, then
     * starts its `superviseCampaign` workflow, which starts one `superviseTask` per task.
     */
    async create(actor: Actor, body: TCreateCampaignRequest, requestId?: string, opts: { importFingerprint?: string } = {}) {
      if (!policy.createCampaign(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅督查室可创建整改批次 / only the supervision office creates campaigns');
      const resolved = await resolve(body.problems);
      let campaignId: string;
      try {
        campaignId = await deps.db.$transaction(async (tx) => {
          const campaign = await tx.campaign.create({
            data: {
              code: body.code,
              name: body.name,
              source: body.source,
              periodStart: body.periodStart ? new Date(body.periodStart) : null,
              periodEnd: body.periodEnd ? new Date(body.periodEnd) : null,
              policy: body.policy ?? undefined,
              ownerUnitId: actor.unitId,
              createdById: actor.id,
              importFingerprint: opts.importFingerprint ?? null,
            },
          });
          await insertProblems(tx, campaign, 0, body.problems, resolved);
          await recordAudit(tx, {
            actor,
            action: 'campaign.create',
            targetType: 'campaign',
            targetId: campaign.id,
            after: { code: body.code, name: body.name, problems: body.problems.length, tasks: resolved.length, ...(opts.importFingerprint ? { importFingerprint: opts.importFingerprint } : {}) },
            requestId,
          });
          return campaign.id;
        }, CAMPAIGN_WRITE_TRANSACTION);
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw new AppError(ErrorCode.CONFLICT, '批次编码已存在 / campaign code already exists', [{ field: 'body.code', rule: 'unique', message: 'already exists' }]);
        }
        throw err;
      }

      const created = await deps.db.campaign.findUniqueOrThrow({ where: { id: campaignId }, include: campaignInclude });
      // The workflow reads its tasks a page at a time: a campaign of any size starts the same way.
      const input: SuperviseCampaignInput = { campaignId, paged: true };
      try {
        const handle = await deps.temporal.workflow.start('superviseCampaign', { taskQueue: deps.taskQueue, workflowId: campaignWorkflowId(campaignId), args: [input] });
        // Answer only once every task is under supervision, so the next request can act on it.
        await handle.executeUpdate(tasksStartedUpdate);
      } catch (err) {
        // Undo in dependency order; the audit trail keeps both the creation and its undo.
        await deps.db.$transaction(async (tx) => {
          await tx.task.deleteMany({ where: { problem: { campaignId } } });
          await tx.problem.deleteMany({ where: { campaignId } });
          await tx.campaign.delete({ where: { id: campaignId } });
          await recordAudit(tx, { actor, action: 'campaign.create.rolled_back', targetType: 'campaign', targetId: campaignId, requestId });
        });
        throw new AppError(ErrorCode.UNAVAILABLE, '工作流服务不可用，整改批次未创建 / workflow service unavailable', undefined, { cause: err });
      }
      return present(created);
    },
  };
  return { ...service, spreadsheets: createCampaignSpreadsheets(deps, service) };
}
