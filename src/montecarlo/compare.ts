import { metricNames, type OutcomeMetric, type Outcomes } from "../analysis/types.js";
import { meanWithin } from "./quantile.js";

/** Paired difference B − A of one outcome metric over common-random-number runs. */
export interface PairedDifference {
  /** An OutcomeMetric or a plugin metric's name. */
  readonly metric: OutcomeMetric | (string & {});
  readonly meanA: number;
  readonly meanB: number;
  /** Mean of the per-run differences B − A. */
  readonly mean: number;
  readonly sd: number;
  /** 95% confidence interval of the mean difference: mean ± t(0.975, n−1)·sd/√n. */
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

/** Student's t quantile t(0.975, df), from a table for small df and the normal tail beyond. */
export function t975(df: number): number {
  const table = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16,
    2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052,
    2.048, 2.045, 2.042,
  ];
  if (df < 1) return Number.NaN;
  if (df <= 30) return table[df - 1];
  // Cornish–Fisher expansion around z = 1.959964 (error < 1e-4 for df > 30)
  const z = 1.959963984540054;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

/** Relative size below which a run's difference is floating-point residue (docs/model.md §2). */
export const RESIDUE = 1e-9;

/**
 * b − a, or 0 when it is below `RESIDUE` relative to the larger of |a| and |b|: the engine
 * is exact only to 1e-9, so a smaller difference (e.g. −3.96e-10 of totalEmitted when two
 * arms differ only in a buyback setting) is rounding, not an effect of the policy.
 */
export function pairedDifference(a: number, b: number): number {
  const d = b - a;
  return Math.abs(d) <= RESIDUE * Math.max(Math.abs(a), Math.abs(b)) ? 0 : d;
}

/**
 * Paired differences of every outcome metric (plugin metrics included) between arm A and arm B
 * (runs matched by index).
 */
export function pairedDifferences(
  a: { readonly outcomes: Outcomes },
  b: { readonly outcomes: Outcomes },
): PairedDifference[] {
  return metricNames(a)
    .filter((m) => m in b.outcomes.metrics)
    .map((metric) => {
      const xa = a.outcomes.metrics[metric];
      const xb = b.outcomes.metrics[metric];
      const d: number[] = [];
      const [rangeA, rangeB] = [range(), range()];
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
        if (!Number.isFinite(xa[i]) || !Number.isFinite(xb[i])) continue;
        d.push(pairedDifference(xa[i], xb[i]));
        rangeA.add(xa[i]);
        rangeB.add(xb[i]);
      }
      const n = d.length;
      const rangeD = range();
      for (const x of d) rangeD.add(x);
      const mean = rangeD.mean();
      const sd = n > 1 ? Math.sqrt(d.reduce((acc, x) => acc + (x - mean) ** 2, 0) / (n - 1)) : 0;
      const half = n > 1 ? (t975(n - 1) * sd) / Math.sqrt(n) : 0;
      return {
        metric,
        meanA: rangeA.mean(),
        meanB: rangeB.mean(),
        mean,
        sd,
        low: mean - half,
        high: mean + half,
        n,
      };
    });
}

/** A running sum, count and range: its mean stays within the values' range (meanWithin). */
function range() {
  let sum = 0;
  let n = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  return {
    add(v: number) {
      sum += v;
      n++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    },
    mean: () => meanWithin(sum, n, lo, hi),
  };
}
