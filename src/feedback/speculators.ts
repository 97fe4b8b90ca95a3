import type { Out } from "../mechanisms/out.js";
import type { Tokens, Usd, UsdPerToken } from "../units.js";

export interface SpeculatorOrder {
  /** USD brought to the market to buy tokens. */
  readonly buyUsd: Usd;
  /** Tokens offered for sale. */
  readonly sellTokens: Tokens;
}

const NONE: SpeculatorOrder = { buyUsd: 0, sellTokens: 0 };

/**
 * E44, trend-following speculators on day t, from closed days only:
 *
 * `r = priceOfToken[t−1] / priceOfToken[t−1−L] − 1` (L = momentumDays),
 * `flow = clamp(sensitivity · r, −1, 1) · capitalUsd` (usd/day),
 *
 * a buy of `flow` USD when positive, a sale of `min(−flow / priceOfToken[t−1], holdings)` tokens
 * when negative (`holdings`: the tokens the speculators hold at the day's open). Linear in the
 * trend with a bounded book: the smallest rule with a momentum feedback, a capital that caps
 * how hard it can push, and a holding that caps what it can sell (a trend follower cannot sell
 * tokens it does not hold). Nothing before day L + 1.
 */
export function speculatorOrder(
  priceYesterday: UsdPerToken | undefined,
  pricePast: UsdPerToken | undefined,
  sensitivity: number,
  capitalUsd: Usd,
  holdings: Tokens,
): SpeculatorOrder {
  if (priceYesterday === undefined || pricePast === undefined) return NONE;
  const out = { buyUsd: 0, sellTokens: 0 };
  speculatorOrderInto(out, priceYesterday, pricePast, sensitivity, capitalUsd, holdings);
  return out;
}

/**
 * E44 into `out` (allocation-free; `speculatorOrder` is the readable form): the one
 * implementation. `pricePast` NaN stands for "no such day yet" (nothing before day L + 1).
 */
export function speculatorOrderInto(
  out: Out<SpeculatorOrder>,
  priceYesterday: UsdPerToken,
  pricePast: UsdPerToken,
  sensitivity: number,
  capitalUsd: Usd,
  holdings: Tokens,
): void {
  out.buyUsd = 0;
  out.sellTokens = 0;
  if (!(pricePast > 0)) return;
  const r = priceYesterday / pricePast - 1;
  const flow = Math.max(-1, Math.min(1, sensitivity * r)) * capitalUsd;
  if (flow > 0) out.buyUsd = flow;
  else if (flow < 0) out.sellTokens = Math.min(-flow / priceYesterday, holdings);
}
