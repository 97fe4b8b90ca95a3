import type { DayStep, StepInsertion } from "../day/sequence.js";
import { emissions, onboarding, price, split, suppliers } from "../day/steps.js";
import type { KernelOutcome } from "../engine/outcome.js";
import type { MarketContext } from "./context.js";
import { marketInvariants, marketRecord } from "./record.js";
import type { MarketplaceResult } from "./result.js";
import { marketBurn, scheduling } from "./scheduling.js";
import { marketTopUp, marketUpdate, settlement } from "./settlement.js";
import { marketInputs, marketSchedule, submission } from "./submission.js";
import { marketRewards, marketValidators } from "./validation.js";

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

export interface MarketOutcome extends KernelOutcome {
  readonly marketplace: MarketplaceResult;
}

export interface MarketOptions {
  /** Use the readable reference scheduler (same results, slower; for checking). */
  readonly referenceScheduler?: boolean;
  /** Steps inserted into the day at their named places (src/day/sequence.ts). */
  readonly extensions?: readonly StepInsertion[];
}
