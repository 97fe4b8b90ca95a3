import type { Fraction, Tokens, Usd, UsdPerToken } from "../units.js";
import type { Out } from "./out.js";
import { withdrawal } from "./withdrawal.js";

export interface ReserveTopUp {
  readonly reserveBuybackTokens: Tokens;
  readonly reserveBuybackUsd: Usd;
}

const NONE: ReserveTopUp = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };

/**
 * E16: if the reserve after step 12 is strictly below `lowerTokenReserveLimit · initialTokenReserve`,
 * buy back up to `tokenReserveRestoreLevel · initialTokenReserve` at the buyback price, as many
 * tokens as `cash` (dollar reserve + today's opsRevenue) pays for and no more than the circulating
 * supply left. Any phase; not part of the day's demand. Both limits are `withdrawal()`s: an
 * amount within DRAIN_TOLERANCE of the cash (or the circulating supply) takes all of it, so
 * the balance it comes from lands on exactly 0, and a balance ≤ 0 gives nothing.
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
  const out = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };
  reserveTopUpInto(
    out,
    tokenReserve,
    initialTokenReserve,
    lowerTokenReserveLimit,
    tokenReserveRestoreLevel,
    buybackPrice,
    cash,
    circulating,
  );
  return out;
}

/** E16 into `out` (allocation-free; `reserveTopUp` is the readable form): the one implementation. */
export function reserveTopUpInto(
  out: Out<ReserveTopUp>,
  tokenReserve: Tokens,
  initialTokenReserve: Tokens,
  lowerTokenReserveLimit: Fraction,
  tokenReserveRestoreLevel: Fraction,
  buybackPrice: UsdPerToken,
  cash: Usd,
  circulating: Tokens,
): void {
  if (!(tokenReserve < lowerTokenReserveLimit * initialTokenReserve)) {
    out.reserveBuybackTokens = 0;
    out.reserveBuybackUsd = 0;
    return;
  }
  const wanted = tokenReserveRestoreLevel * initialTokenReserve - tokenReserve;
  let tokens = wanted;
  let usd = wanted * buybackPrice;
  const spent = withdrawal(cash, usd);
  if (spent !== usd) {
    // cash-limited, or all of the cash: buy what it pays for
    tokens = spent === 0 ? 0 : cash / buybackPrice;
    usd = spent;
  }
  const taken = withdrawal(circulating, tokens);
  if (taken !== tokens) {
    // supply-limited, or all of it
    tokens = taken;
    usd = taken === 0 ? 0 : Math.min(circulating * buybackPrice, cash);
  }
  out.reserveBuybackTokens = tokens;
  out.reserveBuybackUsd = usd;
}
