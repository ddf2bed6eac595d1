/** Every mail kind rendered from its fixture model, with what its recipient must find in it. */
import { renderNoticeMail, renderAckReminderMail, type NoticeColor } from '../../activities/mail/notice';
import { renderDigestMail } from '../../activities/mail/digest';
import { renderLedgerMail } from '../../activities/mail/ledger';
import { renderReminderMail, renderOverdueMail } from '../../activities/mail/task';
import type { RenderedMail } from '../../activities/mail/layout';
import { renderReviewMail } from '../../activities/review-mail';
import type { NoticeType } from '../../domain/supervision-policy';
import { at, BASE, CAMPAIGN_ID, ctx, head, ledger, matter, noticeUrl, overdueDeadline, owner, REPORT_ID, review, taskUrl } from './fixtures';

export interface MailCase {
  kind: string;
  mail: RenderedMail;
  /** Strings both parts must contain: number, recipient unit and person, code, local deadline, relative time, required action, page link. */
  expected: string[];
  /** The page the button opens. */
  button: string;
}

/** The default ladder on a deadline of Monday 30 November 18:00: each rung at its instant, what it requires by the next one. */
const rungs: { kind: string; level: number; type: NoticeType; color?: NoticeColor; requiresAck: boolean; issuedAt: Date; overdue: string; next?: { at: Date; label: string }; by?: string; title: string; requirement: string }[] = [
  { kind: 'notice-1-reminder', level: 1, type: 'reminder', requiresAck: false, issuedAt: at('2026-11-30', '18:00'), overdue: '已到期', next: { at: at('2026-12-01', '09:00'), label: '督办单（黄）' }, by: '2026年12月1日（星期二）09:00前', title: '整改逾期提醒单', requirement: '报送进展并说明逾期原因' },
  { kind: 'notice-2-supervision-yellow', level: 2, type: 'supervision_notice', color: 'yellow', requiresAck: true, issuedAt: at('2026-12-01', '09:00'), overdue: '已逾期 15 小时', next: { at: at('2026-12-03', '09:00'), label: '督办单（橙）' }, by: '2026年12月3日（星期四）09:00前', title: '督办通知单', requirement: '报送整改进展和逾期原因说明' },
  { kind: 'notice-3-supervision-orange', level: 3, type: 'supervision_notice', color: 'orange', requiresAck: true, issuedAt: at('2026-12-03', '09:00'), overdue: '已逾期 2 天', next: { at: at('2026-12-07', '09:00'), label: '约谈' }, by: '2026年12月7日（星期一）09:00前', title: '督办通知单', requirement: '报送整改进展和逾期原因说明' },
  { kind: 'notice-4-admonition', level: 4, type: 'admonition', requiresAck: true, issuedAt: at('2026-12-07', '09:00'), overdue: '已逾期 6 天', next: { at: at('2026-12-14', '09:00'), label: '通报' }, by: '2026年12月14日（星期一）09:00前', title: '约谈通知书', requirement: '参加约谈' },
  { kind: 'notice-5-circular', level: 5, type: 'circular', requiresAck: false, issuedAt: at('2026-12-14', '09:00'), overdue: '已逾期 13 天', next: { at: at('2026-12-21', '09:00'), label: '问责' }, by: '2026年12月21日（星期一）09:00前', title: '督办情况通报', requirement: '立即整改到位并申请销号' },
  { kind: 'notice-6-accountability', level: 6, type: 'accountability', requiresAck: false, issuedAt: at('2026-12-21', '09:00'), overdue: '已逾期 20 天', title: '问责移送通知书', requirement: '报送书面情况说明' },
];

export function mailCases(): MailCase[] {
  const deadline = '2026年12月7日（星期一）18:00';
  const overdue = '2026年11月30日（星期一）18:00';
  const cases: MailCase[] = [
    {
      kind: 'reminder',
      mail: renderReminderMail({ recipient: owner, matter: matter(), taskUrl }, ctx()),
      expected: ['某市市场监督管理局督查室', '整改任务到期提醒', '登记注册科窗口服务股', '张三', 'XF-2026-003-2', '规范窗口服务收费公示', deadline, '还剩 3 个工作日', '申请销号', taskUrl],
      button: taskUrl,
    },
    {
      kind: 'overdue',
      mail: renderOverdueMail({ recipient: owner, matter: matter(overdueDeadline), taskUrl }, ctx()),
      expected: ['整改任务逾期通知', '登记注册科窗口服务股', '张三', 'XF-2026-003-2', overdue, '已逾期 1 天', '说明逾期原因', taskUrl],
      button: taskUrl,
    },
    ...rungs.map((r, i) => {
      const number = `督办〔2026〕第${12 + i}号`;
      const recipient = r.level === 1 ? owner : head;
      return {
        kind: r.kind,
        mail: renderNoticeMail(
          { number, level: r.level, type: r.type, color: r.color ?? null, requiresAck: r.requiresAck, issuedAt: r.issuedAt, recipient, matter: matter(overdueDeadline), noticeUrl, taskUrl, next: r.next ?? null },
          ctx(r.issuedAt),
        ),
        expected: [
          number,
          r.title,
          recipient.unit,
          recipient.person,
          'XF-2026-003-2',
          overdue,
          r.overdue,
          r.requirement,
          ...(r.requiresAck ? ['签收通知'] : ['查看通知']),
          ...(r.next ? [r.next.label, r.by!] : []),
          noticeUrl,
          taskUrl,
        ],
        button: noticeUrl,
      };
    }),
    {
      kind: 'ack-reminder',
      mail: renderAckReminderMail({ number: '督办〔2026〕第13号', type: 'supervision_notice', color: 'yellow', issuedAt: at('2026-12-01', '09:00'), recipient: head, matter: matter(overdueDeadline), noticeUrl, taskUrl }, ctx()),
      expected: ['督办〔2026〕第13号', '督办通知签收催办', '尚未签收', '登记注册科', '李四', 'XF-2026-003-2', overdue, '已逾期 1 天', '签收通知', '2026年12月2日（今日）内签收', noticeUrl, taskUrl],
      button: noticeUrl,
    },
    {
      kind: 'digest',
      mail: renderDigestMail(
        {
          date: '2026-12-02',
          recipient: owner,
          items: [
            { code: 'XF-2026-003-2', title: '规范窗口服务收费公示', leadUnit: '登记注册科', deadline: overdueDeadline, url: taskUrl },
            { code: 'XF-2026-004-1', title: '清理过期公示材料', leadUnit: '登记注册科', deadline: at('2026-12-02', '09:45'), url: `${BASE}/tasks/t-45min` },
            { code: null, title: '窗口人员作风培训', leadUnit: '登记注册科', deadline: at('2026-12-07', '18:00'), url: `${BASE}/tasks/t-3days` },
          ],
          dashboardUrl: `${BASE}/`,
        },
        ctx(),
      ),
      expected: ['整改任务每日待办汇总', '每日汇总 2026-12-02', '登记注册科窗口服务股', '张三', 'XF-2026-003-2', '11月30日 18:00', '已逾期 1 天', '还剩 45 分钟', '还剩 3 个工作日', '按时报送进展', taskUrl, `${BASE}/tasks/t-45min`, `${BASE}/`],
      button: `${BASE}/`,
    },
    {
      kind: 'review',
      mail: renderReviewMail({ summary: review, recipient: head, reportUrl: `${BASE}/reviews/${REPORT_ID}` }, ctx()),
      expected: ['2026年第三季度整改督办讲评排名', '季讲评 2026年第三季度', '登记注册科', '李四', '食品安全科', '92.5', '期末逾期', '逾期事项立即整改', `${BASE}/reviews/${REPORT_ID}`],
      button: `${BASE}/reviews/${REPORT_ID}`,
    },
    {
      kind: 'ledger',
      mail: renderLedgerMail({ ledger, recipient: { person: '督查室王科', unit: '某市市场监督管理局' }, campaignUrl: `${BASE}/campaigns/${CAMPAIGN_ID}` }, ctx()),
      expected: ['整改批次对账销号台账', '整改批次 XF-2026', '某市市场监督管理局', '督查室王科', 'XF-2026-001-2', '按时销号 2 项，逾期销号 1 项，撤销 1 项', '已撤销', '2026年12月1日（星期二）16:30', '归档备查', `${BASE}/campaigns/${CAMPAIGN_ID}`],
      button: `${BASE}/campaigns/${CAMPAIGN_ID}`,
    },
  ];
  return cases;
}
