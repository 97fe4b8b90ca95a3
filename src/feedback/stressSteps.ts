import type { DayContext, DayStep, StepInsertion } from "../day/sequence.js";
import type { FeedbackContext } from "./day.js";
import type { ShockName } from "./stressMetrics.js";
import { crashDemand, sellWaveTokens } from "./stressShocks.js";

const asStep = <C extends DayContext>(s: DayStep<C>) => s as unknown as DayStep;

/** How a mode applies the battery's shocks (docs/model-feedback.md, "Stress battery"). */
export interface ShockForm {
  /** demandCrash on the day's jobs (per consumer type), from the shock day on. */
  readonly crash: (jobs: Float64Array) => void;
  /** Whether sellWave applies without an AMM pool (aggregate: yes; marketplace: no). */
  readonly sellWithoutPool: boolean;
}

/** Aggregate mode's shocks: every type's jobs × 0.3, the sell wave with or without a pool. */
export const AGGREGATE_SHOCKS: ShockForm = { crash: crashDemand, sellWithoutPool: true };

/**
 * The battery's shock as steps inserted into a day (the readable form of the fused kernel's
 * `shockDays`): demandCrash and sentimentCollapse after "inputs" from `shockDay` on (the crash
 * by `form.crash`; the collapse zeroes exchange demand and governance value); sellWave before
 * "price" on `shockDay` (10% of the circulating supply sold). "combined" is all three, the
 * sell wave only with a pool.
 */
export function shockSteps(
  shock: ShockName,
  shockDay: number,
  pool: boolean,
  form: ShockForm = AGGREGATE_SHOCKS,
): StepInsertion[] {
  const crash: StepInsertion = {
    after: "inputs",
    step: asStep<DayContext>({
      name: "stressDemandCrash",
      run: ({ t, day }) => {
        if (t >= shockDay) form.crash(day.jobs);
        return undefined;
      },
    }),
  };
  const collapse: StepInsertion = {
    after: "inputs",
    step: asStep<DayContext>({
      name: "stressSentimentCollapse",
      run: ({ t, day }) => {
        if (t >= shockDay) {
          day.sentiment = 0;
          day.governance = 0;
        }
        return undefined;
      },
    }),
  };
  const wave: StepInsertion = {
    before: "price",
    step: asStep<FeedbackContext>({
      name: "stressSellWave",
      run: (c) => {
        if (c.t === shockDay) c.fb.extraSell = sellWaveTokens(c.state.supply);
        return undefined;
      },
    }),
  };
  switch (shock) {
    case "baseline":
      return [];
    case "demandCrash":
      return [crash];
    case "sentimentCollapse":
      return [collapse];
    case "sellWave":
      return pool || form.sellWithoutPool ? [wave] : [];
    case "combined":
      return pool ? [crash, collapse, wave] : [crash, collapse];
  }
}
