/**
 * Quantiles of Monte Carlo bands. Definition: Hyndman & Fan type 7 (linear interpolation
 * between order statistics, the default of R, NumPy and Excel's PERCENTILE.INC):
 * for sorted v[0 … n−1], h = (n − 1)·q, Q(q) = v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]).
 * An infinite neighbour (a stress run's runway ∞) is interpolated as the formula's limit
 * (`between`), not as the NaN that 0·∞ or ∞ − ∞ would give.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return between(sorted[lo], sorted[hi], h - lo);
}

/**
 * a + w·(b − a) for a ≤ b, 0 ≤ w < 1: the formula itself when b − a is finite (the same bytes as
 * always); otherwise its limit — a at w = 0, a when both are the same infinity, −∞ from a = −∞,
 * +∞ towards b = +∞ — and NaN when either is NaN.
 */
function between(a: number, b: number, w: number): number {
  if (Number.isFinite(b - a)) return a + w * (b - a);
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  if (w === 0 || a === b || a === Number.NEGATIVE_INFINITY) return a;
  return b;
}

/** Type-7 quantile of any rank function: `at(r)` returns the r-th smallest of n values. */
export function quantileByRank(n: number, q: number, at: (rank: number) => number): number {
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const a = at(lo);
  if (h === lo || lo + 1 >= n) return a;
  return between(a, at(lo + 1), h - lo);
}

/**
 * The mean of n values from their sum, held within the values' own range [lo, hi]: rounding in
 * the sum can put `sum / n` an ulp outside it (ten values of 0.1 sum to 0.9999999999999999, a
 * mean below every value), and a mean below the 5th or above the 95th percentile of a constant
 * sample is a rounding artefact, not a property of the sample. NaN for n = 0.
 */
export function meanWithin(sum: number, n: number, lo: number, hi: number): number {
  if (n === 0) return Number.NaN;
  return Math.min(hi, Math.max(lo, sum / n));
}

/** The mean of a sample's values, held within their range (meanWithin); NaN when there are none. */
export function meanOf(values: ArrayLike<number>): number {
  return meanBy(values.length, (k) => values[k]);
}

/**
 * The mean of the n values value(0) … value(n − 1), added in that order and held within their
 * range (meanWithin); NaN for n = 0. For values that are not stored as one array.
 */
export function meanBy(n: number, value: (k: number) => number): number {
  let sum = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const v = value(k);
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return meanWithin(sum, n, lo, hi);
}

/**
 * Mean, standard deviation (n − 1) and the 5th, 50th and 95th percentiles of a sample's finite
 * values, and how many are missing (NaN: docs/limits.md).
 */
export function summarizeSample(values: ArrayLike<number>): {
  mean: number;
  sd: number;
  p5: number;
  p50: number;
  p95: number;
  missing: number;
} {
  // the finite values in their order, in a typed array (no boxed number per value)
  const all = new Float64Array(values.length);
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isFinite(v)) all[n++] = v;
  }
  const finite = all.subarray(0, n);
  const missing = values.length - n;
  if (n === 0)
    return {
      mean: Number.NaN,
      sd: Number.NaN,
      p5: Number.NaN,
      p50: Number.NaN,
      p95: Number.NaN,
      missing,
    };
  // indexed loops, not for-of: the iterator's code was deoptimised at the end of every call's
  // loop (once per metric of a point, each time interpreted again)
  let sum = 0;
  for (let k = 0; k < n; k++) sum += all[k];
  const sorted = finite.slice().sort();
  const mean = meanWithin(sum, n, sorted[0], sorted[n - 1]);
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (all[k] - mean) * (all[k] - mean);
  return {
    mean,
    sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    p5: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    missing,
  };
}
