import type { Fraction, Usd } from "../units.js";

export interface IncomeSplit {
  /** Kept in the dollar reserve. */
  readonly opsRevenue: Usd;
  /** Spent buying tokens back for suppliers. */
  readonly usdBuybackCapital: Usd;
  /** Paid to suppliers in USD. */
  readonly usdCapital: Usd;
}

/**
 * E7: `opsRevenue = f · income`, `supplierPool = (1 − f) · income`,
 * `usdBuybackCapital = BM · supplierPool`, `usdCapital = (1 − BM) · supplierPool`.
 * With f = 0 these are the whitepaper's formulas [R8].
 */
export function splitIncome(
  income: Usd,
  fiatOperationsFraction: Fraction,
  buybackModulation: Fraction,
): IncomeSplit {
  const supplierPool = (1 - fiatOperationsFraction) * income;
  return {
    opsRevenue: fiatOperationsFraction * income,
    usdBuybackCapital: buybackModulation * supplierPool,
    usdCapital: (1 - buybackModulation) * supplierPool,
  };
}
