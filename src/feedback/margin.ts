import type { Usd } from "../units.js";

/**
 * E41, relative margin of one supplier on one day (fraction, unit-free):
 * `margin = (incomePerSupplier − costPerSupplier) / costPerSupplier`, cost > 0 (usd/supplier/day).
 * −1 means no income at all; 0 means break-even. Relative, so one elasticity suits a $5/day
 * annotator and a $500/day TPU host alike.
 */
export function supplierMargin(incomePerSupplier: Usd, costPerSupplier: Usd): number {
  return (incomePerSupplier - costPerSupplier) / costPerSupplier;
}

/**
 * E41 lag: the mean margin suppliers act on, over the last `lagDays` days before today,
 * `s = max(0, t − lagDays) … t − 1` (only days already closed: nothing is circular). `history`
 * holds one margin per day, day 0 first, from `offset`. Null when no day has closed yet (t = 0).
 */
export function laggedMargin(
  history: ArrayLike<number>,
  t: number,
  lagDays: number,
  offset = 0,
): number | null {
  return t <= Math.max(0, t - lagDays) ? null : closedDaysMargin(history, t, lagDays, offset);
}

/**
 * `laggedMargin` on a day with at least one closed day in its window (t ≥ 1, lagDays ≥ 1), as a
 * plain number: the one implementation of the mean, which a fused kernel calls without the
 * `number | null` that would box it.
 */
export function closedDaysMargin(
  history: ArrayLike<number>,
  t: number,
  lagDays: number,
  offset = 0,
): number {
  const from = Math.max(0, t - lagDays);
  let sum = 0;
  for (let s = from; s < t; s++) sum += history[offset + s];
  return sum / (t - from);
}
