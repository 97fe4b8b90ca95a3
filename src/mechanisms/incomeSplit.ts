import type { Fraction, Usd } from "../units.js";
import type { Out } from "./out.js";

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
  const out = { opsRevenue: 0, usdBuybackCapital: 0, usdCapital: 0 };
  splitIncomeInto(out, income, fiatOperationsFraction, buybackModulation);
  return out;
}

/** E7 into `out` (allocation-free; `splitIncome` is the readable form): the one implementation. */
export function splitIncomeInto(
  out: Out<IncomeSplit>,
  income: Usd,
  fiatOperationsFraction: Fraction,
  buybackModulation: Fraction,
): void {
  const supplierPool = (1 - fiatOperationsFraction) * income;
  out.opsRevenue = fiatOperationsFraction * income;
  out.usdBuybackCapital = buybackModulation * supplierPool;
  out.usdCapital = (1 - buybackModulation) * supplierPool;
}
