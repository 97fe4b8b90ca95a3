/**
 * Lane forms of feedback laws for the lockstep kernel (src/feedback/batch.ts): each law
 * restated as loops over `B` runs held side by side (`x[k·B + b]` is run b's value of class k),
 * with the same floating-point operations in the same order per run as the readable function
 * it names, which stays the reference (test/feedback/lanes.test.ts proves them identical with
 * fast-check). Nothing is allocated: scratch arrays are passed in.
 */

/**
 * E50 (`capacityServedJobs`, capacity.ts) for B runs: `jobs[i·B + b]` served in place, the class
 * ratios into `ratio[k·B + b]`, the jobs lost into `lost[b]`. `load` and `served` are scratch of
 * B values. A class with capacity NaN never binds.
 */
export function capacityServedLanes(
  jobs: Float64Array,
  priceMatrix: Float64Array,
  counts: Float64Array,
  jobsPerSupplierPerDay: Float64Array,
  nC: number,
  nK: number,
  B: number,
  ratio: Float64Array,
  lost: Float64Array,
  load: Float64Array,
  served: Float64Array,
): void {
  for (let k = 0; k < nK; k++) {
    const kb = k * B;
    const cap = jobsPerSupplierPerDay[k];
    if (Number.isNaN(cap)) {
      ratio.fill(1, kb, kb + B);
      continue;
    }
    load.fill(0, 0, B);
    for (let i = 0; i < nC; i++) {
      const w = priceMatrix[i * nK + k];
      for (let b = 0; b < B; b++) load[b] += jobs[i * B + b] * w;
    }
    for (let b = 0; b < B; b++) {
      const l = load[b];
      ratio[kb + b] = l > 0 ? Math.min(1, (counts[kb + b] * cap) / l) : 1;
    }
  }
  lost.fill(0, 0, B);
  for (let i = 0; i < nC; i++) {
    served.fill(1, 0, B);
    for (let k = 0; k < nK; k++) {
      if (!(priceMatrix[i * nK + k] > 0)) continue;
      for (let b = 0; b < B; b++) served[b] = Math.min(served[b], ratio[k * B + b]);
    }
    for (let b = 0; b < B; b++) {
      const s = served[b];
      if (s < 1) {
        lost[b] += jobs[i * B + b] * (1 - s);
        jobs[i * B + b] *= s;
      }
    }
  }
}

/**
 * E41's lagged margin on a day with a closed day in its window (`closedDaysMargin`, margin.ts)
 * for B runs: the mean of `history[(first + s)·B + b]` over s = max(0, t − lagDays) … t − 1 into
 * `mean[b]` (t ≥ 1, lagDays ≥ 1). `history` holds a class's margins day-major from day
 * `first`, runs innermost.
 */
export function closedDaysMarginLanes(
  history: Float64Array,
  first: number,
  t: number,
  lagDays: number,
  B: number,
  mean: Float64Array,
): void {
  const from = Math.max(0, t - lagDays);
  mean.fill(0, 0, B);
  for (let s = from; s < t; s++) {
    const h = (first + s) * B;
    for (let b = 0; b < B; b++) mean[b] += history[h + b];
  }
  const n = t - from;
  for (let b = 0; b < B; b++) mean[b] = mean[b] / n;
}

/**
 * E40 (`supplierClassIncome`, supplierIncome.ts) for B runs, the classes in `classes` only:
 * class k's income of run b into `classIncome[k·B + b]`. Per-run inputs at `[b]`, per-class at
 * `[k·B + b]`; `validatorPaid` null when validators are outside the supplier classes.
 * `slots` and `sharedUsd` are scratch of B values.
 */
export function supplierClassIncomeLanes(
  d: {
    readonly usdDemandForService: Float64Array;
    readonly income: Float64Array;
    readonly usdCapital: Float64Array;
    readonly buybackTokens: Float64Array;
    readonly phaseOneEmission: Float64Array;
    readonly phaseTwoEmission: Float64Array;
    readonly validatorTokensPaid: Float64Array | null;
    readonly priceOfToken: Float64Array;
    readonly supplierCount: Float64Array;
    readonly phaseOneTarget: ArrayLike<number>;
  },
  classes: readonly number[],
  nK: number,
  B: number,
  classIncome: Float64Array,
  slots: Float64Array,
  sharedUsd: Float64Array,
): void {
  const { income, supplierCount: counts, phaseOneTarget, priceOfToken: price } = d;
  const validatorPaid = d.validatorTokensPaid;
  slots.fill(0, 0, B);
  for (let k = 0; k < nK; k++) {
    const target = phaseOneTarget[k];
    for (let b = 0; b < B; b++) slots[b] += Math.min(counts[k * B + b], target);
  }
  for (let b = 0; b < B; b++) {
    const validator = validatorPaid ? validatorPaid[b] : 0;
    sharedUsd[b] =
      d.usdCapital[b] + (d.buybackTokens[b] + d.phaseTwoEmission[b] + validator) * price[b];
  }
  for (const k of classes) {
    const target = phaseOneTarget[k];
    const kb = k * B;
    for (let b = 0; b < B; b++) {
      const x = income[b];
      const count = counts[kb + b];
      const share = x > 0 ? d.usdDemandForService[kb + b] / x : 0;
      const slot = slots[b] > 0 ? Math.min(count, target) / slots[b] : 0;
      classIncome[kb + b] = share * sharedUsd[b] + slot * (d.phaseOneEmission[b] * price[b]);
    }
  }
}
