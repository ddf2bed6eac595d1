/**
 * One model per mail kind, on 2 December 2026 (a Wednesday) at 09:00 Beijing, for the template
 * tests and the screenshots.
 */
import { WorkingCalendar, zonedInstant } from '../../domain/calendar';
import type { Ledger } from '../../activities/campaign';
import type { MailContext, Matter } from '../../activities/mail/model';
import type { ReviewSummary } from '../../lib/review/report';

export const TZ = 'Asia/Shanghai';
export const BASE = 'https://ducha.example.gov.cn';
export const at = (date: string, time: string) => zonedInstant(date, time, TZ);
/** Office calendar: Monday to Friday (December 2026 has no holidays). */
export const calendar = new WorkingCalendar([], 1);
export const NOW = at('2026-12-02', '09:00');
export const ctx = (now: Date = NOW): MailContext => ({ issuer: '某市市场监督管理局督查室', timeZone: TZ, now, calendar });

export const TASK_ID = '7d3c2b1a-0000-4000-8000-000000000001';
export const NOTICE_ID = '9a8b7c6d-0000-4000-8000-000000000002';
export const CAMPAIGN_ID = '5e4d3c2b-0000-4000-8000-000000000003';
export const REPORT_ID = '1f2e3d4c-0000-4000-8000-000000000004';
export const taskUrl = `${BASE}/tasks/${TASK_ID}`;
export const noticeUrl = `${BASE}/notices/${NOTICE_ID}`;

export const owner = { person: '张三', unit: '登记注册科窗口服务股' };
export const head = { person: '李四', unit: '登记注册科' };

/** Due Monday 7 December 18:00: three working days after Wednesday 2 December (Thu, Fri, Mon). */
export const matter = (deadline: Date = at('2026-12-07', '18:00')): Matter => ({
  title: '规范窗口服务收费公示',
  code: 'XF-2026-003-2',
  problem: '窗口服务存在“吃拿卡要”现象',
  campaign: '2026 行风建设攻坚行动（XF-2026）',
  leadUnit: '登记注册科',
  coUnits: ['食品安全科'],
  owner: '张三',
  supervisor: '赵局长',
  deadline,
});

/** Overdue: due Monday 30 November 18:00, notices issued on the morning of 2 December (1 day 15 hours late). */
export const overdueDeadline = at('2026-11-30', '18:00');

/** Typed loosely: the ledger's shape grows (outcome, cancelled) while older stored ledgers lack it. */
export const ledger = {
  campaignId: CAMPAIGN_ID,
  code: 'XF-2026',
  name: '2026 行风建设攻坚行动',
  reconciledAt: at('2026-12-01', '16:30').toISOString(),
  totals: { problems: 3, tasks: 4, onTime: 2, late: 1, cancelled: 1 },
  rows: [
    { problemCode: 'XF-2026-001', problem: '窗口服务存在“吃拿卡要”现象', taskCode: 'XF-2026-001-1', measure: '开展窗口作风专项整治', leadUnit: '登记注册科', owner: '张三', deadline: at('2026-06-30', '18:00').toISOString(), closedAt: at('2026-06-28', '10:12').toISOString(), onTime: true, outcome: 'on_time', wentOverdue: false, closedBy: 'ducha@example.gov.cn', returned: 0 },
    { problemCode: 'XF-2026-001', problem: '窗口服务存在“吃拿卡要”现象', taskCode: 'XF-2026-001-2', measure: '公开投诉举报电话', leadUnit: '登记注册科', owner: '王五', deadline: at('2026-07-15', '18:00').toISOString(), closedAt: at('2026-07-20', '15:40').toISOString(), onTime: false, outcome: 'late', wentOverdue: true, closedBy: 'ducha@example.gov.cn', returned: 1 },
    { problemCode: 'XF-2026-002', problem: '食品经营许可证未公示', taskCode: 'XF-2026-002-1', measure: '食品经营许可证公示整改', leadUnit: '食品安全科', owner: '赵六', deadline: at('2026-09-30', '18:00').toISOString(), closedAt: at('2026-09-29', '11:00').toISOString(), onTime: true, outcome: 'on_time', wentOverdue: false, closedBy: 'ducha@example.gov.cn', returned: 0 },
    { problemCode: 'XF-2026-003', problem: '收费公示栏未更新', taskCode: 'XF-2026-003-1', measure: '更新收费公示栏', leadUnit: '登记注册科', owner: '张三', deadline: at('2026-10-30', '18:00').toISOString(), closedAt: null, onTime: false, outcome: 'cancelled', wentOverdue: false, closedBy: null, returned: 0 },
  ],
} as unknown as Ledger;

const metrics = (m: Partial<ReviewSummary['totals']>): ReviewSummary['totals'] => ({
  tasks: 0, open: 0, closed: 0, closedOnTime: 0, cancelled: 0, overdue: 0, overdueDays: 0, maxOverdueDays: 0, escalations: {}, returned: 0, extensions: 0, onTimeRate: null, closureRate: null, ...m,
});

export const review: ReviewSummary = {
  cycle: { key: 'quarterly', name: '季讲评', reportType: 'review', reportTypeLabel: '讲评排名' },
  period: { kind: 'quarterly', key: '2026-Q3', label: '2026年第三季度', start: at('2026-07-01', '00:00').toISOString(), end: at('2026-10-01', '00:00').toISOString() },
  previousPeriod: { key: '2026-Q2', label: '2026年第二季度' },
  totals: metrics({ tasks: 12, open: 4, closed: 8, closedOnTime: 6, overdue: 2, onTimeRate: 0.75, closureRate: 8 / 12 }),
  scoring: {} as ReviewSummary['scoring'],
  units: [
    { unitId: 'u1', code: 'SPK', name: '食品安全科', light: 'green', metrics: metrics({ tasks: 5, open: 1, closed: 4, closedOnTime: 4, onTimeRate: 1, closureRate: 0.8 }), result: { unitId: 'u1', score: 92.5, rank: 1, previous: { score: 88, rank: 2 } } },
    { unitId: 'u2', code: 'DJK', name: '登记注册科', light: 'red', metrics: metrics({ tasks: 7, open: 3, closed: 4, closedOnTime: 2, overdue: 2, onTimeRate: 0.5, closureRate: 4 / 7 }), result: { unitId: 'u2', score: 61.3, rank: 2, previous: { score: 90, rank: 1 } } },
  ] as unknown as ReviewSummary['units'],
};
