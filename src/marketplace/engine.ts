import { composeDay, runDays } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import { createMarketContext } from "./context.js";
import { MARKET_DAY, type MarketOptions, type MarketOutcome } from "./day.js";
import { runMarketFeedback } from "./feedback.js";
import { marketplaceResult } from "./record.js";

export { MARKET_DAY, type MarketOptions, type MarketOutcome } from "./day.js";

/**
 * Marketplace (agent) mode, docs/model.md §9: the day of §6 driven by individual jobs, tasks and
 * suppliers. Burn at submission, mint at validation; bonds (E22) posted on acceptance, returned
 * on validation, confiscated into the token reserve on failure; expired tasks refunded from the
 * dollar reserve. Every choice §9 leaves open is documented in docs/marketplace.md. Writes the
 * same column-major §7 table as the aggregate engines and checks I1–I3 every day. A scenario
 * with a `feedback` block runs the same day with the feedback laws (src/marketplace/feedback.ts).
 */
export function runMarketplace(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  options: MarketOptions = {},
): MarketOutcome {
  if (c.scenario.feedback) return runMarketFeedback(c, seed, run, out, options);
  const m = createMarketContext(c, seed, run, out, options.referenceScheduler ?? false);
  const { daysCompleted, error } = runDays(m, composeDay(MARKET_DAY, options.extensions ?? []));
  return { daysCompleted, error, marketplace: marketplaceResult(m, daysCompleted) };
}
