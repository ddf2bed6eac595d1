/**
 * The column layout of the office's spreadsheet (问题清单 + 任务清单 + 责任清单 in one sheet), shared
 * by the template, the import and the ledger export, so an exported ledger imports back.
 */
export const SHEETS = {
  /** The three lists, one row per task; a problem's cells are merged over its tasks' rows. */
  lists: '整改清单',
  /** Campaign code, name, source, period (and in a ledger: its totals). */
  campaign: '批次信息',
  instructions: '填写说明',
  /** Values of the dropdowns (units, people, sources, severities, categories). */
  options: '下拉选项',
} as const;

export type ColumnKey =
  | 'problemCode'
  | 'description'
  | 'category'
  | 'severity'
  | 'source'
  | 'foundOn'
  | 'taskCode'
  | 'measure'
  | 'leadUnit'
  | 'coUnits'
  | 'owner'
  | 'supervisor'
  | 'deadline';

export interface Column {
  key: ColumnKey;
  header: string;
  /** Other headers offices use for the same column (matched after normalisation). */
  aliases: string[];
  group: '问题清单' | '任务清单' | '责任清单';
  required: boolean;
  /** Part of the problem: merged over the problem's task rows. */
  problemLevel: boolean;
  width: number;
  hint: string;
}

export const COLUMNS: Column[] = [
  { key: 'problemCode', header: '问题编号', aliases: ['序号', '编号'], group: '问题清单', required: false, problemLevel: true, width: 14, hint: '可留空，导入时按顺序编号（如 XF-2026-001）' },
  { key: 'description', header: '问题描述', aliases: ['存在问题', '问题', '问题表现'], group: '问题清单', required: true, problemLevel: true, width: 40, hint: '必填；一个问题有多项整改措施时，合并本列单元格覆盖其各任务行，或在后续行留空' },
  { key: 'category', header: '问题类别', aliases: ['类别', '问题类型'], group: '问题清单', required: true, problemLevel: true, width: 12, hint: '必填；可从下拉选项中选择，也可填写其他类别' },
  { key: 'severity', header: '严重程度', aliases: ['问题等级', '等级'], group: '问题清单', required: true, problemLevel: true, width: 10, hint: '必填；一般、较重、严重、特别严重' },
  { key: 'source', header: '问题来源', aliases: ['来源'], group: '问题清单', required: false, problemLevel: true, width: 12, hint: '可留空（取批次的来源）；巡察反馈、明察暗访、信访举报、自查自纠、上级交办' },
  { key: 'foundOn', header: '发现日期', aliases: ['发现时间', '反馈日期'], group: '问题清单', required: true, problemLevel: true, width: 14, hint: '必填；日期单元格，或写作 2026年3月2日、2026/3/2、2026-03-02' },
  { key: 'taskCode', header: '任务编号', aliases: [], group: '任务清单', required: false, problemLevel: false, width: 16, hint: '可留空，导入时自动编号' },
  { key: 'measure', header: '整改措施', aliases: ['整改任务', '整改措施（任务）'], group: '任务清单', required: true, problemLevel: false, width: 40, hint: '必填；每行一项措施' },
  { key: 'leadUnit', header: '牵头单位', aliases: ['责任单位', '牵头部门', '责任部门'], group: '责任清单', required: true, problemLevel: false, width: 18, hint: '必填；单位名称或单位编码' },
  { key: 'coUnits', header: '配合单位', aliases: ['配合部门', '协办单位'], group: '责任清单', required: false, problemLevel: false, width: 18, hint: '可留空；多个单位用顿号（、）或逗号分隔，名称或编码均可' },
  { key: 'owner', header: '责任人', aliases: ['具体责任人'], group: '责任清单', required: true, problemLevel: false, width: 16, hint: '必填；牵头单位（或其下属单位）人员的姓名，或其电子邮箱' },
  { key: 'supervisor', header: '分管领导', aliases: ['责任领导', '督办领导'], group: '责任清单', required: false, problemLevel: false, width: 14, hint: '可留空；领导的姓名或电子邮箱' },
  { key: 'deadline', header: '完成时限', aliases: ['整改时限', '完成时间', '整改期限'], group: '责任清单', required: true, problemLevel: false, width: 16, hint: '必填；日期（当日下班时截止），或“15个工作日”（自导入之日起，按法定工作日计算）' },
];

/** Columns a ledger export adds after the template's (ignored by the import). */
export const LEDGER_COLUMNS = [
  { header: '状态', width: 10 },
  { header: '红黄绿灯', width: 10 },
  { header: '是否逾期', width: 10 },
  { header: '销号日期', width: 14 },
  { header: '销号情况', width: 12 },
  { header: '退回次数', width: 10 },
  { header: '延期次数', width: 10 },
  { header: '佐证材料数', width: 12 },
] as const;

/** Rows of the 批次信息 sheet: label in column A, value in column B. */
export const CAMPAIGN_FIELDS = [
  { key: 'code', label: '批次编码', hint: '大写字母、数字和连字符，如 XF-2026；问题编号以此为前缀' },
  { key: 'name', label: '批次名称', hint: '如 2026 行风建设攻坚行动' },
  { key: 'source', label: '问题来源', hint: '巡察反馈、明察暗访、信访举报、自查自纠、上级交办' },
  { key: 'periodStart', label: '开始日期', hint: '可留空' },
  { key: 'periodEnd', label: '结束日期', hint: '可留空' },
] as const;
export type CampaignFieldKey = (typeof CAMPAIGN_FIELDS)[number]['key'];

/** A row whose 问题编号 cell says this is the template's example and is not imported. */
export const EXAMPLE_MARK = '示例';

/** Normalised header text: no spaces, no asterisks (必填 marks), no brackets' content such as （必填）. */
export const headerKey = (s: string) => s.replace(/[\s*＊]/g, '').replace(/[（(][^）)]*[）)]/g, '');
