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
 * values, and how many are missing (NaN: docs/limits.md). The percentiles are quantileSorted's
 * type-7 values of the sorted sample, read without sorting it: the six order statistics they need
 * are selected (`selectRanks`, O(n)), so a million runs' outcome metrics are summarised in a few
 * milliseconds each where a sort took ≈ 80 ms on the coordinating thread (decision 248).
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
  let lo = all[0];
  let hi = all[0];
  for (let k = 0; k < n; k++) {
    const v = all[k];
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // where a zero can be among the values, how many sort before every 0 (once: the order is moot)
  const below = zeroSigns(finite, lo <= 0 && hi >= 0);
  const mean = meanWithin(sum, n, signedAt(lo, 0, below), signedAt(hi, n - 1, below));
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (all[k] - mean) * (all[k] - mean);
  // the order statistics of ranks ⌊h⌋ and ⌊h⌋ + 1 of each percentile, each at its own index as in
  // the sorted sample (the values' order is no longer needed)
  const ranks: number[] = [];
  for (const q of SUMMARY_QUANTILES) {
    const r = Math.floor((n - 1) * q);
    ranks.push(r, Math.min(r + 1, n - 1));
  }
  selectRanks(finite, ranks);
  for (const r of ranks) finite[r] = signedAt(finite[r], r, below);
  return {
    mean,
    sd: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    p5: quantileSorted(finite, 0.05),
    p50: quantileSorted(finite, 0.5),
    p95: quantileSorted(finite, 0.95),
    missing,
  };
}

const SUMMARY_QUANTILES = [0.05, 0.5, 0.95] as const;

/**
 * Rearranges `a` (finite values) so that for each rank r of `ranks` the r-th smallest value is at
 * a[r], every value before it ≤ it and every value after it ≥ it: what `a.sort()` leaves at those
 * indices, up to the sign of a zero (`<` does not order −0 before 0; `signedAt` restores it).
 * Quickselect with a median-of-three pivot, ranks taken in increasing order, each searched only
 * above the last; a search that has not converged after 2·log₂ n + 8 partitions sorts what is
 * left of its range, so the worst case is a sort's O(n log n).
 */
export function selectRanks(a: Float64Array, ranks: readonly number[]): void {
  const order = [...ranks].sort((x, y) => x - y);
  let from = 0;
  for (const k of order) {
    if (k < from) continue; // a rank already in place
    selectRank(a, k, from, a.length - 1);
    from = k + 1;
  }
}

function selectRank(a: Float64Array, k: number, lo0: number, hi0: number): void {
  let lo = lo0;
  let hi = hi0;
  let budget = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi > lo) {
    if (budget-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    const mid = lo + ((hi - lo) >> 1);
    // median of a[lo], a[mid], a[hi] as the pivot
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const pivot = a[mid];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    // a[lo … j] ≤ pivot ≤ a[i … hi], and a[j+1 … i−1] equal the pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** How many values are below zero (negatives and −0, in sorted order before every 0), or −1 unneeded. */
function zeroSigns(a: Float64Array, needed: boolean): number {
  if (!needed) return -1;
  let below = 0;
  for (let k = 0; k < a.length; k++) if (a[k] < 0 || Object.is(a[k], -0)) below++;
  return below;
}

/** The value of rank r in sorted order, given a value equal to it: a zero gets its sign there. */
function signedAt(x: number, r: number, below: number): number {
  if (x !== 0) return x;
  return r < below ? -0 : 0;
}
