import type { Tokens } from "../units.js";

/**
 * E13 [R10]: `max(0, A − phaseTwoMinted) · (1 − exp(−jobReward / P2M))`. Phase 2 only.
 * Cumulative emission after job rewards R is `A · (1 − exp(−R / P2M))` whatever the batching,
 * so aggregate and marketplace modes agree. `−expm1(−x)` is `1 − exp(−x)` without cancellation.
 */
export function phaseTwoEmission(
  phaseTwoMintAmount: Tokens,
  phaseTwoMinted: Tokens,
  jobReward: Tokens,
  phase2Modulation: Tokens,
): Tokens {
  return (
    Math.max(0, phaseTwoMintAmount - phaseTwoMinted) * -Math.expm1(-jobReward / phase2Modulation)
  );
}
