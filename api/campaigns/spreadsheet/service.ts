import type { Db } from '../../../lib/db';
import { AppError, ErrorCode, type FieldIssue } from '../../../lib/errors';
import { loadLedgerData, renderLedgerWorkbook } from '../../../lib/spreadsheet/ledger';
import { type Actor, policy } from '../../policy';
import type { TCreateCampaignRequest } from '../schemas';
import { type CampaignMetaInput, parseCampaignWorkbook } from './import';
import { IMPORT_LIMITS, readSpreadsheet } from './read';
import { buildTemplate } from './template';
import { DEFAULT_TIME_ZONE, DEFAULT_WORKDAY_END } from '../../../lib/config';

/** What the spreadsheets need of the campaign service: its checks and its create (the JSON path). */
export interface CampaignCore {
  check(problems: TCreateCampaignRequest['problems']): Promise<FieldIssue[]>;
  create(actor: Actor, body: TCreateCampaignRequest, requestId?: string, opts?: { importFingerprint?: string }): Promise<{ id: string; code: string; name: string }>;
  get(actor: Actor, id: string): Promise<unknown>;
}

export interface CampaignSpreadsheetDeps {
  db: Db;
  timeZone?: string;
  workdayEnd?: string;
  now?: () => Date;
}

const officeOnly = () => new AppError(ErrorCode.FORBIDDEN, '仅督查室可导入整改清单 / only the supervision office imports campaigns');

export function createCampaignSpreadsheets(deps: CampaignSpreadsheetDeps, campaigns: CampaignCore) {
  const now = deps.now ?? (() => new Date());
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;
  const workdayEnd = deps.workdayEnd ?? DEFAULT_WORKDAY_END;

  return {
    limits: IMPORT_LIMITS,

    async template(actor: Actor): Promise<Buffer> {
      if (!policy.createCampaign(actor)) throw new AppError(ErrorCode.FORBIDDEN, '仅督查室可下载导入模板 / only the supervision office uses the template');
      return buildTemplate(deps.db, now());
    },

    /** The campaign's 台账 workbook (office and leaders, like the campaign itself). */
    async ledger(actor: Actor, id: string): Promise<{ code: string; content: Buffer }> {
      if (!policy.readCampaigns(actor)) throw new AppError(ErrorCode.NOT_FOUND, '整改批次不存在 / campaign not found');
      const at = now();
      const data = await loadLedgerData(deps.db, id, at);
      if (!data) throw new AppError(ErrorCode.NOT_FOUND, '整改批次不存在 / campaign not found');
      return { code: data.code, content: await renderLedgerWorkbook(data, { timeZone, workdayEnd, now: at }) };
    },

    /**
     * Reads an uploaded .xlsx/.csv into the campaign document. A dry run (default) answers the
     * preview; `commit` creates the campaign through the JSON path (campaigns.create). The same
     * content imported again creates nothing and says so.
     */
    async import(actor: Actor, file: { fileName: string; content: Buffer }, q: CampaignMetaInput & { commit: boolean }, requestId?: string) {
      if (!policy.createCampaign(actor)) throw officeOnly();
      const book = await readSpreadsheet(file);
      const { document, preview, fingerprint } = await parseCampaignWorkbook(book, { code: q.code, name: q.name, source: q.source }, {
        db: deps.db,
        timeZone,
        workdayEnd,
        now,
        check: (problems) => campaigns.check(problems),
      });
      const summary = { file: { name: file.fileName, kind: book.kind, ...(book.encoding ? { encoding: book.encoding } : {}) }, fingerprint, ...preview };
      const imported = await deps.db.campaign.findUnique({ where: { importFingerprint: fingerprint }, select: { id: true, code: true, name: true } });
      if (imported) {
        return {
          created: false,
          dryRun: !q.commit,
          status: 'already_imported' as const,
          message: `该文件已导入为整改批次“${imported.name}”（${imported.code}），未重复创建 / this file was already imported as ${imported.code}; nothing new was created`,
          existingCampaign: imported,
          ...summary,
        };
      }
      const taken = await deps.db.campaign.findUnique({ where: { code: document.code }, select: { id: true, code: true, name: true } });
      if (!q.commit) {
        return {
          created: false,
          dryRun: true,
          status: taken ? ('code_taken' as const) : ('ready' as const),
          message: taken
            ? `批次编码 ${document.code} 已被整改批次“${taken.name}”使用，正式导入将被拒绝；请修改批次编码 / the code ${document.code} is taken`
            : `试导入通过：将创建 ${preview.totals.problems} 个问题、${preview.totals.tasks} 项任务；确认无误后即可正式导入（接口：commit=true） / dry run passed: import with commit=true`,
          existingCampaign: taken,
          ...summary,
        };
      }
      try {
        const campaign = await campaigns.create(actor, document, requestId, { importFingerprint: fingerprint });
        return {
          created: true,
          dryRun: false,
          status: 'created' as const,
          message: `已创建整改批次“${campaign.name}”（${campaign.code}）：${preview.totals.problems} 个问题、${preview.totals.tasks} 项任务已开始督办 / campaign created`,
          existingCampaign: null,
          ...summary,
          createdCampaign: campaign,
        };
      } catch (err) {
        // Two uploads of one file at once: the second finds the first's campaign.
        const raced = err instanceof AppError && err.code === ErrorCode.CONFLICT ? await deps.db.campaign.findUnique({ where: { importFingerprint: fingerprint }, select: { id: true, code: true, name: true } }) : null;
        if (!raced) throw err;
        return {
          created: false,
          dryRun: false,
          status: 'already_imported' as const,
          message: `该文件已导入为整改批次“${raced.name}”（${raced.code}），未重复创建 / already imported as ${raced.code}`,
          existingCampaign: raced,
          ...summary,
        };
      }
    },
  };
}

export type CampaignSpreadsheets = ReturnType<typeof createCampaignSpreadsheets>;
