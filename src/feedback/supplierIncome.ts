import type { Suppliers, Tokens, Usd, UsdPerToken } from "../units.js";

/** What the day paid all suppliers (and validators), read after step 12 (docs/model.md §6). */
export interface SupplierPayDay {
  /** E6 per class, usd. Σ_k equals `income` (price-matrix rows sum to 1). */
  readonly usdDemandForService: ArrayLike<Usd>;
  readonly income: Usd;
  /** E7: USD part of the supplier pool, usd. */
  readonly usdCapital: Usd;
  /** E11a: tokens bought back for suppliers. */
  readonly buybackTokens: Tokens;
  /** E3, E13, E14 as actually paid (step 12). */
  readonly phaseOneEmission: Tokens;
  readonly phaseTwoEmission: Tokens;
  readonly validatorTokensPaid: Tokens;
  /** The day's price (E10, or the pool's clearing price E45), usd/token. */
  readonly priceOfToken: UsdPerToken;
  /** Whole suppliers per class today (`floor(x + 1e-9)`). */
  readonly supplierCount: ArrayLike<Suppliers>;
  readonly phaseOneTarget: ArrayLike<Suppliers>;
  /** Whether validators are the suppliers themselves (pay split like demand) or outside them. */
  readonly validatorsAreSuppliers: boolean;
}

/**
 * E40, supplier income per class (usd/day for the whole class), written into `out[k]`:
 *
 * `classIncome[k] = share[k] · (usdCapital + (buybackTokens + phaseTwoEmission + v · validatorTokensPaid) · priceOfToken)
 *                 + slot[k] · phaseOneEmission · priceOfToken`
 *
 * with `share[k] = usdDemandForService[k] / income` (0 when income is 0): USD pay, bought-back
 * tokens and E12/E13 rewards all follow the value of the class's work (E6); `slot[k] =
 * min(count[k], target[k]) / Σ_j min(count[j], target[j])`: phase-one emission pays each filled
 * target slot equally [R7]; `v` = 1 when validators are the suppliers, else 0 (validators are a
 * population outside the supplier classes). Tokens are valued at the day's price.
 */
export function supplierClassIncome(d: SupplierPayDay, out: Float64Array): void {
  const nK = out.length;
  let slots = 0;
  for (let k = 0; k < nK; k++) slots += Math.min(d.supplierCount[k], d.phaseOneTarget[k]);
  const validator = d.validatorsAreSuppliers ? d.validatorTokensPaid : 0;
  const sharedUsd =
    d.usdCapital + (d.buybackTokens + d.phaseTwoEmission + validator) * d.priceOfToken;
  const phaseOneUsd = d.phaseOneEmission * d.priceOfToken;
  for (let k = 0; k < nK; k++) {
    const share = d.income > 0 ? d.usdDemandForService[k] / d.income : 0;
    const slot = slots > 0 ? Math.min(d.supplierCount[k], d.phaseOneTarget[k]) / slots : 0;
    out[k] = share * sharedUsd + slot * phaseOneUsd;
  }
}

/**
 * E40 per supplier: `classIncome / max(count, 1)` usd/supplier/day. A class with no active
 * supplier reports what a lone entrant would earn, so entry into an empty class can respond.
 */
export function incomePerSupplier(classIncome: Usd, supplierCount: Suppliers): Usd {
  return classIncome / Math.max(supplierCount, 1);
}
