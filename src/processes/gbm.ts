/**
 * E23, geometric random walk: G_t = G_{t−1}·exp(μ − σ²/2 + σ·ε_t) with G_0 = 1 and ε_t ~ N(0, 1),
 * so E[G_t] = e^{μt} and Var[ln G_t] = σ²t. μ per day, σ per √day; G is dimensionless.
 */
export function gbmStep(g: number, drift: number, volatility: number, eps: number): number {
  return g * Math.exp(drift - 0.5 * volatility * volatility + volatility * eps);
}
