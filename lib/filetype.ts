/**
 * Cheap content sniffing: what a file's first bytes say it is. Enough to refuse a declared type
 * that the bytes contradict (a PDF sent as image/png, an executable sent as text/plain); it does
 * not parse the file.
 */

/** The media type of an .xlsx workbook (the template, ledgers, exports, review reports). */
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type Sniffed = 'pdf' | 'png' | 'jpeg' | 'webp' | 'gif' | 'zip' | 'ole';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
/** Compound File Binary (legacy Office: .doc, .xls). */
const OLE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1'), Buffer.from('PK\x07\x08', 'latin1')];
const PDF = Buffer.from('%PDF-', 'latin1');

const startsWith = (content: Buffer, prefix: Buffer, at = 0) =>
  content.length >= at + prefix.length && content.subarray(at, at + prefix.length).equals(prefix);

/** The kind of content by its signature, or null when it has none we know. */
export function sniff(content: Buffer): Sniffed | null {
  // Readers accept the PDF header anywhere in the first 1024 bytes.
  if (content.subarray(0, 1024).includes(PDF)) return 'pdf';
  if (startsWith(content, PNG)) return 'png';
  if (startsWith(content, JPEG)) return 'jpeg';
  if (startsWith(content, Buffer.from('RIFF', 'latin1')) && startsWith(content, Buffer.from('WEBP', 'latin1'), 8)) return 'webp';
  if (startsWith(content, Buffer.from('GIF87a', 'latin1')) || startsWith(content, Buffer.from('GIF89a', 'latin1'))) return 'gif';
  if (ZIP.some((sig) => startsWith(content, sig))) return 'zip';
  if (startsWith(content, OLE)) return 'ole';
  return null;
}

/** The signature each sniffable type must carry (OOXML documents are ZIP archives). */
const expectedKind: Record<string, Sniffed> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/zip': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  [XLSX_MEDIA_TYPE]: 'zip',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'zip',
  'application/msword': 'ole',
  'application/vnd.ms-excel': 'ole',
  'application/vnd.ms-powerpoint': 'ole',
};

/**
 * The type the first bytes identify unambiguously, for clients that declare none
 * (`application/octet-stream`). Legacy Office files are left out: .doc and .xls look alike.
 */
export const typeOfKind: Partial<Record<Sniffed, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  zip: 'application/zip',
};

/** Plain text has no signature and no NUL bytes (UTF-16 text, which has them, starts with a BOM). */
function looksLikeText(content: Buffer): boolean {
  if (startsWith(content, Buffer.from([0xff, 0xfe])) || startsWith(content, Buffer.from([0xfe, 0xff]))) return true;
  return !content.subarray(0, 8192).includes(0);
}

/** Whether the content's bytes contradict the declared MIME type (lower case, without parameters). */
export function contradicts(declaredType: string, content: Buffer): boolean {
  const kind = sniff(content);
  const expected = expectedKind[declaredType];
  if (expected) return kind !== expected;
  if (declaredType.startsWith('text/')) return kind !== null || !looksLikeText(content);
  // A type we cannot recognise: only a signature of some other known type contradicts it.
  return kind !== null;
}
