/**
 * Notice types and levels of the escalation ladder (督办): one definition for the policy, the
 * notices the activities issue, the API, the pages and the reports.
 */
export const noticeTypes = ['reminder', 'supervision_notice', 'admonition', 'circular', 'accountability'] as const;
/** 提醒 → 督办单 → 约谈 → 通报 → 问责. */
export type NoticeType = (typeof noticeTypes)[number];

export const noticeTypeLabels: Record<NoticeType, string> = {
  reminder: '提醒',
  supervision_notice: '督办单',
  admonition: '约谈',
  circular: '通报',
  accountability: '问责',
};

/** Colours of a 督办单 (blue/yellow → orange → red in the office's words; the ladder uses yellow and orange). */
export const noticeColors = ['yellow', 'orange'] as const;
export type NoticeColor = (typeof noticeColors)[number];
export const noticeColorLabels: Record<NoticeColor, string> = { yellow: '黄', orange: '橙' };

/** A rung's name as the notice and the mail print it: 督办单（黄）, 约谈. */
export function noticeKindLabel(type: NoticeType, color?: string | null): string {
  const c = color && color in noticeColorLabels ? noticeColorLabels[color as NoticeColor] : null;
  return c ? `${noticeTypeLabels[type]}（${c}）` : noticeTypeLabels[type];
}
