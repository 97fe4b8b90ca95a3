import {
  INVARIANT_TOLERANCE as INVARIANT_TOLERANCE_EXPORT,
  InvariantViolation,
} from "../mechanisms/invariants.js";
import type { Day, Tokens, Usd } from "../units.js";

// the imported tolerance as this module's constant, folded into an optimized caller that inlines
// the check (an imported binding is a cell load with a hole check; decision 323)
const INVARIANT_TOLERANCE = INVARIANT_TOLERANCE_EXPORT;

/**
 * I1–I3 with a pool (docs/model.md §10: the pool is an account): tokens
 * `supply + tokenReserve + lockedAllocations + poolTokens` constant; the pool's dollars move
 * only by trades, `ΔpoolUsd = usd bought with − usd paid to sellers + reserveBuybackUsd`; every
 * balance ≥ 0, the pool's and the speculators' tokens (E44's book; 0 without speculators). (The
 * dollar reserve's I2 is checked by docs/model.md's own invariant step.)
 */
export function checkPoolInvariants(
  day: Day,
  totalTokens: Tokens,
  supply: Tokens,
  tokenReserve: Tokens,
  lockedAllocations: Tokens,
  poolTokens: Tokens,
  poolUsdBefore: Usd,
  poolUsdAfter: Usd,
  buyUsd: Usd,
  salesUsd: Usd,
  reserveBuybackUsd: Usd,
  speculatorTokens: Tokens,
): InvariantViolation | null {
  const sum = supply + tokenReserve + lockedAllocations + poolTokens;
  const tokTol = INVARIANT_TOLERANCE * totalTokens;
  const expected = buyUsd - salesUsd + reserveBuybackUsd;
  const usdTol = INVARIANT_TOLERANCE * Math.max(poolUsdBefore, poolUsdAfter, buyUsd, salesUsd, 1);
  // the messages are built apart (a rare path), so this test stays small enough to inline
  if (
    Math.abs(sum - totalTokens) <= tokTol &&
    Math.abs(poolUsdAfter - poolUsdBefore - expected) <= usdTol &&
    !(poolTokens < 0 || poolUsdAfter < 0 || speculatorTokens < 0)
  )
    return null;
  return poolViolation(
    day,
    totalTokens,
    supply,
    tokenReserve,
    lockedAllocations,
    poolTokens,
    poolUsdBefore,
    poolUsdAfter,
    buyUsd,
    salesUsd,
    reserveBuybackUsd,
    speculatorTokens,
  );
}

/** Which of the pool's I1–I3 `checkPoolInvariants` found broken (the first in that order), with its message. */
function poolViolation(
  day: Day,
  totalTokens: Tokens,
  supply: Tokens,
  tokenReserve: Tokens,
  lockedAllocations: Tokens,
  poolTokens: Tokens,
  poolUsdBefore: Usd,
  poolUsdAfter: Usd,
  buyUsd: Usd,
  salesUsd: Usd,
  reserveBuybackUsd: Usd,
  speculatorTokens: Tokens,
): InvariantViolation | null {
  const sum = supply + tokenReserve + lockedAllocations + poolTokens;
  const tokTol = INVARIANT_TOLERANCE * totalTokens;
  if (!(Math.abs(sum - totalTokens) <= tokTol))
    return new InvariantViolation(
      day,
      "I1",
      `supply ${supply} + tokenReserve ${tokenReserve} + lockedAllocations ${lockedAllocations} + poolTokens ${poolTokens} = ${sum}, expected ${totalTokens}`,
    );
  const expected = buyUsd - salesUsd + reserveBuybackUsd;
  const usdTol = INVARIANT_TOLERANCE * Math.max(poolUsdBefore, poolUsdAfter, buyUsd, salesUsd, 1);
  if (!(Math.abs(poolUsdAfter - poolUsdBefore - expected) <= usdTol))
    return new InvariantViolation(
      day,
      "I2",
      `poolUsd moved by ${poolUsdAfter - poolUsdBefore}, expected buys ${buyUsd} − sales ${salesUsd} + reserveBuybackUsd ${reserveBuybackUsd} = ${expected}`,
    );
  if (poolTokens < 0 || poolUsdAfter < 0 || speculatorTokens < 0)
    return new InvariantViolation(
      day,
      "I3",
      `a balance is negative: poolTokens ${poolTokens}, poolUsd ${poolUsdAfter}, speculatorTokens ${speculatorTokens}`,
    );
  return null;
}
