import type { CompiledScenario } from "../engine/compile.js";
import { type KernelScratch, runKernel } from "../engine/kernel.js";
import type { KernelOutcome } from "../engine/outcome.js";
import { runAggregateDays } from "../engine/reference.js";
import { runFeedbackAggregate } from "../feedback/day.js";
import { runFeedbackKernel } from "../feedback/kernel.js";
import { feedbackPlanOf } from "../feedback/run.js";
import { type Policy, policySteps } from "../plugins/api.js";
import type { StochasticInputs } from "../processes/generate.js";
import { governanceStep } from "./step.js";

/**
 * One aggregate run for the Monte Carlo paths: stochastic inputs (E23–E30) are generated into
 * the compiled scenario first; then the fast kernel for a plain day, and the fused feedback
 * kernel (src/feedback/kernel.ts, byte-identical to the step-sequence engine) when the scenario
 * has governance rules (a fresh rule state per run; the change log is not kept) or a feedback
 * block (E40–E50), so no command silently drops an extension. Plugin `policies`
 * (src/plugins/api.ts) take the step-sequence engine, after the rules, with a fresh state per run.
 */
export function runAggregateRun(
  c: CompiledScenario,
  inputs: StochasticInputs | null,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch,
  policies: readonly Policy[] = [],
): KernelOutcome {
  const cc = inputs ? inputs.forRun(seed, run) : c;
  const rules = c.scenario.rules ?? [];
  if (policies.length > 0) {
    const extensions = [
      ...(rules.length > 0 ? [governanceStep(cc, rules, [])] : []),
      ...policySteps(policies),
    ];
    if (c.scenario.feedback !== undefined)
      return runFeedbackAggregate(cc, seed, run, out, feedbackPlanOf(c), extensions);
    return runAggregateDays(cc, seed, run, out, extensions);
  }
  if (c.scenario.feedback === undefined && rules.length === 0)
    return runKernel(cc, seed, run, out, scratch);
  return runFeedbackKernel(cc, seed, run, out, { plan: feedbackPlanOf(c), rules });
}
