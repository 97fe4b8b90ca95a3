import type { Fraction, Tokens, Usd, UsdPerToken } from "../units.js";

/**
 * E9: USD of token bonds posted in a day, `bondModulation · income` (each accepted job posts
 * bondModulation · jobPrice). In aggregate mode bonds are bought, escrowed and returned within
 * the day: they add demand and nothing else.
 */
export function supplierBondUsd(bondModulation: Fraction, income: Usd): Usd {
  return bondModulation * income;
}

/** E22: tokens one supplier posts on accepting a task, `bondModulation · taskPrice / priceOfToken`. */
export function supplierBondTokens(
  bondModulation: Fraction,
  taskPrice: Usd,
  priceOfToken: UsdPerToken,
): Tokens {
  return (bondModulation * taskPrice) / priceOfToken;
}
