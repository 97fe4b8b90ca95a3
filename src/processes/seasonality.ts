/** E26, seasonality: S_t = 1 + A·sin(2π(t − φ)/P), P in days, A in [0, 1], so S_t ≥ 0. */
export function seasonalFactor(
  t: number,
  period: number,
  amplitude: number,
  phase: number,
): number {
  return 1 + amplitude * Math.sin((2 * Math.PI * (t - phase)) / period);
}
