import ExcelJS from 'exceljs';
import type { Db } from '../../../lib/db';
import { columnLetter } from '../../../lib/spreadsheet/cells';
import { COLUMNS, EXAMPLE_MARK, SHEETS } from '../../../lib/spreadsheet/layout';
import { addCampaignSheet, addListsSheet, border, FIRST_DATA_ROW, setDate, styleDataCell } from '../../../lib/spreadsheet/workbook';
import { problemSourceLabels, severityLabels } from '../schemas';

/** Rows of the template that carry the dropdowns and formats (the import itself takes up to IMPORT_LIMITS.maxRows). */
export const TEMPLATE_ROWS = 2000;

/** Categories offered in the dropdown besides those already used by campaigns. */
const DEFAULT_CATEGORIES = ['作风建设', '窗口服务', '行政审批', '执法办案', '食品安全', '药品安全', '特种设备', '产品质量', '市场秩序', '知识产权', '廉政风险', '制度建设', '其他'];

/** exceljs has range data validations (sqref) but its typings lack them. */
const validations = (ws: ExcelJS.Worksheet) => (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;

const col = (key: (typeof COLUMNS)[number]['key']) => COLUMNS.findIndex((c) => c.key === key) + 1;

/**
 * The office's import template: the 整改清单 sheet (问题清单 · 任务清单 · 责任清单 in one row per
 * task) with one example row, dropdowns for units, people, sources, severities and categories
 * from the 下拉选项 sheet, a 批次信息 sheet and a 填写说明 sheet.
 */
export async function buildTemplate(db: Db, now: Date): Promise<Buffer> {
  const [units, people, leaders, used] = await Promise.all([
    db.unit.findMany({ orderBy: [{ path: 'asc' }], select: { code: true, name: true } }),
    db.person.findMany({ where: { active: true }, orderBy: [{ displayName: 'asc' }], select: { displayName: true, email: true, roles: true, unit: { select: { name: true } } } }),
    db.person.findMany({ where: { active: true, roles: { has: 'leader' } }, orderBy: [{ displayName: 'asc' }], select: { displayName: true } }),
    db.problem.findMany({ distinct: ['category'], select: { category: true }, take: 200 }),
  ]);
  const categories = [...new Set([...DEFAULT_CATEGORIES, ...used.map((u) => u.category)])];

  const wb = new ExcelJS.Workbook();
  wb.creator = '整改督办系统';
  wb.created = now;
  const ws = addListsSheet(wb, '问题整改清单（问题清单 · 任务清单 · 责任清单）', false);

  // One example row, marked 示例 in 问题编号: the import skips it.
  const example: Partial<Record<(typeof COLUMNS)[number]['key'], string>> = {
    problemCode: EXAMPLE_MARK,
    description: '窗口服务存在“吃拿卡要”现象（示例，导入时忽略本行）',
    category: '作风建设',
    severity: '严重',
    source: '巡察反馈',
    measure: '开展窗口作风专项整治',
    leadUnit: units[1]?.name ?? units[0]?.name ?? '登记注册科',
    coUnits: units[2]?.name ?? '',
    owner: people[0]?.displayName ?? '张三',
    supervisor: leaders[0]?.displayName ?? '',
    deadline: '15个工作日',
  };
  const row = ws.getRow(FIRST_DATA_ROW);
  COLUMNS.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    if (example[c.key]) cell.value = example[c.key]!;
    styleDataCell(cell, c.key === 'description' || c.key === 'measure');
    cell.font = { name: 'SimSun', italic: true, color: { argb: 'FF7F7F7F' } };
  });
  setDate(row.getCell(col('foundOn')), { date: '2026-03-02' });
  for (let r = FIRST_DATA_ROW + 1; r <= FIRST_DATA_ROW + 20; r++) COLUMNS.forEach((c, i) => styleDataCell(ws.getRow(r).getCell(i + 1), c.key === 'description' || c.key === 'measure'));

  // The dropdowns' values, on a visible sheet (hidden sheets are refused on import).
  const options = wb.addWorksheet(SHEETS.options);
  const lists: [string, string[]][] = [
    ['单位', units.map((u) => u.name)],
    ['单位编码', units.map((u) => u.code)],
    ['人员', [...new Set(people.map((p) => p.displayName))]],
    ['人员所在单位', [...new Set(people.map((p) => p.displayName))].map((n) => people.filter((p) => p.displayName === n).map((p) => p.unit.name).join('、'))],
    ['分管领导', [...new Set(leaders.map((p) => p.displayName))]],
    ['问题来源', Object.values(problemSourceLabels)],
    ['严重程度', Object.values(severityLabels)],
    ['问题类别', categories],
  ];
  const ranges = new Map<string, string>();
  lists.forEach(([title, values], i) => {
    const c = i + 1;
    options.getColumn(c).width = 18;
    const head = options.getCell(1, c);
    head.value = title;
    head.font = { bold: true };
    head.border = border;
    values.forEach((v, j) => (options.getCell(j + 2, c).value = v));
    const letter = columnLetter(c);
    ranges.set(title, `'${SHEETS.options}'!$${letter}$2:$${letter}$${Math.max(2, values.length + 1)}`);
  });

  const last = FIRST_DATA_ROW + TEMPLATE_ROWS - 1;
  const validate = (key: (typeof COLUMNS)[number]['key'], list: string, strict: boolean, prompt: string) => {
    const letter = columnLetter(col(key));
    validations(ws).add(`${letter}${FIRST_DATA_ROW}:${letter}${last}`, {
      type: 'list',
      allowBlank: true,
      formulae: [ranges.get(list)!],
      showErrorMessage: true,
      errorStyle: strict ? 'stop' : 'information',
      errorTitle: '请从下拉选项中选择',
      error: strict ? `请从下拉选项中选择${list}` : `不在下拉选项中：导入时将按${list}名称、编码或电子邮箱查找`,
      showInputMessage: true,
      promptTitle: COLUMNS[col(key) - 1]!.header,
      prompt,
    });
  };
  validate('severity', '严重程度', true, '一般、较重、严重、特别严重');
  validate('source', '问题来源', true, '可留空，取批次的问题来源');
  validate('category', '问题类别', false, '可选择，也可填写其他类别');
  validate('leadUnit', '单位', false, '单位名称，也可填写单位编码');
  validate('owner', '人员', false, '牵头单位人员姓名，重名时填写电子邮箱');
  validate('supervisor', '分管领导', false, '领导姓名或电子邮箱');
  for (const key of ['foundOn', 'deadline'] as const) {
    for (let r = FIRST_DATA_ROW + 1; r <= FIRST_DATA_ROW + 200; r++) ws.getCell(r, col(key)).numFmt = 'yyyy"年"m"月"d"日"';
  }

  addCampaignSheet(wb, { code: '', name: '', source: '巡察反馈' }, [], true);
  const meta = wb.getWorksheet(SHEETS.campaign)!;
  validations(meta).add('B3', { type: 'list', allowBlank: false, formulae: [ranges.get('问题来源')!], showErrorMessage: true, errorStyle: 'stop', error: '请从下拉选项中选择问题来源' });

  addInstructions(wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function addInstructions(wb: ExcelJS.Workbook) {
  const ws = wb.addWorksheet(SHEETS.instructions);
  ws.getColumn(1).width = 14;
  ws.getColumn(2).width = 100;
  const lines: [string, string][] = [
    ['填写说明', '本模板用于一次导入一个整改批次的问题清单、任务清单和责任清单。'],
    ['批次信息', `在“${SHEETS.campaign}”表填写批次编码（如 XF-2026）、批次名称和问题来源；也可在导入时以参数 code、name、source 提供。`],
    ['一行一项任务', `在“${SHEETS.lists}”表中每行填写一项整改措施。一个问题有多项措施时，把问题编号、问题描述、类别、严重程度、来源、发现日期的单元格合并覆盖这几行，或在后续行留空。`],
    ['示例行', `问题编号为“${EXAMPLE_MARK}”的行是示例，导入时忽略，可删除。`],
    ['日期', '发现日期、完成时限可用日期单元格，也可写作 2026年6月30日、2026/6/30、2026-06-30；全角数字和空格均可。'],
    ['完成时限', '写日期的，当日下班时截止；也可写“15个工作日”，自导入之日起按法定工作日（含调休）计算。'],
    ['单位', '牵头单位、配合单位填写单位名称或单位编码；多个配合单位用顿号（、）或逗号分隔。'],
    ['人员', '责任人填写牵头单位（或其下属单位）人员的姓名；重名时填写电子邮箱。分管领导填写领导的姓名或电子邮箱。'],
    ['不能导入的内容', `公式（请“粘贴为数值”）、隐藏的工作表、超过 10000 行的表、加密的工作簿；.xls 请另存为 .xlsx。也可导入 UTF-8 或 GBK 编码的 .csv（表头同“${SHEETS.lists}”表第 3 行）。`],
    ['先预览后导入', '上传后系统先试导入（不保存），列出将创建的问题和任务，并一次列出全部错误（工作表、行、列、表头和原因）；确认无误后再正式导入。同一文件重复导入不会重复创建。'],
    ['各列说明', ''],
    ...COLUMNS.map((c): [string, string] => [c.header, `${c.required ? '（必填）' : '（选填）'}${c.hint}`]),
  ];
  lines.forEach(([a, b], i) => {
    const r = ws.getRow(i + 1);
    r.getCell(1).value = a;
    r.getCell(2).value = b;
    r.getCell(1).font = { bold: true, name: 'SimSun' };
    r.getCell(2).font = { name: 'SimSun' };
    r.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  });
  ws.getRow(1).font = { bold: true, size: 14, name: 'SimSun' };
}
