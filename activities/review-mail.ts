/** A review report's mail: HTML in Chinese with an English line; the Excel workbook goes attached. */
import type { ReviewSummary } from '../lib/review/report';
import { fills, pct } from '../lib/review/render';
import { escapeHtml } from './mail-templates';

export interface RenderedReviewMail {
  subject: string;
  text: string;
  html: string;
}

export function renderReviewMail(content: ReviewSummary, link: string): RenderedReviewMail {
  const title = `${content.cycle.name}（${content.cycle.reportTypeLabel}）${content.period.label}`;
  const t = content.totals;
  const intro = `${content.period.label}：在督事项 ${t.tasks} 项，本期销号 ${t.closed} 项（按时 ${t.closedOnTime} 项，按时销号率 ${pct(t.onTimeRate)}），期末未销号 ${t.open} 项，其中逾期 ${t.overdue} 项。`;
  const lines = content.units.map((u) => {
    const r = u.result;
    const head = r ? `第${r.rank}名 ${u.name}：得分 ${r.score}${r.previous ? `（上期 ${r.previous.score}，第${r.previous.rank}名）` : ''}` : u.name;
    const rating = r?.rating ? `，评定「${r.rating.label}」：${r.rating.reasons.join('；')}` : '';
    return `${head}，未销号 ${u.metrics.open} 项，逾期 ${u.metrics.overdue} 项，本期销号 ${u.metrics.closed} 项${rating}`;
  });
  const english = `${content.cycle.key} review for ${content.period.key}: ${t.tasks} items, ${t.closed} closed (${t.closedOnTime} on time), ${t.open} open, ${t.overdue} overdue. The Excel workbook is attached.`;
  const text = [title, '', intro, '', ...lines, '', `详见附件 Excel，或在线查看：${link}`, '', '——', english].join('\n');
  const header = summaryHeaderHtml(content);
  const rows = content.units
    .map((u) => {
      const r = u.result;
      const cells = [
        ...(r ? [String(r.rank)] : []),
        u.name,
        String(u.metrics.tasks),
        String(u.metrics.open),
        String(u.metrics.closed),
        pct(u.metrics.onTimeRate),
        String(u.metrics.overdue),
        ...(r ? [String(r.score)] : []),
        ...(r?.rating ? [`${r.rating.label}：${r.rating.reasons.join('；')}`] : []),
      ];
      return `<tr style="background:#${fills[u.light].slice(2)}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const html = [
    `<h2>${escapeHtml(title)}</h2>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<table border="1" cellpadding="4" cellspacing="0"><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`,
    `<p>详见附件 Excel，或<a href="${escapeHtml(link)}">在线查看</a>。</p>`,
    `<p style="color:#888">${escapeHtml(english)}</p>`,
  ].join('\n');
  return { subject: `【${content.cycle.name}】${content.period.label}整改督办${content.cycle.reportTypeLabel}`, text, html };
}

const summaryHeaderHtml = (content: ReviewSummary) => [
  ...(content.scoring ? ['排名'] : []),
  '单位',
  '在督事项',
  '期末未销号',
  '本期销号',
  '按时销号率',
  '期末逾期',
  ...(content.scoring ? ['得分'] : []),
  ...(content.cycle.reportType === 'assessment' ? ['评定及理由'] : []),
];
