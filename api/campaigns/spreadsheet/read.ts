import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { StagedContent } from '../../../lib/storage';
import { AppError, ErrorCode } from '../../../lib/errors';
import { decodeCsv, parseCsv } from '../../../lib/spreadsheet/csv';
import { columnLetter } from '../../../lib/spreadsheet/cells';
import { inspectZip } from '../../../lib/spreadsheet/zip-guard';

/** What one cell holds, whichever program wrote the file. */
export type Raw = null | string | number | boolean | Date | { formula: true } | { error: string };

/** One sheet as a grid of raw values; merged cells point to their master. */
export interface Grid {
  name: string;
  rowCount: number;
  colCount: number;
  value(row: number, col: number): Raw;
  /** The top-left cell of the merge the cell belongs to, if it is merged and not that cell. */
  mergedInto(row: number, col: number): { row: number; col: number } | null;
}

/** Limits on an uploaded spreadsheet; past any of them the file is refused before it is read. */
export const IMPORT_LIMITS = {
  /** Largest upload. */
  maxFileBytes: 10 * 2 ** 20,
  /** Largest total uncompressed size of an .xlsx's parts (zip bombs). */
  maxUncompressedBytes: 64 * 2 ** 20,
  maxZipEntries: 1000,
  maxCompressionRatio: 500,
  /** Most rows in one sheet (5,000 tasks import in seconds; 10,000 is the ceiling). */
  maxRows: 10_000,
};

const inMemory = new WeakMap<StagedContent, Buffer>();

/**
 * The multipart helper's `stage` for imports: the file is kept in memory (at most
 * IMPORT_LIMITS.maxFileBytes, the route's limit, since it is parsed whole anyway), not on disk.
 */
export async function stageInMemory(source: Readable): Promise<StagedContent> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  const content = Buffer.concat(chunks);
  const staged: StagedContent = { sha256: createHash('sha256').update(content).digest('hex'), size: content.length, head: content.subarray(0, 8192), discard: async () => undefined };
  inMemory.set(staged, content);
  return staged;
}

/** The bytes of a file staged by stageInMemory. */
export const contentOf = (staged: StagedContent): Buffer => inMemory.get(staged) ?? Buffer.alloc(0);

export interface FileIssue {
  field: string;
  rule: string;
  message: string;
  sheet: string | null;
  row: number | null;
  column: string | null;
  header: string | null;
}

const refuse = (status: 'bad' | 'large', issue: Omit<FileIssue, 'field' | 'sheet' | 'row' | 'column' | 'header'> & Partial<FileIssue>) =>
  new AppError(status === 'large' ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.VALIDATION_FAILED, `文件被拒绝：${issue.message.split(' / ')[0]} / file refused`, [
    { field: 'body.file', sheet: null, row: null, column: null, header: null, ...issue },
  ]);

export interface ReadWorkbook {
  kind: 'xlsx' | 'csv';
  sheets: Grid[];
  encoding?: string;
}

/**
 * Reads an uploaded .xlsx or .csv into grids. Hostile files are refused with the rule they break,
 * before any library parses them: not a workbook, a zip bomb, too many rows, hidden sheets, formulas.
 */
export async function readSpreadsheet(file: { fileName: string; content: Buffer }, limits = IMPORT_LIMITS): Promise<ReadWorkbook> {
  const ext = /\.([^.]+)$/.exec(file.fileName)?.[1]?.toLowerCase();
  if (file.content.length === 0) throw refuse('bad', { rule: 'file.not_empty', message: '文件为空 / the file is empty' });
  if (ext === 'csv') return readCsv(file, limits);
  if (ext === 'xls' || (file.content.length >= 8 && file.content.readUInt32BE(0) === 0xd0cf11e0)) {
    throw refuse('bad', { rule: 'file.xls', message: '不支持旧版 .xls 文件，请在 Excel 或 WPS 中另存为 .xlsx 后导入 / save the .xls as .xlsx first' });
  }
  if (ext !== 'xlsx') throw refuse('bad', { rule: 'file.type', message: '只能导入 .xlsx 工作簿或 .csv 文件 / only .xlsx or .csv files can be imported' });

  const zip = inspectZip(file.content, { maxEntries: limits.maxZipEntries, maxUncompressedBytes: limits.maxUncompressedBytes, maxRatio: limits.maxCompressionRatio });
  if (!zip.ok) {
    const rule = zip.problem.rule === 'zip.not_zip' ? 'file.not_workbook' : zip.problem.rule;
    throw refuse(rule === 'zip.uncompressed_size' || rule === 'zip.ratio' ? 'large' : 'bad', { rule, message: zip.problem.message });
  }
  if (!zip.entries.has('xl/workbook.xml')) throw refuse('bad', { rule: 'file.not_workbook', message: '文件不是 Excel 工作簿（缺少 xl/workbook.xml）/ not an .xlsx workbook' });
  // Count rows in the raw XML, so a sheet of a million rows is refused before it is parsed.
  const sheetNames = sheetNamesByPart(zip.entries);
  for (const [part, content] of zip.entries) {
    if (!/^xl\/worksheets\/[^/]+\.xml$/.test(part)) continue;
    const rows = content.toString('latin1').match(/<(?:\w+:)?row[\s>]/g)?.length ?? 0;
    if (rows > limits.maxRows + 20) {
      throw refuse('large', {
        rule: 'rows.max',
        sheet: sheetNames.get(part) ?? part,
        message: `工作表“${sheetNames.get(part) ?? part}”有 ${rows} 行，超过 ${limits.maxRows} 行的上限，请分批导入 / more than ${limits.maxRows} rows`,
      });
    }
  }

  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(file.content as unknown as ArrayBuffer, { ignoreNodes: ['dataValidations', 'conditionalFormatting', 'extLst', 'sheetProtection'] } as never);
  } catch {
    throw refuse('bad', { rule: 'file.not_workbook', message: '无法读取该工作簿（文件已损坏或不是 Excel 格式）/ the workbook cannot be read' });
  }
  const hidden = wb.worksheets.filter((ws) => ws.state === 'hidden' || ws.state === 'veryHidden');
  if (hidden.length) {
    throw refuse('bad', {
      rule: 'sheet.hidden',
      sheet: hidden[0]!.name,
      message: `工作簿含隐藏的工作表“${hidden.map((w) => w.name).join('、')}”，请取消隐藏或删除后再导入 / the workbook has hidden sheets`,
    });
  }
  const formulas: FileIssue[] = [];
  const sheets = wb.worksheets.map((ws) => gridOf(ws, formulas));
  if (formulas.length) {
    throw new AppError(ErrorCode.VALIDATION_FAILED, '文件被拒绝：单元格含公式，请粘贴为数值后再导入 / cells with formulas', formulas.slice(0, 500));
  }
  return { kind: 'xlsx', sheets };
}

/** xl/worksheets/sheetN.xml → the sheet's name, from workbook.xml and its relationships. */
function sheetNamesByPart(entries: Map<string, Buffer>): Map<string, string> {
  const out = new Map<string, string>();
  const workbook = entries.get('xl/workbook.xml')?.toString('utf8') ?? '';
  const rels = entries.get('xl/_rels/workbook.xml.rels')?.toString('utf8') ?? '';
  const targets = new Map<string, string>();
  for (const m of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]+)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]+)"/.exec(m[0])?.[1];
    if (id && target) targets.set(id, target.replace(/^\/?(xl\/)?/, 'xl/'));
  }
  for (const m of workbook.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
    const rid = /\br:id="([^"]+)"/.exec(m[0])?.[1];
    const part = rid ? targets.get(rid) : undefined;
    if (name && part) out.set(part, name.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"'));
  }
  return out;
}

function gridOf(ws: ExcelJS.Worksheet, formulas: FileIssue[]): Grid {
  const values = new Map<number, Raw[]>();
  const merges = new Map<string, { row: number; col: number }>();
  let colCount = 0;
  ws.eachRow({ includeEmpty: false }, (row, r) => {
    const cells: Raw[] = [];
    row.eachCell({ includeEmpty: true }, (cell, c) => {
      colCount = Math.max(colCount, c);
      if (cell.type === ExcelJS.ValueType.Merge) {
        const m = cell.master;
        merges.set(`${r}:${c}`, { row: Number(m.row), col: Number(m.col) });
        return;
      }
      const v = cell.value;
      if (cell.type === ExcelJS.ValueType.Formula) {
        formulas.push({
          field: `${ws.name}!${columnLetter(c)}${r}`,
          rule: 'cell.formula',
          message: `单元格含公式，请复制后“粘贴为数值”再导入 / the cell holds a formula`,
          sheet: ws.name,
          row: r,
          column: columnLetter(c),
          header: null,
        });
        cells[c] = { formula: true };
      } else cells[c] = rawOf(v);
    });
    values.set(r, cells);
  });
  return {
    name: ws.name,
    rowCount: ws.rowCount,
    colCount,
    value: (r, c) => {
      const master = merges.get(`${r}:${c}`);
      if (master) return values.get(master.row)?.[master.col] ?? null;
      return values.get(r)?.[c] ?? null;
    },
    mergedInto: (r, c) => merges.get(`${r}:${c}`) ?? null,
  };
}

function rawOf(v: ExcelJS.CellValue): Raw {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('hyperlink' in v) return typeof v.text === 'string' ? v.text : rawOf(v.text as ExcelJS.CellValue);
    if ('error' in v) return { error: String(v.error) };
    if ('formula' in v || 'sharedFormula' in v) return { formula: true };
  }
  return String(v as unknown);
}

function readCsv(file: { fileName: string; content: Buffer }, limits: typeof IMPORT_LIMITS): ReadWorkbook {
  if (file.content.includes(0)) throw refuse('bad', { rule: 'file.not_text', message: '.csv 文件含二进制内容，不是文本文件 / the .csv is not text' });
  const { text, encoding } = decodeCsv(file.content);
  const rows = parseCsv(text);
  const name = file.fileName.replace(/\.[^.]+$/, '') || 'CSV';
  if (rows.length > limits.maxRows + 20) {
    throw refuse('large', { rule: 'rows.max', sheet: name, message: `文件有 ${rows.length} 行，超过 ${limits.maxRows} 行的上限，请分批导入 / more than ${limits.maxRows} rows` });
  }
  const colCount = Math.max(0, ...rows.map((r) => r.length));
  return {
    kind: 'csv',
    encoding,
    sheets: [
      {
        name,
        rowCount: rows.length,
        colCount,
        value: (r, c) => {
          const v = rows[r - 1]?.[c - 1];
          return v === undefined || v === '' ? null : v;
        },
        mergedInto: () => null,
      },
    ],
  };
}
