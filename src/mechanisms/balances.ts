import type { Tokens, Usd } from "../units.js";

/**
 * E17: tomorrow's circulating supply,
 * `supply + validatorTokensPaid + phaseOneEmission + phaseTwoEmission − onboardingTokens − reserveBuybackTokens + vested`
 * (buyback tokens leave and return the same day, so they cancel), in this order of operations.
 */
export function nextSupply(
  supply: Tokens,
  validatorTokensPaid: Tokens,
  phaseOneEmission: Tokens,
  phaseTwoEmission: Tokens,
  onboardingTokens: Tokens,
  reserveBuybackTokens: Tokens,
  vested: Tokens,
): Tokens {
  return (
    supply +
    validatorTokensPaid +
    phaseOneEmission +
    phaseTwoEmission -
    onboardingTokens -
    reserveBuybackTokens +
    vested
  );
}

/**
 * E18: tomorrow's token reserve,
 * `tokenReserve + onboardingTokens − validatorTokensPaid − phaseTwoEmission − phaseOneEmission + reserveBuybackTokens`,
 * in this order, so that a reserve drained by step 12 lands on exactly 0.
 */
export function nextTokenReserve(
  tokenReserve: Tokens,
  onboardingTokens: Tokens,
  validatorTokensPaid: Tokens,
  phaseTwoEmission: Tokens,
  phaseOneEmission: Tokens,
  reserveBuybackTokens: Tokens,
): Tokens {
  return (
    tokenReserve +
    onboardingTokens -
    validatorTokensPaid -
    phaseTwoEmission -
    phaseOneEmission +
    reserveBuybackTokens
  );
}

/**
 * E19 [R11]: tomorrow's dollar reserve, `dollarReserve + income − usdCapital − usdBuybackCapital − reserveBuybackUsd`,
 * computed as `dollarReserve + opsRevenue − reserveBuybackUsd`.
 */
export function nextDollarReserve(
  dollarReserve: Usd,
  opsRevenue: Usd,
  reserveBuybackUsd: Usd,
): Usd {
  return dollarReserve + opsRevenue - reserveBuybackUsd;
}
