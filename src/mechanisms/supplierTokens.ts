import type { Tokens } from "../units.js";
import type { Out } from "./out.js";
import { withdrawal } from "./withdrawal.js";

export interface TokenPayments {
  readonly validatorTokensPaid: Tokens;
  readonly phaseTwoEmission: Tokens;
  readonly phaseOneEmission: Tokens;
  /** E15: `buybackTokens + phaseOneEmission + phaseTwoEmission` (amounts actually paid). */
  readonly supplierTokensPaid: Tokens;
  /** E15: `supplierTokensPaid + validatorTokensPaid`. */
  readonly tokensPaid: Tokens;
  /** Sum of the claims cut for want of tokens (step 12). */
  readonly tokenShortfall: Tokens;
}

/**
 * E15 with step 12's claim order. Available: the start-of-day reserve plus the day's buyback and
 * onboarding tokens. Buyback tokens are always paid in full (they were just bought); then
 * validator pay, phase-2 emission, phase-1 emission while tokens last, each a `withdrawal()`
 * from what is left, so that a drained reserve lands on exactly 0 in E18 (issue 9 item 1).
 */
export function payTokens(
  tokenReserve: Tokens,
  buybackTokens: Tokens,
  onboardingTokens: Tokens,
  validatorClaim: Tokens,
  phaseTwoClaim: Tokens,
  phaseOneClaim: Tokens,
): TokenPayments {
  const out = noPayments();
  payTokensInto(
    out,
    tokenReserve,
    buybackTokens,
    onboardingTokens,
    validatorClaim,
    phaseTwoClaim,
    phaseOneClaim,
  );
  return out;
}

/** A payments record of zeros, to be filled by `payTokensInto`. */
export function noPayments(): Out<TokenPayments> {
  return {
    validatorTokensPaid: 0,
    phaseTwoEmission: 0,
    phaseOneEmission: 0,
    supplierTokensPaid: 0,
    tokensPaid: 0,
    tokenShortfall: 0,
  };
}

/** E15 into `out` (allocation-free; `payTokens` is the readable form): the one implementation. */
export function payTokensInto(
  out: Out<TokenPayments>,
  tokenReserve: Tokens,
  buybackTokens: Tokens,
  onboardingTokens: Tokens,
  validatorClaim: Tokens,
  phaseTwoClaim: Tokens,
  phaseOneClaim: Tokens,
): void {
  let available = tokenReserve + onboardingTokens;
  const validatorTokensPaid = withdrawal(available, validatorClaim);
  available = available - validatorTokensPaid;
  const phaseTwoEmission = withdrawal(available, phaseTwoClaim);
  available = available - phaseTwoEmission;
  const phaseOneEmission = withdrawal(available, phaseOneClaim);
  const supplierTokensPaid = buybackTokens + phaseOneEmission + phaseTwoEmission;
  out.validatorTokensPaid = validatorTokensPaid;
  out.phaseTwoEmission = phaseTwoEmission;
  out.phaseOneEmission = phaseOneEmission;
  out.supplierTokensPaid = supplierTokensPaid;
  out.tokensPaid = supplierTokensPaid + validatorTokensPaid;
  out.tokenShortfall =
    validatorClaim -
    validatorTokensPaid +
    (phaseTwoClaim - phaseTwoEmission) +
    (phaseOneClaim - phaseOneEmission);
}
