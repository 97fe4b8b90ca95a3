import type { Fraction, Tokens } from "../units.js";

/**
 * The pro-rata cut of wants taken from the free circulating tokens (E22 with bonds held,
 * docs/model.md §9): bonds outstanding are tokens their suppliers hold, so a day's bonds (E22),
 * then buybacks (E11a), the onboarding burn (E11b) and the reserve top-up (E16) take only
 * `supply − bondedTokens`, each through `withdrawal(free, wanted)`. When `taken` tokens of the
 * `wanted` could leave, every part of the want (each bond, each task's E11a earmark) is scaled
 * by the ratio returned: exactly 1 when all was taken, `taken / wanted` when less was,
 * 0 when nothing was wanted. Dimensionless; `taken`, `wanted` ≥ 0, in tokens. When the want
 * is within 1e-12 of the free tokens, `withdrawal` drains them, so `taken` may exceed `wanted`
 * by that much and the ratio exceed 1 by as much: the parts then sum to what was taken.
 *
 * Used by the marketplace engine (bonds and earmarks at posting) and the ledger's close (stored
 * with the bond day, so a bond's return or loss moves exactly the tokens posted).
 */
export function freeSupplyCut(taken: Tokens, wanted: Tokens): Fraction {
  if (taken === wanted) return 1;
  return wanted > 0 ? taken / wanted : 0;
}
