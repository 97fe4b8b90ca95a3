import type { CompiledScenario } from "../engine/compile.js";
import { type KernelScratch, runKernel } from "../engine/kernel.js";
import type { KernelOutcome } from "../engine/outcome.js";
import { runAggregateDays } from "../engine/reference.js";
import type { StochasticInputs } from "../processes/generate.js";
import { governanceStep } from "./step.js";

/**
 * One aggregate run for Monte Carlo: the fast kernel for a plain day (stochastic inputs are
 * generated into the compiled scenario first), the step-sequence engine when the scenario has
 * governance rules (a fresh rule state per run; the change log is not kept).
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
  if (rules.length === 0) return runKernel(cc, seed, run, out, scratch);
  return runAggregateDays(cc, seed, run, out, [governanceStep(c, rules, [])]);
}
