/**
 * The office's spreadsheet in and out (issue 13), in-process against the dev server, the test
 * database and an SMTP server: the template, dry-run and committed imports of files written by
 * LibreOffice, openpyxl and a GBK CSV, one test per error class with its exact cell and rule,
 * hostile files, the ledger's round trip, the closure counts, and the task export.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stream } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import type { Express } from 'express';
import request from 'supertest';
import { rescheduleUpdate, taskWorkflowId } from '../../domain/contract';
import { COLUMNS } from '../../lib/spreadsheet/layout';
import { addWorkingDaysFromNow, expectCampaigns } from './helpers';
import { createTestApp, testAccessTokens } from '../support/api';
import { createDevServerEnv, type Harness, startHarness } from '../support/env';
import { eventually } from '../support/eventually';
import { createImportOrg, type ImportOrg } from './org';

const FIXTURES = path.join(__dirname, '../fixtures/spreadsheets');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

const binary = (res: Stream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Shanghai 18:00 of a date, as the API answers it. */
const endOfDay = (date: string) => new Date(`${date}T18:00:00+08:00`).toISOString();

describe('campaign spreadsheets: template, import, ledger and export', () => {
  let h: Harness;
  let app: Express;
  let org: ImportOrg;
  let office: string;
  const as = async (p: { id: string }) => `Bearer ${(await testAccessTokens.issue(p.id)).token}`;

  beforeAll(async () => {
    h = await startHarness(await createDevServerEnv());
    // Pages of 2 rows, so the export's keyset paging crosses pages.
    app = createTestApp(h, { exportPageSize: 2 });
    org = await createImportOrg(h.db);
    office = await as(org.people.office);
  });
  afterAll(async () => {
    await h?.teardown();
  });

  const upload = (file: Buffer, name: string, query = '', auth = office) =>
    request(app).post(`/api/campaigns/import${query}`).set('Authorization', auth).attach('file', file, name);

  /** A CSV in the template's columns (without 任务编号): row 1 headers, then the given rows. */
  const csv = (rows: string[][], headers = COLUMNS.filter((c) => c.key !== 'taskCode').map((c) => c.header)) =>
    Buffer.from([headers, ...rows].map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n'), 'utf8');
  const good = (over: Partial<Record<string, string>> = {}) => {
    const row: Record<string, string> = {
      问题编号: '1', 问题描述: '窗口服务不规范', 问题类别: '窗口服务', 严重程度: '一般', 问题来源: '', 发现日期: '2026/11/2',
      整改措施: '规范窗口服务', 牵头单位: '网络交易监管科', 配合单位: '', 责任人: '陈晓明', 分管领导: '', 完成时限: '2027年5月31日', ...over,
    };
    return COLUMNS.filter((c) => c.key !== 'taskCode').map((c) => row[c.header] ?? '');
  };
  const meta = '?code=ERR-2027&name=%E6%9C%89%E9%94%99%E7%9A%84%E6%B8%85%E5%8D%95&source=visit';

  // ---------------------------------------------------------------------------------------------
  describe('the template', () => {
    test('has the lists sheet with Chinese headers, an example row, dropdowns of units, people, sources, severities and categories, instructions', async () => {
      const res = await request(app).get('/api/campaigns/template.xlsx').set('Authorization', office).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as unknown as ArrayBuffer);
      expect(wb.worksheets.map((w) => w.name)).toEqual(['整改清单', '下拉选项', '批次信息', '填写说明']);
      const ws = wb.getWorksheet('整改清单')!;
      expect((ws.getRow(3).values as unknown[]).slice(1)).toEqual(COLUMNS.map((c) => c.header));
      expect(ws.getCell('A4').value).toBe('示例');
      const options = wb.getWorksheet('下拉选项')!;
      const column = (title: string) => {
        const c = (options.getRow(1).values as unknown[]).indexOf(title);
        return options.getColumn(c).values.slice(2) as string[];
      };
      expect(column('单位')).toEqual(expect.arrayContaining(['网络交易监管科', '广告监管股', '价格监督检查科']));
      expect(column('人员')).toEqual(expect.arrayContaining(['陈晓明', '王芳']));
      expect(column('分管领导')).toContain('赵局长');
      expect(column('问题来源')).toEqual(['巡察反馈', '明察暗访', '信访举报', '自查自纠', '上级交办']);
      expect(column('严重程度')).toEqual(['一般', '较重', '严重', '特别严重']);
      expect(column('问题类别')).toContain('作风建设');
      const validations = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
      expect(validations.D4).toEqual(expect.objectContaining({ type: 'list', formulae: [expect.stringMatching(/^'下拉选项'!\$G\$2:\$G\$5$/)] }));
      expect(validations.I2003).toEqual(expect.objectContaining({ type: 'list', formulae: [expect.stringContaining("'下拉选项'!$A$2")] }));
      expect(validations.K4?.formulae[0]).toContain("'下拉选项'!$C$2");
      expect(wb.getWorksheet('填写说明')!.getCell('B6').value).toContain('15个工作日');
    });

    test('is the office’s: a responsible person gets 403', async () => {
      await request(app).get('/api/campaigns/template.xlsx').set('Authorization', await as(org.people.chen)).expect(403);
    });

    test('imported back as it is downloaded, it names what is missing instead of importing the example', async () => {
      const res = await request(app).get('/api/campaigns/template.xlsx').set('Authorization', office).buffer(true).parse(binary).expect(200);
      const dry = await upload(res.body as Buffer, '模板.xlsx').expect(400);
      expect(dry.body.error.details).toEqual([
        expect.objectContaining({ sheet: '批次信息', row: 1, column: 'B', rule: 'campaign.code.required' }),
        expect.objectContaining({ sheet: '批次信息', row: 2, column: 'B', rule: 'campaign.name.required' }),
        expect.objectContaining({ sheet: '整改清单', row: 4, rule: 'rows.min' }),
      ]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('files written by other programs, as a dry run', () => {
    test('openpyxl: merged problem cells, a text date and a date cell, １５个工作日, a unit by code, people by name, e-mail and with full-width spaces', async () => {
      const before = await h.db.campaign.count();
      const res = await upload(fixture('openpyxl-campaign.xlsx'), 'openpyxl-campaign.xlsx').expect(200);
      expect(res.body).toMatchObject({ created: false, dryRun: true, status: 'ready', totals: { problems: 2, tasks: 3 }, file: { kind: 'xlsx' } });
      expect(res.body.campaign).toEqual({ code: 'WJ-2027', name: '2027 网络交易专项整治', source: 'visit', sourceLabel: '明察暗访', periodStart: '2026-11-01', periodEnd: '2027-06-30' });
      const [p1, p2] = res.body.problems;
      expect(p1).toMatchObject({ sheet: '整改清单', row: 4, code: 'WJ-2027-001', codeInFile: '1', description: '网店经营者未公示营业执照信息', category: '网络交易', severity: 'moderate', source: 'visit', foundOn: '2026-11-05' });
      expect(p1.tasks.map((t: { row: number }) => t.row)).toEqual([4, 5]);
      expect(p1.tasks[0]).toMatchObject({
        code: 'WJ-2027-001-1',
        measure: '约谈平台经营者并督促整改',
        leadUnit: { code: 'WJK-IMP' },
        coUnits: [{ code: 'GGG-IMP', name: '广告监管股' }],
        owner: { email: 'chen.xm@import-test.gov.cn' },
        supervisor: { email: 'zhao.ju@import-test.gov.cn' },
        deadline: endOfDay('2027-03-31'),
        deadlineAsWritten: '2027-03-31',
      });
      expect(p1.tasks[1]).toMatchObject({ owner: { email: 'liu.yang@import-test.gov.cn' }, supervisor: null, deadlineAsWritten: '15个工作日', deadline: await addWorkingDaysFromNow(h.db, 15) });
      expect(p2).toMatchObject({ row: 6, severity: 'serious', source: 'complaint', foundOn: '2026-11-20' });
      expect(p2.tasks[0]).toMatchObject({ leadUnit: { code: 'GGG-IMP' }, owner: { displayName: '王芳' }, deadline: endOfDay('2027-06-30') });
      expect(await h.db.campaign.count()).toBe(before);
    });

    test('LibreOffice: three rows under one merged problem, header aliases, date cells, ２０２６／１１／３, "20 个工作日"', async () => {
      const res = await upload(fixture('libreoffice-campaign.xlsx'), 'libreoffice-campaign.xlsx').expect(200);
      expect(res.body).toMatchObject({ status: 'ready', campaign: { code: 'ZSCQ-2027', source: 'inspection' }, totals: { problems: 2, tasks: 4 } });
      const [p1, p2] = res.body.problems;
      expect(p1).toMatchObject({ row: 3, description: '商标侵权案件移送不及时', severity: 'critical', source: 'assigned', foundOn: '2026-10-12' });
      expect(p1.tasks.map((t: { row: number; leadUnit: { code: string }; owner: { email: string } }) => [t.row, t.leadUnit.code, t.owner.email])).toEqual([
        [3, 'WJK-IMP', 'chen.xm@import-test.gov.cn'],
        [4, 'JGK-IMP', 'zhou.qiang@import-test.gov.cn'],
        [5, 'JGK-IMP', 'zhou.qiang@import-test.gov.cn'],
      ]);
      expect(p1.tasks[0].coUnits.map((u: { code: string }) => u.code)).toEqual(['GGG-IMP', 'JGK-IMP']);
      expect(p1.tasks[0].deadline).toBe(endOfDay('2027-01-29'));
      expect(p1.tasks[1]).toMatchObject({ deadlineAsWritten: '20个工作日', deadline: await addWorkingDaysFromNow(h.db, 20) });
      expect(p2).toMatchObject({ row: 6, severity: 'minor', source: 'inspection', foundOn: '2026-11-03' });
      expect(p2.tasks[0]).toMatchObject({ owner: { email: 'wang.fang@import-test.gov.cn' }, supervisor: { email: 'zhao.ju@import-test.gov.cn' }, deadline: endOfDay('2027-03-15') });
    });

    test('merged cells decide which rows belong to a problem (openpyxl: two problems of the same text, no codes)', async () => {
      const res = await upload(fixture('openpyxl-merges-decide.xlsx'), 'merges.xlsx', '?code=MG-2027&name=merges&source=visit').expect(200);
      expect(res.body.problems.map((p: { row: number; tasks: { row: number; measure: string }[] }) => [p.row, p.tasks.map((t) => t.measure)])).toEqual([
        [2, ['措施2-1', '措施2-2']],
        [4, ['措施4-1', '措施4-2']],
      ]);
    });

    test('a GBK CSV with blank cells on a problem’s later rows, quoted commas, and the campaign given as parameters', async () => {
      const res = await upload(fixture('gbk-campaign.csv'), 'gbk-campaign.csv', '?code=SP-2027&name=%E9%A3%9F%E5%93%81&source=self_inspection').expect(200);
      expect(res.body).toMatchObject({ status: 'ready', file: { kind: 'csv', encoding: 'gb18030' }, totals: { problems: 2, tasks: 3 } });
      const [p1, p2] = res.body.problems;
      expect(p1).toMatchObject({ row: 2, description: '食品经营许可证“证照不符”', source: 'self_inspection', foundOn: '2026-11-18' });
      expect(p1.tasks.map((t: { measure: string }) => t.measure)).toEqual(['逐户核查许可信息', '对不符户依法责令整改']);
      expect(p1.tasks[0].coUnits.map((u: { code: string }) => u.code)).toEqual(['GGG-IMP', 'JGK-IMP']);
      expect(p2).toMatchObject({ row: 4, description: '投诉举报处置超时, 群众反映强烈', foundOn: '2026-11-25' });
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('errors: every one at once, each with its sheet, row, column, header and rule; nothing stored', () => {
    let before: number;
    beforeEach(async () => {
      before = await h.db.campaign.count();
    });
    afterEach(async () => {
      expect(await h.db.campaign.count()).toBe(before);
    });
    const details = async (file: Buffer, name: string, query = meta, status = 400) => (await upload(file, name, query).expect(status)).body.error.details;
    const one = (sheet: string, row: number | null, column: string | null, header: string | null, rule: string) =>
      expect.objectContaining({ sheet, row, column, header, rule, message: expect.stringMatching(/[\u4e00-\u9fff]/) });

    beforeAll(async () => {
      // Two units of one name, two people of one name in one unit: names that do not decide.
      const root = org.units.root;
      for (const code of ['DUP1-IMP', 'DUP2-IMP']) {
        if (!(await h.db.unit.findUnique({ where: { code } }))) {
          const id = crypto.randomUUID();
          await h.db.unit.create({ data: { id, code, name: '综合科', parentId: root.id, path: `${root.path}${id}/` } });
        }
      }
      for (const key of ['li.na1', 'li.na2']) {
        await h.db.person.upsert({ where: { email: `${key}@import-test.gov.cn` }, create: { email: `${key}@import-test.gov.cn`, displayName: '李娜', unitId: org.units.wjk.id, roles: ['staff'] }, update: {} });
      }
    });

    test('a missing required column: the header row, the header', async () => {
      const headers = COLUMNS.filter((c) => c.key !== 'taskCode' && c.key !== 'owner').map((c) => c.header);
      expect(await details(csv([good().filter((_, i) => i !== 9)], headers), '清单.csv')).toEqual([one('清单', 1, null, '责任人', 'header.missing')]);
    });

    test('cell by cell: required, severity, source, dates, deadlines, units, people, the problem a row belongs to — all in one answer, in row order', async () => {
      const file = csv([
        good({ 问题编号: '', 问题描述: '', 问题类别: '', 严重程度: '', 发现日期: '' }), // row 2: a task row without a problem
        good({ 严重程度: '很严重', 问题来源: '网上', 发现日期: '去年' }), // row 3
        good({ 问题编号: '2', 整改措施: '', 完成时限: '尽快' }), // row 4
        good({ 问题编号: '3', 牵头单位: '不存在科', 责任人: '陈晓明' }), // row 5
        good({ 问题编号: '4', 牵头单位: '综合科' }), // row 6
        good({ 问题编号: '5', 责任人: '周强' }), // row 7: 周强 is in 价格监督检查科
        good({ 问题编号: '6', 责任人: '李娜' }), // row 8: two 李娜 in the unit
        good({ 问题编号: '7', 责任人: '无此人' }), // row 9
        good({ 问题编号: '8', 分管领导: '陈晓明' }), // row 10: not a leader
        good({ 问题编号: '9', 配合单位: '不存在股' }), // row 11
      ]);
      expect(await details(file, '清单.csv')).toEqual([
        one('清单', 2, 'B', '问题描述', 'problem.missing'),
        one('清单', 3, 'D', '严重程度', 'severity.allowed'),
        one('清单', 3, 'E', '问题来源', 'source.allowed'),
        one('清单', 3, 'F', '发现日期', 'date.format'),
        one('清单', 4, 'G', '整改措施', 'required'),
        one('清单', 4, 'L', '完成时限', 'deadline.format'),
        one('清单', 5, 'H', '牵头单位', 'unit.exists'),
        one('清单', 6, 'H', '牵头单位', 'unit.ambiguous'),
        one('清单', 7, 'J', '责任人', 'owner.in_unit'),
        one('清单', 8, 'J', '责任人', 'owner.ambiguous'),
        one('清单', 9, 'J', '责任人', 'owner.exists'),
        one('清单', 10, 'K', '分管领导', 'supervisor.is_leader'),
        one('清单', 11, 'I', '配合单位', 'unit.exists'),
      ]);
    });

    test('the campaign service’s own rules, by cell: a deadline in the past, the lead unit as co-operating unit, an owner by e-mail outside the lead unit', async () => {
      const file = csv([
        good({ 完成时限: '2020年1月1日' }),
        good({ 问题编号: '2', 配合单位: 'WJK-IMP' }),
        good({ 问题编号: '3', 责任人: 'zhou.qiang@import-test.gov.cn' }),
      ]);
      expect(await details(file, '清单.csv')).toEqual([
        one('清单', 2, 'L', '完成时限', 'future'),
        one('清单', 3, 'I', '配合单位', 'not_lead_unit'),
        one('清单', 4, 'J', '责任人', 'owner.in_unit'),
      ]);
    });

    test('a text too long for its field is the schema’s rule, at its cell', async () => {
      expect(await details(csv([good({ 整改措施: '改'.repeat(501) })]), '清单.csv')).toEqual([one('清单', 2, 'G', '整改措施', 'max_length')]);
    });

    test('a CSV without campaign parameters: the parameters it needs', async () => {
      expect((await details(csv([good()]), '清单.csv', '')).map((d: { field: string; rule: string }) => [d.field, d.rule])).toEqual([
        ['query.code', 'campaign.code.required'],
        ['query.name', 'campaign.name.required'],
        ['query.source', 'campaign.source.required'],
      ]);
    });

    test('formulas are refused, each at its cell', async () => {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('整改清单');
      ws.addRow(COLUMNS.map((c) => c.header));
      ws.addRow(['1', '问题', '类别', '一般', '', '2026/11/2', '', '措施', '网络交易监管科', '', '陈晓明', '', { formula: 'TODAY()+30' }]);
      ws.getCell('B3').value = { formula: 'B2' };
      expect(await details(Buffer.from(await wb.xlsx.writeBuffer()), '公式.xlsx')).toEqual([
        expect.objectContaining({ sheet: '整改清单', row: 2, column: 'M', rule: 'cell.formula' }),
        expect.objectContaining({ sheet: '整改清单', row: 3, column: 'B', rule: 'cell.formula' }),
      ]);
    });

    test('a hidden sheet (openpyxl) is refused, naming it', async () => {
      expect(await details(fixture('openpyxl-hidden.xlsx'), 'hidden.xlsx', '')).toEqual([expect.objectContaining({ field: 'body.file', sheet: '备用', rule: 'sheet.hidden' })]);
    });

    test('not a workbook, an old .xls, another type, an empty file', async () => {
      expect(await details(Buffer.from('%PDF-1.4 not a workbook'), '清单.xlsx')).toEqual([expect.objectContaining({ field: 'body.file', rule: 'file.not_workbook' })]);
      expect(await details(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), '清单.xls')).toEqual([expect.objectContaining({ rule: 'file.xls' })]);
      expect(await details(Buffer.from('hello'), '清单.txt')).toEqual([expect.objectContaining({ rule: 'file.type' })]);
      expect(await details(Buffer.alloc(0), '清单.xlsx')).toEqual([expect.objectContaining({ rule: 'file.not_empty' })]);
    });

    test('a zip bomb named .xlsx (200 MB of zeros in 200 kB, its size declared small) is a 413 before exceljs reads it', async () => {
      const bomb = zipBomb(200 << 20);
      expect(bomb.length).toBeLessThan(400_000);
      const started = process.memoryUsage().rss;
      expect(await details(bomb, '清单.xlsx', meta, 413)).toEqual([expect.objectContaining({ field: 'body.file', rule: 'zip.uncompressed_size' })]);
      expect(process.memoryUsage().rss - started).toBeLessThan(120 << 20);
    });

    test('more rows than the limit is a 413 naming the sheet', async () => {
      const rows = Array.from({ length: 10_100 }, (_, i) => good({ 问题编号: String(i + 1) }));
      expect(await details(csv(rows), '清单.csv', meta, 413)).toEqual([expect.objectContaining({ sheet: '清单', rule: 'rows.max' })]);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('commit, idempotency, the ledger and its round trip', () => {
    let campaignId: string;

    test('commit=true creates the campaign through the JSON path; the same file again creates nothing and says so', async () => {
      const first = await upload(fixture('openpyxl-campaign.xlsx'), 'a.xlsx', '?commit=true').expect(200);
      expect(first.body).toMatchObject({ created: true, status: 'created', createdCampaign: { code: 'WJ-2027', status: 'active' } });
      campaignId = first.body.createdCampaign.id;
      const stored = await h.db.campaign.findUniqueOrThrow({ where: { id: campaignId }, include: { problems: { include: { tasks: true } } } });
      expect(stored.importFingerprint).toBe(first.body.fingerprint);
      expect(stored.problems.flatMap((p) => p.tasks.map((t) => t.code)).sort()).toEqual(['WJ-2027-001-1', 'WJ-2027-001-2', 'WJ-2027-002-1']);
      const audit = await h.db.auditEvent.findFirstOrThrow({ where: { targetId: campaignId, action: 'campaign.create' } });
      expect(audit.after).toMatchObject({ importFingerprint: first.body.fingerprint });

      // The same content, re-saved by another program under another name, twice.
      for (const query of ['?commit=true', '']) {
        const again = await upload(fixture('openpyxl-campaign.xlsx'), '再次导入.xlsx', query).expect(200);
        expect(again.body).toMatchObject({ created: false, status: 'already_imported', existingCampaign: { id: campaignId, code: 'WJ-2027' } });
        expect(again.body.message).toContain('已导入');
      }
      expect(await h.db.campaign.count({ where: { code: 'WJ-2027' } })).toBe(1);
      expect(await h.db.task.count({ where: { problem: { campaignId } } })).toBe(3);
    });

    test('the exported ledger imports back as the same campaign: same problems, tasks and responsibilities', async () => {
      const ledger = await request(app).get(`/api/campaigns/${campaignId}/ledger.xlsx`).set('Authorization', office).buffer(true).parse(binary).expect(200);
      expect(ledger.headers['content-disposition']).toContain(encodeURIComponent('整改台账-WJ-2027.xlsx'));
      const dry = await upload(ledger.body as Buffer, '台账.xlsx').expect(200);
      expect(dry.body).toMatchObject({ created: false, status: 'code_taken', existingCampaign: { id: campaignId } });
      const campaign = (await request(app).get(`/api/campaigns/${campaignId}`).set('Authorization', office).expect(200)).body;
      expectCampaigns(dry.body, campaign);
      const supervisors = await h.db.task.findMany({ where: { problem: { campaignId } }, orderBy: { code: 'asc' }, select: { supervisor: { select: { email: true } } } });
      expect(dry.body.problems.flatMap((p: { tasks: { supervisor: { email: string } | null }[] }) => p.tasks.map((t) => t.supervisor?.email ?? null))).toEqual(
        supervisors.map((t) => t.supervisor?.email ?? null),
      );
    });

    test('the ledger is for the office and leaders', async () => {
      await request(app).get(`/api/campaigns/${campaignId}/ledger.xlsx`).set('Authorization', await as(org.people.leader)).expect(200);
      await request(app).get(`/api/campaigns/${campaignId}/ledger.xlsx`).set('Authorization', await as(org.people.chen)).expect(404);
    });

    test('a reconciled campaign counts closed on time, closed late and cancelled apart — JSON, mail to the office, workbook', async () => {
      const res = await upload(fixture('gbk-campaign.csv'), 'gbk.csv', '?commit=true&code=SP-2027&name=%E9%A3%9F%E5%93%81%E8%AF%81%E7%85%A7&source=self_inspection').expect(200);
      const id = res.body.createdCampaign.id;
      const [t1, t2, t3] = res.body.createdCampaign.problems.flatMap((p: { tasks: { id: string }[] }) => p.tasks.map((t) => t.id));
      await request(app).post(`/api/tasks/${t1}/complete`).set('Authorization', office).send({ note: '已整改' }).expect(200);
      await request(app).post(`/api/tasks/${t2}/cancel`).set('Authorization', office).send({ reason: '并入其他任务' }).expect(200);
      // Closed after its deadline: the workflow's deadline is moved an hour back first (as a calendar correction would).
      await h.env.client.workflow.getHandle(taskWorkflowId(t3)).executeUpdate(rescheduleUpdate, { args: [{ by: org.people.office.id, deadline: new Date(Date.now() - 3600_000).toISOString(), reason: '测试：改为已过期' }] });
      await request(app).post(`/api/tasks/${t3}/complete`).set('Authorization', office).send({}).expect(200);
      const done = await eventually(async () => {
        const c = (await request(app).get(`/api/campaigns/${id}`).set('Authorization', office).expect(200)).body;
        expect(c.status).toBe('reconciled');
        return c;
      });
      expect(done.ledger.totals).toEqual({ problems: 2, tasks: 3, onTime: 1, late: 1, cancelled: 1 });
      expect(done.ledger.rows.map((r: { outcome: string; onTime: boolean }) => [r.outcome, r.onTime])).toEqual([
        ['on_time', true],
        ['cancelled', false],
        ['late', false],
      ]);

      const officeEmails = (await h.db.person.findMany({ where: { active: true, roles: { has: 'office' } } })).map((p) => p.email);
      const mails = await h.smtp.waitFor(officeEmails.length, (m) => m.parsed.subject?.includes('SP-2027') ?? false);
      expect(mails.flatMap((m) => m.envelopeTo).sort()).toEqual([...officeEmails].sort());
      const mail = mails.find((m) => m.envelopeTo.includes(org.people.office.email))!;
      expect(mail.parsed.attachments.map((a) => a.filename)).toEqual(['台账-SP-2027.xlsx', 'ledger-SP-2027.json']);
      // The JSON attachment is the stored ledger, the same for every recipient.
      const stored = (await h.db.campaign.findFirstOrThrow({ where: { code: 'SP-2027' } })).ledger;
      for (const m of mails) expect(JSON.parse(m.parsed.attachments[1]!.content.toString('utf8'))).toEqual(stored);
      const attached = new ExcelJS.Workbook();
      await attached.xlsx.load(mail.parsed.attachments[0]!.content as unknown as ArrayBuffer);
      const totals = Object.fromEntries(attached.getWorksheet('批次信息')!.getRows(7, 8)!.map((r) => [r.getCell(1).value, r.getCell(2).value]));
      expect(totals).toMatchObject({ 按时销号: 1, 逾期销号: 1, 已撤销: 1, 未销号: 0 });
      const lists = attached.getWorksheet('整改清单')!;
      expect([4, 5, 6].map((r) => lists.getRow(r).getCell(18).value)).toEqual(['按时销号', '已撤销', '逾期销号']);
    });
  });

  // ---------------------------------------------------------------------------------------------
  describe('the task export', () => {
    const rowsOf = async (body: Buffer) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(body as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('任务清单')!;
      // A task without a code is an empty cell (other test files' tasks share the database).
      return ws.getRows(2, ws.rowCount - 1)?.map((r) => (r.getCell(1).value === null ? null : String(r.getCell(1).value))) ?? [];
    };

    // Every page of GET /api/tasks (other test files' tasks share the database, so a filter such
    // as status=closed may match more than one 200-row page).
    const listAll = async (query: string, auth: string) => {
      const items: { code: string }[] = [];
      for (let page = 1; ; page++) {
        const body = (await request(app).get(`/api/tasks${query}${query ? '&' : '?'}pageSize=200&page=${page}`).set('Authorization', auth).expect(200)).body;
        items.push(...(body.items as { code: string }[]));
        if (items.length >= body.total || body.items.length === 0) return { items, total: body.total as number };
      }
    };

    test('takes the filters and the scoping of GET /api/tasks', async () => {
      const cases: [string, { id: string }][] = [
        ['?q=WJ-2027', org.people.office],
        ['?q=WJ-2027&sort=-deadline', org.people.office],
        ['', org.people.chen],
        // Scoped to this file's campaign: other files close tasks in the shared database meanwhile.
        ['?status=closed&q=SP-2027', org.people.office],
      ];
      const exported: number[] = [];
      for (const [query, who] of cases) {
        const auth = await as(who);
        const list = await listAll(query, auth);
        const res = await request(app).get(`/api/tasks/export.xlsx${query}`).set('Authorization', auth).buffer(true).parse(binary).expect(200);
        const codes = await rowsOf(res.body as Buffer);
        expect(codes).toEqual(list.items.map((t) => t.code));
        expect(codes.length).toBe(list.total);
        exported.push(codes.length);
      }
      // The export read several of its 2-row pages (keyset paging), not one; the closed case is not empty.
      expect(Math.max(...exported)).toBeGreaterThan(2);
      expect(exported[3]).toBeGreaterThan(0);
      const chen = (await request(app).get('/api/tasks?pageSize=200').set('Authorization', await as(org.people.chen)).expect(200)).body;
      expect(chen.items.every((t: { owner: { id: string } }) => t.owner.id === org.people.chen.id)).toBe(true);
    });
  });
});

/** One ZIP entry named like a sheet: `size` zero bytes deflated, the directory claiming 1 kB. */
function zipBomb(size: number): Buffer {
  const data = deflateRawSync(Buffer.alloc(size), { level: 9 });
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(1024, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(1024, 24);
  central.writeUInt16LE(name.length, 28);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + name.length, 12);
  eocd.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, eocd]);
}

