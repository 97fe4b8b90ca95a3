import type { StepInsertion } from "./day/sequence.js";
import { compileScenario } from "./engine/compile.js";
import { type RunResult, resultFromBuffer } from "./engine/result.js";
import { computeMetrics, type Metric, PluginError, type Policy } from "./plugins/api.js";
import { compiledForRun } from "./processes/generate.js";
import { type GovernanceChange, scheduleChanges } from "./rules/step.js";
import { runOne } from "./runOne.js";
import { scenarioWarnings } from "./scenario/checks.js";
import { parseScenario } from "./scenario/parse.js";
import type { Scenario, ScenarioInput } from "./scenario/schema.js";
import { VERSION } from "./version.js";

export interface SimulateOptions {
  /** Seed of the run's random streams, a whole number 0 … 2^53−1. Default 0. */
  readonly seed?: number;
  /** Index of the run within a Monte Carlo: run i draws from streams derived from (seed, i). Default 0. */
  readonly run?: number;
  /** Use the readable reference engine instead of the fast kernel (same results; for checking). */
  readonly reference?: boolean;
  /**
   * Steps inserted into the day at named places (src/day/sequence.ts), in either mode, after
   * those the scenario itself asks for (`scenarioExtensions`). A run with any extension uses
   * the step-sequence engine; the fast kernel is a fused twin of the plain day only.
   */
  readonly extensions?: readonly StepInsertion[];
  /** Your own policies (src/plugins/api.ts), asked at step 1 of every day after the rules. */
  readonly policies?: readonly Policy[];
  /** Your own metrics, computed on the finished run into `result.metrics`. */
  readonly metrics?: readonly Metric[];
}

/**
 * Run the daily model of docs/model.md §6 for `scenario.days` days. The scenario is validated
 * (a ScenarioError lists every problem); a run that stops on an invariant violation or a
 * missing price returns the rows it had and its `error`.
 */
export function simulate(
  scenario: Scenario | ScenarioInput,
  options: SimulateOptions = {},
): RunResult {
  const parsed = parseScenario(scenario);
  const seed = options.seed ?? 0;
  const run = options.run ?? 0;
  const compiled = compiledForRun(compileScenario(parsed), seed, run);
  const data = new Float64Array(compiled.columns.length * compiled.days);
  const governance: GovernanceChange[] = [];
  const rules = parsed.rules ?? [];
  const outcome = runOne(compiled, seed, run, data, {
    policies: options.policies,
    extensions: options.extensions,
    governanceLog: governance,
    reference: options.reference,
  });
  const market = "marketplace" in outcome ? outcome : undefined;
  const meta = {
    scenarioName: parsed.name,
    seed,
    run,
    version: VERSION,
    mode: parsed.mode,
    scenario: parsed,
    warnings: scenarioWarnings(parsed),
  };
  const result = resultFromBuffer(
    meta,
    compiled.columns,
    data,
    compiled.days,
    outcome.daysCompleted,
    outcome.error,
  );
  // the change log: the rules' (with the votes among them) and the policies', or the schedule's
  // votes with the policies' (a stable sort by day keeps a day's vote before its policies)
  const log =
    rules.length > 0
      ? governance
      : [...scheduleChanges(compiled), ...governance].sort((a, b) => a.day - b.day);
  const withRules = log.length > 0 ? { ...result, governance: log } : result;
  const full = market ? { ...withRules, marketplace: market.marketplace } : withRules;
  if (!options.metrics?.length || full.error) return full;
  const metrics = computeMetrics(options.metrics, full);
  return metrics instanceof PluginError ? { ...full, error: metrics } : { ...full, metrics };
}
