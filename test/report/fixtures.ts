/**
 * Plain analysis records built in the tests from simulated runs, independently of the
 * Monte Carlo code in src/analysis (quantiles by linear interpolation, R's type 7).
 */
import {
  BAND_STATS,
  type Bands,
  type MetricSummary,
  OUTCOME_METRICS,
  type OutcomeMetric,
  type Outcomes,
  type PointResult,
} from "../../src/analysis/types.js";
import { column, type RunResult } from "../../src/engine/result.js";

export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]);
}

export function bandsFromRuns(runs: readonly RunResult[]): Bands {
  const { columns, days } = runs[0];
  const stats = Object.fromEntries(
    BAND_STATS.map((s) => [s, new Float64Array(columns.length * days)]),
  ) as Record<(typeof BAND_STATS)[number], Float64Array>;
  columns.forEach((_, c) => {
    for (let t = 0; t < days; t++) {
      const v = runs.map((r) => r.values[c][t]).sort((a, b) => a - b);
      const at = c * days + t;
      stats.p5[at] = quantile(v, 0.05);
      stats.p25[at] = quantile(v, 0.25);
      stats.p50[at] = quantile(v, 0.5);
      stats.p75[at] = quantile(v, 0.75);
      stats.p95[at] = quantile(v, 0.95);
      stats.mean[at] = v.reduce((a, b) => a + b, 0) / v.length;
    }
  });
  return { columns, days, runs: runs.length, stats };
}

function outcome(r: RunResult, m: OutcomeMetric): number {
  const price = column(r, "priceOfToken");
  switch (m) {
    case "finalPrice":
      return price[r.days - 1];
    case "maxDrawdown": {
      let peak = 0;
      let dd = 0;
      for (const p of price) {
        peak = Math.max(peak, p);
        dd = Math.max(dd, (peak - p) / peak);
      }
      return dd;
    }
    case "minTokenReserve":
      return Math.min(...column(r, "tokenReserve"));
    case "shortfallDays":
      return column(r, "tokenShortfall").filter((x) => x > 0).length;
    case "totalEmitted":
      return [...column(r, "phaseOneEmission"), ...column(r, "phaseTwoEmission")].reduce(
        (a, b) => a + b,
        0,
      );
    case "phaseChangeDay": {
      const d = column(r, "phase").indexOf(2);
      return d < 0 ? Number.NaN : d; // never: missing
    }
    case "maxDrawdownAfter": {
      const from = column(r, "phase").indexOf(2);
      let peak = 0;
      let dd = 0;
      if (from < 0) return Number.NaN; // no phase 2: missing
      for (const p of price.slice(from)) {
        peak = Math.max(peak, p);
        dd = Math.max(dd, (peak - p) / peak);
      }
      return dd;
    }
    case "priceVolatility": {
      const lr = price.slice(1).map((p, i) => Math.log(p / price[i]));
      const m = lr.reduce((a, b) => a + b, 0) / lr.length;
      return Math.sqrt(lr.reduce((a, x) => a + (x - m) ** 2, 0) / (lr.length - 1));
    }
    case "daysBelowPrice":
      return price.filter((p) => p < price[0]).length;
    case "minDollarReserve":
      return Math.min(...column(r, "dollarReserve"));
    case "minDollarReserveDay": {
      const d = column(r, "dollarReserve");
      return d.indexOf(Math.min(...d));
    }
    case "reserveRunway": {
      const R = column(r, "tokenReserve");
      const T = R.length - 1;
      const w = Math.min(30, T);
      const q = (R[T - w] - R[T]) / w;
      return R[T] <= 0 ? 0 : q > 0 ? R[T] / q : Number.NaN; // not falling: no runway
    }
    case "firstShortfallDay": {
      const d = column(r, "tokenShortfall").findIndex((x) => x > 0);
      return d < 0 ? Number.NaN : d;
    }
    case "supplierIncome": {
      let pay = 0;
      let n = 0;
      price.forEach((p, t) => {
        pay +=
          column(r, "usdCapital")[t] +
          p *
            (column(r, "buybackTokens")[t] +
              column(r, "phaseOneEmission")[t] +
              column(r, "phaseTwoEmission")[t]);
        for (const c of r.columns) if (c.startsWith("suppliers.")) n += column(r, c)[t];
      });
      return n > 0 ? pay / n : Number.NaN;
    }
  }
}

export function pointFromRuns(
  index: number,
  params: PointResult["params"],
  runs: readonly RunResult[],
): PointResult {
  const metrics = Object.fromEntries(
    OUTCOME_METRICS.map((m) => [m, Float64Array.from(runs, (r) => outcome(r, m))]),
  ) as Record<OutcomeMetric, Float64Array>;
  const outcomes: Outcomes = { runs: runs.length, metrics };
  const summary = Object.fromEntries(
    OUTCOME_METRICS.map((m): [OutcomeMetric, MetricSummary] => {
      const v = [...metrics[m]].sort((a, b) => a - b);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
      return [
        m,
        { mean, sd, p5: quantile(v, 0.05), p50: quantile(v, 0.5), p95: quantile(v, 0.95) },
      ];
    }),
  ) as Record<OutcomeMetric, MetricSummary>;
  return { index, params, bands: bandsFromRuns(runs), outcomes, summary, failedRuns: [] };
}
