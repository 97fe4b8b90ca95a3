import { wholeJobs } from "../marketplace/wholeJobs.js";
import type { Tokens } from "../units.js";

/** Share of every consumer type's jobs left by the demandCrash shock, from the shock day on. */
export const DEMAND_CRASH_FACTOR = 0.3;
/** Share of the start-of-day circulating supply holders dump on the sellWave shock's day. */
export const SELL_WAVE_SHARE = 0.1;

/** demandCrash (docs/model-feedback.md, "Stress battery"): every consumer type's jobs × 0.3. */
export function crashDemand(jobs: Float64Array): void {
  for (let i = 0; i < jobs.length; i++) jobs[i] *= DEMAND_CRASH_FACTOR;
}

/**
 * demandCrash in marketplace mode, where jobs are whole (docs/model.md §9): each consumer type's
 * whole jobs of the day (after E48 and E49) × 0.3, made whole again by the same running sum
 * (`wholeJobs`): `cumulative[i] += 0.3 · jobs[i]`, `jobs[i] = floor(cumulative[i] + 1e-9) −
 * submitted[i]`. Over any span the crashed jobs are 30% of the uncrashed ones to within one job
 * (10 a day → 3 a day; 1 a day → one job on the crash's 4th, 7th and 10th days: 3 in 10 days).
 * `cumulative` and `submitted` (jobs) are the run's state, zero on the shock day.
 */
export function crashWholeJobs(
  jobs: Float64Array,
  cumulative: Float64Array,
  submitted: Float64Array,
): void {
  for (let i = 0; i < jobs.length; i++) {
    cumulative[i] += DEMAND_CRASH_FACTOR * jobs[i];
    const n = wholeJobs(cumulative[i], submitted[i]);
    submitted[i] += n;
    jobs[i] = n;
  }
}

/** sellWave: the tokens holders offer on the shock day, 10% of the start-of-day supply. */
export function sellWaveTokens(supply: Tokens): Tokens {
  return SELL_WAVE_SHARE * supply;
}

/**
 * A stress battery shock as data, for the fused feedback kernel (src/feedback/kernel.ts): the
 * first day of the demand crash and of the sentiment collapse (Infinity: none), the day of the
 * sell wave (−1: none). The step engine applies the same shocks as inserted steps (stress.ts).
 */
export interface ShockDays {
  readonly crashFrom: number;
  readonly collapseFrom: number;
  readonly sellWaveDay: number;
}

export const NO_SHOCK: ShockDays = {
  crashFrom: Number.POSITIVE_INFINITY,
  collapseFrom: Number.POSITIVE_INFINITY,
  sellWaveDay: -1,
};
