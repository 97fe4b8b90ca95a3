import type { Day, Suppliers, Usd } from "../units.js";

export interface PhaseChangeRule {
  readonly phaseOneDays: number;
  readonly endPhaseOneOnTargets: boolean;
  readonly endPhaseOneOnDemand: boolean;
}

/**
 * E4: phase 2 begins on the first day with `t ≥ phaseOneDays`, or every class at its target
 * (if endPhaseOneOnTargets), or income > 0 (if endPhaseOneOnDemand). Decided after step 4;
 * once 2, the phase stays 2.
 */
export function nextPhase(
  phase: 1 | 2,
  t: Day,
  rule: PhaseChangeRule,
  supplierCount: ArrayLike<Suppliers>,
  phaseOneTarget: ArrayLike<Suppliers>,
  income: Usd,
): 1 | 2 {
  if (phase === 2 || t >= rule.phaseOneDays) return 2;
  if (rule.endPhaseOneOnTargets) {
    let met = true;
    for (let k = 0; k < phaseOneTarget.length; k++)
      if (supplierCount[k] < phaseOneTarget[k]) met = false;
    if (met) return 2;
  }
  if (rule.endPhaseOneOnDemand && income > 0) return 2;
  return 1;
}
