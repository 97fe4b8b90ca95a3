import type { Day, Fraction, Suppliers, Usd } from "../units.js";

/**
 * E8: the one-time onboarding fee in USD, the same for every class,
 * `onboardingModulation · Σ_s income[s] / Σ_s Σ_k supplierCount[s][k]` over the last W days
 * including today, `s = max(0, t−W+1) … t` [R9]; 0 when the denominator is 0. Phase 2 only.
 */
export function onboardingFeeUsd(
  t: Day,
  windowDays: number,
  onboardingModulation: Fraction,
  incomeHistory: ArrayLike<Usd>,
  supplierTotalHistory: ArrayLike<Suppliers>,
): Usd {
  let incomeSum = 0;
  let supplierSum = 0;
  for (let s = Math.max(0, t - windowDays + 1); s <= t; s++) {
    incomeSum += incomeHistory[s];
    supplierSum += supplierTotalHistory[s];
  }
  return supplierSum === 0 ? 0 : (onboardingModulation * incomeSum) / supplierSum;
}

/** E8 with step 4: `newSuppliers[k] = max(0, count[t][k] − count[t−1][k])`, departures have no effect. */
export function newSuppliers(
  today: ArrayLike<Suppliers>,
  yesterday: ArrayLike<Suppliers>,
): Suppliers {
  let n = 0;
  for (let k = 0; k < today.length; k++) n += Math.max(0, today[k] - yesterday[k]);
  return n;
}
