/**
 * Records of the analysis layer (Monte Carlo, sweeps, A/B, sensitivity): the contract between
 * the computation (src/analysis), the results store (src/store), the reports (src/report),
 * the dashboard and the distributed queue. Plain data: typed arrays and JSON-able objects.
 */
import type { Scenario } from "../scenario/schema.js";

/** Per-run outcome metrics, in this order. */
export const OUTCOME_METRICS = [
  "finalPrice",
  "maxDrawdown",
  "minTokenReserve",
  "shortfallDays",
  "totalEmitted",
  "phaseChangeDay",
  "maxDrawdownAfter",
  "priceVolatility",
  "daysBelowPrice",
  "minDollarReserve",
  "minDollarReserveDay",
  "reserveRunway",
  "firstShortfallDay",
  "supplierIncome",
] as const;
export type OutcomeMetric = (typeof OUTCOME_METRICS)[number];

export const OUTCOME_UNITS: Readonly<Record<OutcomeMetric, string>> = {
  /** priceOfToken on the last day. */
  finalPrice: "usd/token",
  /** Largest fall of priceOfToken from a running peak, as a fraction of that peak: max_t (peak_t − p_t)/peak_t. */
  maxDrawdown: "fraction",
  /** Smallest end-of-day tokenReserve. */
  minTokenReserve: "tokens",
  /** Days with tokenShortfall > 0. */
  shortfallDays: "days",
  /** Σ phaseOneEmission + phaseTwoEmission. */
  totalEmitted: "tokens",
  /** First phase-2 day; missing (NaN) if the run never left phase 1. */
  phaseChangeDay: "day",
  /** E31: max drawdown with the peak restarting on the first phase-2 day (or `outcomes.drawdownFromDay`). */
  maxDrawdownAfter: "fraction",
  /** E32: sample standard deviation of daily log returns of priceOfToken. */
  priceVolatility: "per day",
  /** E33: days with priceOfToken below `outcomes.priceThreshold` (default: the day-0 price). */
  daysBelowPrice: "days",
  /** E34: smallest end-of-day dollarReserve. */
  minDollarReserve: "usd",
  /** E34: first day of the smallest dollarReserve. */
  minDollarReserveDay: "day",
  /** E35: days until tokenReserve would be empty at the last 30 days' net outflow; missing (NaN) when it is not falling. */
  reserveRunway: "days",
  /** E36: first day with tokenShortfall > 0; missing (NaN) if none. */
  firstShortfallDay: "day",
  /** E37: supplier pay per supplier-day, USD plus tokens at the day's price, all classes. */
  supplierIncome: "usd/supplier-day",
};

/** The unit of an outcome metric; a plugin metric's (not recorded with the results) is "plugin". */
export function metricUnit(m: string): string {
  return (OUTCOME_UNITS as Readonly<Record<string, string>>)[m] ?? "plugin";
}

/** Statistics of a per-day band, in this order. */
export const BAND_STATS = ["p5", "p25", "p50", "p75", "p95", "mean"] as const;
export type BandStat = (typeof BAND_STATS)[number];

/**
 * Per-day quantile bands of every §7 column over the runs of one point.
 * `stats[s][c·days + t]` is statistic s of column c on day t.
 */
export interface Bands {
  readonly columns: readonly string[];
  readonly days: number;
  readonly runs: number;
  readonly stats: Readonly<Record<BandStat, Float64Array>>;
}

/**
 * Per outcome metric: the OUTCOME_METRICS, then any plugin metric of the experiment (issue 12,
 * docs/plugins.md), by name, in that order.
 */
export type ByMetric<T> = Readonly<Record<OutcomeMetric, T>> & Readonly<Record<string, T>>;

/** The outcome metric names of a point: OUTCOME_METRICS, then its plugin metrics. */
export function metricNames(p: { readonly outcomes: Outcomes }): string[] {
  return Object.keys(p.outcomes.metrics);
}

/** Outcome metrics of every run of a point, one array per metric, indexed by run. */
export interface Outcomes {
  readonly runs: number;
  readonly metrics: ByMetric<Float64Array>;
}

/** Summary statistics of one outcome metric over runs. */
export interface MetricSummary {
  readonly mean: number;
  readonly sd: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
  /**
   * Runs without a value (NaN: a failed run, or a value that does not exist in that run, e.g.
   * no shortfall day), left out of the statistics above. Absent in summaries stored before it.
   */
  readonly missing?: number;
}

/** A point of an experiment: its parameter overrides (`path → value`, as `--set` takes them). */
export interface PointSpec {
  readonly index: number;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** A whole scenario replacing the experiment's base for this point (an A/B comparison's arm B). */
  readonly scenario?: Scenario;
}

export type ExperimentKind = "montecarlo" | "sweep" | "compare" | "sensitivity";

/** Everything that defines an experiment; the same spec gives the same results, byte for byte. */
export interface ExperimentSpec {
  readonly kind: ExperimentKind;
  readonly scenarioName: string;
  /** The base scenario as parsed (a compare stores arm B's scenario in `options.scenarioB`). */
  readonly scenario: Scenario;
  readonly version: string;
  readonly seed: number;
  readonly runsPerPoint: number;
  readonly points: readonly PointSpec[];
  /** Kind-specific options (e.g. sensitivity's ±X%, keepRuns). JSON-able. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** The result of one point. Runs 0 … runs−1 of a point use seeds (spec.seed, run): common random numbers. */
export interface PointResult {
  readonly index: number;
  readonly params: PointSpec["params"];
  readonly bands: Bands;
  readonly outcomes: Outcomes;
  readonly summary: ByMetric<MetricSummary>;
  /** Runs whose simulation stopped with an error, with the message (first 100). */
  readonly failedRuns: readonly { readonly run: number; readonly error: string }[];
}

/**
 * Where experiments go (the DuckDB store implements it). Every call is durable when it resolves:
 * a crash after `writePoint` resolves loses nothing of that point.
 */
export interface ExperimentSink {
  /**
   * Record a new experiment, or (resume) find the unfinished one with the same spec and return
   * the indices of its points already stored.
   */
  begin(
    spec: ExperimentSpec,
    options: { resume: boolean },
  ): Promise<{ experimentId: string; completedPoints: ReadonlySet<number> }>;
  /** Store one point atomically; storing the same point twice keeps one copy. */
  writePoint(experimentId: string, point: PointResult): Promise<void>;
  /** Mark the experiment finished. */
  finish(experimentId: string): Promise<void>;
}

/**
 * One on-chain variable of a sensitivity analysis: the metric (a summary of an outcome metric,
 * e.g. the mean of finalPrice) at the variable's low and high values, the others at base.
 * `swing` = max − min of (base, metricAtLow, metricAtHigh): |metricAtHigh − metricAtLow| when they
 * lie either side of base, the larger change when both move the metric the same way; rows are
 * sorted by swing, largest first.
 */
export interface SensitivityRow {
  readonly variable: string;
  /** The variable's value in the base scenario. */
  readonly baseValue: number;
  readonly low: number;
  readonly high: number;
  /** The metric at the base point. */
  readonly base: number;
  readonly metricAtLow: number;
  readonly metricAtHigh: number;
  readonly swing: number;
}
