import { z } from 'zod';
import { ZPolicyOverride } from '../../domain/supervision-policy';
import { problemSources, severities } from '../../domain/problems';

export const ZProblemSource = z.enum(problemSources);
export const ZSeverity = z.enum(severities);
export { problemSourceLabels, severityLabels } from '../../domain/problems';

// The ISO format allows year 0000, which PostgreSQL's date type does not have (a 500 on insert).
const ZDate = z.iso.date().refine((d) => !d.startsWith('0000-'), 'year 0000 does not exist');
const ZUnitCode = z.string().trim().min(1).max(64);
const ZEmail = z.email().max(254);

/** One task row of the spreadsheet: measure, lead unit, co-operating units, owner, leader, deadline. */
export const ZCampaignTaskRow = z.strictObject({
  measure: z.string().trim().min(1).max(500),
  leadUnit: ZUnitCode.describe('code of the lead unit (牵头单位)'),
  coUnits: z.array(ZUnitCode).max(20).default([]).describe('codes of co-operating units (配合单位)'),
  owner: ZEmail.describe('e-mail of the responsible person (责任人), within the lead unit'),
  supervisor: ZEmail.optional().describe('e-mail of the supervising leader (分管领导)'),
  deadline: z.iso.datetime({ offset: true }),
  reminderOffsetSeconds: z.number().int().min(0).max(366 * 24 * 3600).default(0).describe('an extra reminder this many seconds before the deadline, besides the policy ones'),
});

export const ZCampaignProblemRow = z.strictObject({
  description: z.string().trim().min(1).max(2000),
  category: z.string().trim().min(1).max(50),
  severity: ZSeverity,
  foundOn: ZDate,
  source: ZProblemSource.optional().describe("defaults to the campaign's source"),
  tasks: z.array(ZCampaignTaskRow).min(1).max(50),
});

export type TCampaignProblemRow = z.infer<typeof ZCampaignProblemRow>;
export const ZAddProblemsRequest = z.strictObject({ problems: z.array(ZCampaignProblemRow).min(1).max(500) });

/** A campaign with its three lists in one document, mirroring the office's spreadsheet. */
export const ZCreateCampaignRequest = z
  .strictObject({
    code: z
      .string()
      .trim()
      .regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/, 'upper-case letters and digits in dash-separated groups, e.g. XF-2026')
      .max(32),
    name: z.string().trim().min(1).max(200),
    source: ZProblemSource,
    periodStart: ZDate.optional(),
    periodEnd: ZDate.optional(),
    /** Overrides of the default reminders and escalation ladder for this campaign. */
    policy: ZPolicyOverride.optional(),
    problems: z.array(ZCampaignProblemRow).min(1).max(500),
  })
  .refine((c) => !c.periodStart || !c.periodEnd || c.periodStart <= c.periodEnd, { message: 'periodEnd is before periodStart', path: ['periodEnd'] });
export type TCreateCampaignRequest = z.infer<typeof ZCreateCampaignRequest>;

export const ZCampaignTask = z.object({
  id: z.string(),
  code: z.string(),
  measure: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  leadUnit: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  coUnits: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
  owner: z.object({ id: z.string(), displayName: z.string(), email: z.string() }),
  deadline: z.string(),
  completedAt: z.string().nullable(),
});

export const ZCampaign = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  source: ZProblemSource,
  sourceLabel: z.string(),
  status: z.enum(['active', 'reconciled']),
  statusLabel: z.string(),
  periodStart: z.string().nullable(),
  periodEnd: z.string().nullable(),
  workflowId: z.string(),
  reconciledAt: z.string().nullable(),
  problems: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      description: z.string(),
      category: z.string(),
      severity: ZSeverity,
      severityLabel: z.string(),
      source: ZProblemSource,
      foundOn: z.string(),
      status: z.enum(['open', 'closed']),
      statusLabel: z.string(),
      tasks: z.array(ZCampaignTask),
    }),
  ),
  ledger: z.unknown().nullable(),
  /** The policy in force: defaults with this campaign's overrides. */
  policy: z.unknown(),
});
