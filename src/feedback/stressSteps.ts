import type { DayContext, DayStep, StepInsertion } from "../day/sequence.js";
import type { FeedbackContext } from "./day.js";
import type { ShockName } from "./stressMetrics.js";
import {
  crashDemand,
  DEFAULT_SHOCK_SIZES,
  type ShockSizes,
  sellWaveTokens,
} from "./stressShocks.js";

const asStep = <C extends DayContext>(s: DayStep<C>) => s as unknown as DayStep;

/** How a mode applies the battery's shocks (docs/model-feedback.md, "Stress battery"). */
export interface ShockForm {
  /** demandCrash on the day's jobs (per consumer type), from the shock day on: jobs × share. */
  readonly crash: (jobs: Float64Array, share: number) => void;
  /** Whether sellWave applies without an AMM pool (aggregate: yes; marketplace: no). */
  readonly sellWithoutPool: boolean;
}

/** Aggregate mode's shocks: every type's jobs × the crash share, the sell wave with or without a pool. */
export const AGGREGATE_SHOCKS: ShockForm = { crash: crashDemand, sellWithoutPool: true };

/**
 * The battery's shock as steps inserted into a day (the readable form of the fused kernel's
 * `shockDays`): demandCrash and sentimentCollapse after "inputs" from `shockDay` on (the crash
 * by `form.crash`, jobs × `sizes.crashShare`; the collapse zeroes exchange demand and governance
 * value); sellWave before "price" on `shockDay` (`sizes.sellWaveShare` of the circulating supply
 * sold). "combined" is all three, the sell wave only with a pool.
 */
export function shockSteps(
  shock: ShockName,
  shockDay: number,
  pool: boolean,
  form: ShockForm = AGGREGATE_SHOCKS,
  sizes: ShockSizes = DEFAULT_SHOCK_SIZES,
): StepInsertion[] {
  const crash: StepInsertion = {
    after: "inputs",
    step: asStep<DayContext>({
      name: "stressDemandCrash",
      run: ({ t, day }) => {
        if (t >= shockDay) form.crash(day.jobs, sizes.crashShare);
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
        if (c.t === shockDay) c.fb.extraSell = sellWaveTokens(c.state.supply, sizes.sellWaveShare);
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
