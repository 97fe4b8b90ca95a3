/**
 * E28, a scheduled shock: K_t = 1 + (f − 1)·w_t with weight
 *   w_t = 0                              for t < d₀ or t ≥ e + R,
 *   w_t = min(1, (t − d₀ + 1)/r)         for d₀ ≤ t < e   (r = rampDays; r = 0 → 1),
 *   w_t = 1 − (t − e + 1)/R              for e ≤ t < e + R (R = recoveryDays),
 * where d₀ = fromDay and e = d₀ + days. Dimensionless; several shocks on a series multiply.
 */
export function shockFactor(
  t: number,
  fromDay: number,
  days: number,
  factor: number,
  rampDays: number,
  recoveryDays: number,
): number {
  const end = fromDay + days;
  let w = 0;
  if (t >= fromDay && t < end) w = rampDays > 0 ? Math.min(1, (t - fromDay + 1) / rampDays) : 1;
  else if (t >= end && t < end + recoveryDays) w = 1 - (t - end + 1) / recoveryDays;
  return 1 + (factor - 1) * w;
}
