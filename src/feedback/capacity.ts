import type { Jobs, Suppliers } from "../units.js";

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
