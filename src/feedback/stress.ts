import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { quantileSorted } from "../montecarlo/quantile.js";
import type { Scenario } from "../scenario/schema.js";
import { compileFeedback } from "./plan.js";
import { runStressChunk, type StressPartial, type StressTask } from "./stressChunk.js";
import {
  DEFAULT_THRESHOLDS,
  describeShock,
  type LoopSeries,
  loopSeriesOf,
  METRIC_THRESHOLDS,
  type RunError,
  SHOCKS,
  type ShockName,
  STRESS_METRICS,
  type StressMetric,
  type StressThresholds,
} from "./stressMetrics.js";
import { DEFAULT_SHOCK_SIZES, type ShockSizes } from "./stressShocks.js";

export { shockDays } from "./stressChunk.js";
export * from "./stressMetrics.js";
export { DEFAULT_SHOCK_SIZES, type ShockSizes } from "./stressShocks.js";
export { shockSteps } from "./stressSteps.js";

export interface StressOptions {
  readonly runs: number;
  readonly seed: number;
  /**
   * Day the shocks start, at least 1 (drawdown and retention are measured from the day before);
   * default: a third of the way from the end of phase 1 to the last day, at least day 1.
   */
  readonly shockDay?: number;
  readonly thresholds?: StressThresholds;
  /** A shock passes when at least this share of runs meets every threshold. Default 0.95. */
  readonly confidence?: number;
  /** Runs whose daily paths are kept for the report's bands (the first ones). Default 200. */
  readonly pathRuns?: number;
  /** The shocks' sizes, each a share in [0, 1]. Default DEFAULT_SHOCK_SIZES (30% demand left, 10% dumped). */
  readonly sizes?: ShockSizes;
}

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
  /** Runs stopped by an error: they count as failing, and the metrics' quantiles leave them out. */
  readonly failedRuns: number;
  /** The first run stopped by an error (the lowest index) and its message; null when none. */
  readonly firstError: RunError | null;
  /** Share of runs meeting every threshold. */
  readonly passShare: number;
  readonly pass: boolean;
  readonly metrics: Readonly<Record<StressMetric, { p05: number; p50: number; p95: number }>>;
  /** The loop's daily bands, one per series the mode draws (`loopSeriesOf`); null when not applicable. */
  readonly paths: Readonly<Partial<Record<LoopSeries, Band>>> | null;
}

export interface StressResult {
  readonly scenarioName: string;
  /** The scenario the battery ran: after `--set` overrides and defaults, as `bme run`'s metadata records it. */
  readonly scenario: Scenario;
  /** The scenario's mode: marketplace mode runs on the marketplace engine and adds the queue's series. */
  readonly mode: "aggregate" | "marketplace";
  readonly days: number;
  readonly shockDay: number;
  readonly seed: number;
  readonly runs: number;
  readonly thresholds: StressThresholds;
  readonly confidence: number;
  /** The shocks' sizes the battery ran with. */
  readonly sizes: ShockSizes;
  readonly shocks: readonly ShockResult[];
}

/** Type-7 quantiles; an infinite runway stays infinite and its finite neighbour finite (quantileSorted). */
const q3 = (sorted: Float64Array) => ({
  p05: quantileSorted(sorted, 0.05),
  p50: quantileSorted(sorted, 0.5),
  p95: quantileSorted(sorted, 0.95),
});

/**
 * A metric within this of its threshold, relative to the threshold (absolute below 1), is on it:
 * the metrics are computed in floating point, so a value that is the threshold in exact arithmetic
 * (E16's top-up at a premium of 0.1 against `--max-top-up-impact 0.1`: 0.10000000000000009) can
 * land a few ulps past it.
 */
export const THRESHOLD_TOLERANCE = 1e-12;

/** Whether a run's metrics are each on their threshold's side (METRIC_THRESHOLDS), to THRESHOLD_TOLERANCE. */
export function passes(m: Record<StressMetric, number>, th: StressThresholds): boolean {
  return STRESS_METRICS.every((k) => {
    const { comparison, threshold } = METRIC_THRESHOLDS[k];
    const x = threshold(th);
    const slack = THRESHOLD_TOLERANCE * Math.max(1, Math.abs(x));
    return comparison === "<=" ? m[k] <= x + slack : m[k] >= x - slack;
  });
}

interface StressPlan {
  readonly mode: "aggregate" | "marketplace";
  readonly series: readonly LoopSeries[];
  readonly days: number;
  readonly shockDay: number;
  readonly pathRuns: number;
  readonly pool: boolean;
  readonly thresholds: StressThresholds;
  readonly confidence: number;
  readonly sizes: ShockSizes;
}

/** The sizes asked for, each checked to be a share in [0, 1] (a RangeError naming it otherwise). */
function sizesOf(sizes: ShockSizes | undefined): ShockSizes {
  const s = sizes ?? DEFAULT_SHOCK_SIZES;
  for (const [name, x] of Object.entries(s))
    if (!(typeof x === "number" && x >= 0 && x <= 1))
      throw new RangeError(`sizes.${name}: expected a share in [0, 1], got ${x}`);
  return s;
}

/**
 * The battery's default shock day: a third of the way from the end of phase 1 to the last day,
 * within days 1 … days − 1 (the last day when the run ends before phase 1 does).
 */
export function defaultShockDay(scenario: Pick<Scenario, "days" | "phaseOne">): number {
  const { days } = scenario;
  const p = scenario.phaseOne.phaseOneDays;
  return Math.max(1, Math.min(days - 1, p + Math.floor((days - p) / 3)));
}

function stressPlan(scenario: Scenario, options: StressOptions): StressPlan {
  const days = scenario.days;
  const shockDay = options.shockDay ?? defaultShockDay(scenario);
  if (!(Number.isInteger(shockDay) && shockDay >= 1 && shockDay < days))
    throw new RangeError(
      `shockDay: expected a whole day from 1 to ${days - 1} (the day before the shock is the reference), got ${shockDay}`,
    );
  return {
    mode: scenario.mode,
    series: loopSeriesOf(scenario.mode),
    days,
    shockDay,
    pathRuns: Math.min(options.pathRuns ?? 200, options.runs),
    pool: scenario.feedback?.amm !== undefined,
    thresholds: options.thresholds ?? DEFAULT_THRESHOLDS,
    confidence: options.confidence ?? 0.95,
    sizes: sizesOf(options.sizes),
  };
}

/** The chunks of every applicable shock: `chunkRuns` runs each (chunking never changes results). */
function stressTasks(
  scenario: Scenario,
  options: StressOptions,
  plan: StressPlan,
  chunkRuns: number,
): StressTask[] {
  const tasks: StressTask[] = [];
  for (const shock of SHOCKS) {
    if (shock.name === "sellWave" && !plan.pool) continue;
    for (let runStart = 0; runStart < options.runs; runStart += chunkRuns)
      tasks.push({
        scenario,
        seed: options.seed,
        shock: shock.name,
        shockDay: plan.shockDay,
        sizes: plan.sizes,
        pathRuns: plan.pathRuns,
        runStart,
        runEnd: Math.min(options.runs, runStart + chunkRuns),
      });
  }
  return tasks;
}

/** One shock's result from its chunks, taken in run order. */
function shockResult(
  shock: (typeof SHOCKS)[number],
  parts: readonly StressPartial[],
  options: StressOptions,
  plan: StressPlan,
): ShockResult {
  const { days, pathRuns, series } = plan;
  const applicable = parts.length > 0;
  const runs = options.runs;
  const values = STRESS_METRICS.map(() => new Float64Array(runs));
  const paths = series.map(() => new Float64Array(pathRuns * days));
  let passed = 0;
  let failedRuns = 0;
  let firstError: RunError | null = null;
  for (const p of [...parts].sort((a, b) => a.runStart - b.runStart)) {
    firstError ??= p.firstError;
    for (let k = 0; k < p.runEnd - p.runStart; k++) {
      // a stopped run fails the verdict, and its part-way metrics are no run's outcome: left out
      if (p.failed[k]) {
        failedRuns++;
        continue;
      }
      const m = Object.fromEntries(STRESS_METRICS.map((name, j) => [name, p.metrics[j][k]]));
      STRESS_METRICS.forEach((_, j) => {
        values[j][p.runStart + k - failedRuns] = p.metrics[j][k];
      });
      if (passes(m as Record<StressMetric, number>, plan.thresholds)) passed++;
    }
    if (p.pathCount > 0)
      series.forEach((_, si) => {
        const from = si * p.pathCount * days;
        paths[si].set(p.paths.subarray(from, from + p.pathCount * days), p.runStart * days);
      });
  }
  const metrics = Object.fromEntries(
    STRESS_METRICS.map((k, j) => [k, q3(values[j].subarray(0, runs - failedRuns).sort())]),
  ) as ShockResult["metrics"];
  return {
    shock: shock.name,
    description: describeShock(shock.name, plan.sizes),
    applicable,
    runs: applicable ? runs : 0,
    failedRuns,
    firstError,
    passShare: applicable ? passed / runs : Number.NaN,
    pass: applicable && passed / runs >= plan.confidence,
    metrics,
    paths: applicable ? bandsOf(series, paths, pathRuns, days) : null,
  };
}

function stressResult(
  scenario: Scenario,
  options: StressOptions,
  plan: StressPlan,
  partials: readonly StressPartial[],
  tasks: readonly StressTask[],
): StressResult {
  const shocks = SHOCKS.map((shock) =>
    shockResult(
      shock,
      partials.filter((_, i) => tasks[i].shock === shock.name),
      options,
      plan,
    ),
  );
  return {
    scenarioName: scenario.name,
    scenario,
    mode: plan.mode,
    days: plan.days,
    shockDay: plan.shockDay,
    seed: options.seed,
    runs: options.runs,
    thresholds: plan.thresholds,
    confidence: plan.confidence,
    sizes: plan.sizes,
    shocks,
  };
}

/**
 * `bme stress`: the standard battery of named shocks (SHOCKS), each over a Monte Carlo of
 * `runs` runs (run i draws from (seed, i), so every shock sees the same noise: common random
 * numbers), with the scenario's feedback, stochastic inputs and governance rules: aggregate mode
 * on the fused feedback kernel (src/feedback/kernel.ts), marketplace mode on the marketplace
 * engine with the shocks as inserted steps (stressMarket.ts). Per shock: each metric's
 * p5/median/p95, the share of runs meeting every threshold, pass when that share ≥ `confidence`,
 * and the loop's daily bands over the first `pathRuns` runs. A run stopped by an error fails.
 * In this thread; `runStressOnWorkers` gives the same result on worker threads.
 */
export function runStress(scenario: Scenario, options: StressOptions): StressResult {
  const plan = stressPlan(scenario, options);
  const tasks = stressTasks(scenario, options, plan, Math.max(1, options.runs));
  const feedback = compileFeedback(scenario) ?? undefined;
  const partials = tasks.map((t) => runStressChunk(t, feedback));
  return stressResult(scenario, options, plan, partials, tasks);
}

/** The compiled stress worker beside this module, or in dist/ when running from TypeScript sources. */
function stressWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return here.replace(/stress\.js$/, "stressWorker.js");
  const dist = here.replace(/\/src\/feedback\/stress\.ts$/, "/dist/src/feedback/stressWorker.js");
  if (!existsSync(dist))
    throw new Error(`the worker thread needs the build: ${dist} is missing (run npm run build)`);
  return dist;
}

/**
 * `runStress` on `workers` worker threads (piscina): the runs of every shock split into chunks,
 * each run's values depending on (seed, run) alone and merged in run order, so the result is
 * byte-identical to `runStress` for any number of workers. 1 worker runs in this thread.
 */
export async function runStressOnWorkers(
  scenario: Scenario,
  options: StressOptions & { readonly workers: number },
): Promise<StressResult> {
  const workers = Math.max(1, Math.floor(options.workers));
  if (workers === 1) return runStress(scenario, options);
  const plan = stressPlan(scenario, options);
  // a marketplace run costs hundreds of aggregate runs: smaller chunks keep the workers busy
  const least = plan.mode === "marketplace" ? 1 : 64;
  const chunkRuns = Math.max(least, Math.ceil(options.runs / (workers * 4)));
  const tasks = stressTasks(scenario, options, plan, chunkRuns);
  const pool = new Piscina({
    filename: stressWorkerFile(),
    minThreads: Math.min(workers, tasks.length),
    maxThreads: Math.min(workers, tasks.length),
  });
  try {
    const partials = (await Promise.all(tasks.map((t) => pool.run(t)))) as StressPartial[];
    return stressResult(scenario, options, plan, partials, tasks);
  } finally {
    await pool.destroy();
  }
}

function bandsOf(
  series: readonly LoopSeries[],
  paths: Float64Array[],
  runs: number,
  days: number,
): Partial<Record<LoopSeries, Band>> {
  const col = new Float64Array(runs);
  const bands = series.map((_, si) => {
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
      b.p05[t] = n > 0 ? quantileSorted(sorted, 0.05) : Number.NaN;
      b.p50[t] = n > 0 ? quantileSorted(sorted, 0.5) : Number.NaN;
      b.p95[t] = n > 0 ? quantileSorted(sorted, 0.95) : Number.NaN;
    }
    return b;
  });
  return Object.fromEntries(series.map((s, i) => [s, bands[i]]));
}
