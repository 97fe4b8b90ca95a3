import type { Out } from "../mechanisms/out.js";
import type { ReserveTopUp } from "../mechanisms/reserveTopUp.js";
import type { Fraction, Tokens, Usd } from "../units.js";

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
  const out = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };
  ammReserveTopUpInto(
    out,
    tokenReserve,
    initialTokenReserve,
    lowerTokenReserveLimit,
    tokenReserveRestoreLevel,
    poolTokens,
    poolUsd,
    cash,
  );
  return out;
}

/** E46 into `out` (allocation-free; `ammReserveTopUp` is the readable form): the one implementation. */
export function ammReserveTopUpInto(
  out: Out<ReserveTopUp>,
  tokenReserve: Tokens,
  initialTokenReserve: Tokens,
  lowerTokenReserveLimit: Fraction,
  tokenReserveRestoreLevel: Fraction,
  poolTokens: Tokens,
  poolUsd: Usd,
  cash: Usd,
): void {
  out.reserveBuybackTokens = 0;
  out.reserveBuybackUsd = 0;
  if (!(tokenReserve < lowerTokenReserveLimit * initialTokenReserve)) return;
  const wanted = tokenReserveRestoreLevel * initialTokenReserve - tokenReserve;
  const affordable = (poolTokens * cash) / (poolUsd + cash);
  if (!(cash > 0) || !(wanted > 0)) return;
  if (wanted >= affordable) {
    // The pool keeps x·y / (y + cash) tokens. When the cash dwarfs the pool's dollars that is
    // below the last digit of its balance and x − affordable rounds to 0 (a spot of ∞ the next
    // day): the pool then keeps that last digit, x·ε, never its last token (decision 225).
    out.reserveBuybackTokens =
      poolTokens - affordable > 0 ? affordable : poolTokens * (1 - Number.EPSILON);
    out.reserveBuybackUsd = cash;
  } else {
    out.reserveBuybackTokens = wanted;
    out.reserveBuybackUsd = (poolUsd * wanted) / (poolTokens - wanted);
  }
}
