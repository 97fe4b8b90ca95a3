/**
 * The engine in the browser: scenario object + `path=value` changes → parsed scenario →
 * one run → the series the charts draw. Pure; no DOM.
 */
import type { OutcomeMetric } from "../../src/analysis/types.js";
import { COL } from "../../src/engine/columns.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { type KernelScratch, kernelScratch } from "../../src/engine/kernel.js";
import type { KernelOutcome } from "../../src/engine/outcome.js";
import { outcomeContext, runOutcomes } from "../../src/montecarlo/outcomes.js";
import { compiledForRun } from "../../src/processes/generate.js";
import { runOne } from "../../src/runOne.js";
import { scenarioWarnings } from "../../src/scenario/checks.js";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/errors.js";
import { deterministicScenario } from "../../src/scenario/expected.js";
import { applyOverrides } from "../../src/scenario/overrides.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Scenario } from "../../src/scenario/schema.js";

/** `path → value` overrides, as `--set` takes them (the value is read as YAML). */
export type Changes = Readonly<Record<string, string>>;

export function changeList(changes: Changes): string[] {
  return Object.entries(changes).map(([k, v]) => `${k}=${v}`);
}

export type Prepared =
  | { ok: true; scenario: Scenario; warnings: string[] }
  | { ok: false; issues: ScenarioIssue[] };

/** Apply the changes to the base object and validate; every problem comes back with its path. */
export function prepare(base: unknown, changes: Changes, noise: boolean): Prepared {
  try {
    const list = changeList(changes);
    const raw = list.length > 0 ? applyOverrides(base, list) : base;
    let scenario = parseScenario(raw);
    // noise off is `bme run --deterministic`: the same function, not a restatement of it
    if (!noise) scenario = deterministicScenario(scenario);
    return { ok: true, scenario, warnings: scenarioWarnings(scenario) };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, issues: [...e.issues] };
    return { ok: false, issues: [{ path: "", message: (e as Error).message }] };
  }
}

/** The series the dashboard draws, by key; each `days` long. */
export type SeriesSet = Record<string, Float64Array>;

/** Keys of the drawn series of a compiled scenario (consumer demand depends on its names). */
export function seriesKeys(consumers: readonly string[]): string[] {
  return [
    "priceOfToken",
    "supply",
    "tokenReserve",
    "dollarReserve",
    ...consumers.map((c) => `jobCreated.${c}`),
    "burned",
    "minted",
    "phaseOneEmission",
    "phaseTwoEmission",
  ];
}

/** Pick the drawn series out of a column-major run table (`out[col·days + t]`). */
export function extractSeries(c: CompiledScenario, out: Float64Array, days: number): SeriesSet {
  const D = c.days;
  const col = (i: number) => out.slice(i * D, i * D + days);
  const burned = new Float64Array(days);
  const bb = COL.buybackTokens * D,
    ob = COL.onboardingTokens * D,
    rb = COL.reserveBuybackTokens * D;
  for (let t = 0; t < days; t++) burned[t] = out[bb + t] + out[ob + t] + out[rb + t];
  const s: SeriesSet = {
    priceOfToken: col(COL.priceOfToken),
    supply: col(COL.supply),
    tokenReserve: col(COL.tokenReserve),
    dollarReserve: col(COL.dollarReserve),
    burned,
    minted: col(COL.tokensPaid),
    phaseOneEmission: col(COL.phaseOneEmission),
    phaseTwoEmission: col(COL.phaseTwoEmission),
  };
  const jobs0 = COL.stakedTokens + 1;
  c.consumerNames.forEach((name, i) => {
    s[`jobCreated.${name}`] = col(jobs0 + i);
  });
  return s;
}

/** Outcome metrics of one run: src/analysis/types.ts OUTCOME_METRICS, computed by src/montecarlo/outcomes.ts. */
export type Metrics = Record<OutcomeMetric, number>;

export function runMetrics(c: CompiledScenario, out: Float64Array, days: number): Metrics {
  return runOutcomes(out, c.days, days, outcomeContext(c));
}

/**
 * One run into `out`, exactly as `bme run` does it: the stochastic inputs of (seed, run)
 * (compiledForRun), then runOne, the one place the engine is chosen (fast kernel, feedback
 * kernel, rules, scenario extensions such as the reserve controller, marketplace mode).
 */
export function runEngine(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch,
): KernelOutcome {
  return runOne(compiledForRun(c, seed, run), seed, run, out, { scratch });
}

export interface SingleRun {
  readonly compiled: CompiledScenario;
  readonly days: number;
  readonly series: SeriesSet;
  readonly metrics: Metrics;
  readonly error: string | null;
  /** Every column of the run, for the CSV export. */
  readonly table: { columns: readonly string[]; values: Float64Array[] };
}

/** One run of a parsed scenario with streams (seed, run 0). */
export function runOnce(scenario: Scenario, seed: number): SingleRun {
  const compiled = compileScenario(scenario);
  const out = new Float64Array(compiled.columns.length * compiled.days);
  const outcome = runEngine(compiled, seed, 0, out, kernelScratch(compiled));
  const days = outcome.daysCompleted;
  return {
    compiled,
    days,
    series: extractSeries(compiled, out, days),
    metrics: runMetrics(compiled, out, days),
    error: outcome.error ? outcome.error.message : null,
    table: {
      columns: compiled.columns,
      values: compiled.columns.map((_, c) =>
        out.slice(c * compiled.days, c * compiled.days + days),
      ),
    },
  };
}
