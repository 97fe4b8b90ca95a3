import type { Suppliers, Tokens } from "../units.js";

/**
 * E3 fill: the share of target slots filled today,
 * `Σ_k min(supplierCount[k], phaseOneTarget[k]) / Σ_k phaseOneTarget[k]`, 0 when there are no targets [R7].
 */
export function phaseOneFill(
  supplierCount: ArrayLike<Suppliers>,
  phaseOneTarget: ArrayLike<Suppliers>,
): number {
  let filled = 0;
  let targets = 0;
  for (let k = 0; k < phaseOneTarget.length; k++) {
    filled += Math.min(supplierCount[k], phaseOneTarget[k]);
    targets += phaseOneTarget[k];
  }
  return targets === 0 ? 0 : filled / targets;
}

/**
 * E3: phase-one emission claimed on a phase-1 day,
 * `phaseOneTokensForProject / phaseOneDays · fill`. Phase 1 only; the caller never asks on a phase-2 day.
 */
export function phaseOneEmission(
  phaseOneTokensForProject: Tokens,
  phaseOneDays: number,
  fill: number,
): Tokens {
  return (phaseOneTokensForProject / phaseOneDays) * fill;
}
