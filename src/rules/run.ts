import type { CompiledScenario } from "../engine/compile.js";
import { type KernelScratch, runKernel } from "../engine/kernel.js";
import type { KernelOutcome } from "../engine/outcome.js";
import { runFeedbackKernel } from "../feedback/kernel.js";
import { feedbackPlanOf } from "../feedback/run.js";
import type { StochasticInputs } from "../processes/generate.js";

/**
 * One aggregate run for the Monte Carlo paths: stochastic inputs (E23–E30) are generated into
 * the compiled scenario first; then the fast kernel for a plain day, and the fused feedback
 * kernel (src/feedback/kernel.ts, byte-identical to the step-sequence engine) when the scenario
 * has governance rules (a fresh rule state per run; the change log is not kept) or a feedback
 * block (E40–E50), so no command silently drops an extension.
 */
export function runAggregateRun(
  c: CompiledScenario,
  inputs: StochasticInputs | null,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch,
): KernelOutcome {
  const cc = inputs ? inputs.forRun(seed, run) : c;
  const rules = c.scenario.rules ?? [];
  if (c.scenario.feedback === undefined && rules.length === 0)
    return runKernel(cc, seed, run, out, scratch);
  return runFeedbackKernel(cc, seed, run, out, { plan: feedbackPlanOf(c), rules });
}
