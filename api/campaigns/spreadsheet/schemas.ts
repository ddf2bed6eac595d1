import { z } from 'zod';
import { ZProblemSource } from '../schemas';

const ZBoolText = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ZImportQuery = z.strictObject({
  commit: ZBoolText.default(false).describe('false (default): dry run, nothing stored; true: create the campaign'),
  code: z.string().trim().min(1).max(32).optional().describe('campaign code (批次编码), instead of the 批次信息 sheet (needed for .csv)'),
  name: z.string().trim().min(1).max(200).optional().describe('campaign name (批次名称)'),
  source: ZProblemSource.optional().describe('campaign source (问题来源)'),
});

const ZRef = z.object({ id: z.string(), code: z.string(), name: z.string() });
const ZPersonRef = z.object({ id: z.string(), displayName: z.string(), email: z.string() });

export const ZImportResult = z.object({
  created: z.boolean(),
  dryRun: z.boolean(),
  status: z.enum(['ready', 'code_taken', 'already_imported', 'created']),
  message: z.string(),
  existingCampaign: z.object({ id: z.string(), code: z.string(), name: z.string() }).nullable(),
  campaign: z.object({ code: z.string(), name: z.string(), source: z.string(), sourceLabel: z.string(), periodStart: z.string().nullable(), periodEnd: z.string().nullable() }),
  createdCampaign: z.unknown().optional().describe('the created campaign (as GET /api/campaigns/{id}) when created'),
  file: z.object({ name: z.string(), kind: z.enum(['xlsx', 'csv']), encoding: z.string().optional() }),
  fingerprint: z.string().describe('SHA-256 of the content as written; the same content imports once'),
  totals: z.object({ problems: z.number(), tasks: z.number() }),
  skipped: z.array(z.object({ sheet: z.string(), row: z.number(), reason: z.string() })),
  problems: z.array(
    z.object({
      sheet: z.string(),
      row: z.number(),
      code: z.string(),
      codeInFile: z.string().nullable(),
      description: z.string(),
      category: z.string(),
      severity: z.string(),
      severityLabel: z.string(),
      source: z.string(),
      foundOn: z.string(),
      tasks: z.array(
        z.object({
          row: z.number(),
          code: z.string(),
          measure: z.string(),
          leadUnit: ZRef,
          coUnits: z.array(ZRef),
          owner: ZPersonRef,
          supervisor: ZPersonRef.nullable(),
          deadline: z.string(),
          deadlineAsWritten: z.string(),
        }),
      ),
    }),
  ),
});
