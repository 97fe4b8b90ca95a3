import type { Fraction, Tokens, Usd, UsdPerToken } from "../units.js";
import type { Out } from "./out.js";

/** E10 demand: `consumerSentiment + onboardingUsd + supplierBondUsd + usdBuybackCapital + governanceValue`. */
export function tokenDemand(
  consumerSentiment: Usd,
  onboardingUsd: Usd,
  supplierBondUsd: Usd,
  usdBuybackCapital: Usd,
  governanceValue: Usd,
): Usd {
  return consumerSentiment + onboardingUsd + supplierBondUsd + usdBuybackCapital + governanceValue;
}

export interface TokenPrice {
  readonly priceOfToken: UsdPerToken;
  /** demand/supply was strictly below the floor [R4]. */
  readonly priceFloored: boolean;
  /** `priceOfToken · (1 + buybackPremium)` [R3]. */
  readonly buybackPrice: UsdPerToken;
}

/**
 * E10: `priceOfToken = max(demand / supply, priceFloor)` with the start-of-day supply.
 * With no supply (supply ≤ 0: the sign of a residue never decides) the price is the floor when
 * demand is 0; otherwise no price exists and `null` is returned (the engine stops with an
 * error naming the day).
 */
export function tokenPrice(
  demand: Usd,
  supply: Tokens,
  priceFloor: UsdPerToken,
  buybackPremium: Fraction,
): TokenPrice | null {
  const out = { priceOfToken: 0, priceFloored: false, buybackPrice: 0 };
  return tokenPriceInto(out, demand, supply, priceFloor, buybackPremium) ? out : null;
}

/**
 * E10 into `out` (allocation-free; `tokenPrice` is the readable form): the one implementation.
 * Returns false, `out` untouched, when no price exists.
 */
export function tokenPriceInto(
  out: Out<TokenPrice>,
  demand: Usd,
  supply: Tokens,
  priceFloor: UsdPerToken,
  buybackPremium: Fraction,
): boolean {
  if (!(supply > 0) && demand > 0) return false;
  const raw = supply > 0 ? demand / supply : 0;
  const priceFloored = raw < priceFloor;
  const priceOfToken = priceFloored ? priceFloor : raw;
  out.priceOfToken = priceOfToken;
  out.priceFloored = priceFloored;
  out.buybackPrice = priceOfToken * (1 + buybackPremium);
  return true;
}
