import type { Jobs, Suppliers, Usd } from "../units.js";

/**
 * E50, capacity in aggregate mode: class k serves at most `count[k] · jobsPerSupplierPerDay[k]`
 * job-equivalents a day, its load being `Σ_i jobs[i] · priceMatrix[i][k]`. A consumer type is
 * served in the proportion its tightest class allows,
 *
 * `served[i] = min(1, min_{k: priceMatrix[i][k] > 0} capacity[k] / load[k])`,
 * `jobCreated'[i] = jobCreated[i] · served[i]`,
 *
 * and the rest is lost (not paid, not queued: aggregate mode has no queue). A class without a
 * capacity (NaN) never binds. Returns the jobs lost. This is what makes exits feed back into
 * income in aggregate mode, where docs/model.md §6 otherwise serves every job.
 */
export function capacityServedJobs(
  jobs: Float64Array,
  priceMatrix: Float64Array,
  counts: ArrayLike<Suppliers>,
  jobsPerSupplierPerDay: Float64Array,
  ratio: Float64Array,
): Jobs {
  const nC = jobs.length;
  const nK = counts.length;
  for (let k = 0; k < nK; k++) {
    const cap = jobsPerSupplierPerDay[k];
    if (Number.isNaN(cap)) {
      ratio[k] = 1;
      continue;
    }
    let load = 0;
    for (let i = 0; i < nC; i++) load += jobs[i] * priceMatrix[i * nK + k];
    ratio[k] = load > 0 ? Math.min(1, (counts[k] * cap) / load) : 1;
  }
  let lost = 0;
  for (let i = 0; i < nC; i++) {
    let served = 1;
    for (let k = 0; k < nK; k++)
      if (priceMatrix[i * nK + k] > 0) served = Math.min(served, ratio[k]);
    if (served < 1) {
      lost += jobs[i] * (1 - served);
      jobs[i] *= served;
    }
  }
  return lost;
}

/**
 * E50e's share: one entrant serving `capacity` of a class's unserved `load` (in the load's unit:
 * job-equivalents, or task-days in marketplace mode) earns that share of the load's value,
 * `min(1, capacity / load) · valueUsd` (usd/day); 0 without load. The one statement of the law:
 * the aggregate, marketplace and lockstep sums below and in batch.ts all end here.
 */
export function entrantShareUsd(load: number, valueUsd: Usd, capacity: number): Usd {
  return load > 0 ? Math.min(1, capacity / load) * valueUsd : 0;
}

/**
 * E50e, the work one entrant of class k would have served today (usd/day, E6's unit): the
 * class's load before capacity, `load = Σ_i jobs[i] · priceMatrix[i][k]` job-equivalents, is
 * what goes unserved for want of the class when it is empty; one supplier serves
 * `min(jobsPerSupplierPerDay, load)` of it, a share `min(1, jobsPerSupplierPerDay / load)` of its
 * value `Σ_i jobs[i] · jobPrice[i] · priceMatrix[i][k]` (0 without load). `jobs` before E50
 * scales them. Other classes' shortages are not counted: an entrant sees the demand for its own
 * service, and two empty classes a pipeline needs can then recover together.
 */
export function entrantServiceUsd(
  jobs: Float64Array,
  jobPrice: Float64Array,
  priceMatrix: Float64Array,
  nK: number,
  k: number,
  jobsPerSupplierPerDay: number,
): Usd {
  const nC = jobs.length;
  let load = 0;
  let usd = 0;
  for (let i = 0; i < nC; i++) {
    load += jobs[i] * priceMatrix[i * nK + k];
    usd += jobs[i] * jobPrice[i] * priceMatrix[i * nK + k];
  }
  return entrantShareUsd(load, usd, jobsPerSupplierPerDay);
}

/**
 * E50e in marketplace mode (usd/day): a supplier holds at most `capacity` tasks at once and a
 * task of type i holds its slot `durationDays[i]` days, so one entrant serves `capacity`
 * task-days a day of the class's load `Σ_{i: priceMatrix[i][k] > 0} jobs[i] · durationDays[i]`
 * (one task per job and class, docs/marketplace.md), a share `min(1, capacity / load)` of the
 * load's value `Σ_i jobs[i] · jobPrice[i] · priceMatrix[i][k]` (0 without load). `jobs`: the
 * day's draw after E48, before E49 keeps any away (what is lost for want of suppliers).
 */
export function marketEntrantServiceUsd(
  jobs: Float64Array,
  jobPrice: Float64Array,
  priceMatrix: Float64Array,
  nK: number,
  k: number,
  capacity: number,
  durationDays: Int32Array,
): Usd {
  let load = 0;
  let usd = 0;
  for (let i = 0; i < jobs.length; i++) {
    const w = priceMatrix[i * nK + k];
    if (w <= 0) continue;
    load += jobs[i] * durationDays[i];
    usd += jobs[i] * jobPrice[i] * w;
  }
  return entrantShareUsd(load, usd, capacity);
}
