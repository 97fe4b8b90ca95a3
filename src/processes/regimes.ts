/**
 * E27, regime switching. Markov: R_t = the first j with u_t < Σ_{i ≤ j} P[R_{t−1}][i],
 * u_t ~ U(0, 1) from the regime stream (one uniform per day from day 1). Scheduled: R_t is the
 * regime of the latest entry with fromDay ≤ t (the initial regime before the first).
 */
export function nextRegime(row: ArrayLike<number>, u: number): number {
  let cum = 0;
  for (let j = 0; j < row.length; j++) {
    cum += row[j];
    if (u < cum) return j;
  }
  // u is in (0, 1) and rows sum to 1 within 1e-9: land on the last state with positive weight.
  for (let j = row.length - 1; j >= 0; j--) if (row[j] > 0) return j;
  return row.length - 1;
}

/** The scheduled regime on day t: entries sorted by fromDay. */
export function scheduledRegime(
  t: number,
  initial: number,
  fromDays: ArrayLike<number>,
  regimes: ArrayLike<number>,
): number {
  let r = initial;
  for (let i = 0; i < fromDays.length && fromDays[i] <= t; i++) r = regimes[i];
  return r;
}
