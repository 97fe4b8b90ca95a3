/**
 * Outcome metrics that tell designs apart (issue 12 item 3; laws E31–E37 in
 * docs/model-stress.md). Each is a pure function of one run's daily columns, read as arrays of
 * `days` values (a column-major table's slice); days with no price yet are not in a run.
 */

/**
 * E31, drawdown from a day: max over t ≥ d of (peak_t − p_t)/peak_t, with peak_t the highest price
 * on days d … t (the running peak restarts on day d). A fraction in [0, 1]; NaN (missing: no
 * such days) when d ≥ days.
 */
export function drawdownFrom(price: ArrayLike<number>, days: number, fromDay: number): number {
  if (fromDay >= days) return Number.NaN;
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (let t = Math.max(0, fromDay); t < days; t++) {
    const p = price[t];
    if (p > peak) peak = p;
    else if (peak > 0 && (peak - p) / peak > worst) worst = (peak - p) / peak;
  }
  return worst;
}

/**
 * E32, price volatility: the sample standard deviation of daily log returns ln(p_t/p_{t−1}),
 * t = 1 … days−1 (n − 1 in the denominator). Per day, dimensionless; NaN (missing: no spread
 * of fewer than two returns) with fewer than 3 days.
 */
export function priceVolatility(price: ArrayLike<number>, days: number): number {
  const n = days - 1;
  if (n < 2) return Number.NaN;
  let sum = 0;
  for (let t = 1; t < days; t++) sum += Math.log(price[t] / price[t - 1]);
  const mean = sum / n;
  let ss = 0;
  for (let t = 1; t < days; t++) ss += (Math.log(price[t] / price[t - 1]) - mean) ** 2;
  return Math.sqrt(ss / (n - 1));
}

/** E33, days below a price: #{t : p_t < threshold}. Days. */
export function daysBelow(price: ArrayLike<number>, days: number, threshold: number): number {
  let n = 0;
  for (let t = 0; t < days; t++) if (price[t] < threshold) n++;
  return n;
}

/** E34, the smallest end-of-day value of a column and its first day ({ value: NaN, day: −1 } if no days). */
export function minimumAndDay(x: ArrayLike<number>, days: number): { value: number; day: number } {
  let value = Number.NaN;
  let day = -1;
  for (let t = 0; t < days; t++)
    if (day < 0 || x[t] < value) {
      value = x[t];
      day = t;
    }
  return { value, day };
}

/**
 * E35, reserve runway: R_T / q, the days until the token reserve R would be empty at the average
 * net outflow of the last w days, q = (R_{T−w} − R_T)/w with T = days − 1 and w = min(30, T)
 * (R_{T−w} the reserve at the end of day T − w); 0 when it is empty. When the reserve is not
 * falling (q ≤ 0, or a one-day run) there is no runway: NaN, a missing value (docs/limits.md),
 * left out of Monte Carlo means and quantiles. Days.
 */
export function reserveRunway(reserve: ArrayLike<number>, days: number, window = 30): number {
  const last = days - 1;
  if (last < 0) return Number.NaN;
  const w = Math.min(window, last);
  return runwayOf(reserve[last], reserve[last - w], w);
}

/**
 * E35 from the two reserves it reads: R_T (`last`), R_{T−w} (`back`) and the window w ≥ 0 (see
 * reserveRunway, the definition; the Monte Carlo's batch form calls this too). Days.
 */
export function runwayOf(last: number, back: number, w: number): number {
  if (last <= 0) return 0;
  if (w === 0) return Number.NaN;
  const outflow = (back - last) / w;
  return outflow > 0 ? last / outflow : Number.NaN;
}

/** E36, time to first shortfall: the first day with tokenShortfall > 0; NaN (missing) if none. Day. */
export function firstDayAbove(x: ArrayLike<number>, days: number, level = 0): number {
  for (let t = 0; t < days; t++) if (x[t] > level) return t;
  return Number.NaN;
}
