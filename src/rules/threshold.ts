/**
 * E38, a threshold rule with hysteresis, evaluated at step 1 of day t ≥ 1 from the previous
 * day's row. The measure is m = x_{t−1} (a level) or, with `overDays` n, the relative change
 * m = x_{t−1}/x_{t−1−n} − 1 (undefined until t − 1 − n ≥ 0, or when x_{t−1−n} = 0). An inactive
 * rule enters when m < below (or m > above); an active rule exits when m > exitAbove (or
 * m < exitBelow), exitAbove ≥ below (exitBelow ≤ above) being the hysteresis band. Neither
 * happens within `minDaysBetween` days of the rule's last change. Returns the decision.
 */
export interface ThresholdParams {
  readonly below?: number;
  readonly above?: number;
  readonly exitAbove?: number;
  readonly exitBelow?: number;
  readonly minDaysBetween: number;
}

export type ThresholdDecision = "enter" | "exit" | null;

export function thresholdDecision(
  p: ThresholdParams,
  measure: number,
  active: boolean,
  daysSinceChange: number,
): ThresholdDecision {
  if (Number.isNaN(measure) || daysSinceChange < p.minDaysBetween) return null;
  if (!active) {
    if (p.below !== undefined && measure < p.below) return "enter";
    if (p.above !== undefined && measure > p.above) return "enter";
    return null;
  }
  if (p.exitAbove !== undefined && measure > p.exitAbove) return "exit";
  if (p.exitBelow !== undefined && measure < p.exitBelow) return "exit";
  return null;
}

/** The measure of E38 from a column's values: level x[t−1], or the change over n days. */
export function ruleMeasure(x: ArrayLike<number>, t: number, overDays?: number): number {
  if (t < 1) return Number.NaN;
  if (overDays === undefined) return x[t - 1];
  const past = t - 1 - overDays;
  if (past < 0 || x[past] === 0) return Number.NaN;
  return x[t - 1] / x[past] - 1;
}
