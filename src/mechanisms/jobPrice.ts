import type { Fraction, Usd } from "../units.js";

/**
 * E1: the price a consumer pays for one job,
 * `jobPrice = unitPrice · unitsPerJob · (1 + incentive)` (incentive: extra bid as a fraction [R2]).
 */
export function jobPrice(unitPrice: Usd, unitsPerJob: number, incentive: Fraction): Usd {
  return unitPrice * unitsPerJob * (1 + incentive);
}
