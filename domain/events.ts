/**
 * The transitions a task's workflow projects into the database (TaskEvent rows), as one typed
 * union: the workflow builds them, the projection activity, the ledger and the reports read them.
 * On the wire (activity input, the row) an event is `{ type, data }` with `data` the fields below
 * besides `type`; runs from before this module wrote the same shapes, without `by` on `completed`.
 */
export type TaskEvent =
  | { type: 'acknowledged'; by: string | null }
  | { type: 'progress_reported'; by: string | null; text: string }
  | { type: 'closure_requested'; by: string | null; evidenceIds: string[]; note: string | null }
  | { type: 'verified'; by: string | null; decision: 'accept' | 'return'; reason: string | null }
  | { type: 'extension_requested'; by: string | null; requestedDeadline: string; reason: string }
  | { type: 'extension_decided'; by: string | null; approve: boolean; reason: string | null; requestedDeadline?: string; previousDeadline?: string; deadline?: string }
  | { type: 'deadline_recomputed'; by: string | null; reason: string; previousDeadline: string; deadline: string }
  | { type: 'cancelled'; by: string | null; reason: string }
  /** Closed directly by the office (直接销号): who closed it and the note travel with the transition. */
  | { type: 'completed'; by: string | null; note: string | null }
  | { type: 'reopened'; by: string | null; reason: string }
  | { type: 'overdue' };

export type TaskEventType = TaskEvent['type'];
export type TaskEventOf<T extends TaskEventType> = Extract<TaskEvent, { type: T }>;

/** zh-CN labels of the event types (the task timeline). */
export const taskEventLabels: Record<TaskEventType, string> = {
  acknowledged: '签收',
  progress_reported: '报送进展',
  closure_requested: '申请销号',
  verified: '复核',
  extension_requested: '延期申请',
  extension_decided: '延期审批',
  deadline_recomputed: '时限重算',
  cancelled: '撤销',
  completed: '直接销号',
  reopened: '回头看',
  overdue: '逾期',
};
export const taskEventTypes = Object.keys(taskEventLabels) as TaskEventType[];

/** The event's fields besides its type (the `data` of the row and of the activity input). */
export const eventData = ({ type: _type, ...data }: TaskEvent): Record<string, unknown> => data;

/** Reads an event back from its row or activity input (`type` and `data` as stored). */
export function readTaskEvent(type: string, data: unknown): TaskEvent | null {
  if (!(taskEventTypes as string[]).includes(type)) return null;
  const d = (data ?? {}) as Record<string, unknown>;
  return { ...d, type, by: typeof d.by === 'string' ? d.by : null } as TaskEvent;
}

/** Who closed the task with this event, if it closed it (accepted verification or direct closure). */
export function closerOf(e: TaskEvent): string | null {
  if (e.type === 'completed') return e.by;
  if (e.type === 'verified' && e.decision === 'accept') return e.by;
  return null;
}
