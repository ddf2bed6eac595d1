/**
 * A small XLSX writer for the review workbook: sheets of rows of text and numbers, a few fixed
 * styles (bold, bold 14 pt, the traffic-light fills), column widths. It writes the sheet XML as
 * strings and deflates each part on libuv's thread pool while the next sheet is written, so a
 * report of 100,000 tasks renders in a fraction of what a general workbook model costs per cell
 * (exceljs: a row object, a cell object and a style lookup per cell, ~5 µs a cell).
 *
 * The parts are those exceljs writes for the same workbook (cells as `t="str"` values, the same
 * style sheet and theme), so the workbook reads back the same. The zip entries carry the workbook's
 * own date, so the same content gives the same bytes.
 */
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';

const deflate = promisify(deflateRaw);

/** Cell styles (cellXfs of styles.xml). */
export const Style = { none: 0, title: 1, bold: 2, green: 3, red: 4, yellow: 5 } as const;
export type StyleId = (typeof Style)[keyof typeof Style];

export type CellValue = string | number | null | undefined;

export interface SheetSpec {
  name: string;
  /** Width of each column, from the first. */
  widths: number[];
}

/** XML text: the five entities, and no characters XML 1.0 forbids (exceljs drops them too). */
// eslint-disable-next-line no-control-regex -- control characters are what is matched
const special = /[<>&'"\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;
// eslint-disable-next-line no-control-regex
const specialAll = /[<>&'"\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
const entities: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' };
export const xmlText = (s: string) => (special.test(s) ? s.replace(specialAll, (c) => entities[c] ?? '') : s);

/** A1-style column letters of 0-based column i. */
const letters: string[] = [];
export const column = (i: number): string => {
  let s = letters[i];
  if (s === undefined) {
    let n = i + 1;
    s = '';
    while (n > 0) {
      const r = (n - 1) % 26;
      s = String.fromCharCode(65 + r) + s;
      n = Math.floor((n - 1) / 26);
    }
    letters[i] = s;
  }
  return s;
};

/** One sheet's XML, row by row. */
export class SheetWriter {
  private parts: string[] = [];
  private rowNumber = 0;

  constructor(readonly spec: SheetSpec) {
    const cols: string[] = [];
    for (let i = 0; i < spec.widths.length; ) {
      let j = i;
      while (j + 1 < spec.widths.length && spec.widths[j + 1] === spec.widths[i]) j++;
      cols.push(`<col min="${i + 1}" max="${j + 1}" width="${spec.widths[i]}" customWidth="1"/>`);
      i = j + 1;
    }
    this.parts.push(
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
      '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0"/>',
      `<cols>${cols.join('')}</cols><sheetData>`,
    );
  }

  /**
   * Adds a row: `style` for every cell of it (and the row), `cellStyles` for some cells by index.
   * An empty row is skipped (it keeps its number).
   */
  row(values: readonly CellValue[], style: StyleId = Style.none, cellStyles?: Record<number, StyleId>): void {
    const r = ++this.rowNumber;
    if (values.length === 0) return;
    let xml = style ? `<row r="${r}" s="${style}" customFormat="1">` : `<row r="${r}">`;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const s = cellStyles?.[i] ?? style;
      const attrs = s ? `r="${column(i)}${r}" s="${s}"` : `r="${column(i)}${r}"`;
      if (v === null || v === undefined) xml += `<c ${attrs}/>`;
      else if (typeof v === 'number') xml += `<c ${attrs}><v>${v}</v></c>`;
      else xml += `<c ${attrs} t="str"><v>${xmlText(v)}</v></c>`;
    }
    this.parts.push(`${xml}</row>`);
  }

  /** The sheet's XML; the writer is done. */
  end(): string {
    this.parts.push('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>');
    const xml = this.parts.join('');
    this.parts = [];
    return xml;
  }
}

interface Entry {
  name: string;
  crc: number;
  size: number;
  data: Buffer;
}

/** DOS date and time of a zip entry (local fields of the instant as given, in UTC). */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/** A zip archive of deflated entries (no zip64: parts and archive under 4 GB). */
function zip(entries: Entry[], modified: Date): Buffer {
  const { date, time } = dosDateTime(modified);
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4); // made by
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800, 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt16LE(time, 12);
    dir.writeUInt16LE(date, 14);
    dir.writeUInt32LE(e.crc, 16);
    dir.writeUInt32LE(e.data.length, 20);
    dir.writeUInt32LE(e.size, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    central.push(dir, name);
    chunks.push(local, name, e.data);
    offset += local.length + name.length + e.data.length;
  }
  const dirSize = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dirSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, ...central, end]);
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** fonts: default, bold 14 pt, bold; fills: none, gray125 (required), the lights; one xf per Style. */
function stylesXml(fills: { green: string; red: string; yellow: string }): string {
  const solid = (argb: string) => `<fill><patternFill patternType="solid"><fgColor rgb="${argb}"/></patternFill></fill>`;
  return (
    `${XML_HEAD}<styleSheet xmlns="${MAIN}">` +
    '<fonts count="3"><font><color theme="1"/><family val="2"/><scheme val="minor"/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/></font><font><b/></font></fonts>' +
    `<fills count="5"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>${solid(fills.green)}${solid(fills.red)}${solid(fills.yellow)}</fills>` +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>' +
    '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/><xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/><xf numFmtId="0" fontId="0" fillId="4" borderId="0" xfId="0" applyFill="1"/></cellXfs>' +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
  );
}

/** The Office theme exceljs writes (fonts and colours the default style refers to). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a data module of the pinned exceljs, no types
const themeXml: string = require('exceljs/lib/xlsx/xml/theme1.js');

/**
 * A workbook written sheet by sheet: `sheet()` returns a writer, `add()` hands its XML over to be
 * deflated in the background; `finish()` assembles the archive.
 */
export class WorkbookWriter {
  private readonly sheets: string[] = [];
  private readonly pending: Promise<Entry>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly meta: { creator: string; created: Date; fills: { green: string; red: string; yellow: string } }) {}

  sheet(spec: SheetSpec): SheetWriter {
    return new SheetWriter(spec);
  }

  private part(name: string, xml: string): Promise<Entry> {
    const raw = Buffer.from(xml, 'utf8');
    const entry = deflate(raw, { level: 6 }).then((data) => ({ name, crc: crc32(raw), size: raw.length, data }));
    this.pending.push(entry);
    return entry;
  }

  /** Adds the sheet; resolves once few enough parts are being deflated (memory stays bounded). */
  async add(sheet: SheetWriter): Promise<void> {
    this.sheets.push(sheet.spec.name);
    const p = this.part(`xl/worksheets/sheet${this.sheets.length}.xml`, sheet.end());
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p)).catch(() => undefined);
    while (this.inFlight.size >= 4) await Promise.race(this.inFlight);
  }

  async finish(): Promise<Buffer> {
    const n = this.sheets.length;
    const at = this.meta.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const sheetList = this.sheets.map((name, i) => `<sheet sheetId="${i + 1}" name="${xmlText(name)}" state="visible" r:id="rId${i + 3}"/>`).join('');
    this.part(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${this.sheets
        .map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
        .join(
          '',
        )}<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
    );
    this.part(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    this.part(
      'docProps/app.xml',
      `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>${n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="${n}" baseType="lpstr">${this.sheets
        .map((s) => `<vt:lpstr>${xmlText(s)}</vt:lpstr>`)
        .join('')}</vt:vector></TitlesOfParts><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion></Properties>`,
    );
    this.part(
      'docProps/core.xml',
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${xmlText(this.meta.creator)}</dc:creator><cp:lastModifiedBy>${xmlText(this.meta.creator)}</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">${at}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${at}</dcterms:modified></cp:coreProperties>`,
    );
    this.part(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr defaultThemeVersion="164011" filterPrivacy="1"/><sheets>${sheetList}</sheets><calcPr calcId="171027"/></workbook>`,
    );
    this.part(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rId2" Type="${REL}/theme" Target="theme/theme1.xml"/>${this.sheets
        .map((_, i) => `<Relationship Id="rId${i + 3}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`)
        .join('')}</Relationships>`,
    );
    this.part('xl/styles.xml', stylesXml(this.meta.fills));
    this.part('xl/theme/theme1.xml', themeXml);
    // The package's parts first, then the sheets (as exceljs and Excel order them).
    const entries = await Promise.all(this.pending);
    const sheets = entries.filter((e) => e.name.startsWith('xl/worksheets/'));
    return zip([...entries.filter((e) => !e.name.startsWith('xl/worksheets/')), ...sheets], this.meta.created);
  }
}
