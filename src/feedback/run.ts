import type { CompiledScenario } from "../engine/compile.js";
import { noFeedback } from "./day.js";
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
