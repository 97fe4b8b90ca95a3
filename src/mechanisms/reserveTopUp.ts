import type { Fraction, Tokens, Usd, UsdPerToken } from "../units.js";

export interface ReserveTopUp {
  readonly reserveBuybackTokens: Tokens;
  readonly reserveBuybackUsd: Usd;
}

const NONE: ReserveTopUp = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };

/**
 * E16: if the reserve after step 12 is strictly below `lowerTokenReserveLimit · initialTokenReserve`,
 * buy back up to `tokenReserveRestoreLevel · initialTokenReserve` at the buyback price, as many
 * tokens as `cash` (dollar reserve + today's opsRevenue) pays for and no more than the circulating
 * supply left. Any phase; not part of the day's demand.
 */
export function reserveTopUp(
  tokenReserve: Tokens,
  initialTokenReserve: Tokens,
  lowerTokenReserveLimit: Fraction,
  tokenReserveRestoreLevel: Fraction,
  buybackPrice: UsdPerToken,
  cash: Usd,
  circulating: Tokens,
): ReserveTopUp {
  if (!(tokenReserve < lowerTokenReserveLimit * initialTokenReserve)) return NONE;
  const wanted = tokenReserveRestoreLevel * initialTokenReserve - tokenReserve;
  let tokens = wanted;
  let usd = wanted * buybackPrice;
  if (usd > cash) {
    tokens = cash / buybackPrice;
    usd = cash;
  }
  if (tokens > circulating) {
    tokens = circulating;
    usd = Math.min(circulating * buybackPrice, cash);
  }
  return { reserveBuybackTokens: tokens, reserveBuybackUsd: usd };
}
