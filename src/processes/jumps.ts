/**
 * E25, jumps: J_t = (1 − d)·J_{t−1} + Σ_{k ≤ N_t} Y_k with N_t ~ Poisson(λ) arrivals per day and
 * log sizes Y_k ~ N(m, s²); the series is multiplied by exp(J_t). `sizes` is Σ Y_k of the day
 * (0 on a day without a jump); d = 0 makes jumps permanent.
 */
export function jumpStep(j: number, decay: number, sizes: number): number {
  return (1 - decay) * j + sizes;
}
