import type { Day, Tokens, Usd } from "../units.js";

/**
 * Relative tolerance of the invariants (docs/model.md §2), read by the checks below as this
 * module's own constant: an exported binding is read through its export cell with a hole check
 * and a number check each time, where a module-level constant is folded into an optimized caller
 * that inlines the check (decision 323).
 */
const TOLERANCE = 1e-9;
export const INVARIANT_TOLERANCE = TOLERANCE;

export class InvariantViolation extends Error {
  constructor(
    readonly day: Day,
    readonly invariant: "I1" | "I2" | "I3",
    detail: string,
  ) {
    super(`day ${day}: invariant ${invariant} violated: ${detail}`);
    this.name = "InvariantViolation";
  }
}

/**
 * I1 token conservation, I2 dollar conservation, I3 non-negativity, checked at the end of a day.
 * Returns null when they hold, or the violation.
 */
export function checkInvariants(
  day: Day,
  totalTokens: Tokens,
  supply: Tokens,
  tokenReserve: Tokens,
  lockedAllocations: Tokens,
  dollarBefore: Usd,
  dollarAfter: Usd,
  income: Usd,
  usdCapital: Usd,
  usdBuybackCapital: Usd,
  reserveBuybackUsd: Usd,
): InvariantViolation | null {
  const sum = supply + tokenReserve + lockedAllocations;
  const tokTol = TOLERANCE * totalTokens;
  const expected = income - usdCapital - usdBuybackCapital - reserveBuybackUsd;
  const usdTol = TOLERANCE * Math.max(income, dollarBefore, dollarAfter, reserveBuybackUsd, 1);
  // the messages are built apart (a rare path), so this test stays small enough for a hot
  // loop's compiler to inline it
  if (
    Math.abs(sum - totalTokens) <= tokTol &&
    Math.abs(dollarAfter - dollarBefore - expected) <= usdTol &&
    !(supply < -tokTol || tokenReserve < -tokTol || dollarAfter < -usdTol)
  )
    return null;
  return invariantViolation(
    day,
    totalTokens,
    supply,
    tokenReserve,
    lockedAllocations,
    dollarBefore,
    dollarAfter,
    income,
    usdCapital,
    usdBuybackCapital,
    reserveBuybackUsd,
  );
}

/** Which of I1–I3 `checkInvariants` found broken (the first in that order), with its message. */
function invariantViolation(
  day: Day,
  totalTokens: Tokens,
  supply: Tokens,
  tokenReserve: Tokens,
  lockedAllocations: Tokens,
  dollarBefore: Usd,
  dollarAfter: Usd,
  income: Usd,
  usdCapital: Usd,
  usdBuybackCapital: Usd,
  reserveBuybackUsd: Usd,
): InvariantViolation | null {
  const sum = supply + tokenReserve + lockedAllocations;
  const tokTol = TOLERANCE * totalTokens;
  if (!(Math.abs(sum - totalTokens) <= tokTol))
    return new InvariantViolation(
      day,
      "I1",
      `supply ${supply} + tokenReserve ${tokenReserve} + lockedAllocations ${lockedAllocations} = ${sum}, expected ${totalTokens}`,
    );
  const expected = income - usdCapital - usdBuybackCapital - reserveBuybackUsd;
  const usdTol = TOLERANCE * Math.max(income, dollarBefore, dollarAfter, reserveBuybackUsd, 1);
  if (!(Math.abs(dollarAfter - dollarBefore - expected) <= usdTol))
    return new InvariantViolation(
      day,
      "I2",
      `dollarReserve moved by ${dollarAfter - dollarBefore}, expected income ${income} − usdCapital ${usdCapital} − usdBuybackCapital ${usdBuybackCapital} − reserveBuybackUsd ${reserveBuybackUsd} = ${expected}`,
    );
  if (supply < -tokTol || tokenReserve < -tokTol || dollarAfter < -usdTol)
    return new InvariantViolation(
      day,
      "I3",
      `a balance is negative: supply ${supply}, tokenReserve ${tokenReserve}, dollarReserve ${dollarAfter}`,
    );
  return null;
}
