import type { CompiledScenario } from "../engine/compile.js";
import { type KernelScratch, runKernel } from "../engine/kernel.js";
import type { KernelOutcome } from "../engine/outcome.js";
import { noFeedback, runFeedbackAggregate } from "./day.js";
import { compileFeedback, type FeedbackPlan } from "./plan.js";

const plans = new WeakMap<CompiledScenario, FeedbackPlan>();

/** The compiled scenario's feedback plan, compiled once per compiled scenario. */
export function feedbackPlanOf(c: CompiledScenario): FeedbackPlan {
  let plan = plans.get(c);
  if (!plan) {
    plan = compileFeedback(c.scenario) ?? noFeedback(c.days);
    plans.set(c, plan);
  }
  return plan;
}

/**
 * One aggregate-mode run for the Monte Carlo paths: the fused kernel for a scenario without a
 * feedback block (MODEL.md to the bit), the day's step sequence with its feedback otherwise,
 * so no command silently drops a scenario's feedback.
 */
export function runAggregateRun(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch,
): KernelOutcome {
  if (c.scenario.feedback === undefined) return runKernel(c, seed, run, out, scratch);
  return runFeedbackAggregate(c, seed, run, out, feedbackPlanOf(c));
}
