/**
 * The office's paper, written once: every mail kind is an OfficialMail (issuing office, number,
 * title, recipient, body, a key-value table of the matter, an optional list, what is required by
 * when, the button that opens the page, the issuing office and date, an English line), rendered as
 * HTML that survives mail clients (tables, inline styles, no external CSS, no images, no web fonts)
 * and as a text part with the same content.
 */
import { escapeHtml } from './format';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailLink {
  label: string;
  url: string;
}

export interface MailField {
  label: string;
  value: string;
  /** Shown in red: an overdue time, a level. */
  alert?: boolean;
}

export type MailCell = string | { text: string; url?: string; alert?: boolean };

export interface MailTable {
  caption: string;
  head: string[];
  rows: { cells: MailCell[]; /** row background, e.g. a traffic light */ fill?: string }[];
  /** Columns kept on one line (codes, dates, numbers); the others wrap. */
  nowrap?: number[];
  /** A line under the table (rows left out, an attachment). */
  note?: string;
}

export type BadgeTone = 'blue' | 'yellow' | 'orange' | 'red' | 'grey';

export interface OfficialMail {
  subject: string;
  /** 发文机关, e.g. 市场监督管理局督查室. */
  issuer: string;
  /** 文号, e.g. 督办〔2026〕第12号, or the matter's reference when the mail is not numbered. */
  reference: string;
  /** 标题, e.g. 督办通知单. */
  title: string;
  badge?: { text: string; tone: BadgeTone };
  /** 主送: unit and person. */
  recipient: { unit?: string | null; person: string };
  /** 正文, one paragraph each. */
  body: string[];
  fields: MailField[];
  table?: MailTable;
  /** 办理要求 and its time limit. */
  required: { text: string; by?: string };
  /** The button: opens the page where the recipient acts. */
  action: MailLink;
  /** Further pages (plain links under the button). */
  links?: MailLink[];
  /** 成文日期, formatted. */
  issuedOn: string;
  /** The short English version. */
  english: string;
}

/** Two ideographic spaces: a paragraph's first-line indent in Chinese text. */
const INDENT = '\u3000\u3000';
const RED = '#b5121b';
const FONT = "'Microsoft YaHei','PingFang SC','Hiragino Sans GB','Noto Sans SC','Source Han Sans SC','SimHei',Arial,sans-serif";
const TITLE_FONT = "'SimSun','STSong','Songti SC','Noto Serif SC','Source Han Serif SC',serif";
const badgeColors: Record<BadgeTone, { fg: string; bg: string; border: string }> = {
  blue: { fg: '#1d4f91', bg: '#eaf1fb', border: '#9db8e0' },
  yellow: { fg: '#8a5a00', bg: '#fff6d6', border: '#f0c419' },
  orange: { fg: '#a83a00', bg: '#ffeadb', border: '#f07c2b' },
  red: { fg: '#ffffff', bg: RED, border: RED },
  grey: { fg: '#555555', bg: '#f0f0f0', border: '#cccccc' },
};

const recipientLine = (r: OfficialMail['recipient']) => [r.unit, r.person].filter(Boolean).join(' ');
const cellText = (c: MailCell) => (typeof c === 'string' ? c : c.text);

export function renderOfficialMail(m: OfficialMail): RenderedMail {
  return { subject: m.subject, text: renderText(m), html: renderHtml(m) };
}

function renderText(m: OfficialMail): string {
  const out: string[] = [m.issuer, m.reference, '━'.repeat(24), `${m.title}${m.badge ? `【${m.badge.text}】` : ''}`, '', `${recipientLine(m.recipient)}：`, ''];
  out.push(...m.body.map((p) => `${INDENT}${p}`), '');
  out.push(...m.fields.map((f) => `${f.label}：${f.value}`), '');
  if (m.table) {
    out.push(`${m.table.caption}：`);
    m.table.rows.forEach((r, i) => {
      const cells = r.cells.map(cellText);
      const urls = r.cells.flatMap((c) => (typeof c !== 'string' && c.url ? [c.url] : []));
      out.push(`${i + 1}. ${cells.map((c, j) => (j === 0 ? c : `${m.table!.head[j]} ${c}`)).join('｜')}${urls.length ? `\n   ${urls.join(' ')}` : ''}`);
    });
    if (m.table.note) out.push(m.table.note);
    out.push('');
  }
  out.push(`【办理要求】${m.required.text}`);
  if (m.required.by) out.push(`办理时限：${m.required.by}`);
  out.push('', `${m.action.label}：${m.action.url}`, ...(m.links ?? []).map((l) => `${l.label}：${l.url}`), '');
  out.push(m.issuer, m.issuedOn, '', '——', m.english, `Open: ${m.action.url}`, '');
  return out.join('\n');
}

function renderHtml(m: OfficialMail): string {
  const e = escapeHtml;
  const td = (style: string, content: string, attrs = '') => `<td${attrs} style="${style}">${content}</td>`;
  const row = (content: string, padding = '0 40px') => `<tr>${td(`padding:${padding};`, content)}</tr>`;
  const badge = m.badge
    ? `&nbsp;<span style="display:inline-block;vertical-align:middle;padding:2px 10px;font-family:${FONT};font-size:13px;line-height:20px;font-weight:bold;color:${badgeColors[m.badge.tone].fg};background:${badgeColors[m.badge.tone].bg};border:1px solid ${badgeColors[m.badge.tone].border};border-radius:3px;">${e(m.badge.text)}</span>`
    : '';
  const cellStyle = 'padding:8px 12px;border:1px solid #d6d6d6;font-size:14px;line-height:22px;vertical-align:top;';
  const fields = m.fields
    .map(
      (f) =>
        `<tr>${td(`${cellStyle}width:104px;background:#f6f6f6;color:#555555;white-space:nowrap;`, e(f.label), ' bgcolor="#f6f6f6"')}${td(
          `${cellStyle}color:${f.alert ? RED : '#222222'};${f.alert ? 'font-weight:bold;' : ''}`,
          e(f.value),
        )}</tr>`,
    )
    .join('');
  const listCell = 'padding:6px 8px;border:1px solid #d6d6d6;font-size:13px;line-height:20px;vertical-align:top;';
  const cell = (c: MailCell, column: number) => {
    const style = `${listCell}${m.table?.nowrap?.includes(column) ? 'white-space:nowrap;' : ''}`;
    if (typeof c === 'string') return td(style, e(c));
    const text = c.url ? `<a href="${e(c.url)}" style="color:#1d4f91;text-decoration:underline;">${e(c.text)}</a>` : e(c.text);
    return td(`${style}${c.alert ? `color:${RED};font-weight:bold;` : ''}`, text);
  };
  const table = m.table
    ? row(
        `<div style="font-size:15px;font-weight:bold;color:#222222;padding:0 0 8px 0;">${e(m.table.caption)}</div>` +
          `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;">` +
          `<tr>${m.table.head.map((h, i) => td(`${listCell}background:#f0f0f0;font-weight:bold;color:#333333;${m.table?.nowrap?.includes(i) ? 'white-space:nowrap;' : ''}`, e(h), ' bgcolor="#f0f0f0"')).join('')}</tr>` +
          m.table.rows.map((r) => `<tr${r.fill ? ` bgcolor="${e(r.fill)}" style="background:${e(r.fill)};"` : ''}>${r.cells.map((c, i) => cell(c, i)).join('')}</tr>`).join('') +
          `</table>${m.table.note ? `<div style="font-size:13px;color:#666666;padding:6px 0 0 0;">${e(m.table.note)}</div>` : ''}`,
        '18px 40px 0 40px',
      )
    : '';
  const links = (m.links ?? [])
    .map((l) => `<div style="font-size:14px;line-height:22px;color:#555555;">${e(l.label)}：<a href="${e(l.url)}" style="color:#1d4f91;">${e(l.url)}</a></div>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${e(m.subject)}</title>
</head>
<body style="margin:0;padding:0;background:#eeeeee;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#eeeeee" style="background:#eeeeee;">
<tr><td align="center" style="padding:24px 8px;">
<table role="presentation" width="680" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:100%;max-width:680px;background:#ffffff;border:1px solid #d0d0d0;font-family:${FONT};color:#222222;">
<tr><td align="center" style="padding:36px 40px 0 40px;font-family:${TITLE_FONT};font-size:30px;line-height:42px;font-weight:bold;letter-spacing:3px;color:${RED};">${e(m.issuer)}</td></tr>
<tr><td align="center" style="padding:14px 40px 10px 40px;font-size:15px;line-height:22px;color:#222222;">${e(m.reference)}</td></tr>
<tr><td style="padding:0 40px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td height="3" bgcolor="${RED}" style="height:3px;background:${RED};font-size:0;line-height:0;">&nbsp;</td></tr></table></td></tr>
<tr><td align="center" style="padding:26px 40px 6px 40px;font-family:${TITLE_FONT};font-size:26px;line-height:36px;font-weight:bold;color:#111111;">${e(m.title)}${badge}</td></tr>
${row(`<div style="font-size:16px;line-height:28px;font-weight:bold;color:#222222;">${e(recipientLine(m.recipient))}：</div>`, '18px 40px 4px 40px')}
${row(m.body.map((p) => `<p style="margin:0 0 8px 0;font-size:15px;line-height:28px;text-indent:2em;color:#222222;">${e(p)}</p>`).join(''), '0 40px')}
${row(`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;">${fields}</table>`, '12px 40px 0 40px')}
${table}
${row(
  `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td bgcolor="#fff4f4" style="background:#fff4f4;border-left:4px solid ${RED};padding:12px 16px;font-size:15px;line-height:26px;color:#222222;">` +
    `<div style="font-weight:bold;color:${RED};">办理要求</div><div>${e(m.required.text)}</div>${m.required.by ? `<div style="font-weight:bold;">办理时限：${e(m.required.by)}</div>` : ''}</td></tr></table>`,
  '20px 40px 0 40px',
)}
<tr><td align="center" style="padding:24px 40px 8px 40px;">
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td align="center" bgcolor="${RED}" style="background:${RED};border-radius:4px;"><a href="${e(m.action.url)}" target="_blank" style="display:inline-block;padding:12px 36px;font-family:${FONT};font-size:16px;line-height:22px;font-weight:bold;color:#ffffff;text-decoration:none;letter-spacing:2px;">${e(m.action.label)}</a></td></tr></table>
</td></tr>
${row(
  `<div style="font-size:12px;line-height:20px;color:#888888;text-align:center;">如按钮无法打开，请复制以下地址到浏览器：<a href="${e(m.action.url)}" style="color:#1d4f91;word-break:break-all;">${e(m.action.url)}</a></div>${links ? `<div style="padding:10px 0 0 0;">${links}</div>` : ''}`,
  '0 40px',
)}
<tr><td align="right" style="padding:28px 56px 0 40px;font-size:16px;line-height:28px;color:#222222;">${e(m.issuer)}<br>${e(m.issuedOn)}</td></tr>
<tr><td style="padding:24px 40px 0 40px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr><td height="1" bgcolor="${RED}" style="height:1px;background:${RED};font-size:0;line-height:0;">&nbsp;</td></tr></table></td></tr>
<tr><td style="padding:10px 40px 28px 40px;font-size:12px;line-height:20px;color:#888888;">本邮件由整改督办系统自动发送，请勿直接回复；请通过上方按钮登录系统办理。<br><span lang="en">${e(m.english)}</span></td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
