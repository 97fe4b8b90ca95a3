import { ONCHAIN } from "../day/sequence.js";
import { phaseOneEmission } from "../mechanisms/phaseOneEmission.js";
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
  /**
   * E3's tokens for one filled target slot today (`phaseOneSlotTokens`): what a lone entrant's
   * slot would be paid on a phase-1 day when no slot is filled anywhere; 0 in phase 2.
   */
  readonly phaseOneSlotTokens: Tokens;
  /** Whether validators are the suppliers themselves (pay split like demand) or outside them. */
  readonly validatorsAreSuppliers: boolean;
  /**
   * The day's on-chain variables (`ONCHAIN` indices): E40e reads f, BM and the buyback premium
   * (`splitPayPerUsd`) for an empty class on a day without income, and only then.
   */
  readonly onchain: ArrayLike<number>;
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
 * E40 per supplier: `classIncome / max(count, 1)` usd/supplier/day. An empty class (count 0)
 * reports E40e instead (`loneEntrantIncome`): its class income is only a lone entrant's when no
 * capacity of its own limits its service.
 */
export function incomePerSupplier(classIncome: Usd, supplierCount: Suppliers): Usd {
  return classIncome / Math.max(supplierCount, 1);
}

/**
 * E7 with E11a per usd of income (usd/usd): what one dollar of service demand pays suppliers in
 * USD and in bought-back tokens valued at the day's price,
 * `(1 − f) · ((1 − BM) + BM / (1 + buybackPremium))` (`usdCapital / income` plus
 * `buybackTokens · priceOfToken / income`, whatever the income). E40e's rate on a day without
 * income, where the day's own ratio would divide by 0.
 */
export function splitPayPerUsd(
  fiatOperationsFraction: number,
  buybackModulation: number,
  buybackPremium: number,
): number {
  const supplierPool = 1 - fiatOperationsFraction;
  return (
    supplierPool * (1 - buybackModulation) +
    (supplierPool * buybackModulation) / (1 + buybackPremium)
  );
}

/**
 * E40e, what one entrant of an empty class (whole count 0) would have earned today, usd/day:
 *
 * `loneIncome = serviceUsd / income · sharedUsd + slotUsd`   (income > 0)
 * `loneIncome = serviceUsd · splitPerUsd + slotUsd`          (income = 0)
 *
 * `serviceUsd`: the E6 value of the work the entrant could have served today (E50e, or the
 * class's served demand when no capacity binds it); `sharedUsd`: E40's pay that follows E6
 * (`usdCapital + (buybackTokens + phaseTwoEmission + v · validatorTokensPaid) · priceOfToken`),
 * so each usd of the entrant's work is paid what each usd of the day's work was; a day without
 * income paid nothing to divide, and the entrant is then valued at the split (E7, E11a: no job,
 * no E12–E14 tokens); `slotUsd`: the day's phase-one pay per filled target slot, when the class
 * has a target (E3 pays each slot the same, so one more filled slot earns it). Reported only: no
 * dollar or token moves.
 */
export function loneEntrantIncome(
  serviceUsd: Usd,
  income: Usd,
  sharedUsd: Usd,
  splitPerUsd: number,
  slotUsd: Usd,
): Usd {
  const service = income > 0 ? (serviceUsd / income) * sharedUsd : serviceUsd * splitPerUsd;
  return service + slotUsd;
}

/**
 * E3's tokens for one filled target slot on a day of phase `phase` (tokens):
 * `phaseOneEmission(phaseOneTokensForProject, phaseOneDays, 1 / Σ_k phaseOneTarget[k])`, the
 * emission of a fill of one slot, in phase 1; 0 in phase 2 or without targets. E40e's slot pay
 * when no slot is filled anywhere (`loneSlotUsd`).
 */
export function phaseOneSlotTokens(
  phaseOneTokensForProject: Tokens,
  phaseOneDays: number,
  phaseOneTarget: ArrayLike<Suppliers>,
  phase: number,
): Tokens {
  if (phase !== 1) return 0;
  let targets = 0;
  for (let k = 0; k < phaseOneTarget.length; k++) targets += phaseOneTarget[k];
  return targets > 0 ? phaseOneEmission(phaseOneTokensForProject, phaseOneDays, 1 / targets) : 0;
}

/**
 * E40e's `slotUsd` of an empty class (usd/day): 0 when the class has no target (`target < 1`);
 * else the day's phase-one pay per filled slot, `phaseOneUsd / slots` (`phaseOneUsd =
 * phaseOneEmission · priceOfToken`, `slots = Σ_j min(count[j], target[j])`), when some slot is
 * filled; else, no slot filled anywhere, `oneSlotUsd = phaseOneSlotTokens · priceOfToken`, E3's
 * rate for one slot (0 in phase 2): the pay its slot would have earned, so a network launched
 * with no suppliers draws its first ones in phase 1.
 */
export function loneSlotUsd(
  target: Suppliers,
  slots: Suppliers,
  phaseOneUsd: Usd,
  oneSlotUsd: Usd,
): Usd {
  if (!(target >= 1)) return 0;
  return slots > 0 ? phaseOneUsd / slots : oneSlotUsd;
}

/**
 * E40e on a pay day for class k: `loneEntrantIncome` with E40's `sharedUsd` and `loneSlotUsd`.
 */
export function loneEntrantIncomeOf(d: SupplierPayDay, k: number, serviceUsd: Usd): Usd {
  let slots = 0;
  for (let j = 0; j < d.supplierCount.length; j++)
    slots += Math.min(d.supplierCount[j], d.phaseOneTarget[j]);
  const validator = d.validatorsAreSuppliers ? d.validatorTokensPaid : 0;
  const sharedUsd =
    d.usdCapital + (d.buybackTokens + d.phaseTwoEmission + validator) * d.priceOfToken;
  const slotUsd = loneSlotUsd(
    d.phaseOneTarget[k],
    slots,
    d.phaseOneEmission * d.priceOfToken,
    d.phaseOneSlotTokens * d.priceOfToken,
  );
  const oc = d.onchain;
  const split =
    d.income > 0
      ? 0
      : splitPayPerUsd(
          oc[ONCHAIN.fiatOperationsFraction],
          oc[ONCHAIN.buybackModulation],
          oc[ONCHAIN.buybackPremium],
        );
  return loneEntrantIncome(serviceUsd, d.income, sharedUsd, split, slotUsd);
}
