/**
 * E24, mean reversion (Ornstein–Uhlenbeck in its daily AR(1) form):
 * X_t = X_{t−1} + θ(ℓ − X_{t−1}) + σ·ε_t, ε_t ~ N(0, 1). Stationary mean ℓ, stationary variance
 * σ²/(θ(2 − θ)), lag-1 autocorrelation 1 − θ. X is a dimensionless factor; the series uses max(0, X_t).
 */
export function ouStep(
  x: number,
  level: number,
  speed: number,
  volatility: number,
  eps: number,
): number {
  return x + speed * (level - x) + volatility * eps;
}
