import { composeDay, type DayStep, runDays, type StepInsertion } from "../day/sequence.js";
import { emissions, onboarding, price, split, suppliers } from "../day/steps.js";
import type { CompiledScenario } from "../engine/compile.js";
import type { KernelOutcome } from "../engine/outcome.js";
import { createMarketContext, type MarketContext } from "./context.js";
import { marketInvariants, marketplaceResult, marketRecord } from "./record.js";
import type { MarketplaceResult } from "./result.js";
import { marketBurn, scheduling } from "./scheduling.js";
import { marketTopUp, marketUpdate, settlement } from "./settlement.js";
import { marketInputs, marketSchedule, submission } from "./submission.js";
import { marketRewards, marketValidators } from "./validation.js";

export interface MarketOutcome extends KernelOutcome {
  readonly marketplace: MarketplaceResult;
}

export interface MarketOptions {
  /** Use the readable reference scheduler (same results, slower; for checking). */
  readonly referenceScheduler?: boolean;
  /** Steps inserted into the day at their named places (src/day/sequence.ts). */
  readonly extensions?: readonly StepInsertion[];
}

/**
 * Marketplace mode's day: its own steps where individual jobs, tasks and suppliers make the
 * day's totals (submission, scheduling, validation and expiry, settlement …), the shared
 * accounting steps of `src/day/steps.ts` (split, suppliers, onboarding, price, emissions) as
 * they are, and the shared "record" and "invariants" inside its own.
 */
export const MARKET_DAY: readonly DayStep<MarketContext>[] = [
  { name: "schedule", run: marketSchedule },
  { name: "inputs", run: marketInputs },
  { name: "income", run: submission },
  { name: "split", run: split },
  { name: "suppliers", run: suppliers },
  { name: "onboarding", run: onboarding },
  { name: "bonds", run: scheduling },
  { name: "price", run: price },
  { name: "burn", run: marketBurn },
  { name: "rewards", run: marketRewards },
  { name: "emissions", run: emissions },
  { name: "validators", run: marketValidators },
  { name: "payouts", run: settlement },
  { name: "topUp", run: marketTopUp },
  { name: "update", run: marketUpdate },
  { name: "record", run: marketRecord },
  { name: "invariants", run: marketInvariants },
];

/**
 * Marketplace (agent) mode, docs/model.md §9: the day of §6 driven by individual jobs, tasks and
 * suppliers. Burn at submission, mint at validation; bonds (E22) posted on acceptance, returned
 * on validation, confiscated into the token reserve on failure; expired tasks refunded from the
 * dollar reserve. Every choice §9 leaves open is documented in docs/marketplace.md. Writes the
 * same column-major §7 table as the aggregate engines and checks I1–I3 every day.
 */
export function runMarketplace(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  options: MarketOptions = {},
): MarketOutcome {
  const m = createMarketContext(c, seed, run, out, options.referenceScheduler ?? false);
  const { daysCompleted, error } = runDays(m, composeDay(MARKET_DAY, options.extensions ?? []));
  return { daysCompleted, error, marketplace: marketplaceResult(m, daysCompleted) };
}
