import { wholeJobs } from "../marketplace/wholeJobs.js";
import type { Tokens } from "../units.js";

/** The sizes of the battery's shocks (`bme stress --crash-share`, `--sell-wave-share`). */
export interface ShockSizes {
  /** Share of every consumer type's jobs left by demandCrash from the shock day on, [0, 1]. */
  readonly crashShare: number;
  /** Share of the start-of-day circulating supply holders dump on sellWave's day, [0, 1]. */
  readonly sellWaveShare: number;
}

/** The standard battery's sizes: demand falls to 30%, holders dump 10% of the supply. */
export const DEFAULT_SHOCK_SIZES: ShockSizes = { crashShare: 0.3, sellWaveShare: 0.1 };

/**
 * demandCrash (docs/model-feedback.md, "Stress battery"): every consumer type's jobs × `share`
 * (jobs/day; 0.3 by default).
 */
export function crashDemand(jobs: Float64Array, share = DEFAULT_SHOCK_SIZES.crashShare): void {
  for (let i = 0; i < jobs.length; i++) jobs[i] *= share;
}

/**
 * demandCrash in marketplace mode, where jobs are whole (docs/model.md §9): each consumer type's
 * whole jobs of the day (after E48 and E49) × `share` (0.3 by default), made whole again by the
 * same running sum (`wholeJobs`): `cumulative[i] += share · jobs[i]`, `jobs[i] =
 * floor(cumulative[i] + 1e-9) − submitted[i]`. Over any span the crashed jobs are `share` of the
 * uncrashed ones to within one job (at 0.3: 10 a day → 3 a day; 1 a day → one job on the crash's
 * 4th, 7th and 10th days: 3 in 10 days). `cumulative` and `submitted` (jobs) are the run's
 * state, zero on the shock day.
 */
export function crashWholeJobs(
  jobs: Float64Array,
  cumulative: Float64Array,
  submitted: Float64Array,
  share = DEFAULT_SHOCK_SIZES.crashShare,
): void {
  for (let i = 0; i < jobs.length; i++) {
    cumulative[i] += share * jobs[i];
    const n = wholeJobs(cumulative[i], submitted[i]);
    submitted[i] += n;
    jobs[i] = n;
  }
}

/** sellWave: the tokens holders offer on the shock day, `share` (10% by default) of the start-of-day supply. */
export function sellWaveTokens(supply: Tokens, share = DEFAULT_SHOCK_SIZES.sellWaveShare): Tokens {
  return share * supply;
}

/**
 * A stress battery shock as data, for the fused feedback kernel (src/feedback/kernel.ts): the
 * first day of the demand crash and of the sentiment collapse (Infinity: none), the day of the
 * sell wave (−1: none), and the shocks' sizes. The step engine applies the same shocks as
 * inserted steps (stress.ts).
 */
export interface ShockDays extends ShockSizes {
  readonly crashFrom: number;
  readonly collapseFrom: number;
  readonly sellWaveDay: number;
}

export const NO_SHOCK: ShockDays = {
  crashFrom: Number.POSITIVE_INFINITY,
  collapseFrom: Number.POSITIVE_INFINITY,
  sellWaveDay: -1,
  ...DEFAULT_SHOCK_SIZES,
};
