import type { Usd, UsdPerToken } from "../units.js";

/**
 * E40 in marketplace mode, one supplier's income on day t (usd/day), from what it was actually
 * paid that day (docs/model-feedback.md, "E40m"):
 *
 * `income[s] = usdPaid[s] + tokensPaid[s] · priceOfToken + v · validatorTokensPaid · priceOfToken · work[s] / Σ_j work[j]`
 *
 * `usdPaid` is the USD share of its tasks validated today (E7 per task), `tokensPaid` its
 * released earmarks (E11a per task) plus its shares of phase-1 and phase-2 emission (E3 per
 * filled target slot, E13 pro rata to its E12 rewards); `work[s]` the price of its tasks
 * validated today (usd), so validator pay (E14, when `v` = 1: validators are the suppliers) is
 * split like the value of the work, as aggregate E40 splits it like E6. Summed over a class, this
 * is aggregate E40's class income when every task is validated the day it is submitted.
 */
export function supplierDayIncome(
  usdPaid: Usd,
  tokensPaid: number,
  priceOfToken: UsdPerToken,
  work: Usd,
  totalWork: Usd,
  validatorTokens: number,
): Usd {
  const validatorShare = totalWork > 0 ? (validatorTokens * work) / totalWork : 0;
  return usdPaid + (tokensPaid + validatorShare) * priceOfToken;
}

/**
 * E42 in marketplace mode, who leaves: of a class's active suppliers `candidates`, the `n` with
 * the lowest lagged margin (E41 over the supplier's own closed days in the lag window) leave
 * first; ties go to the latest to join (the highest id) — last in, first out, so the order never
 * depends on anything but the record. Returns the ids leaving, least profitable first.
 */
export function leastProfitableFirst(
  candidates: ArrayLike<number>,
  margin: (supplier: number) => number,
  n: number,
): number[] {
  if (n <= 0) return [];
  const ids = Array.from(candidates);
  const m = new Map(ids.map((s) => [s, margin(s)]));
  ids.sort((a, b) => (m.get(a) as number) - (m.get(b) as number) || b - a);
  return ids.slice(0, Math.min(n, ids.length));
}
