import type { ReserveTopUp } from "../mechanisms/reserveTopUp.js";
import type { Fraction, Tokens, Usd } from "../units.js";

const NONE: ReserveTopUp = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };

/**
 * E46, E16's reserve top-up when the market is a constant-product pool (E45): with the reserve
 * strictly below `lowerTokenReserveLimit · initialTokenReserve`, buy `W = restoreLevel ·
 * initialTokenReserve − tokenReserve` tokens from the pool after the day's batch, at the pool's
 * cost `usd = y·W / (x − W)`, or as many as `cash` buys, `x · cash / (y + cash)` (the pool never
 * sells its last token). The pool sets the price, so E16's premium does not apply.
 */
export function ammReserveTopUp(
  tokenReserve: Tokens,
  initialTokenReserve: Tokens,
  lowerTokenReserveLimit: Fraction,
  tokenReserveRestoreLevel: Fraction,
  poolTokens: Tokens,
  poolUsd: Usd,
  cash: Usd,
): ReserveTopUp {
  if (!(tokenReserve < lowerTokenReserveLimit * initialTokenReserve)) return NONE;
  const wanted = tokenReserveRestoreLevel * initialTokenReserve - tokenReserve;
  const affordable = (poolTokens * cash) / (poolUsd + cash);
  if (!(cash > 0) || !(wanted > 0)) return NONE;
  if (wanted >= affordable) return { reserveBuybackTokens: affordable, reserveBuybackUsd: cash };
  return {
    reserveBuybackTokens: wanted,
    reserveBuybackUsd: (poolUsd * wanted) / (poolTokens - wanted),
  };
}
