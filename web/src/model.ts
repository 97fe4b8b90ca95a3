/**
 * The engine in the browser: scenario object + `path=value` changes → parsed scenario →
 * one run → the series the charts draw. Pure; no DOM.
 */
import type { OutcomeMetric } from "../../src/analysis/types.js";
import { COL } from "../../src/engine/columns.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { type KernelScratch, kernelScratch, runKernel } from "../../src/engine/kernel.js";
import type { KernelOutcome } from "../../src/engine/outcome.js";
import { runMarketplace } from "../../src/marketplace/engine.js";
import { outcomeContext, runOutcomes } from "../../src/montecarlo/outcomes.js";
import { compiledForRun } from "../../src/processes/generate.js";
import { scenarioWarnings } from "../../src/scenario/checks.js";
import { ScenarioError, type ScenarioIssue } from "../../src/scenario/errors.js";
import { applyOverrides } from "../../src/scenario/overrides.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { isFormulaSeries, type Series } from "../../src/scenario/series.js";

/** `path → value` overrides, as `--set` takes them (the value is read as YAML). */
export type Changes = Readonly<Record<string, string>>;

export function changeList(changes: Changes): string[] {
  return Object.entries(changes).map(([k, v]) => `${k}=${v}`);
}

/** `--deterministic`: every formula series' noise set to 0 (as `withoutNoise` in load.ts). */
export function withoutNoise(s: Scenario): Scenario {
  const f = (series: Series): Series =>
    isFormulaSeries(series) ? { ...series, noise: 0 } : series;
  return {
    ...s,
    consumers: s.consumers.map((c) => ({ ...c, jobsPerDay: f(c.jobsPerDay) })),
    suppliers: s.suppliers.map((k) => ({ ...k, count: f(k.count) })),
    consumerSentiment: f(s.consumerSentiment),
    governanceValue: f(s.governanceValue),
  };
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
    if (!noise) scenario = withoutNoise(scenario);
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

/** One run of either mode (docs/model.md §6 aggregate, §9 marketplace) into `out`, as `simulate` does. */
export function runEngine(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch,
): KernelOutcome {
  const inputs = compiledForRun(c, seed, run); // stochastic inputs (issue 12), if any
  return c.scenario.mode === "marketplace"
    ? runMarketplace(inputs, seed, run, out)
    : runKernel(inputs, seed, run, out, scratch);
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
