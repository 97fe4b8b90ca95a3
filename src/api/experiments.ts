/**
 * Experiments as library calls: Monte Carlo, sweep, A/B comparison and sensitivity, each
 * returning plain records (the same the CLI prints and the store keeps). Thin wrappers over
 * `runExperiment` (src/montecarlo), with progress callbacks and an `AbortSignal`.
 */
import type {
  ExperimentKind,
  ExperimentSink,
  ExperimentSpec,
  OutcomeMetric,
  PointResult,
  PointSpec,
  SensitivityRow,
} from "../analysis/types.js";
import { OUTCOME_METRICS } from "../analysis/types.js";
import { type PairedDifference, pairedDifferences } from "../montecarlo/compare.js";
import { runExperiment } from "../montecarlo/experiment.js";
import { sensitivityPlan, sensitivityRows } from "../montecarlo/sensitivity.js";
import { type Axis, expandSweep } from "../montecarlo/sweep.js";
import { type LoadOptions, loadScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { VERSION } from "../version.js";

/** A parsed scenario, or the path of a scenario file (YAML or JSON) to load. */
export type ScenarioSource = Scenario | string;

/** A value a swept field takes: what `--set path=value` would give it. */
export type SweepValue = number | string | boolean;

/** Options every experiment takes. */
export interface ExperimentOptions {
  /** Runs per point (run i of every point is seeded from (seed, i)); default 1000 (sweep 100). */
  readonly runs?: number;
  /** Seed of the experiment; default 0. */
  readonly seed?: number;
  /** Worker threads; default 1 (this thread). Results are identical for any number. */
  readonly workers?: number;
  /** `path=value` overrides and other load options, when the scenario is a file path. */
  readonly load?: LoadOptions;
  /** Called as runs complete: runs done and runs in total (over the points still to run). */
  readonly onProgress?: (runsDone: number, runsTotal: number) => void;
  /** Abort: no new chunk starts; finished points are returned (and kept in `store`). */
  readonly signal?: AbortSignal;
  /** Where each finished point is saved, e.g. a store from `openStore` (`bme-sim/store`). */
  readonly store?: ExperimentSink;
  /** Continue the unfinished experiment with the same spec in `store`. */
  readonly resume?: boolean;
}

/** What every experiment returns besides its own records. */
export interface ExperimentRecord {
  /** The experiment's id in the store, or null without a store. */
  readonly experimentId: string | null;
  /** The spec run (scenario as parsed, seed, runs per point, points, options). */
  readonly spec: ExperimentSpec;
  /** Every finished point, by index (with `resume`, also those stored earlier). */
  readonly points: readonly PointResult[];
  /** True when `signal` stopped the experiment before every point finished. */
  readonly interrupted: boolean;
}

function scenarioOf(source: ScenarioSource, load: LoadOptions | undefined): Scenario {
  return typeof source === "string" ? loadScenario(source, load).scenario : source;
}

async function run(
  kind: ExperimentKind,
  scenario: Scenario,
  points: PointSpec[],
  options: Record<string, unknown>,
  o: ExperimentOptions,
  defaultRuns: number,
): Promise<ExperimentRecord> {
  const runs = o.runs ?? defaultRuns;
  if (!Number.isInteger(runs) || runs < 1)
    throw new RangeError(`runs: expected a whole number ≥ 1, got ${runs}`);
  const spec: ExperimentSpec = {
    kind,
    scenarioName: scenario.name,
    scenario,
    version: VERSION,
    seed: o.seed ?? 0,
    runsPerPoint: runs,
    points,
    options,
  };
  const outcome = await runExperiment(spec, {
    workers: o.workers ?? 1,
    sink: o.store,
    resume: o.resume,
    signal: o.signal,
    onProgress: o.onProgress,
  });
  const byIndex = new Map<number, PointResult>();
  if (outcome.skippedPoints > 0 && outcome.experimentId && o.store) {
    const loader = o.store as Partial<{
      loadExperiment(id: string): Promise<{ points: PointResult[] } | null>;
    }>;
    const stored = await loader.loadExperiment?.(outcome.experimentId);
    for (const p of stored?.points ?? []) byIndex.set(p.index, p);
  }
  for (const p of outcome.points) if (p) byIndex.set(p.index, p);
  return {
    experimentId: outcome.experimentId,
    spec,
    points: [...byIndex.values()].sort((a, b) => a.index - b.index),
    interrupted: outcome.interrupted,
  };
}

/** A Monte Carlo's result: its one point (bands of every column per day, outcomes per run). */
export interface MonteCarloResult extends ExperimentRecord {
  /** The point, or undefined when aborted before it finished. */
  readonly point: PointResult | undefined;
}

/**
 * Run a scenario `runs` times with seeded noise (run i seeded from (seed, i)): per-day bands
 * (p5, p25, p50, p75, p95, mean) of every docs/model.md §7 column and the outcome metrics of
 * every run. Throws `ScenarioError` for a bad scenario, before any run.
 */
export async function monteCarlo(
  scenario: ScenarioSource,
  options: ExperimentOptions = {},
): Promise<MonteCarloResult> {
  const s = scenarioOf(scenario, options.load);
  const r = await run("montecarlo", s, [{ index: 0, params: {} }], {}, options, 1000);
  return { ...r, point: r.points[0] };
}

/** Options of a sweep: at least one grid or zip axis, `path → values`. */
export interface SweepOptions extends ExperimentOptions {
  /** Every combination of these fields' values (`{ "onchain.buybackModulation": [0.5, 1] }`). */
  readonly grid?: Readonly<Record<string, readonly SweepValue[]>>;
  /** These fields' values paired by position (all lists the same length). */
  readonly zip?: Readonly<Record<string, readonly SweepValue[]>>;
}

const axes = (m: SweepOptions["grid"]): Axis[] =>
  Object.entries(m ?? {}).map(([path, values]) => ({ path, values: [...values] }));

/**
 * A Monte Carlo at every point of a grid (every combination) or zip (paired by position) of
 * field values; zip axes vary together, the grid axes over them. Point i's parameters are in
 * `points[i].params`. Throws `RangeError` without any axis, `ScenarioError` for a bad point.
 */
export async function sweep(
  scenario: ScenarioSource,
  options: SweepOptions,
): Promise<ExperimentRecord> {
  const grid = axes(options.grid);
  const zip = axes(options.zip);
  if (grid.length + zip.length === 0)
    throw new RangeError("sweep: give at least one grid or zip axis");
  const points = expandSweep(grid, zip);
  return run("sweep", scenarioOf(scenario, options.load), points, { grid, zip }, options, 100);
}

/** Options of an A/B comparison. */
export interface CompareOptions extends ExperimentOptions {
  /** Names of the arms in reports; default the scenarios' names. */
  readonly labels?: readonly [string, string];
}

/** An A/B comparison: both arms, their labels and the paired differences B − A per metric. */
export interface CompareResult extends ExperimentRecord {
  readonly labels: readonly [string, string];
  readonly a: PointResult | undefined;
  readonly b: PointResult | undefined;
  /** Per outcome metric: means, mean of run-by-run differences B − A, its 95% interval. */
  readonly differences: readonly PairedDifference[];
}

/**
 * A/B: the same runs with the same seeds in two scenarios (common random numbers), so each
 * difference is the policy's, not the noise's. Differences within 1e-9 of the arms' values
 * are floating-point residue and count as 0.
 */
export async function compare(
  a: ScenarioSource,
  b: ScenarioSource,
  options: CompareOptions = {},
): Promise<CompareResult> {
  const sa = scenarioOf(a, options.load);
  const sb = scenarioOf(b, options.load);
  const labels = options.labels ?? defaultLabels(sa.name, sb.name);
  const r = await run(
    "compare",
    sa,
    [
      { index: 0, params: {} },
      { index: 1, params: {}, scenario: sb },
    ],
    { labels: [...labels] },
    options,
    500,
  );
  const [pa, pb] = [r.points.find((p) => p.index === 0), r.points.find((p) => p.index === 1)];
  return {
    ...r,
    labels,
    a: pa,
    b: pb,
    differences: pa && pb ? pairedDifferences(pa, pb) : [],
  };
}

/** Arm labels from scenario names: the names, or "<name> (A)"/"<name> (B)" when they are equal. */
export function defaultLabels(nameA: string, nameB: string): [string, string] {
  return nameA === nameB ? [`${nameA} (A)`, `${nameB} (B)`] : [nameA, nameB];
}

/** Options of a sensitivity analysis. */
export interface SensitivityOptions extends ExperimentOptions {
  /** Relative move of each on-chain variable, in (0, 1); default 0.1. */
  readonly delta?: number;
  /** Outcome metrics to rank by (one tornado each); default ["finalPrice"]. */
  readonly metrics?: readonly OutcomeMetric[];
}

/** A sensitivity analysis: one table (a tornado's rows) per metric, largest swing first. */
export interface SensitivityResult extends ExperimentRecord {
  readonly delta: number;
  readonly tables: readonly { readonly metric: OutcomeMetric; readonly rows: SensitivityRow[] }[];
  /** Variables that ±delta cannot move within their range, with why. */
  readonly skipped: readonly { readonly variable: string; readonly reason: string }[];
}

/**
 * Move each on-chain variable (docs/model.md §4) to ×(1 − delta) and ×(1 + delta), clamped to
 * its range, the others at their base value, and rank the variables by the swing of each
 * metric's mean. `rows[i].baseValue` is the variable's value in the scenario.
 */
export async function sensitivity(
  scenario: ScenarioSource,
  options: SensitivityOptions = {},
): Promise<SensitivityResult> {
  const delta = options.delta ?? 0.1;
  if (!(delta > 0 && delta < 1))
    throw new RangeError(`delta: expected a number in (0, 1), got ${delta}`);
  const metrics =
    options.metrics && options.metrics.length > 0 ? [...options.metrics] : ["finalPrice" as const];
  for (const m of metrics)
    if (!OUTCOME_METRICS.includes(m))
      throw new RangeError(`metrics: "${m}" is not one of ${OUTCOME_METRICS.join(", ")}`);
  const s = scenarioOf(scenario, options.load);
  const plan = sensitivityPlan(s, delta);
  const r = await run(
    "sensitivity",
    s,
    plan.points,
    { delta, metric: metrics[0], metrics },
    options,
    200,
  );
  const complete = r.points.length === plan.points.length;
  return {
    ...r,
    delta,
    skipped: plan.skipped,
    tables: complete
      ? metrics.map((metric) => ({ metric, rows: sensitivityRows(plan, r.points, metric) }))
      : [],
  };
}
