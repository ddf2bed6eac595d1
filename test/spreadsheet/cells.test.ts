import { deflateRawSync } from 'node:zlib';
import { columnLetter, normalizeText, parseDateValue, parseDeadlineValue, splitList } from '../../lib/spreadsheet/cells';
import { decodeCsv, parseCsv } from '../../lib/spreadsheet/csv';
import { inspectZip } from '../../lib/spreadsheet/zip-guard';
import { closureOutcome, closureTotals } from '../../domain/closure';
import iconv from 'iconv-lite';

describe('cells as offices write them', () => {
  test.each([
    ['2026年6月30日', { date: '2026-06-30' }],
    ['2026 年 6 月 30 日', { date: '2026-06-30' }],
    ['２０２６年６月３０日', { date: '2026-06-30' }],
    ['2026/6/30', { date: '2026-06-30' }],
    ['２０２６／６／３０', { date: '2026-06-30' }],
    ['2026-06-30', { date: '2026-06-30' }],
    ['2026.6.30', { date: '2026-06-30' }],
    ['20260630', { date: '2026-06-30' }],
    ['2026/6/30 12:00', { date: '2026-06-30', time: '12:00' }],
    ['2026年6月30日 9:30', { date: '2026-06-30', time: '09:30' }],
    [46203, { date: '2026-06-30' }],
    [46203.75, { date: '2026-06-30', time: '18:00' }],
    [new Date(Date.UTC(2026, 5, 30)), { date: '2026-06-30' }],
  ])('the date %p reads as %p', (raw, expected) => {
    expect(parseDateValue(raw)).toEqual(expected);
  });

  test.each(['2026年2月30日', '2026/13/1', '明年六月', '6/30', '', 12, '2026-06-30T25:00'])('%p is not a date', (raw) => {
    expect(parseDateValue(raw)).toBeNull();
  });

  test.each([
    ['15个工作日', 15],
    ['１５个工作日', 15],
    ['15 个工作日内', 15],
    ['15工作日', 15],
    ['自交办之日起10个工作日内完成', 10],
  ])('the deadline %p is %p working days', (raw, days) => {
    expect(parseDeadlineValue(raw)).toEqual({ kind: 'working_days', days });
  });

  test('a deadline may also be a date; 0 working days or prose is not a deadline', () => {
    expect(parseDeadlineValue('2027年3月31日')).toEqual({ kind: 'date', at: { date: '2027-03-31' } });
    expect(parseDeadlineValue('0个工作日')).toBeNull();
    expect(parseDeadlineValue('尽快')).toBeNull();
  });

  test('full-width letters, digits and spaces become half-width; spaces collapse; lists split on 、，,；', () => {
    expect(normalizeText('　ＸＦ－２０２６　 窗口 ')).toBe('XF-2026 窗口');
    expect(splitList('广告监管股、价格监督检查科，SPK；ABC')).toEqual(['广告监管股', '价格监督检查科', 'SPK', 'ABC']);
    expect([1, 13, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'M', 'Z', 'AA', 'AZ', 'AAA']);
  });
});

describe('CSV in UTF-8 or GBK', () => {
  test('GBK bytes decode as GB18030; UTF-8 with or without BOM stays UTF-8', () => {
    const text = '问题描述,整改措施\r\n"窗口""吃拿卡要""",整治\r\n';
    expect(decodeCsv(iconv.encode(text, 'gbk'))).toEqual({ text, encoding: 'gb18030' });
    expect(decodeCsv(Buffer.from(text, 'utf8'))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).text).toBe(text);
    expect(parseCsv(text)).toEqual([
      ['问题描述', '整改措施'],
      ['窗口"吃拿卡要"', '整治'],
    ]);
  });
});

/** A one-entry ZIP whose central directory says what `declared` says. */
function zipOf(name: string, content: Buffer, declared = content.length): Buffer {
  const data = deflateRawSync(content);
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + n.length + data.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + n.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, n, data, central, n, eocd]);
}

describe('ZIP inspection before any library unpacks a workbook', () => {
  const limits = { maxEntries: 100, maxUncompressedBytes: 1 << 20, maxRatio: 500 };

  test('a small honest archive is read', () => {
    const r = inspectZip(zipOf('a.xml', Buffer.from('<x/>')), limits);
    expect(r.ok && r.entries.get('a.xml')!.toString()).toBe('<x/>');
  });

  test('a bomb that declares its size is refused from the directory alone', () => {
    const r = inspectZip(zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(2 << 20)), limits);
    expect(r).toEqual({ ok: false, problem: expect.objectContaining({ rule: 'zip.uncompressed_size' }) });
  });

  test('a bomb that lies about its size is stopped at the cap while inflating', () => {
    const r = inspectZip(zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(8 << 20), 100), limits);
    expect(r).toEqual({ ok: false, problem: expect.objectContaining({ rule: 'zip.uncompressed_size' }) });
  });

  test('an entry larger than declared, under the cap, is refused too', () => {
    const r = inspectZip(zipOf('a.xml', Buffer.alloc(1000), 10), limits);
    expect(r).toEqual({ ok: false, problem: expect.objectContaining({ rule: 'zip.uncompressed_size' }) });
  });

  test('bytes that are not a ZIP are not a workbook', () => {
    expect(inspectZip(Buffer.from('%PDF-1.4 …'), limits)).toEqual({ ok: false, problem: expect.objectContaining({ rule: 'zip.not_zip' }) });
  });
});

describe('closure outcome', () => {
  const deadline = new Date('2026-06-30T10:00:00Z');
  test('a cancelled task is neither on time nor late', () => {
    const outcomes = [
      closureOutcome({ status: 'closed', completedAt: new Date('2026-06-29T00:00:00Z'), deadline }),
      closureOutcome({ status: 'closed', completedAt: new Date('2026-07-01T00:00:00Z'), deadline }),
      closureOutcome({ status: 'cancelled', completedAt: null, deadline }),
      closureOutcome({ status: 'in_progress', completedAt: null, deadline }),
    ];
    expect(outcomes).toEqual(['on_time', 'late', 'cancelled', 'open']);
    expect(closureTotals(outcomes)).toEqual({ onTime: 1, late: 1, cancelled: 1, open: 1 });
  });
});
