import type { Scenario } from "../scenario/schema.js";
import type { StepInsertion } from "./sequence.js";

/**
 * The steps a scenario's own blocks insert into the day, in order (governance rules at
 * "schedule", supplier churn after "suppliers", holders' sales and an AMM around "price", …).
 * Each feature adds its block's insertions here; a scenario with none runs on the fast kernel.
 */
export function scenarioExtensions(_scenario: Scenario): StepInsertion[] {
  return [];
}
