import { ZIdParams } from '../../http/common';
import { type AnyRoute, route } from '../../http/route';
import { attachmentDisposition } from '../../http/download';
import { contentOf, stageInMemory } from './read';
import { ZImportQuery, ZImportResult } from './schemas';
import type { CampaignSpreadsheets } from './service';

import { XLSX_MEDIA_TYPE as XLSX } from '../../../lib/filetype';

/** The office's spreadsheet in and out: template, import (dry run / commit), the campaign's 台账. */
export function campaignSpreadsheetRoutes(sheets: CampaignSpreadsheets): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/campaigns/template.xlsx',
      tag: 'campaigns',
      summary: '下载整改清单导入模板（含填写说明、示例行和下拉选项）/ the import template',
      auth: 'user',
      success: { status: 200, description: 'the template workbook (.xlsx)', binary: true, contentTypes: [XLSX] },
      errors: [403],
      handler: async ({ actor, res }) => {
        const content = await sheets.template(actor);
        res.setHeader('Content-Type', XLSX);
        res.setHeader('Content-Disposition', attachmentDisposition('整改清单导入模板.xlsx'));
        res.status(200).send(content);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/api/campaigns/import',
      tag: 'campaigns',
      summary: '从 Excel（.xlsx）或 CSV（UTF-8 / GBK）导入整改批次：默认试导入（预览与全部错误），commit=true 正式创建 / import a campaign from a spreadsheet',
      auth: 'user',
      query: ZImportQuery,
      multipart: { field: 'file', maxFiles: 1, maxFileBytes: sheets.limits.maxFileBytes, contentTypes: [XLSX, 'text/csv'], stage: stageInMemory },
      success: { status: 200, description: 'the preview (dry run), or the created campaign; `already_imported` when this content was imported before', schema: ZImportResult },
      errors: [403, 409, 413, 503],
      handler: ({ actor, query, files, req }) => sheets.import(actor, { fileName: files[0]!.fileName, content: contentOf(files[0]!.staged) }, query, String(req.id)),
    }),
    route({
      method: 'get',
      path: '/api/campaigns/{id}/ledger.xlsx',
      tag: 'campaigns',
      summary: '整改台账（问题、任务、责任清单及销号情况；与导入模板同一列布局）/ the campaign’s ledger workbook',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the ledger workbook (.xlsx)', binary: true, contentTypes: [XLSX] },
      errors: [404],
      handler: async ({ actor, params, res }) => {
        const { code, content } = await sheets.ledger(actor, params.id);
        res.setHeader('Content-Type', XLSX);
        res.setHeader('Content-Disposition', attachmentDisposition(`整改台账-${code}.xlsx`));
        res.setHeader('Cache-Control', 'private, no-cache');
        res.status(200).send(content);
        return undefined;
      },
    }),
  ];
}
