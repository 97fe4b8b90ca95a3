/**
 * `bme stress --out DIR`: the battery's result as files pandas, R, DuckDB and spreadsheets read
 * as they are (docs/outputs.md, "The stress battery's files"). Plain records in, text out.
 *
 * - `verdicts.csv`: one row per shock and metric — `shock`, `applicable`, `pass`, `passShare`,
 *   `runs`, `failedRuns`, `metric`, `unit`, `comparison` (`<=` or `>=`), `threshold`, `p5`,
 *   `p50`, `p95` (the metric's quantiles over the shock's runs, in `unit`).
 * - `loop.csv`: one row per shock, series and day — `shock`, `series`, `day`, `p5`, `p50`, `p95`
 *   over the runs kept for the report's bands (the first 200).
 * - `stress.json`: everything above and the battery's settings (scenario name, mode, days, shock
 *   day, seed, runs, confidence, the shocks' sizes, thresholds), the loop's bands as arrays by
 *   day, and the scenario the battery ran (after `--set` and defaults), as `bme run`'s metadata.
 *
 * A value that does not exist is written as missing (an empty cell, JSON `null`), as every sink
 * writes one (docs/limits.md, "Non-finite values"): the verdict and pass share of a shock that
 * does not apply, the quantiles of a shock whose every run stopped on an error, a loop series
 * the scenario lacks. An infinite value, which exists, is `inf` in verdicts.csv (pandas, R,
 * DuckDB and Python's float() read it as infinity, so `p50 >= threshold` holds for it) and
 * `null` in stress.json (JSON has no infinity): an infinite runway (a token reserve that is not
 * falling: it passes any runway threshold, and `passShare` counts it so), and the threshold of a
 * metric that accepts any value (`topUpPriceImpact` without `--max-top-up-impact`).
 */
import { csvText } from "../io/csv.js";
import type { ShockResult, StressResult } from "./stress.js";
import {
  type LoopSeries,
  loopSeriesOf,
  METRIC_THRESHOLDS,
  STRESS_METRICS,
} from "./stressMetrics.js";

/** A number as written: itself when finite, else missing (null). */
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A number in verdicts.csv: itself when finite, `inf` or `-inf` when infinite, else missing. */
const csvNumber = (x: number): number | string | null =>
  x === Number.POSITIVE_INFINITY ? "inf" : x === Number.NEGATIVE_INFINITY ? "-inf" : finite(x);

/** `verdicts.csv`: one row per shock and metric (module docstring). */
export function stressVerdictsCsv(r: StressResult): string {
  const rows = r.shocks.flatMap((s) =>
    STRESS_METRICS.map((m) => {
      const info = METRIC_THRESHOLDS[m];
      const q = s.metrics[m];
      return [
        s.shock,
        s.applicable,
        s.applicable ? s.pass : null,
        finite(s.passShare),
        s.runs,
        s.failedRuns,
        m,
        info.unit,
        info.comparison,
        csvNumber(info.threshold(r.thresholds)),
        ...(s.applicable
          ? [csvNumber(q.p05), csvNumber(q.p50), csvNumber(q.p95)]
          : [null, null, null]),
      ];
    }),
  );
  return csvText(
    [
      "shock",
      "applicable",
      "pass",
      "passShare",
      "runs",
      "failedRuns",
      "metric",
      "unit",
      "comparison",
      "threshold",
      "p5",
      "p50",
      "p95",
    ],
    rows,
  );
}

/** The series of a shock's loop that are written: those the mode draws, when the shock applies. */
function loopOf(
  r: StressResult,
  s: ShockResult,
): [LoopSeries, NonNullable<ShockResult["paths"]>[LoopSeries]][] {
  const paths = s.paths;
  if (!paths) return [];
  return loopSeriesOf(r.mode).map((series) => [series, paths[series]]);
}

/** `loop.csv`: one row per shock, series and day (module docstring). */
export function stressLoopCsv(r: StressResult): string {
  const rows: unknown[][] = [];
  for (const s of r.shocks)
    for (const [series, b] of loopOf(r, s))
      for (let t = 0; t < r.days; t++)
        rows.push([
          s.shock,
          series,
          t,
          b ? finite(b.p05[t]) : null,
          b ? finite(b.p50[t]) : null,
          b ? finite(b.p95[t]) : null,
        ]);
  return csvText(["shock", "series", "day", "p5", "p50", "p95"], rows);
}

/** `stress.json`: the settings, the verdicts and the loop's bands (module docstring). */
export function stressJson(r: StressResult): string {
  const list = (a: Float64Array | undefined) =>
    a ? Array.from(a, finite) : Array.from({ length: r.days }, () => null);
  return `${JSON.stringify({
    scenarioName: r.scenarioName,
    mode: r.mode,
    days: r.days,
    shockDay: r.shockDay,
    seed: r.seed,
    runs: r.runs,
    confidence: r.confidence,
    sizes: r.sizes,
    thresholds: Object.fromEntries(
      STRESS_METRICS.map((m) => [
        m,
        {
          unit: METRIC_THRESHOLDS[m].unit,
          comparison: METRIC_THRESHOLDS[m].comparison,
          threshold: finite(METRIC_THRESHOLDS[m].threshold(r.thresholds)),
        },
      ]),
    ),
    shocks: r.shocks.map((s) => ({
      shock: s.shock,
      description: s.description,
      applicable: s.applicable,
      pass: s.applicable ? s.pass : null,
      passShare: finite(s.passShare),
      runs: s.runs,
      failedRuns: s.failedRuns,
      firstError: s.firstError,
      metrics: Object.fromEntries(
        STRESS_METRICS.map((m) => {
          const q = s.metrics[m];
          return [
            m,
            s.applicable
              ? { p5: finite(q.p05), p50: finite(q.p50), p95: finite(q.p95) }
              : { p5: null, p50: null, p95: null },
          ];
        }),
      ),
      loop: s.paths
        ? Object.fromEntries(
            loopOf(r, s).map(([series, b]) => [
              series,
              { p5: list(b?.p05), p50: list(b?.p50), p95: list(b?.p95) },
            ]),
          )
        : null,
    })),
    scenario: r.scenario,
  })}\n`;
}

/** The names of `bme stress --out DIR`'s files. */
export const STRESS_FILE_NAMES = ["verdicts.csv", "loop.csv", "stress.json"] as const;

/** The files of `bme stress --out DIR`, by name. */
export function stressFiles(r: StressResult): Readonly<Record<string, string>> {
  return {
    "verdicts.csv": stressVerdictsCsv(r),
    "loop.csv": stressLoopCsv(r),
    "stress.json": stressJson(r),
  };
}
