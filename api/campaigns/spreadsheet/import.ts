import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { zonedInstant } from '../../../domain/calendar';
import { loadCalendar } from '../../../lib/calendar-store';
import type { Db } from '../../../lib/db';
import { AppError, ErrorCode, type FieldIssue } from '../../../lib/errors';
import { type CellDate, columnLetter, normalizeText, parseDateValue, parseDeadlineValue, splitList } from '../../../lib/spreadsheet/cells';
import { CAMPAIGN_FIELDS, type CampaignFieldKey, type ColumnKey, COLUMNS, EXAMPLE_MARK, headerKey, SHEETS } from '../../../lib/spreadsheet/layout';
import type { Actor } from '../../policy';
import { problemSourceLabels, severityLabels, type TCreateCampaignRequest, ZCreateCampaignRequest, type ZProblemSource, type ZSeverity } from '../schemas';
import type { FileIssue, Grid, Raw, ReadWorkbook } from './read';

type Source = z.infer<typeof ZProblemSource>;
type Severity = z.infer<typeof ZSeverity>;

const sourceByLabel = new Map<string, Source>(Object.entries(problemSourceLabels).flatMap(([k, v]) => [[v, k as Source], [k, k as Source]]));
const severityByLabel = new Map<string, Severity>([
  ...Object.entries(severityLabels).flatMap(([k, v]) => [[v, k as Severity] as const, [k, k as Severity] as const]),
  ['重大', 'critical'],
  ['较严重', 'moderate'],
  ['轻微', 'minor'],
]);

/** Where a value came from, for error messages. */
interface At {
  sheet: string | null;
  row: number | null;
  col: number | null;
  header: string | null;
  /** A query parameter instead of a cell. */
  query?: string;
}

export interface CampaignMetaInput {
  code?: string;
  name?: string;
  source?: Source;
}

interface TaskDraft {
  row: number;
  measure: string;
  leadUnit: string;
  coUnits: string[];
  owner: string;
  supervisor: string;
  deadline: { kind: 'date'; at: CellDate } | { kind: 'working_days'; days: number } | null;
  deadlineText: string;
}
interface ProblemDraft {
  row: number;
  code: string;
  description: string;
  category: string;
  severity: Severity | null;
  source: Source | null;
  foundOn: string | null;
  tasks: TaskDraft[];
}

export interface ImportContext {
  db: Db;
  timeZone: string;
  workdayEnd: string;
  now: () => Date;
  /** The campaign service's own check of the lists (same rules as the JSON document). */
  check(problems: TCreateCampaignRequest['problems']): Promise<FieldIssue[]>;
}

const textOf = (v: Raw): string => {
  if (v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return '';
  return normalizeText(String(v));
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Turns the grids of an uploaded spreadsheet into the campaign document of POST /api/campaigns,
 * with every unit and person resolved, or throws one 400 listing every error by sheet, row, column
 * and header. The returned preview is what a commit would create.
 */
export async function parseCampaignWorkbook(book: ReadWorkbook, meta: CampaignMetaInput, ctx: ImportContext) {
  const issues: FileIssue[] = [];
  const issue = (at: At, rule: string, message: string) =>
    issues.push({
      field: at.query ? `query.${at.query}` : at.col ? `${at.sheet}!${columnLetter(at.col)}${at.row}` : at.row ? `${at.sheet}!${at.row}` : (at.sheet ?? 'body.file'),
      rule,
      message,
      sheet: at.sheet,
      row: at.row,
      column: at.col ? columnLetter(at.col) : null,
      header: at.header,
    });

  // ---- the sheet with the lists, and its header row ----
  const found = findListsSheet(book.sheets);
  if (!found) {
    const sheet = book.sheets.find((s) => s.name === SHEETS.lists) ?? book.sheets[0];
    throw new AppError(ErrorCode.VALIDATION_FAILED, '未找到整改清单的表头 / no header row found', [
      {
        field: sheet ? `${sheet.name}` : 'body.file',
        rule: 'header.missing',
        message: `未找到表头行：前 15 行中没有同时含“问题描述”和“整改措施”的行，请使用导入模板 / no header row with 问题描述 and 整改措施`,
        sheet: sheet?.name ?? null,
        row: null,
        column: null,
        header: null,
      } satisfies FileIssue,
    ]);
  }
  const { grid, headerRow, cols } = found;
  const at = (row: number, key: ColumnKey): At => ({ sheet: grid.name, row, col: cols.get(key) ?? null, header: COLUMNS.find((c) => c.key === key)!.header });
  for (const c of COLUMNS.filter((c) => c.required && !cols.has(c.key))) {
    issue({ sheet: grid.name, row: headerRow, col: null, header: c.header }, 'header.missing', `缺少必填列“${c.header}” / missing column ${c.header}`);
  }
  if (issues.length) throw invalid(issues);
  const cell = (row: number, key: ColumnKey): Raw => (cols.has(key) ? grid.value(row, cols.get(key)!) : null);
  const text = (row: number, key: ColumnKey) => textOf(cell(row, key));

  // ---- campaign fields: query parameters first, then the 批次信息 sheet ----
  const metaSheet = book.sheets.find((s) => s.name === SHEETS.campaign);
  const metaCell = new Map<CampaignFieldKey, { value: Raw; at: At }>();
  if (metaSheet) {
    for (let r = 1; r <= Math.min(metaSheet.rowCount, 40); r++) {
      const label = headerKey(textOf(metaSheet.value(r, 1)));
      const f = CAMPAIGN_FIELDS.find((x) => x.label === label);
      if (f && !metaCell.has(f.key)) metaCell.set(f.key, { value: metaSheet.value(r, 2), at: { sheet: metaSheet.name, row: r, col: 2, header: f.label } });
    }
  }
  const metaAt = (key: CampaignFieldKey): At =>
    meta[key as keyof CampaignMetaInput] !== undefined || !metaSheet
      ? { sheet: null, row: null, col: null, header: null, query: key }
      : (metaCell.get(key)?.at ?? { sheet: SHEETS.campaign, row: null, col: null, header: CAMPAIGN_FIELDS.find((f) => f.key === key)!.label });
  const code = (meta.code ?? textOf(metaCell.get('code')?.value ?? null)).toUpperCase();
  const name = meta.name ?? textOf(metaCell.get('name')?.value ?? null);
  const sourceText = meta.source ?? textOf(metaCell.get('source')?.value ?? null);
  if (!code) issue(metaAt('code'), 'campaign.code.required', `缺少批次编码：在“${SHEETS.campaign}”表填写，或以参数 code 提供 / the campaign code is missing`);
  if (!name) issue(metaAt('name'), 'campaign.name.required', `缺少批次名称：在“${SHEETS.campaign}”表填写，或以参数 name 提供 / the campaign name is missing`);
  const source = sourceByLabel.get(sourceText);
  if (!sourceText) issue(metaAt('source'), 'campaign.source.required', `缺少问题来源：在“${SHEETS.campaign}”表填写，或以参数 source 提供 / the campaign source is missing`);
  else if (!source) issue(metaAt('source'), 'source.allowed', `问题来源“${sourceText}”无效，应为：${Object.values(problemSourceLabels).join('、')} / unknown source`);
  const period: Partial<Record<'periodStart' | 'periodEnd', string>> = {};
  for (const key of ['periodStart', 'periodEnd'] as const) {
    const v = metaCell.get(key)?.value ?? null;
    if (v === null || textOf(v) === '') continue;
    const d = typeof v === 'object' && !(v instanceof Date) ? null : parseDateValue(v as string | number | Date);
    if (!d) issue(metaAt(key), 'date.format', `日期无法识别：${textOf(v)}（应为日期，或 2026年6月30日、2026/6/30）/ not a date`);
    else period[key] = d.date;
  }

  // ---- rows → problems with their tasks ----
  const problems: ProblemDraft[] = [];
  const skipped: { sheet: string; row: number; reason: string }[] = [];
  const problemKeys = COLUMNS.filter((c) => c.problemLevel).map((c) => c.key);
  const descCol = cols.get('description')!;
  for (let r = headerRow + 1; r <= grid.rowCount; r++) {
    const values = COLUMNS.filter((c) => cols.has(c.key)).map((c) => cell(r, c.key));
    if (values.every((v) => v === null || textOf(v) === '')) continue;
    if (text(r, 'problemCode') === EXAMPLE_MARK && grid.mergedInto(r, cols.get('problemCode') ?? 0) === null) {
      skipped.push({ sheet: grid.name, row: r, reason: '模板示例行，未导入 / the example row is not imported' });
      continue;
    }
    const merged = grid.mergedInto(r, descCol);
    const prev = problems.at(-1);
    const problemBlank = problemKeys.every((k) => grid.mergedInto(r, cols.get(k) ?? 0) === null && text(r, k) === '');
    const sameCode = prev && text(r, 'problemCode') !== '' && text(r, 'problemCode') === prev.code && (text(r, 'description') === '' || text(r, 'description') === prev.description);
    const continues = prev && ((merged && merged.row < r && merged.row >= prev.row) || problemBlank || sameCode);
    let problem = continues ? prev : undefined;
    if (!problem) {
      if (problemBlank) {
        issue(at(r, 'description'), 'problem.missing', '该行没有所属问题：请填写问题描述，或合并上方问题的单元格 / the row belongs to no problem');
        continue;
      }
      problem = readProblem(r);
      problems.push(problem);
    }
    problem.tasks.push(readTask(r));
  }

  function readProblem(r: number): ProblemDraft {
    const description = text(r, 'description');
    if (!description) issue(at(r, 'description'), 'required', '问题描述不能为空 / required');
    const category = text(r, 'category');
    if (!category) issue(at(r, 'category'), 'required', '问题类别不能为空 / required');
    const severityText = text(r, 'severity');
    const severity = severityByLabel.get(severityText) ?? null;
    if (!severityText) issue(at(r, 'severity'), 'required', '严重程度不能为空 / required');
    else if (!severity) issue(at(r, 'severity'), 'severity.allowed', `严重程度“${severityText}”无效，应为：一般、较重、严重、特别严重 / unknown severity`);
    const sourceCell = text(r, 'source');
    const problemSource = sourceCell ? (sourceByLabel.get(sourceCell) ?? null) : null;
    if (sourceCell && !problemSource) issue(at(r, 'source'), 'source.allowed', `问题来源“${sourceCell}”无效，应为：${Object.values(problemSourceLabels).join('、')} / unknown source`);
    const found = cell(r, 'foundOn');
    let foundOn: string | null = null;
    if (found === null || textOf(found) === '') issue(at(r, 'foundOn'), 'required', '发现日期不能为空 / required');
    else {
      const d = typeof found === 'object' && !(found instanceof Date) ? null : parseDateValue(found as string | number | Date);
      if (!d) issue(at(r, 'foundOn'), 'date.format', `日期无法识别：${textOf(found)}（应为日期，或 2026年6月30日、2026/6/30）/ not a date`);
      else foundOn = d.date;
    }
    return { row: r, code: text(r, 'problemCode'), description, category, severity, source: problemSource, foundOn, tasks: [] };
  }

  function readTask(r: number): TaskDraft {
    const measure = text(r, 'measure');
    if (!measure) issue(at(r, 'measure'), 'required', '整改措施不能为空 / required');
    const leadUnit = text(r, 'leadUnit');
    if (!leadUnit) issue(at(r, 'leadUnit'), 'required', '牵头单位不能为空 / required');
    const owner = text(r, 'owner');
    if (!owner) issue(at(r, 'owner'), 'required', '责任人不能为空 / required');
    const raw = cell(r, 'deadline');
    const deadlineText = textOf(raw);
    let deadline: TaskDraft['deadline'] = null;
    if (raw === null || deadlineText === '' && !(raw instanceof Date)) issue(at(r, 'deadline'), 'required', '完成时限不能为空 / required');
    else {
      deadline = typeof raw === 'object' && !(raw instanceof Date) ? null : parseDeadlineValue(raw as string | number | Date);
      if (!deadline) issue(at(r, 'deadline'), 'deadline.format', `完成时限无法识别：${deadlineText}（应为日期，或“15个工作日”）/ not a date or working days`);
    }
    return { row: r, measure, leadUnit, coUnits: splitList(text(r, 'coUnits')), owner, supervisor: text(r, 'supervisor'), deadline, deadlineText: describeDeadline(deadline, deadlineText) };
  }

  for (const p of problems) {
    if (p.tasks.length > 50) issue(at(p.tasks[50]!.row, 'measure'), 'problem.tasks.max', '一个问题最多 50 项整改措施 / at most 50 tasks per problem');
  }
  if (problems.length === 0) {
    issue({ sheet: grid.name, row: headerRow + 1, col: null, header: null }, 'rows.min', '表中没有可导入的问题 / no problems in the sheet');
  }
  if (problems.length > 500) issue(at(problems[500]!.row, 'description'), 'problems.max', '一个批次最多 500 个问题，请分批导入 / at most 500 problems per campaign');

  // ---- units and people, by name or code, by name within the unit or e-mail ----
  const tasks = problems.flatMap((p) => p.tasks);
  const units = await ctx.db.unit.findMany({ select: { id: true, code: true, name: true, path: true } });
  const unitByCode = new Map(units.map((u) => [u.code.toUpperCase(), u]));
  const unitsByName = new Map<string, typeof units>();
  for (const u of units) unitsByName.set(normalizeText(u.name), [...(unitsByName.get(normalizeText(u.name)) ?? []), u]);
  const personRefs = tasks.flatMap((t) => [t.owner, t.supervisor]).filter(Boolean).map(stripUnitHint);
  const emails = personRefs.flatMap((p) => [p.name, p.unitHint ?? '']).filter((p) => EMAIL.test(p)).map((p) => p.toLowerCase());
  const people = await ctx.db.person.findMany({
    where: { OR: [{ email: { in: [...new Set(emails)] } }, { displayName: { in: [...new Set(personRefs.map((p) => p.name))] } }] },
    select: { id: true, email: true, displayName: true, roles: true, active: true, unit: { select: { id: true, name: true, path: true } } },
  });

  const resolveUnit = (ref: string, where: At) => {
    const byCode = unitByCode.get(ref.toUpperCase());
    if (byCode) return byCode;
    const named = unitsByName.get(ref) ?? [];
    if (named.length === 1) return named[0]!;
    if (named.length > 1) issue(where, 'unit.ambiguous', `有 ${named.length} 个单位名为“${ref}”，请改填单位编码（${named.map((u) => u.code).join('、')}）/ ambiguous unit name`);
    else issue(where, 'unit.exists', `单位“${ref}”不存在（按名称和编码均未找到）/ no unit named or coded ${ref}`);
    return undefined;
  };

  type Person = (typeof people)[number];
  const resolvePerson = (ref: string, where: At, role: 'owner' | 'supervisor', lead?: { path: string }): Person | undefined => {
    const { name: written, unitHint } = stripUnitHint(ref);
    // "张三（zhang.san@…）", as a ledger writes it: the e-mail decides.
    const email = EMAIL.test(written) ? written : unitHint && EMAIL.test(unitHint) ? unitHint : null;
    if (email) {
      const p = people.find((x) => x.email === email.toLowerCase());
      if (!p || !p.active) issue(where, `${role}.exists`, `邮箱为 ${email} 的在职人员不存在 / no active person ${email}`);
      else if (role === 'owner' && lead && !p.unit.path.startsWith(lead.path)) {
        issue(where, 'owner.in_unit', `“${p.displayName}”不在牵头单位或其下属单位，责任人必须属于牵头单位 / owner must belong to the lead unit`);
        return undefined;
      } else if (role === 'supervisor' && !p.roles.includes('leader')) {
        issue(where, 'supervisor.is_leader', `“${p.displayName}”不是领导，分管领导须为在职的领导 / supervisor must be an active leader`);
        return undefined;
      }
      return p?.active ? p : undefined;
    }
    const name = written;
    let candidates = people.filter((p) => p.active && p.displayName === name);
    if (unitHint) candidates = candidates.filter((p) => normalizeText(p.unit.name) === unitHint);
    if (role === 'owner' && lead) {
      const inUnit = candidates.filter((p) => p.unit.path.startsWith(lead.path));
      if (inUnit.length === 0 && candidates.length > 0) {
        issue(where, 'owner.in_unit', `“${name}”不在牵头单位或其下属单位，责任人必须属于牵头单位 / owner must belong to the lead unit`);
        return undefined;
      }
      candidates = inUnit;
    }
    if (role === 'supervisor') {
      const leaders = candidates.filter((p) => p.roles.includes('leader'));
      if (leaders.length === 0 && candidates.length > 0) {
        issue(where, 'supervisor.is_leader', `“${name}”不是领导，分管领导须为在职的领导 / supervisor must be an active leader`);
        return undefined;
      }
      candidates = leaders;
    }
    if (candidates.length === 1) return candidates[0];
    if (candidates.length > 1) {
      issue(where, `${role}.ambiguous`, `有 ${candidates.length} 位“${name}”（${candidates.map((p) => p.unit.name).join('、')}），请改填电子邮箱 / ambiguous name, use the e-mail`);
    } else issue(where, `${role}.exists`, `${role === 'owner' ? '牵头单位中' : ''}没有名为“${name}”的在职人员 / no active person named ${name}`);
    return undefined;
  };

  const calendar = tasks.some((t) => t.deadline?.kind === 'working_days') ? await loadCalendar(ctx.db) : null;
  const now = ctx.now();
  const resolved = tasks.map((t) => {
    const lead = t.leadUnit ? resolveUnit(t.leadUnit, at(t.row, 'leadUnit')) : undefined;
    const coUnits = t.coUnits.map((ref) => {
      const u = resolveUnit(ref, at(t.row, 'coUnits'));
      if (u && lead && u.id === lead.id) issue(at(t.row, 'coUnits'), 'not_lead_unit', '配合单位不能是牵头单位 / a co-operating unit cannot be the lead unit');
      return u;
    });
    const owner = t.owner ? resolvePerson(t.owner, at(t.row, 'owner'), 'owner', lead) : undefined;
    const supervisor = t.supervisor ? resolvePerson(t.supervisor, at(t.row, 'supervisor'), 'supervisor') : undefined;
    let deadline: Date | undefined;
    if (t.deadline?.kind === 'date') deadline = zonedInstant(t.deadline.at.date, t.deadline.at.time ?? ctx.workdayEnd, ctx.timeZone);
    else if (t.deadline?.kind === 'working_days') deadline = calendar!.addWorkingDays(now, t.deadline.days, ctx.timeZone, ctx.workdayEnd);
    if (deadline && deadline.getTime() <= now.getTime()) issue(at(t.row, 'deadline'), 'future', `完成时限 ${t.deadlineText} 已过，须晚于当前时间 / the deadline must be in the future`);
    return { t, lead, coUnits, owner, supervisor, deadline };
  });
  if (issues.length) throw invalid(issues);

  // ---- the JSON document, checked like one sent to POST /api/campaigns ----
  let k = 0;
  const document: TCreateCampaignRequest = {
    code,
    name,
    source: source!,
    ...period,
    problems: problems.map((p) => ({
      description: p.description,
      category: p.category,
      severity: p.severity!,
      foundOn: p.foundOn!,
      ...(p.source ? { source: p.source } : {}),
      tasks: p.tasks.map(() => {
        const r = resolved[k++]!;
        return {
          measure: r.t.measure,
          leadUnit: r.lead!.code,
          coUnits: r.coUnits.map((u) => u!.code),
          owner: r.owner!.email,
          ...(r.supervisor ? { supervisor: r.supervisor.email } : {}),
          deadline: r.deadline!.toISOString(),
          reminderOffsetSeconds: 0,
        };
      }),
    })),
  };
  const parsed = ZCreateCampaignRequest.safeParse(document);
  const cellOfPath = (path: PropertyKey[]): At => {
    const [top, pi, sub, ti, field] = path;
    if (top !== 'problems' || typeof pi !== 'number') return metaAt((String(top) as CampaignFieldKey) ?? 'code');
    const p = problems[pi]!;
    if (sub !== 'tasks' || typeof ti !== 'number') return at(p.row, (String(sub) as ColumnKey) ?? 'description');
    const key = (field === 'measure' ? 'measure' : field) as ColumnKey;
    return at(p.tasks[ti]!.row, COLUMNS.some((c) => c.key === key) ? key : 'measure');
  };
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const limit = (i as { maximum?: unknown }).maximum;
      const message =
        i.code === 'too_big' ? `内容过长，最多 ${String(limit)} 字 / too long (at most ${String(limit)})` : i.code === 'invalid_format' ? `格式不正确 / ${i.message}` : `取值无效 / ${i.message}`;
      issue(cellOfPath(i.path), i.code === 'too_big' ? 'max_length' : i.code, message);
    }
    throw invalid(issues);
  }
  // The campaign service's own rules (owner in unit, leader, deadline in the future…), by cell.
  for (const i of await ctx.check(parsed.data.problems)) {
    const path = i.field.replace(/^body\./, '').split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    issue(cellOfPath(path), i.rule, i.message);
  }
  if (issues.length) throw invalid(issues);

  k = 0;
  const preview = {
    campaign: { code, name, source: source!, sourceLabel: problemSourceLabels[source!], periodStart: period.periodStart ?? null, periodEnd: period.periodEnd ?? null },
    problems: problems.map((p, pi) => ({
      sheet: grid.name,
      row: p.row,
      code: `${code}-${String(pi + 1).padStart(3, '0')}`,
      codeInFile: p.code || null,
      description: p.description,
      category: p.category,
      severity: p.severity!,
      severityLabel: severityLabels[p.severity!],
      source: p.source ?? source!,
      foundOn: p.foundOn!,
      tasks: p.tasks.map((_, ti) => {
        const r = resolved[k++]!;
        return {
          row: r.t.row,
          code: `${code}-${String(pi + 1).padStart(3, '0')}-${ti + 1}`,
          measure: r.t.measure,
          leadUnit: { id: r.lead!.id, code: r.lead!.code, name: r.lead!.name },
          coUnits: r.coUnits.map((u) => ({ id: u!.id, code: u!.code, name: u!.name })),
          owner: { id: r.owner!.id, displayName: r.owner!.displayName, email: r.owner!.email },
          supervisor: r.supervisor ? { id: r.supervisor.id, displayName: r.supervisor.displayName, email: r.supervisor.email } : null,
          deadline: r.deadline!.toISOString(),
          deadlineAsWritten: r.t.deadlineText,
        };
      }),
    })),
    totals: { problems: problems.length, tasks: tasks.length },
    skipped,
  };
  return { document: parsed.data, preview, fingerprint: fingerprintOf(document, problems) };
}

/**
 * The file's content as written (campaign fields and every cell used, normalised, deadlines as
 * written: "15个工作日" stays that), so the same sheet re-saved by another program is the same import.
 */
function fingerprintOf(doc: TCreateCampaignRequest, problems: ProblemDraft[]): string {
  let k = 0;
  const content = {
    code: doc.code,
    name: doc.name,
    source: doc.source,
    periodStart: doc.periodStart ?? null,
    periodEnd: doc.periodEnd ?? null,
    problems: doc.problems.map((p, pi) => ({
      ...p,
      tasks: p.tasks.map((t, ti) => ({ ...t, deadline: problems[pi]!.tasks[ti]!.deadlineText, k: k++ })),
    })),
  };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function describeDeadline(d: TaskDraft['deadline'], text: string): string {
  if (!d) return text;
  if (d.kind === 'working_days') return `${d.days}个工作日`;
  return d.at.time ? `${d.at.date} ${d.at.time}` : d.at.date;
}

/** "张三（窗口服务股）" → name 张三, unit hint 窗口服务股. */
function stripUnitHint(ref: string): { name: string; unitHint?: string } {
  const m = /^(.+?)\s*[（(]([^）)]+)[）)]$/.exec(normalizeText(ref));
  return m ? { name: m[1]!.trim(), unitHint: normalizeText(m[2]!) } : { name: normalizeText(ref) };
}

function findListsSheet(sheets: Grid[]): { grid: Grid; headerRow: number; cols: Map<ColumnKey, number> } | null {
  const ordered = [...sheets.filter((s) => s.name === SHEETS.lists), ...sheets.filter((s) => s.name !== SHEETS.lists)];
  for (const grid of ordered) {
    if (grid.name === SHEETS.instructions || grid.name === SHEETS.options) continue;
    for (let r = 1; r <= Math.min(grid.rowCount, 15); r++) {
      const cols = new Map<ColumnKey, number>();
      for (let c = 1; c <= Math.min(grid.colCount, 60); c++) {
        if (grid.mergedInto(r, c)) continue;
        const h = headerKey(textOf(grid.value(r, c)));
        const col = COLUMNS.find((x) => headerKey(x.header) === h || x.aliases.some((a) => headerKey(a) === h));
        if (col && !cols.has(col.key)) cols.set(col.key, c);
      }
      if (cols.has('description') && cols.has('measure')) return { grid, headerRow: r, cols };
    }
  }
  return null;
}

const MAX_ISSUES = 500;
function invalid(issues: FileIssue[]): AppError {
  const shown = issues.slice(0, MAX_ISSUES);
  if (issues.length > MAX_ISSUES) {
    shown.push({ field: 'body.file', rule: 'errors.truncated', message: `另有 ${issues.length - MAX_ISSUES} 处错误未列出 / ${issues.length - MAX_ISSUES} more errors`, sheet: null, row: null, column: null, header: null });
  }
  return new AppError(ErrorCode.VALIDATION_FAILED, `导入文件有 ${issues.length} 处错误，未导入任何内容 / the file has ${issues.length} errors; nothing was imported`, shown);
}

export type ImportPreview = Awaited<ReturnType<typeof parseCampaignWorkbook>>['preview'];
export type { Actor };
