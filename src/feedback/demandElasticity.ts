import type { Jobs, Usd } from "../units.js";

/**
 * E48, consumers who compare prices: a consumer type's jobs on day t, given the job's price on
 * this marketplace (E1, usd/job) and a reference cloud price for the same job (usd/job, e.g.
 * AWS or GCP), with constant elasticity ε ≥ 0:
 *
 * `jobCreated'[t][i] = jobCreated[t][i] · min((jobPrice[i] / referencePrice[t][i])^(−ε), maxMultiplier)`.
 *
 * At parity nothing changes; cheaper than the cloud draws demand in (up to `maxMultiplier`),
 * dearer drives it away. Constant elasticity is the standard one-parameter demand curve; the cap
 * keeps a near-free job from creating unbounded demand. A reference price of 0 means "no
 * alternative": the series is unchanged.
 */
export function elasticJobs(
  jobs: Jobs,
  jobPrice: Usd,
  referencePrice: Usd,
  elasticity: number,
  maxMultiplier: number,
): Jobs {
  return jobs * elasticMultiplier(jobPrice, referencePrice, elasticity, maxMultiplier);
}

/**
 * E48's factor `min((jobPrice / referencePrice)^(−ε), maxMultiplier)`, exactly 1 when there is
 * no reference price (0), no job price or no elasticity: the one implementation (`elasticJobs`
 * multiplies by it). It depends on the day only through the reference price series, so a fused
 * kernel can tabulate it once per scenario (`elasticMultiplierTable`).
 */
export function elasticMultiplier(
  jobPrice: Usd,
  referencePrice: Usd,
  elasticity: number,
  maxMultiplier: number,
): number {
  if (!(referencePrice > 0) || !(jobPrice > 0) || elasticity === 0) return 1;
  return Math.min((jobPrice / referencePrice) ** -elasticity, maxMultiplier);
}

/**
 * E49, consumers who give up on a slow marketplace (marketplace mode): a consumer type's jobs on
 * day t are cut by the share of its tasks that expired past their deadline yesterday,
 *
 * `jobCreated'[t][i] = jobCreated[t][i] · (1 − sensitivity · expiredShare[t−1][i])`, clamped to ≥ 0,
 *
 * `expiredShare` = tasks of type i expired on day t−1 / tasks of type i settled or expired that day
 * (0 when none). Yesterday's share only, so nothing is circular; sensitivity 1 loses one job for
 * every job that expired.
 */
export function queueLossJobs(jobs: Jobs, expiredShare: number, sensitivity: number): Jobs {
  return jobs * Math.max(0, 1 - sensitivity * expiredShare);
}
