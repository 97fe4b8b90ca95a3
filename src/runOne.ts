import { scenarioExtensions } from "./day/extensions.js";
import type { StepInsertion } from "./day/sequence.js";
import type { CompiledScenario } from "./engine/compile.js";
import { type KernelScratch, runKernel } from "./engine/kernel.js";
import type { KernelOutcome } from "./engine/outcome.js";
import { runAggregateDays } from "./engine/reference.js";
import { runFeedbackAggregate } from "./feedback/day.js";
import { runFeedbackKernel } from "./feedback/kernel.js";
import type { FeedbackPlan } from "./feedback/plan.js";
import { type MarketOutcome, runMarketplace } from "./marketplace/engine.js";
import { type Policy, policySteps } from "./plugins/api.js";
import { type GovernanceChange, governanceStep } from "./rules/step.js";

/** What one run needs besides its scenario, seed and run index (every field optional). */
export interface RunOneOptions {
  /** Plugin policies (src/plugins/api.ts), asked after the rules, with a fresh state per run. */
  readonly policies?: readonly Policy[];
  /** Steps the caller inserts into the day (after the scenario's own, the rules and policies). */
  readonly extensions?: readonly StepInsertion[];
  /** Where the rules' and policies' changes are logged; none: they are not kept. */
  readonly governanceLog?: GovernanceChange[];
  /** The readable step-sequence engine instead of a fused kernel (same bytes; for checking). */
  readonly reference?: boolean;
  /** The fast kernel's reusable buffers (a worker's, reused run after run). */
  readonly scratch?: KernelScratch;
  /** The scenario's compiled feedback block, when the caller keeps one (feedbackPlanOf). */
  readonly plan?: FeedbackPlan;
}

/**
 * One run of a compiled scenario (its stochastic inputs already generated for this run,
 * compiledForRun) into `out[col·days + t]`: the one place where the engine is chosen, so every
 * command — `bme run`, Monte Carlo, sweep, compare, sensitivity, kept runs — runs a scenario the
 * same way. Marketplace mode (docs/model.md §9) runs the marketplace engine, with the rules and
 * policies as steps; aggregate mode runs the fast kernel for a plain day, the fused feedback
 * kernel for feedback or rules alone (byte-identical to the step sequence), and the step-sequence
 * engine when policies or other steps are inserted (or `reference`). Returns the days completed
 * and the error that stopped the run (marketplace mode: with its marketplace result).
 */
export function runOne(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  o: RunOneOptions = {},
): KernelOutcome | MarketOutcome {
  const s = c.scenario;
  const rules = s.rules ?? [];
  const log = o.governanceLog ?? [];
  const own = scenarioExtensions(s);
  const inserted = own.length + (o.policies?.length ?? 0) + (o.extensions?.length ?? 0);
  if (s.mode === "aggregate" && !o.reference && inserted === 0) {
    if (s.feedback === undefined && rules.length === 0)
      return runKernel(c, seed, run, out, o.scratch);
    return runFeedbackKernel(c, seed, run, out, { plan: o.plan, rules, governanceLog: log });
  }
  const extensions = [
    ...own,
    ...(rules.length > 0 ? [governanceStep(c, rules, log)] : []),
    ...(o.policies?.length ? policySteps(o.policies, log) : []),
    ...(o.extensions ?? []),
  ];
  if (s.mode === "marketplace") return runMarketplace(c, seed, run, out, { extensions });
  if (s.feedback !== undefined) return runFeedbackAggregate(c, seed, run, out, o.plan, extensions);
  return runAggregateDays(c, seed, run, out, extensions);
}
