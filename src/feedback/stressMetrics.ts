import { runwayOf } from "../metrics/stress.js";
import { meanBy, meanWithin } from "../montecarlo/quantile.js";
import type { Scenario } from "../scenario/schema.js";
import { DEFAULT_SHOCK_SIZES, type ShockSizes } from "./stressShocks.js";

/** A share as a percentage: 0.3 → "30%", 0.125 → "12.5%". */
const percent = (share: number) => `${Number((100 * share).toPrecision(6))}%`;

/** What a shock of the battery does, at the given sizes (the report's and the files' text). */
export function describeShock(name: ShockName, sizes: ShockSizes): string {
  switch (name) {
    case "baseline":
      return "No shock: the scenario as written, for comparison.";
    case "demandCrash":
      return `From the shock day every consumer type's jobs fall to ${percent(sizes.crashShare)} and stay there.`;
    case "sentimentCollapse":
      return "From the shock day exchange demand (consumerSentiment) and governance value are 0.";
    case "sellWave":
      return `On the shock day holders dump ${percent(sizes.sellWaveShare)} of the circulating supply into the pool (needs feedback.amm).`;
    case "combined":
      return "demandCrash, sentimentCollapse and (with a pool) sellWave together.";
  }
}

const SHOCK_NAMES = [
  "baseline",
  "demandCrash",
  "sentimentCollapse",
  "sellWave",
  "combined",
] as const;
export type ShockName = (typeof SHOCK_NAMES)[number];

/**
 * The standard battery of `bme stress` (docs/model-feedback.md, "Stress battery"), in order,
 * described at the default sizes (DEFAULT_SHOCK_SIZES).
 */
export const SHOCKS: readonly { readonly name: ShockName; readonly description: string }[] =
  SHOCK_NAMES.map((name) => ({ name, description: describeShock(name, DEFAULT_SHOCK_SIZES) }));

export const STRESS_METRICS = [
  "priceDrawdown",
  "reserveRunwayDays",
  "suppliersRetained",
  "shortfallDays",
  "dollarsRetained",
  "topUpPriceImpact",
] as const;
export type StressMetric = (typeof STRESS_METRICS)[number];

export interface StressThresholds {
  /** Largest acceptable fall of priceOfToken from its running peak after the shock, fraction. */
  readonly maxDrawdown: number;
  /** Smallest acceptable token-reserve runway at the end, days (last 30 days' net outflow). */
  readonly minRunwayDays: number;
  /**
   * Smallest acceptable suppliers on the last day over the day before the shock (above 1: the
   * network must grow; with none the day before, a run retains 1 with suppliers at the end, else 0).
   */
  readonly minSuppliersRetained: number;
  /** Most acceptable days with a token shortfall from the shock day on. */
  readonly maxShortfallDays: number;
  /**
   * Smallest acceptable dollar reserve from the shock day on, as a fraction of the day before
   * the shock (its lowest day counts); 0 or absent (the default) accepts any.
   */
  readonly minDollarsRetained?: number;
  /**
   * Largest acceptable price impact of a reserve top-up from the shock day on, fraction: what it
   * paid per token over the price it bought at, minus 1 — E16's premium over the day's price, or
   * E46's buy from the pool over the pool's spot before it (W/(x − W) for W tokens from x) —;
   * absent (the default) accepts any.
   */
  readonly maxTopUpPriceImpact?: number;
}

export const DEFAULT_THRESHOLDS: StressThresholds = {
  maxDrawdown: 0.5,
  minRunwayDays: 90,
  minSuppliersRetained: 0.5,
  maxShortfallDays: 0,
  minDollarsRetained: 0,
};

/**
 * Each metric's unit, the side a run must be on (`<=`: at most the threshold, `>=`: at least) and
 * the threshold it is held to: a run passes when every metric is on its side (stress.ts `passes`).
 */
export const METRIC_THRESHOLDS: Readonly<
  Record<
    StressMetric,
    {
      readonly unit: "fraction" | "days";
      readonly comparison: "<=" | ">=";
      readonly threshold: (t: StressThresholds) => number;
    }
  >
> = {
  priceDrawdown: { unit: "fraction", comparison: "<=", threshold: (t) => t.maxDrawdown },
  reserveRunwayDays: { unit: "days", comparison: ">=", threshold: (t) => t.minRunwayDays },
  suppliersRetained: {
    unit: "fraction",
    comparison: ">=",
    threshold: (t) => t.minSuppliersRetained,
  },
  shortfallDays: { unit: "days", comparison: "<=", threshold: (t) => t.maxShortfallDays },
  dollarsRetained: {
    unit: "fraction",
    comparison: ">=",
    threshold: (t) => t.minDollarsRetained ?? 0,
  },
  topUpPriceImpact: {
    unit: "fraction",
    comparison: "<=",
    threshold: (t) => t.maxTopUpPriceImpact ?? Number.POSITIVE_INFINITY,
  },
};

/** The loop's series drawn per shock (p5, median, p95 of the kept runs). */
export const LOOP_SERIES = [
  "priceOfToken",
  "suppliers",
  "marginPerSupplier",
  "netChurn",
  "jobsLost",
  "tokenReserve",
  "dollarReserve",
  "waitingTasks",
  "expiredTasks",
] as const;
export type LoopSeries = (typeof LOOP_SERIES)[number];

/** The queue's series: marketplace mode only (docs/marketplace.md's queue table). */
const QUEUE_SERIES: ReadonlySet<LoopSeries> = new Set(["waitingTasks", "expiredTasks"]);

/** The loop series a mode draws: marketplace mode adds the queue (tasks waiting, tasks expired). */
export function loopSeriesOf(mode: "aggregate" | "marketplace"): readonly LoopSeries[] {
  return mode === "marketplace" ? LOOP_SERIES : LOOP_SERIES.filter((s) => !QUEUE_SERIES.has(s));
}

/** A range of one shock's runs: plain JSON-able data, for worker threads. */
export interface StressTask {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly shock: ShockName;
  readonly shockDay: number;
  /** The shocks' sizes (default DEFAULT_SHOCK_SIZES). */
  readonly sizes?: ShockSizes;
  /** Runs whose daily paths are kept (runs 0 … pathRuns−1). */
  readonly pathRuns: number;
  readonly runStart: number;
  readonly runEnd: number;
}

/** A run stopped by an error: its index and the error's message (which names the day). */
export interface RunError {
  readonly run: number;
  readonly message: string;
}

/** What a chunk hands back: per run of the chunk, typed arrays only. */
export interface StressPartial {
  readonly runStart: number;
  readonly runEnd: number;
  /** Per metric (STRESS_METRICS order), one value per run. */
  readonly metrics: Float64Array[];
  /** 1 where the run stopped on an error. */
  readonly failed: Uint8Array;
  /** The chunk's first run stopped by an error, and the error's message; null when none. */
  readonly firstError: RunError | null;
  /** Loop series (`loopSeriesOf(mode)` order) of the chunk's runs below pathRuns: `(s·n + run − runStart)·days + t`. */
  readonly paths: Float64Array;
  readonly pathCount: number;
}

/** The columns of a table that the metrics read, by name. */
export function columnsOf(columns: readonly string[]) {
  const at = (n: string) => columns.indexOf(n);
  const starts = (p: string) => columns.flatMap((n, i) => (n.startsWith(p) ? [i] : []));
  return {
    price: at("priceOfToken"),
    reserve: at("tokenReserve"),
    dollars: at("dollarReserve"),
    topUpUsd: at("reserveBuybackUsd"),
    topUpTokens: at("reserveBuybackTokens"),
    // with a pool (E45–E47): its reserves at the end of the day, after E46's top-up
    poolTokens: at("poolTokens"),
    poolUsd: at("poolUsd"),
    shortfall: at("tokenShortfall"),
    suppliers: starts("suppliers."),
    // the counts of the classes that respond (churn: a `supplierEntries.<class>` column, E42)
    churning: starts("supplierEntries.").map((i) =>
      at(`suppliers.${columns[i].slice("supplierEntries.".length)}`),
    ),
    margins: starts("margin."),
    // each margin's class's supplier count (`suppliers.<class>`), for the loop's weighted mean
    marginCounts: starts("margin.").map((i) =>
      at(`suppliers.${columns[i].slice("margin.".length)}`),
    ),
    entries: starts("supplierEntries."),
    exits: starts("supplierExits."),
    // E50's jobs lost to capacity (aggregate), or E49's jobs lost to the queue (marketplace)
    jobsLost: at("jobsLost") >= 0 ? at("jobsLost") : at("jobsLostToQueues"),
  };
}

export type Cols = ReturnType<typeof columnsOf>;

/**
 * Price drawdown, runway, suppliers kept, shortfall days, dollars kept and the top-ups' largest
 * price impact of one run's table
 * (`out[col·days + t]`), or of run `b` of a batch's table of `count` runs
 * (`out[(col·days + t)·count + b]`, the lockstep kernels' layout: read in place, not copied out).
 */
export function stressMetrics(
  out: Float64Array,
  days: number,
  daysDone: number,
  shockDay: number,
  cols: Cols,
  count = 1,
  b = 0,
): Record<StressMetric, number> {
  const v = (col: number, t: number) => out[(col * days + t) * count + b];
  const last = daysDone - 1;
  let peak = v(cols.price, Math.max(0, shockDay - 1));
  let dd = 0;
  let shortfallDays = 0;
  // the dollar reserve's lowest level from the shock day on, against the day before the shock:
  // a defence that spends the treasury (E16/E46's top-up buys) shows here, not in the runway
  const dollarsBefore = v(cols.dollars, Math.max(0, shockDay - 1));
  let dollarsLow = dollarsBefore;
  let impact = Number.NEGATIVE_INFINITY; // the largest so far; 0 when no day has a top-up
  for (let t = shockDay; t <= last; t++) {
    const p = v(cols.price, t);
    if (p > peak) peak = p;
    else if (peak > 0) dd = Math.max(dd, (peak - p) / peak);
    if (v(cols.shortfall, t) > 0) shortfallDays++;
    const d = v(cols.dollars, t);
    if (d < dollarsLow) dollarsLow = d;
    // the top-up's price per token over the price it bought at (a NaN, from a price of 0, is
    // passed over): E16's over the day's price, its premium; E46's over the pool's spot before it,
    // y/x after the day's batch (the end-of-day reserves less the top-up's W tokens and U usd),
    // U/W over y/x − 1 = W/(x − W) ≥ 0, the price impact of its own buy
    const bought = cols.topUpTokens >= 0 ? v(cols.topUpTokens, t) : 0;
    if (bought > 0) {
      const usd = v(cols.topUpUsd, t);
      const before =
        cols.poolTokens >= 0 ? (v(cols.poolUsd, t) - usd) / (v(cols.poolTokens, t) + bought) : p;
      const paid = usd / (bought * before) - 1;
      if (paid > impact) impact = paid;
    }
  }
  // E35 (src/metrics/stress.ts) at the end of the run; a reserve that is not falling has no
  // runway to run out (E35's missing value): unbounded here, so it passes any runway threshold
  const w = Math.min(30, last);
  const e35 = runwayOf(v(cols.reserve, last), v(cols.reserve, last - w), w);
  const runway = Number.isNaN(e35) ? Number.POSITIVE_INFINITY : e35;
  let before = 0;
  let after = 0;
  // the classes whose count responds to the economy (E42): an exogenous count series is the
  // scenario's input, and its growth or fall says nothing about the shock
  for (const c of cols.churning) {
    before += v(c, Math.max(0, shockDay - 1));
    after += v(c, last);
  }
  return {
    priceDrawdown: dd,
    reserveRunwayDays: runway,
    // none the day before the shock: 1 with suppliers at the end, 0 without (an economy left
    // with no supplier fails any positive threshold); a scenario without a class that churns
    // (no supplier economics, or every count a series) retains 1: nothing could leave
    suppliersRetained:
      before > 0 ? after / before : after > 0 || cols.churning.length === 0 ? 1 : 0,
    shortfallDays,
    dollarsRetained: dollarsBefore > 0 ? dollarsLow / dollarsBefore : 1,
    topUpPriceImpact: impact === Number.NEGATIVE_INFINITY ? 0 : impact,
  };
}

/**
 * The average supplier's margin on a day (E41, fraction): the classes' margins weighted by their
 * supplier counts, `Σ_k count[k] · margin[k] / Σ_k count[k]`, so a class of one supplier weighs
 * as one supplier; on a day with no supplier in any class, the mean of the classes' margins (each
 * then E40e's, what a lone entrant would have made).
 */
function marginPerSupplier(cols: Cols, v: (col: number) => number): number {
  let suppliers = 0;
  let weighted = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < cols.margins.length; k++) {
    const n = cols.marginCounts[k] >= 0 ? v(cols.marginCounts[k]) : 0;
    if (!(n > 0)) continue;
    const m = v(cols.margins[k]);
    suppliers += n;
    weighted += n * m;
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  // held within the weighted classes' margins (decision 143: a reported mean stays in range)
  if (suppliers > 0) return meanWithin(weighted, suppliers, lo, hi);
  return meanBy(cols.margins.length, (k) => v(cols.margins[k]));
}

/**
 * One loop series' value on day t of a run's table (`out[col·days + t]`, or run `b` of a batch's
 * table of `count` runs, `out[(col·days + t)·count + b]`); the queue's series read marketplace
 * mode's queue table (`queue[QCOL.…][t]`, absent in aggregate mode: NaN).
 */
export function loopValue(
  out: Float64Array,
  days: number,
  t: number,
  cols: Cols,
  s: LoopSeries,
  queue?: { readonly waiting: ArrayLike<number>; readonly expired: ArrayLike<number> },
  count = 1,
  b = 0,
): number {
  const v = (col: number) => out[(col * days + t) * count + b];
  const sum = (cs: readonly number[]) => cs.reduce((a, c) => a + v(c), 0);
  switch (s) {
    case "priceOfToken":
      return v(cols.price);
    case "suppliers":
      return sum(cols.suppliers);
    case "marginPerSupplier":
      return marginPerSupplier(cols, v);
    case "netChurn":
      return sum(cols.entries) - sum(cols.exits);
    case "jobsLost":
      return cols.jobsLost >= 0 ? v(cols.jobsLost) : 0;
    case "tokenReserve":
      return v(cols.reserve);
    case "dollarReserve":
      return v(cols.dollars);
    case "waitingTasks":
      return queue ? queue.waiting[t] : Number.NaN;
    case "expiredTasks":
      return queue ? queue.expired[t] : Number.NaN;
  }
}

/** What one run of a stress chunk left: days completed, whether it stopped on an error, its queue (marketplace). */
export interface StressRunOutcome {
  readonly daysCompleted: number;
  readonly error: unknown;
  readonly queue?: { readonly waiting: ArrayLike<number>; readonly expired: ArrayLike<number> };
  /**
   * Where the run's table is when it is not the `out` handed in: run `lane` of a batch's table
   * of `count` runs (`table[(col·days + t)·count + lane]`), read in place (`out` is left as it was).
   */
  readonly batch?: { readonly table: Float64Array; readonly count: number; readonly lane: number };
}

/**
 * The chunk loop both modes share: for runs runStart … runEnd−1, `runOne` fills a run's table
 * (`out[col·days + t]`, zeroed before each run) or says where in a batch's table the run is
 * (`batch`, read in place); this collects the battery's metrics per run
 * (`stressMetrics`) and the loop series of the first `pathRuns` runs (NaN after a run stopped).
 */
export function collectStressChunk(
  task: StressTask,
  columns: readonly string[],
  days: number,
  mode: "aggregate" | "marketplace",
  runOne: (run: number, out: Float64Array) => StressRunOutcome,
): StressPartial {
  const { shockDay, runStart, runEnd } = task;
  const cols = columnsOf(columns);
  const series = loopSeriesOf(mode);
  const n = runEnd - runStart;
  const pathCount = Math.max(0, Math.min(runEnd, task.pathRuns) - runStart);
  const metrics = STRESS_METRICS.map(() => new Float64Array(n));
  const failed = new Uint8Array(n);
  const paths = new Float64Array(series.length * pathCount * days);
  const out = new Float64Array(columns.length * days);
  let dirty = false;
  let firstError: RunError | null = null;
  for (let k = 0; k < n; k++) {
    if (dirty) out.fill(0);
    const o = runOne(runStart + k, out);
    dirty = o.batch === undefined;
    const table = o.batch?.table ?? out;
    const count = o.batch?.count ?? 1;
    const b = o.batch?.lane ?? 0;
    const m = stressMetrics(table, days, Math.max(1, o.daysCompleted), shockDay, cols, count, b);
    STRESS_METRICS.forEach((name, j) => {
      metrics[j][k] = m[name];
    });
    if (o.error) {
      failed[k] = 1;
      firstError ??= {
        run: runStart + k,
        message: o.error instanceof Error ? o.error.message : String(o.error),
      };
    }
    if (k < pathCount)
      series.forEach((s, si) => {
        const at = (si * pathCount + k) * days;
        for (let t = 0; t < days; t++)
          paths[at + t] =
            t < o.daysCompleted
              ? loopValue(table, days, t, cols, s, o.queue, count, b)
              : Number.NaN;
      });
  }
  return { runStart, runEnd, metrics, failed, firstError, paths, pathCount };
}
