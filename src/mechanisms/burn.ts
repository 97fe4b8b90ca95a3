import type { Tokens, Usd, UsdPerToken } from "../units.js";

/** E11a: tokens bought back with the day's buyback capital, `usdBuybackCapital / buybackPrice`. */
export function buybackTokens(usdBuybackCapital: Usd, buybackPrice: UsdPerToken): Tokens {
  return usdBuybackCapital / buybackPrice;
}

/** E11b: tokens bought with onboarding fees and sent to the treasury, `onboardingUsd / priceOfToken`. */
export function onboardingTokens(onboardingUsd: Usd, priceOfToken: UsdPerToken): Tokens {
  return onboardingUsd / priceOfToken;
}
