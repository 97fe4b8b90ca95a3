import type { Jobs, Tokens, Usd, UsdPerToken } from "../units.js";

/**
 * E12: job-reward points of a day, in tokens,
 * `Σ_i jobCreated[i] · (jobPrice[i] / priceOfToken) / jobRewardModulation`. Phase 2 only.
 */
export function jobReward(
  jobCreated: ArrayLike<Jobs>,
  jobPrice: ArrayLike<Usd>,
  priceOfToken: UsdPerToken,
  jobRewardModulation: number,
): Tokens {
  let sum = 0;
  for (let i = 0; i < jobCreated.length; i++) sum += jobCreated[i] * (jobPrice[i] / priceOfToken);
  return sum / jobRewardModulation;
}
