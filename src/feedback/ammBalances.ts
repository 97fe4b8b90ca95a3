import type { Tokens, Usd } from "../units.js";

/**
 * E47, tomorrow's circulating supply when the market is a pool (replaces E17): the pool, not
 * circulation, is where bought tokens come from and sold tokens go,
 *
 * `supply[t+1] = supply + validatorTokensPaid + phaseOneEmission + phaseTwoEmission + buybackTokens
 *               + tokensBoughtByHolders − tokensSold + vested`,
 *
 * where `tokensBoughtByHolders` = (consumerSentiment + governanceValue + speculators' buys) /
 * price: exchange buyers keep what they buy; onboarding and buyback tokens go from the pool to
 * the reserve (E11a/b, E18 unchanged), from which buyback tokens are paid out to suppliers.
 * Bonds (E9) are a same-day round trip in aggregate mode and do not touch the pool (E45).
 */
export function nextSupplyWithPool(
  supply: Tokens,
  validatorTokensPaid: Tokens,
  phaseOneEmission: Tokens,
  phaseTwoEmission: Tokens,
  buybackTokens: Tokens,
  tokensBoughtByHolders: Tokens,
  tokensSold: Tokens,
  vested: Tokens,
): Tokens {
  return (
    supply +
    validatorTokensPaid +
    phaseOneEmission +
    phaseTwoEmission +
    buybackTokens +
    tokensBoughtByHolders -
    tokensSold +
    vested
  );
}

/**
 * E47, the pool after the reserve top-up (E46): `poolTokens − reserveBuybackTokens`,
 * `poolUsd + reserveBuybackUsd`. The batch (E45) already moved it by the day's trades.
 */
export function poolAfterTopUp(
  poolTokens: Tokens,
  poolUsd: Usd,
  reserveBuybackTokens: Tokens,
  reserveBuybackUsd: Usd,
): { poolTokens: Tokens; poolUsd: Usd } {
  const pool = { poolTokens, poolUsd };
  topUpPool(pool, reserveBuybackTokens, reserveBuybackUsd);
  return pool;
}

/** E47's pool after the top-up, applied in place (allocation-free; `poolAfterTopUp` is the readable form): the one implementation. */
export function topUpPool(
  pool: { poolTokens: Tokens; poolUsd: Usd },
  reserveBuybackTokens: Tokens,
  reserveBuybackUsd: Usd,
): void {
  pool.poolTokens = pool.poolTokens - reserveBuybackTokens;
  pool.poolUsd = pool.poolUsd + reserveBuybackUsd;
}
