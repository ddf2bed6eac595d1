import { relativeTime } from '../../activities/mail/format';
import { renderReminderMail } from '../../activities/mail/task';
import { WorkingCalendar } from '../../domain/calendar';
import { at, calendar, ctx, matter, NOW, owner, taskUrl, TZ } from './fixtures';
import { mailCases } from './kinds';

/** The HTML part as a reader sees it: tags dropped, entities decoded. */
const visible = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('mail templates: every kind reads as the office notice, in the HTML and the text part', () => {
  const cases = mailCases();

  test('there is a template for each kind: reminder, overdue, the six rungs, 签收 reminder, digest, review, ledger', () => {
    expect(cases.map((c) => c.kind)).toEqual([
      'reminder',
      'overdue',
      'notice-1-reminder',
      'notice-2-supervision-yellow',
      'notice-3-supervision-orange',
      'notice-4-admonition',
      'notice-5-circular',
      'notice-6-accountability',
      'ack-reminder',
      'digest',
      'review',
      'ledger',
    ]);
  });

  test.each(cases.map((c) => [c.kind, c] as const))('%s: number, recipient, code, local deadline, relative time, requirement and page link in both parts', (_kind, c) => {
    const html = visible(c.mail.html);
    for (const s of c.expected) {
      expect({ part: 'text', has: c.mail.text.includes(s) ? s : `(missing) ${s}` }).toEqual({ part: 'text', has: s });
      // A page link is in the HTML as a link (its text may be the task's title).
      const inHtml = s.startsWith('http') ? c.mail.html.includes(`href="${s}"`) : html.includes(s);
      expect({ part: 'html', has: inHtml ? s : `(missing) ${s}` }).toEqual({ part: 'html', has: s });
    }
    // The issuing office heads it and signs it, with the date.
    expect(c.mail.text.startsWith('某市市场监督管理局督查室\n')).toBe(true);
    expect(c.mail.text).toMatch(/某市市场监督管理局督查室\n\d{4}年\d{1,2}月\d{1,2}日\n/);
    // The button opens the page; nothing points at the API.
    expect(c.mail.html).toMatch(new RegExp(`<a href="${c.button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>[^<]+</a></td></tr></table>`));
    for (const part of [c.mail.html, c.mail.text, c.mail.subject]) {
      expect(part).not.toContain('/api/');
      expect(part).not.toMatch(/\bPOST\b/);
    }
    // Chinese first, a short English line after.
    expect(c.mail.text.indexOf('——')).toBeGreaterThan(c.mail.text.indexOf(c.expected[0]!));
    expect(c.mail.text.split('——')[1]).toMatch(/[A-Za-z]{3,}/);
  });

  test.each(cases.map((c) => [c.kind, c] as const))('%s: HTML that survives mail clients (inline styles, tables, no stylesheet, no images, no web fonts)', (_kind, c) => {
    const { html } = c.mail;
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<table role="presentation"');
    expect(html).not.toMatch(/<style|<link|<script|<img|class=|@font-face|woff|url\(/i);
    // Every href is an absolute https link to the workbench.
    const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    hrefs.forEach((h) => expect(h).toMatch(/^https:\/\/ducha\.example\.gov\.cn\//));
    // A red rule under the number, as on the office's paper.
    expect(html).toMatch(/height="3" bgcolor="#b5121b"/);
  });

  test('user text is escaped in the HTML, verbatim in the text part', () => {
    const mail = renderReminderMail({ recipient: owner, matter: { ...matter(), title: '公示<script>alert("x")</script> & 整改' }, taskUrl }, ctx());
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('公示&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 整改');
    expect(mail.text).toContain('公示<script>alert("x")</script> & 整改');
  });
});

describe('relative time: minutes under an hour, hours under a day, then working days; overdue in minutes, hours, days', () => {
  const rel = (deadline: Date, now: Date = NOW, cal: WorkingCalendar | undefined = calendar) => relativeTime(deadline, now, { timeZone: TZ, calendar: cal }).zh;

  test('a reminder less than an hour ahead says minutes, in the subject and both parts — never "0 小时"', () => {
    const mail = renderReminderMail({ recipient: owner, matter: matter(at('2026-12-02', '09:45')), taskUrl }, ctx());
    for (const part of [mail.subject, mail.text, visible(mail.html)]) {
      expect(part).toContain('还剩 45 分钟');
      expect(part).not.toMatch(/0 小时|约剩/);
    }
    expect(rel(new Date(NOW.getTime() + 4_000))).toBe('还剩 1 分钟');
    expect(rel(new Date(NOW.getTime() + 59 * 60_000 + 30_000))).toBe('还剩 60 分钟');
  });

  test('hours under a day (with the minutes while under three hours)', () => {
    expect(rel(at('2026-12-02', '18:00'))).toBe('还剩 9 小时');
    expect(rel(at('2026-12-02', '11:30'))).toBe('还剩 2 小时 30 分钟');
    expect(rel(at('2026-12-02', '10:00'))).toBe('还剩 1 小时');
  });

  test('a day or more ahead: working days on the calendar, skipping weekends and holidays, counting 调休 Saturdays', () => {
    expect(rel(at('2026-12-07', '18:00'))).toBe('还剩 3 个工作日'); // Thu, Fri, (weekend), Mon
    expect(rel(at('2026-12-03', '18:00'))).toBe('还剩 1 个工作日');
    const festival = new WorkingCalendar([{ date: '2026-12-04', kind: 'holiday' }, { date: '2026-12-05', kind: 'workday' }], 2);
    expect(rel(at('2026-12-07', '18:00'), NOW, festival)).toBe('还剩 3 个工作日'); // Thu, Sat (调休), Mon
    expect(rel(at('2026-12-08', '18:00'), NOW, festival)).toBe('还剩 4 个工作日');
    // Friday evening to a Sunday deadline: no working day left, so days.
    expect(rel(at('2026-12-06', '18:00'), at('2026-12-04', '17:00'))).toBe('还剩 2 天');
    // Without a calendar: days.
    expect(relativeTime(at('2026-12-07', '18:00'), NOW, { timeZone: TZ }).zh).toBe('还剩 5 天');
  });

  test('overdue: 已到期 at the instant, then minutes, hours, days', () => {
    const deadline = at('2026-11-30', '18:00');
    expect(rel(deadline, deadline)).toBe('已到期');
    expect(rel(deadline, at('2026-11-30', '18:45'))).toBe('已逾期 45 分钟');
    expect(rel(deadline, at('2026-12-01', '09:00'))).toBe('已逾期 15 小时');
    expect(rel(deadline, at('2026-12-02', '18:00'))).toBe('已逾期 2 天');
    expect(relativeTime(deadline, at('2026-12-02', '18:00'), { timeZone: TZ }).en).toBe('2 days overdue');
    expect(relativeTime(at('2026-12-02', '09:45'), NOW, { timeZone: TZ }).en).toBe('45 minutes left');
  });
});
