import type { DayStep, StepInsertion } from "../day/sequence.js";
import { compileScenario } from "../engine/compile.js";
import { quantileSorted } from "../montecarlo/quantile.js";
import type { Scenario } from "../scenario/schema.js";
import { type FeedbackContext, noFeedback, runFeedbackAggregate } from "./day.js";
import { compileFeedback } from "./plan.js";

/** The standard battery of `bme stress` (docs/model-feedback.md, "Stress battery"). */
export const SHOCKS = [
  {
    name: "baseline",
    description: "No shock: the scenario as written, for comparison.",
  },
  {
    name: "demandCrash",
    description: "From the shock day every consumer type's jobs fall to 30% and stay there.",
  },
  {
    name: "sentimentCollapse",
    description:
      "From the shock day exchange demand (consumerSentiment) and governance value are 0.",
  },
  {
    name: "sellWave",
    description:
      "On the shock day holders dump 10% of the circulating supply into the pool (needs feedback.amm).",
  },
  {
    name: "combined",
    description: "demandCrash, sentimentCollapse and (with a pool) sellWave together.",
  },
] as const;
export type ShockName = (typeof SHOCKS)[number]["name"];

export interface StressThresholds {
  /** Largest acceptable fall of priceOfToken from its running peak after the shock, fraction. */
  readonly maxDrawdown: number;
  /** Smallest acceptable token-reserve runway at the end, days (last 30 days' net outflow). */
  readonly minRunwayDays: number;
  /** Smallest acceptable share of suppliers kept, last day over the day before the shock. */
  readonly minSuppliersRetained: number;
  /** Most acceptable days with a token shortfall from the shock day on. */
  readonly maxShortfallDays: number;
}

export const DEFAULT_THRESHOLDS: StressThresholds = {
  maxDrawdown: 0.5,
  minRunwayDays: 90,
  minSuppliersRetained: 0.5,
  maxShortfallDays: 0,
};

export interface StressOptions {
  readonly runs: number;
  readonly seed: number;
  /** Day the shocks start; default: a third of the way from the end of phase 1 to the last day. */
  readonly shockDay?: number;
  readonly thresholds?: StressThresholds;
  /** A shock passes when at least this share of runs meets every threshold. Default 0.95. */
  readonly confidence?: number;
  /** Runs whose daily paths are kept for the report's bands (the first ones). Default 200. */
  readonly pathRuns?: number;
}

export const STRESS_METRICS = [
  "priceDrawdown",
  "reserveRunwayDays",
  "suppliersRetained",
  "shortfallDays",
] as const;
export type StressMetric = (typeof STRESS_METRICS)[number];

/** The loop's series drawn per shock (p5, median, p95 of the kept runs). */
export const LOOP_SERIES = [
  "priceOfToken",
  "suppliers",
  "marginPerSupplier",
  "netChurn",
  "jobsLost",
  "tokenReserve",
  "dollarReserve",
] as const;
export type LoopSeries = (typeof LOOP_SERIES)[number];

export interface Band {
  readonly p05: Float64Array;
  readonly p50: Float64Array;
  readonly p95: Float64Array;
}

export interface ShockResult {
  readonly shock: ShockName;
  readonly description: string;
  /** False when the shock needs what the scenario lacks (sellWave without a pool). */
  readonly applicable: boolean;
  readonly runs: number;
  /** Runs stopped by an error (they count as failing). */
  readonly failedRuns: number;
  /** Share of runs meeting every threshold. */
  readonly passShare: number;
  readonly pass: boolean;
  readonly metrics: Readonly<Record<StressMetric, { p05: number; p50: number; p95: number }>>;
  readonly paths: Readonly<Record<LoopSeries, Band>> | null;
}

export interface StressResult {
  readonly scenarioName: string;
  readonly days: number;
  readonly shockDay: number;
  readonly seed: number;
  readonly runs: number;
  readonly thresholds: StressThresholds;
  readonly confidence: number;
  readonly shocks: readonly ShockResult[];
}

function scaleFrom(shockDay: number, f: (ctx: FeedbackContext) => void): StepInsertion {
  const step: DayStep<FeedbackContext> = {
    name: "stressShock",
    run: (ctx) => {
      if (ctx.t >= shockDay) f(ctx);
      return undefined;
    },
  };
  return { after: "inputs", step: step as unknown as DayStep };
}

function shockSteps(shock: ShockName, shockDay: number, pool: boolean): StepInsertion[] {
  const crash = scaleFrom(shockDay, ({ day }) => {
    for (let i = 0; i < day.jobs.length; i++) day.jobs[i] *= 0.3;
  });
  const collapse = scaleFrom(shockDay, ({ day }) => {
    day.sentiment = 0;
    day.governance = 0;
  });
  const wave: StepInsertion = {
    before: "price",
    step: {
      name: "stressSellWave",
      run: (ctx) => {
        const c = ctx as FeedbackContext;
        if (c.t === shockDay) c.fb.extraSell = 0.1 * c.state.supply;
        return undefined;
      },
    },
  };
  switch (shock) {
    case "baseline":
      return [];
    case "demandCrash":
      return [crash];
    case "sentimentCollapse":
      return [collapse];
    case "sellWave":
      return [wave];
    case "combined":
      return pool ? [crash, collapse, wave] : [crash, collapse];
  }
}

/** The columns of a table that the metrics read, by name. */
function columnsOf(columns: readonly string[]) {
  const at = (n: string) => columns.indexOf(n);
  const starts = (p: string) => columns.flatMap((n, i) => (n.startsWith(p) ? [i] : []));
  return {
    price: at("priceOfToken"),
    reserve: at("tokenReserve"),
    dollars: at("dollarReserve"),
    shortfall: at("tokenShortfall"),
    suppliers: starts("suppliers."),
    margins: starts("margin."),
    entries: starts("supplierEntries."),
    exits: starts("supplierExits."),
    jobsLost: at("jobsLost"),
  };
}

type Cols = ReturnType<typeof columnsOf>;

/** Price drawdown, runway, suppliers kept and shortfall days of one run's table (`out[col·days + t]`). */
export function stressMetrics(
  out: Float64Array,
  days: number,
  daysDone: number,
  shockDay: number,
  cols: Cols,
): Record<StressMetric, number> {
  const v = (col: number, t: number) => out[col * days + t];
  const last = daysDone - 1;
  let peak = v(cols.price, Math.max(0, shockDay - 1));
  let dd = 0;
  let shortfallDays = 0;
  for (let t = shockDay; t <= last; t++) {
    const p = v(cols.price, t);
    if (p > peak) peak = p;
    else if (peak > 0) dd = Math.max(dd, (peak - p) / peak);
    if (v(cols.shortfall, t) > 0) shortfallDays++;
  }
  const from = Math.max(0, last - 30);
  const outflow = (v(cols.reserve, from) - v(cols.reserve, last)) / Math.max(1, last - from);
  const runway = outflow > 0 ? v(cols.reserve, last) / outflow : Number.POSITIVE_INFINITY;
  let before = 0;
  let after = 0;
  for (const c of cols.suppliers) {
    before += v(c, Math.max(0, shockDay - 1));
    after += v(c, last);
  }
  return {
    priceDrawdown: dd,
    reserveRunwayDays: runway,
    suppliersRetained: before > 0 ? after / before : 1,
    shortfallDays,
  };
}

function loopValue(out: Float64Array, days: number, t: number, cols: Cols, s: LoopSeries): number {
  const v = (col: number) => out[col * days + t];
  const sum = (cs: readonly number[]) => cs.reduce((a, c) => a + v(c), 0);
  switch (s) {
    case "priceOfToken":
      return v(cols.price);
    case "suppliers":
      return sum(cols.suppliers);
    case "marginPerSupplier":
      return cols.margins.length > 0 ? sum(cols.margins) / cols.margins.length : Number.NaN;
    case "netChurn":
      return sum(cols.entries) - sum(cols.exits);
    case "jobsLost":
      return cols.jobsLost >= 0 ? v(cols.jobsLost) : 0;
    case "tokenReserve":
      return v(cols.reserve);
    case "dollarReserve":
      return v(cols.dollars);
  }
}

/** Type-7 quantile that keeps an infinite runway infinite (∞ − ∞ would interpolate to NaN). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] === sorted[hi] ? sorted[lo] : quantileSorted(sorted, q);
}

const q3 = (sorted: Float64Array) => ({
  p05: quantile(sorted, 0.05),
  p50: quantile(sorted, 0.5),
  p95: quantile(sorted, 0.95),
});

function passes(m: Record<StressMetric, number>, th: StressThresholds): boolean {
  return (
    m.priceDrawdown <= th.maxDrawdown &&
    m.reserveRunwayDays >= th.minRunwayDays &&
    m.suppliersRetained >= th.minSuppliersRetained &&
    m.shortfallDays <= th.maxShortfallDays
  );
}

/**
 * `bme stress`: the standard battery of named shocks (SHOCKS), each over a Monte Carlo of
 * `runs` runs (run i draws from (seed, i), so every shock sees the same noise: common random
 * numbers), aggregate mode with the scenario's feedback. Per shock: each metric's p5/median/p95,
 * the share of runs meeting every threshold, pass when that share ≥ `confidence`, and the loop's
 * daily bands over the first `pathRuns` runs. A run stopped by an error fails.
 */
export function runStress(scenario: Scenario, options: StressOptions): StressResult {
  if (scenario.mode === "marketplace")
    throw new Error("bme stress runs aggregate mode only (mode: marketplace is not supported yet)");
  const c = compileScenario(scenario);
  const plan = compileFeedback(scenario) ?? noFeedback(c.days);
  const days = c.days;
  const shockDay =
    options.shockDay ??
    Math.min(
      days - 1,
      scenario.phaseOne.phaseOneDays + Math.floor((days - scenario.phaseOne.phaseOneDays) / 3),
    );
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const confidence = options.confidence ?? 0.95;
  const pathRuns = Math.min(options.pathRuns ?? 200, options.runs);
  const cols = columnsOf(c.columns);
  const out = new Float64Array(c.columns.length * days);
  const shocks: ShockResult[] = [];
  for (const shock of SHOCKS) {
    const applicable = shock.name !== "sellWave" || plan.amm !== null;
    const ext = shockSteps(shock.name, shockDay, plan.amm !== null);
    const metricValues = Object.fromEntries(
      STRESS_METRICS.map((m) => [m, new Float64Array(options.runs)]),
    ) as Record<StressMetric, Float64Array>;
    const paths = LOOP_SERIES.map(() => new Float64Array(pathRuns * days));
    let passed = 0;
    let failedRuns = 0;
    for (let run = 0; applicable && run < options.runs; run++) {
      out.fill(0);
      const o = runFeedbackAggregate(c, options.seed, run, out, plan, ext);
      const m = stressMetrics(out, days, Math.max(1, o.daysCompleted), shockDay, cols);
      for (const k of STRESS_METRICS) metricValues[k][run] = m[k];
      if (o.error) failedRuns++;
      else if (passes(m, thresholds)) passed++;
      if (run < pathRuns)
        LOOP_SERIES.forEach((s, si) => {
          for (let t = 0; t < days; t++)
            paths[si][run * days + t] =
              t < o.daysCompleted ? loopValue(out, days, t, cols, s) : Number.NaN;
        });
    }
    const metrics = Object.fromEntries(
      STRESS_METRICS.map((k) => [k, q3(metricValues[k].sort())]),
    ) as ShockResult["metrics"];
    shocks.push({
      shock: shock.name,
      description: shock.description,
      applicable,
      runs: applicable ? options.runs : 0,
      failedRuns,
      passShare: applicable ? passed / options.runs : Number.NaN,
      pass: applicable && passed / options.runs >= confidence,
      metrics,
      paths: applicable ? bandsOf(paths, pathRuns, days) : null,
    });
  }
  return {
    scenarioName: scenario.name,
    days,
    shockDay,
    seed: options.seed,
    runs: options.runs,
    thresholds,
    confidence,
    shocks,
  };
}

function bandsOf(paths: Float64Array[], runs: number, days: number): Record<LoopSeries, Band> {
  const col = new Float64Array(runs);
  const bands = LOOP_SERIES.map((_, si) => {
    const b = {
      p05: new Float64Array(days),
      p50: new Float64Array(days),
      p95: new Float64Array(days),
    };
    for (let t = 0; t < days; t++) {
      let n = 0;
      for (let r = 0; r < runs; r++) {
        const x = paths[si][r * days + t];
        if (!Number.isNaN(x)) col[n++] = x;
      }
      const sorted = col.subarray(0, n).sort();
      b.p05[t] = n > 0 ? quantile(sorted, 0.05) : Number.NaN;
      b.p50[t] = n > 0 ? quantile(sorted, 0.5) : Number.NaN;
      b.p95[t] = n > 0 ? quantile(sorted, 0.95) : Number.NaN;
    }
    return b;
  });
  return Object.fromEntries(LOOP_SERIES.map((s, i) => [s, bands[i]])) as Record<LoopSeries, Band>;
}
