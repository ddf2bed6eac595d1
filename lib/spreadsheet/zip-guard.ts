import { inflateRawSync } from 'node:zlib';

/**
 * Looks inside a ZIP container (an .xlsx) before any library unpacks it: entry count, declared and
 * actual uncompressed sizes, compression ratio. Each entry is inflated with an output cap, so a
 * zip bomb that lies about its sizes is stopped at the cap, never expanded in memory.
 */
export interface ZipLimits {
  /** Most entries in the archive. */
  maxEntries: number;
  /** Largest total of uncompressed bytes. */
  maxUncompressedBytes: number;
  /** Largest ratio of uncompressed to compressed size of one entry (past 1 MiB). */
  maxRatio: number;
}

export type ZipProblem =
  | { rule: 'zip.not_zip'; message: string }
  | { rule: 'zip.entries'; message: string }
  | { rule: 'zip.uncompressed_size'; message: string }
  | { rule: 'zip.ratio'; message: string }
  | { rule: 'zip.unsupported'; message: string };

export type ZipInspection = { ok: true; entries: Map<string, Buffer> } | { ok: false; problem: ZipProblem };

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export const isZip = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === LOCAL;

export function inspectZip(buf: Buffer, limits: ZipLimits): ZipInspection {
  const fail = (problem: ZipProblem): ZipInspection => ({ ok: false, problem });
  if (!isZip(buf)) return fail({ rule: 'zip.not_zip', message: '文件不是有效的 Excel 工作簿（.xlsx）/ not an .xlsx workbook (no ZIP signature)' });
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return fail({ rule: 'zip.not_zip', message: '文件不是完整的 Excel 工作簿（已损坏或被截断）/ not a complete .xlsx (no ZIP directory)' });
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) return fail({ rule: 'zip.unsupported', message: '不支持 ZIP64 格式的工作簿 / ZIP64 workbooks are not supported' });
  if (count > limits.maxEntries) return fail({ rule: 'zip.entries', message: `工作簿内部文件过多（${count} 个，上限 ${limits.maxEntries}）/ too many parts in the workbook` });
  if (cdOffset + cdSize > buf.length) return fail({ rule: 'zip.not_zip', message: '文件不是完整的 Excel 工作簿（已损坏或被截断）/ truncated ZIP directory' });

  const entries = new Map<string, Buffer>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) return fail({ rule: 'zip.not_zip', message: '工作簿已损坏 / corrupt ZIP directory' });
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const declared = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    p += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) return fail({ rule: 'zip.unsupported', message: '工作簿已加密，请取消密码后再导入 / encrypted workbooks are not supported' });
    if (compressed === 0xffffffff || declared === 0xffffffff) return fail({ rule: 'zip.unsupported', message: '不支持 ZIP64 格式的工作簿 / ZIP64 workbooks are not supported' });
    total += declared;
    if (total > limits.maxUncompressedBytes) return tooLarge(limits);
    if (declared > 1 << 20 && declared / Math.max(compressed, 1) > limits.maxRatio) {
      return fail({ rule: 'zip.ratio', message: `工作簿内部文件压缩比异常（${name}），疑似压缩炸弹 / abnormal compression ratio in ${name} (zip bomb?)` });
    }
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== LOCAL) return fail({ rule: 'zip.not_zip', message: '工作簿已损坏 / corrupt ZIP entry' });
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + compressed);
    if (name.endsWith('/')) continue;
    let content: Buffer;
    if (method === 0) content = data;
    else if (method === 8) {
      // The cap is what the whole archive may still hold, whatever this entry claims to be.
      const budget = limits.maxUncompressedBytes - (total - declared);
      try {
        content = inflateRawSync(data, { maxOutputLength: Math.max(budget, 1) });
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(limits);
        return fail({ rule: 'zip.not_zip', message: `工作簿已损坏（${name} 无法解压）/ corrupt ZIP entry ${name}` });
      }
    } else return fail({ rule: 'zip.unsupported', message: `不支持的压缩方式（${method}）/ unsupported ZIP compression method` });
    if (content.length !== declared) {
      return fail({ rule: 'zip.uncompressed_size', message: `工作簿内部文件大小与声明不符（${name}），疑似压缩炸弹 / ${name} does not match its declared size (zip bomb?)` });
    }
    entries.set(name, content);
  }
  return { ok: true, entries };
}

function tooLarge(limits: ZipLimits): ZipInspection {
  const mb = Math.round(limits.maxUncompressedBytes / 2 ** 20);
  return { ok: false, problem: { rule: 'zip.uncompressed_size', message: `工作簿解压后超过 ${mb} MB 上限，疑似压缩炸弹 / more than ${mb} MiB uncompressed (zip bomb?)` } };
}
