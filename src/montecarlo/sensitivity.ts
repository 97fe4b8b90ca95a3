import type { OutcomeMetric, PointResult, PointSpec, SensitivityRow } from "../analysis/types.js";
import { ONCHAIN_VARIABLES } from "../scenario/onchain.js";
import { resolveOnchain, resolveTokens } from "../scenario/resolve.js";
import type { Scenario } from "../scenario/schema.js";

export interface SensitivityPlan {
  readonly points: PointSpec[];
  /** Per variable: its base value and the indices of its low and high points. */
  readonly variables: {
    variable: string;
    baseValue: number;
    low: number;
    high: number;
    lowPoint: number;
    highPoint: number;
  }[];
  /** Variables that cannot move ±delta within their range, with why. */
  readonly skipped: { variable: string; reason: string }[];
}

/**
 * Point 0 is the base; then, for each on-chain variable, its value × (1 − delta) and × (1 + delta),
 * clamped to the variable's valid range (integers rounded). A variable whose moved values
 * equal its base value (0, or an integer ±delta rounds back) is skipped and reported.
 */
export function sensitivityPlan(s: Scenario, delta: number): SensitivityPlan {
  const base = resolveOnchain(
    s.onchain,
    s.phaseOne.fracPhaseOneTokens,
    resolveTokens(s.tokens).initialTokenReserve,
  );
  const points: PointSpec[] = [{ index: 0, params: {} }];
  const variables: SensitivityPlan["variables"] = [];
  const skipped: SensitivityPlan["skipped"] = [];
  for (const v of ONCHAIN_VARIABLES) {
    const b = base[v.name];
    const clamp = (x: number) => {
      let y = v.integer ? Math.round(x) : x;
      if (v.max !== undefined) y = Math.min(v.max, y);
      if (v.exclusiveMin ? y <= v.min : y < v.min) y = v.exclusiveMin ? b : v.min;
      return y;
    };
    let low = clamp(b * (1 - delta));
    let high = clamp(b * (1 + delta));
    // the reserve limits must stay ordered: lower ≤ restore
    if (v.name === "lowerTokenReserveLimit") high = Math.min(high, base.tokenReserveRestoreLevel);
    if (v.name === "tokenReserveRestoreLevel") low = Math.max(low, base.lowerTokenReserveLimit);
    if (low === b && high === b) {
      skipped.push({
        variable: v.name,
        reason:
          b === 0
            ? "its value is 0, so ±delta does not move it"
            : "±delta does not move it within its range",
      });
      continue;
    }
    const lowPoint = points.length;
    points.push({ index: lowPoint, params: { [`onchain.${v.name}`]: low } });
    points.push({ index: lowPoint + 1, params: { [`onchain.${v.name}`]: high } });
    variables.push({
      variable: v.name,
      baseValue: b,
      low,
      high,
      lowPoint,
      highPoint: lowPoint + 1,
    });
  }
  return { points, variables, skipped };
}

/**
 * A variable's swing: the span of the metric over the variable's base, low and high values,
 * max − min of (base, at low, at high). Where the metric moves one way at low and the other at
 * high, the usual |at high − at low|; where both move it the same way (a non-monotone effect),
 * their larger change — |at high − at low| would rank a variable that moves the metric a lot
 * both ways as if it barely mattered.
 */
export function swingOf(base: number, atLow: number, atHigh: number): number {
  return Math.max(base, atLow, atHigh) - Math.min(base, atLow, atHigh);
}

/** Rows by swing, largest first (ties by name, so the order is reproducible). */
export function sortBySwing(rows: readonly SensitivityRow[]): SensitivityRow[] {
  return [...rows].sort((a, b) => b.swing - a.swing || a.variable.localeCompare(b.variable));
}

/** The tornado's rows for one metric (its mean over runs), sorted by swing, largest first. */
export function sensitivityRows(
  plan: SensitivityPlan,
  results: readonly PointResult[],
  metric: OutcomeMetric | (string & {}),
): SensitivityRow[] {
  const at = (i: number) => results[i].summary[metric].mean;
  return sortBySwing(
    plan.variables.map((v) => {
      const metricAtLow = at(v.lowPoint);
      const metricAtHigh = at(v.highPoint);
      return {
        variable: v.variable,
        baseValue: v.baseValue,
        low: v.low,
        high: v.high,
        base: at(0),
        metricAtLow,
        metricAtHigh,
        swing: swingOf(at(0), metricAtLow, metricAtHigh),
      };
    }),
  );
}
