/**
 * A review report: the period's snapshot per unit and, for reviews and assessments, scores, the
 * ranking, the trend against the previous period and ratings with reasons. The content holds no
 * "generated at": the same period gives the same content, byte for byte.
 */
import type { Db } from '../db';
import { type ReportType, reportTypeLabels, type Scoring } from '../../domain/review/config';
import { type Period, periodBounds, previousPeriod } from '../../domain/review/periods';
import { type UnitResult, scoreUnits } from '../../domain/review/scoring';
import { type Snapshot, takeSnapshot, type UnitMetrics, type UnitSnapshot } from './snapshot';

export interface ReviewReportContent {
  cycle: { key: string; name: string; reportType: ReportType; reportTypeLabel: string };
  period: { kind: Period['kind']; key: string; label: string; start: string; end: string };
  previousPeriod: { key: string; label: string } | null;
  totals: UnitMetrics;
  /** Ranked (reviews, assessments) or by unit code (dispatch). */
  units: (UnitSnapshot & { result: UnitResult | null })[];
  scoring: Scoring | null;
}

/** A report without its task lists: what the mail and the summary sheet show. */
export type ReviewSummary = Omit<ReviewReportContent, 'units'> & { units: Omit<ReviewReportContent['units'][number], 'openTasks' | 'closedTasks'>[] };

export interface ReportCycle {
  key: string;
  name: string;
  reportType: ReportType;
}

export function composeReport(cycle: ReportCycle, period: Period, snapshot: Snapshot, previous: Snapshot | null, scoring: Scoring): ReviewReportContent {
  const scored = cycle.reportType !== 'dispatch';
  const results = scored ? scoreUnits(snapshot.units, previous?.units ?? null, scoring, cycle.reportType === 'assessment') : [];
  const resultOf = new Map(results.map((r) => [r.unitId, r]));
  const units = snapshot.units.map((u) => ({ ...u, result: resultOf.get(u.unitId) ?? null }));
  if (scored) units.sort((a, b) => a.result!.rank - b.result!.rank || a.code.localeCompare(b.code));
  const prev = scored ? previousPeriod(period) : null;
  return {
    cycle: { key: cycle.key, name: cycle.name, reportType: cycle.reportType, reportTypeLabel: reportTypeLabels[cycle.reportType] },
    period: { kind: period.kind, key: period.key, label: period.label, start: snapshot.start, end: snapshot.end },
    previousPeriod: prev ? { key: prev.key, label: prev.label } : null,
    totals: snapshot.totals,
    units,
    scoring: scored ? scoring : null,
  };
}

/** Takes the period's snapshot (and the previous period's, for the trend) and composes the report. */
export async function buildReport(db: Db, cycle: ReportCycle, period: Period, timeZone: string, scoring: Scoring): Promise<ReviewReportContent> {
  const { start, end } = periodBounds(period, timeZone);
  const snapshot = await takeSnapshot(db, start, end);
  let previous: Snapshot | null = null;
  if (cycle.reportType !== 'dispatch') {
    const p = periodBounds(previousPeriod(period), timeZone);
    previous = await takeSnapshot(db, p.start, p.end);
  }
  return composeReport(cycle, period, snapshot, previous, scoring);
}
