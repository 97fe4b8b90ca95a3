import { scenarioExtensions } from "./day/extensions.js";
import type { StepInsertion } from "./day/sequence.js";
import { compileScenario } from "./engine/compile.js";
import { runKernel } from "./engine/kernel.js";
import { runAggregateDays } from "./engine/reference.js";
import { type RunResult, resultFromBuffer } from "./engine/result.js";
import { runFeedbackAggregate } from "./feedback/day.js";
import { runMarketplace } from "./marketplace/engine.js";
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
  const compiled = compileScenario(parsed);
  const data = new Float64Array(compiled.columns.length * compiled.days);
  const extensions = [...scenarioExtensions(parsed), ...(options.extensions ?? [])];
  const market =
    parsed.mode === "marketplace"
      ? runMarketplace(compiled, seed, run, data, { extensions })
      : undefined;
  const outcome =
    market ??
    (parsed.feedback
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
  return market ? { ...result, marketplace: market.marketplace } : result;
}
