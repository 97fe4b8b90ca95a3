import { scenarioExtensions } from "./day/extensions.js";
import type { StepInsertion } from "./day/sequence.js";
import { compileScenario } from "./engine/compile.js";
import { runKernel } from "./engine/kernel.js";
import { runAggregateDays } from "./engine/reference.js";
import { type RunResult, resultFromBuffer } from "./engine/result.js";
import { runFeedbackAggregate } from "./feedback/day.js";
import { runFeedbackKernel } from "./feedback/kernel.js";
import { runMarketplace } from "./marketplace/engine.js";
import {
  computeMetrics,
  type Metric,
  PluginError,
  type Policy,
  policySteps,
} from "./plugins/api.js";
import { compiledForRun } from "./processes/generate.js";
import { type GovernanceChange, governanceStep, scheduleChanges } from "./rules/step.js";
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
  const own = scenarioExtensions(parsed);
  // feedback and rules without other extensions: the fused feedback kernel (byte-identical)
  const fused =
    parsed.mode === "aggregate" &&
    !options.reference &&
    (parsed.feedback !== undefined || rules.length > 0) &&
    own.length === 0 &&
    !options.policies?.length &&
    !options.extensions?.length;
  const extensions = [
    ...own,
    ...(rules.length > 0 ? [governanceStep(compiled, rules, governance)] : []),
    ...(options.policies?.length ? policySteps(options.policies, governance) : []),
    ...(options.extensions ?? []),
  ];
  const market =
    parsed.mode === "marketplace"
      ? runMarketplace(compiled, seed, run, data, { extensions })
      : undefined;
  const outcome =
    market ??
    (fused
      ? runFeedbackKernel(compiled, seed, run, data, { rules, governanceLog: governance })
      : parsed.feedback
        ? runFeedbackAggregate(compiled, seed, run, data, undefined, extensions)
        : options.reference || extensions.length > 0
          ? runAggregateDays(compiled, seed, run, data, extensions)
          : runKernel(compiled, seed, run, data));
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
