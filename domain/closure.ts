/**
 * How a task ended, for the closure ledger (销号台账): closed by its deadline, closed after it,
 * cancelled (撤销, never "late"), or not ended yet. Pure and deterministic.
 */
export type ClosureOutcome = 'on_time' | 'late' | 'cancelled' | 'open';

export const closureOutcomeLabels: Record<ClosureOutcome, string> = { on_time: '按时销号', late: '逾期销号', cancelled: '已撤销', open: '未销号' };

export function closureOutcome(t: { status: string; completedAt: Date | null; deadline: Date }): ClosureOutcome {
  if (t.status === 'cancelled') return 'cancelled';
  if (t.status !== 'closed' || t.completedAt === null) return 'open';
  return t.completedAt.getTime() <= t.deadline.getTime() ? 'on_time' : 'late';
}

/** Totals of a ledger: each task counts in exactly one of on time, late, cancelled, open. */
export function closureTotals(outcomes: ClosureOutcome[]): { onTime: number; late: number; cancelled: number; open: number } {
  const n = (o: ClosureOutcome) => outcomes.filter((x) => x === o).length;
  return { onTime: n('on_time'), late: n('late'), cancelled: n('cancelled'), open: n('open') };
}
