/**
 * Scores, ranking and ratings of the units (季讲评、年考核), from a snapshot and a cycle's weights
 * and rules. Pure functions: the same snapshot and scoring give the same result.
 */
import { noticeTypeLabels, defaultPolicy } from '../supervision-policy';
import { type Rating, type RatingRule, ratingLabels, type Scoring } from './config';
import type { UnitMetrics, UnitSnapshot } from '../../lib/review/snapshot';

export interface ScoreBreakdown {
  /** 100 × (on-time share × on-time rate + closure share × closure rate); a rate with nothing to measure counts as 1. */
  base: number;
  overdue: number;
  overdueDays: number;
  escalations: number;
  returned: number;
  extensions: number;
}

export interface UnitResult {
  unitId: string;
  score: number;
  breakdown: ScoreBreakdown;
  rank: number;
  previous: { score: number; rank: number } | null;
  rating?: { rating: Rating; label: string; reasons: string[] };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const pct = (r: number) => `${round2(r * 100)}%`;

export function scoreOf(m: UnitMetrics, scoring: Scoring): { score: number; breakdown: ScoreBreakdown } {
  const w = scoring.weights;
  const breakdown: ScoreBreakdown = {
    base: round2(100 * (w.onTimeRate * (m.onTimeRate ?? 1) + w.closureRate * (m.closureRate ?? 1))),
    overdue: round2(w.overdueTask * m.overdue),
    overdueDays: round2(w.overdueDay * m.overdueDays),
    escalations: round2(Object.entries(m.escalations).reduce((sum, [level, n]) => sum + (w.escalation[level] ?? 0) * n, 0)),
    returned: round2(w.returned * m.returned),
    extensions: round2(w.extension * m.extensions),
  };
  const score = breakdown.base - breakdown.overdue - breakdown.overdueDays - breakdown.escalations - breakdown.returned - breakdown.extensions;
  return { score: Math.max(0, round2(score)), breakdown };
}

/** Competition ranking by score (1, 2, 2, 4): equal scores share a rank. */
export function rank<T extends { score: number }>(items: T[]): Map<T, number> {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const ranks = new Map<T, number>();
  sorted.forEach((item, i) => ranks.set(item, i > 0 && sorted[i - 1]!.score === item.score ? ranks.get(sorted[i - 1]!)! : i + 1));
  return ranks;
}

const order: Rating[] = ['excellent', 'good', 'pass', 'fail'];
const levelName = (level: number) => {
  const rung = defaultPolicy.ladder.find((r) => r.level === level);
  return rung ? `第${level}级（${noticeTypeLabels[rung.type]}${rung.color === 'yellow' ? '·黄' : rung.color === 'orange' ? '·橙' : ''}）` : `第${level}级`;
};

/** Why a rule keeps this unit from a rating, or null when it does not apply. */
function ruleReason(rule: RatingRule, unit: UnitSnapshot): string | null {
  const m = unit.metrics;
  switch (rule.kind) {
    case 'escalation_at_least': {
      const hits = unit.notices.filter((n) => n.level >= rule.level);
      return hits.length ? `本期有${levelName(rule.level)}及以上督办事项 ${hits.length} 项（${hits.map((n) => n.number).join('、')}）` : null;
    }
    case 'on_time_rate_below':
      return m.onTimeRate !== null && m.onTimeRate < rule.rate ? `按时销号率 ${pct(m.onTimeRate)}，低于 ${pct(rule.rate)}` : null;
    case 'overdue_at_least':
      return m.overdue >= rule.count ? `期末逾期未销号 ${m.overdue} 项，达到 ${rule.count} 项` : null;
  }
}

/** The rating a score earns, lowered by every rule that forbids it; each step states its reason. */
export function rate(unit: UnitSnapshot, score: number, scoring: Scoring): { rating: Rating; label: string; reasons: string[] } {
  const t = scoring.ratingThresholds;
  let rating: Rating = score >= t.excellent ? 'excellent' : score >= t.good ? 'good' : score >= t.pass ? 'pass' : 'fail';
  const threshold = { excellent: `≥ ${t.excellent}`, good: `≥ ${t.good}`, pass: `≥ ${t.pass}`, fail: `< ${t.pass}` }[rating];
  const reasons = [`综合得分 ${score}（${threshold}），按分数为「${ratingLabels[rating]}」`];
  for (const rule of scoring.rules) {
    const reason = ruleReason(rule, unit);
    const forbidden = order.indexOf(rule.forbids);
    if (!reason || order.indexOf(rating) > forbidden) continue;
    rating = order[Math.min(forbidden + 1, order.length - 1)]!;
    reasons.push(`${reason}，不得评定为${ratingLabels[rule.forbids]}${rule.forbids === 'excellent' ? '' : '及以上'}，调整为「${ratingLabels[rating]}」`);
  }
  return { rating, label: ratingLabels[rating], reasons };
}

/** Scores and ranks the units, with each unit's previous-period score and rank, and (for assessments) its rating. */
export function scoreUnits(units: UnitSnapshot[], previous: UnitSnapshot[] | null, scoring: Scoring, withRatings: boolean): UnitResult[] {
  const scored = units.map((u) => ({ unit: u, ...scoreOf(u.metrics, scoring) }));
  const ranks = rank(scored);
  const prevScored = previous?.map((u) => ({ unitId: u.unitId, ...scoreOf(u.metrics, scoring) })) ?? [];
  const prevRanks = rank(prevScored);
  return scored.map((s) => {
    const prev = prevScored.find((p) => p.unitId === s.unit.unitId);
    return {
      unitId: s.unit.unitId,
      score: s.score,
      breakdown: s.breakdown,
      rank: ranks.get(s)!,
      previous: prev ? { score: prev.score, rank: prevRanks.get(prev)! } : null,
      ...(withRatings ? { rating: rate(s.unit, s.score, scoring) } : {}),
    };
  });
}
