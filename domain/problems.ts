/** Where a problem comes from (问题来源) and how serious it is (严重程度): the problem list's vocabularies. */
export const problemSources = ['inspection', 'visit', 'complaint', 'self_inspection', 'assigned'] as const;
export type ProblemSource = (typeof problemSources)[number];
export const problemSourceLabels: Record<ProblemSource, string> = {
  inspection: '巡察反馈',
  visit: '明察暗访',
  complaint: '信访举报',
  self_inspection: '自查自纠',
  assigned: '上级交办',
};

export const severities = ['minor', 'moderate', 'serious', 'critical'] as const;
export type Severity = (typeof severities)[number];
export const severityLabels: Record<Severity, string> = {
  minor: '一般',
  moderate: '较重',
  serious: '严重',
  critical: '特别严重',
};
