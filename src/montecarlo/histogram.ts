import { DerivedCells, type DerivedData } from "./derived.js";

/**
 * Mergeable per-cell histograms for the bands of large Monte Carlos (docs/bands.md).
 *
 * Each cell (a column × day) has a fixed plan taken from a deterministic pilot (runs 0 … P−1
 * of the point): INTERIOR fine buckets over the pilot's range widened by PILOT_MARGIN of that
 * range on each side (on the log scale for a positive cell spanning a factor of LOG_RATIO),
 * plus an underflow and an overflow bucket. An even plan splits the range evenly; an adaptive
 * plan (most varying cells) cuts it into SEGMENTS equal segments and shares the fine buckets
 * out among them by the pilot's empirical distribution. Every FINE consecutive fine buckets
 * form a coarse bucket that keeps the exact min and max of its values. Counts are counted in
 * 8 bits (a row of 2 kB: the histogram of the whitepaper's 3,600 varying cells ≈ 7.6 MB of
 * counters), each count that reaches 256 carrying 256 into the 32-bit counts (decision 227),
 * and flushed into 32 bits before the histogram is read. Counts add and min/max combine
 * exactly, so merging in any order gives the same bytes.
 *
 * A cell whose values so far are all one value (deterministic days, zeros) keeps no row, only
 * that value and its count; it gets a row the first time a different value arrives.
 */

/**
 * Coarse buckets per cell between the underflow and the overflow bucket: each keeps the min
 * and max of its values and is made of FINE consecutive fine buckets (in value order).
 */
export const COARSE = 64;
/** Counting (fine) buckets per coarse bucket. */
export const FINE = 32;
const FINE_SHIFT = 5;
/**
 * Lookup segments of an adaptive plan: the cell's range is cut into SEGMENTS equal segments
 * (on the value or log scale), and segment k holds interior fine buckets fine[at+k] …
 * fine[at+k+1]−1, their number following the pilot's density there.
 */
export const SEGMENTS = 256;
/**
 * Counts are kept in 8 bits while counting: a count that reaches NARROW (256) is stored as 0 and
 * carries NARROW into the 32-bit counts (decision 227).
 */
const NARROW = 256;
/** A row's 8-bit counts are flushed before this many values have been counted into it (int32). */
const PENDING_MAX = 2 ** 30;
/** Coarse buckets of a row, with underflow and overflow. */
const NC = COARSE + 2;
/** Counts per cell row. */
export const COUNTS = NC * FINE;
/** Floats per cell row of mins and maxes. */
const MM = NC * 2;
/** The pilot's range is widened by this fraction of itself on each side. */
export const PILOT_MARGIN = 0.1;
/** Pilot max / min from which a positive cell is bucketed on the log scale. */
export const LOG_RATIO = 2;
/** Interior fine buckets of a row (COARSE · FINE), however a cell's plan shares them out. */
export const INTERIOR = COARSE * FINE;
/** Offsets per adaptive cell: the first interior fine bucket of each segment, and INTERIOR. */
export const OFFSETS = SEGMENTS + 1;
/**
 * A cell is planned adaptively when, on the even plan, the pilot's density (smoothed over
 * 2·SMOOTH + 1 coarse buckets) would put more than this share of the runs in one fine bucket.
 */
export const ADAPT_SHARE = 0.0015;
const SMOOTH = 2;
/**
 * Up to TRIM pilot values on each side are left out of a cell's range when that makes the
 * range TRIM_RATIO times narrower (one run far off, the others within residues of a value):
 * they fall in the underflow and overflow buckets, which keep their exact min and max.
 */
const TRIM = 2;
const TRIM_RATIO = 64;
/** … or when this many pilot values fall in one segment (a spike the smoothing hides). */
export const ADAPT_SPIKE = 6;
/** Fine buckets every segment of an adaptive cell gets; the rest follow the pilot. */
const BASE_FINE = 1;

/**
 * The log scale of a positive cell, L, is read from the float's bits instead of calling
 * Math.log (a C call per value): for x > 0 with high 32-bit word hi (sign, exponent and the
 * top 20 bits of the mantissa) and low word lo, L(x) = E + T(m) where E = hi & 0x7ff00000 (the
 * exponent, 2²⁰ per octave) and T, on the mantissa m ∈ [0, 1), is 2²⁰ · log₂(1 + m)
 * interpolated linearly between LOG_PIECES knots per octave. So L(x) ≈ 2²⁰ · (log₂ x + 1023):
 * a logarithm to within 0.5% of its slope, and monotone in x (exactly, in floating point: each
 * piece stays within its knots, and E grows by 2²⁰ where T returns to 0). It is the same on
 * every machine, and read through a 32-bit view of the batch's buffer it costs a few integer
 * operations and two loads from a 4 kB table.
 */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of a double's high (sign, exponent) and low 32-bit words in a Uint32Array view. */
const HI = LITTLE ? 1 : 0;
const LO = 1 - HI;
/** Knots per octave of the log scale (the top 8 bits of the mantissa choose the piece). */
const LOG_PIECES = 256;
/** T at each knot, a multiple of 2⁻³² (so each piece's width LOG_STEP is exact); T(1) = 2²⁰. */
const LOG_AT = new Float64Array(LOG_PIECES + 1);
const LOG_STEP = new Float64Array(LOG_PIECES);
for (let k = 0; k <= LOG_PIECES; k++)
  LOG_AT[k] = Math.round(Math.log2(1 + k / LOG_PIECES) * 2 ** 52) * 2 ** -32;
for (let k = 0; k < LOG_PIECES; k++) LOG_STEP[k] = LOG_AT[k + 1] - LOG_AT[k];
/**
 * The fine buckets whose 8-bit count reached NARROW in one call of an adaptive counting loop,
 * in order (CARRIES − 1 values at most per call: each value carries at most once).
 */
const CARRIED = new Int32Array(4096);
const CARRIES = CARRIED.length;
/** Carries a histogram lists before adding them into its 32-bit counts (CellHistograms.carry). */
const CARRY_LIST = 65536;
/** Where CellHistograms.touch leaves what it read (so that the reads are not left out). */
const TOUCHED = new Int32Array(1);
/** Scratch for the log scale of one value (bucket, the pilot) and an edge's value. */
const ONE = new Float64Array(1);
/** 2⁻¹² and 2⁻⁴⁴: a piece's fraction r from the mantissa's low 12 + 32 bits (exact). */
const P12 = 2 ** -12;
const P44 = 2 ** -44;
const ONE_BITS = new Uint32Array(ONE.buffer);

/** L(x) of a positive x (see LITTLE). */
export function logScale(x: number): number {
  return logOffset(x, 0, 0);
}

/**
 * L(x) − a for a positive x, with a = aInt + aFrac (aInt = ⌊a⌋): the integer parts subtracted
 * first (exact), so the result keeps the precision of the cell's range, not of L's magnitude
 * (≈ 2³⁰). The counting loops compute the same expression, in the same order.
 */
function logOffset(x: number, aInt: number, aFrac: number): number {
  ONE[0] = x;
  const hi = ONE_BITS[HI];
  const k = (hi >>> 12) & 0xff;
  const r = (hi & 0xfff) * P12 + ONE_BITS[LO] * P44;
  return (hi & 0x7ff00000) - aInt + (LOG_AT[k] + LOG_STEP[k] * r - aFrac);
}

/** The positive double x with L(x) ≈ a + d (aInt = ⌊a⌋, aFrac = a − aInt): 0 below, ∞ above. */
function logInverse(aInt: number, aFrac: number, d: number): number {
  const w = aFrac + d;
  let e = Math.floor((aInt + w) / 2 ** 20);
  let t = aInt - e * 2 ** 20 + w;
  if (t < 0) t = aInt - --e * 2 ** 20 + w;
  else if (t >= 2 ** 20) t = aInt - ++e * 2 ** 20 + w;
  if (e < 0) return 0;
  if (e >= 0x7ff) return Number.POSITIVE_INFINITY;
  let k = Math.min(LOG_PIECES - 1, Math.max(0, Math.floor(LOG_PIECES * (2 ** (t / 2 ** 20) - 1))));
  while (k > 0 && LOG_AT[k] > t) k--;
  while (k < LOG_PIECES - 1 && LOG_AT[k + 1] <= t) k++;
  const r = Math.min(1, Math.max(0, (t - LOG_AT[k]) / LOG_STEP[k]));
  // the mantissa's 44 bits below the piece's 8, rounded
  const m = Math.round(r * 2 ** 44);
  // (r = 1 carries into the next piece or octave: the sum, not an or)
  ONE_BITS[HI] = e * 2 ** 20 + k * 2 ** 12 + Math.floor(m / 2 ** 32);
  ONE_BITS[LO] = m % 2 ** 32;
  return ONE[0];
}

/**
 * Per cell: where fine bucket FINE starts (`start`, on the value or, where `log[i]` = 1, on
 * its log scale L, see logScale) and 1 / fine-bucket width (`scale`). Fine bucket of x: 0 below
 * start (and, on the log scale, x ≤ 0), FINE·(COARSE+1) at or beyond the end, else
 * ⌊(u − start)·scale⌋ + FINE with u = x or L(x) — monotone in x, so buckets are ordered as
 * their values are. Coarse bucket = fine bucket ÷ FINE.
 */
export interface BandPlan {
  readonly start: Float64Array;
  readonly scale: Float64Array;
  readonly log: Uint8Array;
  /** 1 where the pilot's values differ (the cell will need a row). */
  readonly varies: Uint8Array;
  /**
   * Per cell: −1 for an even plan (FINE fine buckets per coarse bucket, `scale` per fine
   * bucket), or where its OFFSETS offsets start in `fine` for an adaptive plan (`scale` per
   * coarse bucket; coarse bucket k holds interior fine buckets fine[at+k] … fine[at+k+1]−1,
   * shared out by the pilot's density).
   */
  readonly fineAt: Int32Array;
  readonly fine: Uint16Array;
  /**
   * Per cell: the cell whose values times `factor` are its values in every run (derived.ts:
   * not counted, decision 270), or −1 (counted).
   */
  readonly base: Int32Array;
  /** Per derived cell: c > 0, its value = its base's value · c, to the bit. */
  readonly factor: Float64Array;
}

/** The plan of the cells from the pilot's per-cell minima and maxima (good pilot runs only). */
export function planFromRange(min: Float64Array, max: Float64Array): BandPlan {
  const cells = min.length;
  const start = new Float64Array(cells);
  const scale = new Float64Array(cells);
  const log = new Uint8Array(cells);
  const varies = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) {
    let lo = min[i];
    let hi = max[i];
    varies[i] = lo < hi ? 1 : 0;
    if (lo > 0 && hi >= LOG_RATIO * lo && Number.isFinite(hi)) {
      log[i] = 1;
      lo = logScale(lo);
      hi = logScale(hi);
    }
    if (!(lo <= hi)) {
      // no good pilot run: any finite plan is correct, only refinement may be needed
      lo = 0;
      hi = 1;
    }
    let w = hi - lo;
    // one value in the pilot: a narrow window around it (a cell that varies later still bins)
    if (!(w > 0)) w = Math.max(Math.abs(lo) * 2 ** -20, 2 ** -1000);
    const s = (COARSE * FINE) / (w * (1 + 2 * PILOT_MARGIN));
    start[i] = lo - PILOT_MARGIN * w;
    scale[i] = Number.isFinite(s) && s > 0 ? s : 1;
  }
  return {
    start,
    scale,
    log,
    varies,
    fineAt: new Int32Array(cells).fill(-1),
    fine: new Uint16Array(0),
    base: new Int32Array(cells).fill(-1),
    factor: new Float64Array(cells),
  };
}

/**
 * The plan of the cells from the pilot's values, `pilot[cell·n + k]` for pilot run k
 * (`good[k]` = 0: a failed run, left out). Each cell gets the even plan of its range
 * (planFromRange); a cell whose pilot crowds (clusters of residues, a log-scaled cell
 * stretched by one small value: on the even plan, more than ADAPT_SHARE of the runs would
 * fall in one fine bucket) gets an adaptive plan instead: the same coarse buckets, each with
 * BASE_FINE fine buckets plus a share of the rest in proportion to the pilot's smoothed
 * density there. Deterministic: every thread and machine makes the same plan.
 */
export function planFromPilot(pilot: Float64Array, n: number, good: Uint8Array): BandPlan {
  return planFromParts([{ values: pilot, runs: n, good }]);
}

/**
 * Part of a pilot: `runs` consecutive pilot runs' values of every cell, `values[cell·runs + k]`
 * (`good[k]` = 0: a failed run). A batch of runs as the kernel writes it is one.
 */
export interface PilotPart {
  readonly values: Float64Array;
  readonly runs: number;
  readonly good: Uint8Array;
}

/**
 * planFromPilot of a pilot held in parts (consecutive runs, in run order): the same plan as of
 * their runs in one table, read where the kernel wrote them (no table to copy them into).
 */
export function planFromParts(parts: readonly PilotPart[]): BandPlan {
  // Each loop over the cells calls a function per cell and does little else: a loop body with
  // the work inline ran in the interpreter until on-stack replacement, then was deoptimised
  // wherever the first cells had left no type feedback (the code after the first loop, the
  // log scale's branch) and interpreted again — the plan ran ≈ 2× its optimised time, once
  // per point and thread. A small function per step is optimised once, whole, after a few calls.
  const n = parts.reduce((a, p) => a + p.runs, 0);
  const cells = n === 0 ? 0 : parts[0].values.length / parts[0].runs;
  const min = new Float64Array(cells);
  const max = new Float64Array(cells);
  const varies = new Uint8Array(cells);
  let nGood = 0;
  for (const p of parts) for (let k = 0; k < p.runs; k++) nGood += p.good[k];
  // per cell: its TRIM + 1 smallest and largest pilot values, ascending / descending
  const low = new Float64Array(TRIM + 1);
  const high = new Float64Array(TRIM + 1);
  for (let i = 0; i < cells; i++) {
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k];
      extremes(p.values, i * p.runs, p.runs, p.good, low, high, k === 0);
    }
    varies[i] = low[0] < high[0] ? 1 : 0;
    trimmedRange(low, high, nGood, min, max, i);
  }
  const even = planFromRange(min, max);
  even.varies.set(varies);
  const fineAt = new Int32Array(cells).fill(-1);
  // every adaptive cell's offsets, packed (no typed array per cell), and the pilot's bits
  const all = new Uint16Array(cells * OFFSETS);
  let adaptive = 0;
  const bits = parts.map(
    (p) => new Uint32Array(p.values.buffer, p.values.byteOffset, 2 * p.values.length),
  );
  const density = new Float64Array(SEGMENTS);
  const counts = new Int32Array(2 * SEGMENTS);
  const weight = new Float64Array(SEGMENTS);
  const pos = new Float64Array(Math.ceil(n / KNOTS[0]) + 2);
  for (let i = 0; i < cells; i++) {
    if (even.varies[i] === 0 || nGood === 0) continue;
    const sc = (even.scale[i] * SEGMENTS) / INTERIOR;
    counts.fill(0);
    const a = even.start[i];
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k];
      if (even.log[i] === 1)
        densityOfLog(p.values, bits[k], i * p.runs, p.runs, p.good, a, sc, counts);
      else densityOf(p.values, i * p.runs, p.runs, p.good, a, sc, counts);
    }
    // (whole numbers below 2⁵³: the two halves add exactly, as one count would)
    for (let c = 0; c < SEGMENTS; c++) density[c] = counts[c] + counts[c + SEGMENTS];
    if (!crowds(density, nGood, weight)) continue;
    massOf(density, nGood, weight, pos);
    fineAt[i] = adaptive * OFFSETS;
    shareOut(weight, all, adaptive++ * OFFSETS);
    even.scale[i] = sc; // per segment
  }
  const fine = all.slice(0, adaptive * OFFSETS);
  return { ...even, fineAt, fine };
}

/**
 * A cell's range from its TRIM + 1 smallest (`low`, ascending) and largest (`high`,
 * descending) pilot values, into min[i] and max[i]: without up to TRIM outliers on each side
 * that stretch it TRIM_RATIO-fold.
 */
function trimmedRange(
  low: Float64Array,
  high: Float64Array,
  nGood: number,
  min: Float64Array,
  max: Float64Array,
  i: number,
): void {
  let t = 0;
  for (let k = 1; k <= TRIM && nGood > 4 * TRIM; k++)
    if (high[k] - low[k] < (high[0] - low[0]) / TRIM_RATIO) {
      t = k;
      break;
    }
  min[i] = low[t];
  max[i] = high[t];
}

/**
 * Whether a cell's pilot crowds (planFromPilot), from its values per segment of the even plan
 * (`density`, m good values): the density smoothed over 2·SMOOTH + 1 segments (a running sum),
 * its peak and its spike. Writes the weights massOf starts from into `weight`: half follows
 * the values segment by segment, half the smoothed density.
 */
function crowds(density: Float64Array, m: number, weight: Float64Array): boolean {
  let window = 0;
  for (let c = 0; c < SMOOTH; c++) window += density[c];
  let peak = 0;
  let spike = 0;
  for (let c = 0; c < SEGMENTS; c++) {
    if (c + SMOOTH < SEGMENTS) window += density[c + SMOOTH];
    if (c - SMOOTH - 1 >= 0) window -= density[c - SMOOTH - 1];
    const w = window / (2 * SMOOTH + 1);
    weight[c] = w + density[c];
    if (w > peak) peak = w;
    if (density[c] > spike) spike = density[c];
  }
  return !((peak * SEGMENTS) / (m * INTERIOR) <= ADAPT_SHARE && spike < ADAPT_SPIKE);
}

/**
 * Merge the good values of pilot[o … o+n−1] into low (the TRIM + 1 smallest, ascending) and
 * high (the largest, descending), started at +∞ and −∞ for a cell's first part.
 */
function extremes(
  pilot: Float64Array,
  o: number,
  n: number,
  good: Uint8Array,
  low: Float64Array,
  high: Float64Array,
  /** The cell's first part: start low and high at +∞ and −∞ first. */
  first: boolean,
): void {
  if (first) {
    low.fill(Number.POSITIVE_INFINITY);
    high.fill(Number.NEGATIVE_INFINITY);
  }
  // low[TRIM] and high[TRIM] held in locals (decision 255): a value inside both (nearly every
  // value after a cell's first few) is passed by two compares of registers, and the lists are
  // read and written only when one of them moves
  let lo = low[TRIM];
  let hi = high[TRIM];
  for (let k = 0; k < n; k++) {
    const x = pilot[o + k];
    if (!(x < lo || x > hi) || good[k] === 0) continue;
    if (x < lo) {
      let j = TRIM;
      for (; j > 0 && x < low[j - 1]; j--) low[j] = low[j - 1];
      low[j] = x;
      lo = low[TRIM];
    }
    if (x > hi) {
      let j = TRIM;
      for (; j > 0 && x > high[j - 1]; j--) high[j] = high[j - 1];
      high[j] = x;
      hi = high[TRIM];
    }
  }
}

/**
 * The pilot's mass per segment, into `weight`, from `density` (good pilot values per segment,
 * m in all): the mean of piecewise-linear empirical distribution functions through every k-th
 * order statistic for each k of KNOTS (the mass between two knots spread evenly over the
 * values between them: a smoothed density that follows clusters and tails alike, and that a
 * pilot's chance hole in a dense stretch does not empty), plus one value's mass spread over
 * each margin beyond the pilot's extremes. An order statistic is placed within its segment
 * by rank (no sort: the segment is the resolution the plan uses).
 */
function massOf(density: Float64Array, m: number, weight: Float64Array, pos: Float64Array): void {
  weight.fill(0);
  if (m === 0) return;
  // positions (segment units) of the order statistics of ranks 0, K, 2K, … and m − 1 (K =
  // KNOTS[0], which divides every step): one walk of the cumulative counts
  const K = KNOTS[0];
  const last = Math.ceil((m - 1) / K);
  let c = 0;
  let below = 0;
  for (let j = 0; j <= last; j++) {
    const r = Math.min(m - 1, j * K);
    while (c < SEGMENTS - 1 && below + density[c] <= r) below += density[c++];
    pos[j] = c + Math.min(1, (r + 0.5 - below) / Math.max(1, density[c]));
  }
  for (const step of KNOTS)
    for (let lo = 0; lo < m - 1; ) {
      const hi = Math.min(m - 1, lo + step);
      const b = hi === m - 1 ? last : hi / K;
      spread(pos[lo / K], pos[b], (hi - lo) / KNOTS.length, weight);
      lo = hi;
    }
  spread(0, pos[0], 1, weight);
  spread(pos[last], SEGMENTS, 1, weight);
}

/** Order-statistic steps of massOf's empirical distribution functions. */
const KNOTS = [4, 16, 64];

/** Add mass `mass` spread evenly over [ua, ub] (segment units, clamped to the segments). */
function spread(ua: number, ub: number, mass: number, weight: Float64Array): void {
  const top = SEGMENTS - 1e-9;
  const a = Math.min(top, Math.max(0, ua));
  const b = Math.min(top, Math.max(0, ub));
  if (!(b - a > 1e-9)) {
    weight[a | 0] += mass;
    return;
  }
  // segment c gets mass·(min(b, c+1) − max(a, c)) / (b − a); a segment strictly inside (a, b)
  // has width (c+1) − c = 1 exactly, so its share is mass / (b − a), divided once
  const ca = a | 0;
  const cb = b | 0;
  const w = b - a;
  weight[ca] += (mass * (Math.min(b, ca + 1) - Math.max(a, ca))) / w;
  if (cb === ca) return;
  const inside = mass / w;
  for (let c = ca + 1; c < cb; c++) weight[c] += inside;
  weight[cb] += (mass * (Math.min(b, cb + 1) - Math.max(a, cb))) / w;
}

/**
 * Add the pilot's values per segment of the even plan (start a, `sc` segments per unit) into
 * `counts`, the even-numbered values into counts[0 … SEGMENTS−1] and the odd into the second
 * half (decision 256): clustered values hit one segment in a row, each increment waiting for
 * the last one's store; two counters per segment split that chain, and 32-bit integer adds
 * replace float adds (the caller adds the halves, exactly: the same density).
 */
function densityOf(
  pilot: Float64Array,
  o: number,
  n: number,
  good: Uint8Array,
  a: number,
  sc: number,
  counts: Int32Array,
): void {
  for (let k = 0; k < n; k++) {
    if (good[k] === 0) continue;
    const u = (pilot[o + k] - a) * sc;
    counts[(k & 1) * SEGMENTS + (u >= SEGMENTS - 1 ? SEGMENTS - 1 : u > 0 ? u | 0 : 0)]++;
  }
}

/**
 * densityOf on the log scale (start a = L(·) of the range's start): a value ≤ 0 lies below the
 * start, in segment 0 (its half of `counts`).
 */
function densityOfLog(
  pilot: Float64Array,
  /** A 32-bit view of pilot's buffer (its values' bits: the log scale, as the counting loops). */
  bits: Uint32Array,
  o: number,
  n: number,
  good: Uint8Array,
  a: number,
  sc: number,
  counts: Int32Array,
): void {
  const aInt = Math.floor(a);
  const aFrac = a - aInt;
  for (let k = 0; k < n; k++) {
    if (good[k] === 0) continue;
    const x = pilot[o + k];
    let u = -1;
    if (x > 0) {
      // logOffset, inline
      const hi = bits[2 * (o + k) + HI];
      const p = (hi >>> 12) & 0xff;
      const r = (hi & 0xfff) * P12 + bits[2 * (o + k) + LO] * P44;
      u = ((hi & 0x7ff00000) - aInt + (LOG_AT[p] + LOG_STEP[p] * r - aFrac)) * sc;
    }
    counts[(k & 1) * SEGMENTS + (u >= SEGMENTS - 1 ? SEGMENTS - 1 : u > 0 ? u | 0 : 0)]++;
  }
}

/**
 * Offsets of an adaptive cell, into o[at …]: BASE_FINE per segment, the rest in proportion to `weight`
 * (rounded on the running total, so each segment's share is within one bucket of its own).
 */
function shareOut(weight: Float64Array, o: Uint16Array, at: number): void {
  let total = 0;
  for (let c = 0; c < SEGMENTS; c++) total += weight[c];
  const rest = INTERIOR - BASE_FINE * SEGMENTS;
  o[at] = 0;
  let run = 0;
  let prev = 0; // o[at + c], kept here rather than read back from the array just written
  for (let c = 0; c < SEGMENTS; c++) {
    run += weight[c];
    const shared = c === SEGMENTS - 1 || !(total > 0) ? rest : Math.round((rest * run) / total);
    prev = Math.max(prev + BASE_FINE, BASE_FINE * (c + 1) + Math.min(rest, shared));
    o[at + c + 1] = prev;
  }
}

/**
 * s + x + x + … (n times), added in order, as floating point adds it. When every partial sum is
 * an integer of magnitude below 2⁵³ (s and x integers, |s| + n·|x| ≤ 2⁵⁰ even after rounding)
 * each addition is exact, so the sum is s + n·x, one multiply (the whitepaper's one-value cells
 * are zeros and whole token counts); otherwise one add at a time.
 */
export function sumRepeated(s: number, x: number, n: number): number {
  if (n <= 0) return s;
  if (Number.isInteger(x) && Number.isInteger(s) && Math.abs(s) + n * Math.abs(x) <= 2 ** 50)
    return s + n * x;
  let t = +s; // (unboxed: see the counting loops)
  for (let k = 0; k < n; k++) t += x;
  return t;
}

/** Where one rank of a cell lies (see CellHistograms.locate). */
/**
 * Fine bucket of x in an adaptive cell on the value scale (bucket()'s arithmetic: a the cell's
 * start, s its scale, `fine[at …]` its offsets); inlined into countAdaptive, eight calls per
 * iteration there. SEGMENTS (256), FINE · (COARSE + 1) (2080) and FINE (32) are written as
 * literals: read from the module's bindings they cost ≈ 15% of the loop's time with eight calls
 * (7.9 against 6.6 ms per batch; docs/benchmarks.md, helper count2). bucket() computes the same
 * with the constants, and the counting tests compare the two (test/montecarlo/histogram-runs).
 */
function adaptiveFine(x: number, a: number, s: number, at: number, fine: Uint16Array): number {
  const u = (x - a) * s;
  if (u >= 256) return 2080; // u ≥ SEGMENTS: the overflow bucket, FINE · (COARSE + 1)
  if (!(u >= 0)) return 0; // below, or NaN: the underflow bucket
  const c = u | 0;
  const o = fine[at + c];
  const nf = fine[at + c + 1] - o;
  let k = ((u - c) * nf) | 0;
  if (k >= nf) k = nf - 1;
  return 32 + o + k; // FINE + o + k
}

export interface Located {
  /** The estimate of the order statistic. */
  readonly value: number;
  /** Ranks of the exact order statistics the estimate lies between (both the rank: exact). */
  readonly lo: number;
  readonly hi: number;
  /** Fine bucket of the rank (−1 for a one-value cell) and the rank of its first value. */
  readonly bucket: number;
  readonly first: number;
}

/** Located of several ranks, field by field: rank j's in value[j], lo[j], … (locateRanks). */
export interface LocatedRows {
  readonly value: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly bucket: Float64Array;
  readonly first: Float64Array;
}

/** Room for the Located of `m` ranks. */
export function locatedRows(m: number): LocatedRows {
  return {
    value: new Float64Array(m),
    lo: new Float64Array(m),
    hi: new Float64Array(m),
    bucket: new Float64Array(m),
    first: new Float64Array(m),
  };
}

/** Rank j's Located, as an object (a pending quantile keeps its own). */
export function locatedAt(rows: LocatedRows, j: number): Located {
  return {
    value: rows.value[j],
    lo: rows.lo[j],
    hi: rows.hi[j],
    bucket: rows.bucket[j],
    first: rows.first[j],
  };
}

/** Plain-data form of CellHistograms (typed arrays and numbers), for threads and machines. */
export interface HistogramData {
  readonly cells: number;
  readonly start: Float64Array;
  readonly scale: Float64Array;
  readonly log: Uint8Array;
  /** The plan's adaptive cells (BandPlan.fineAt, BandPlan.fine). */
  readonly fineAt: Int32Array;
  readonly fine: Uint16Array;
  /** The plan's derived cells (BandPlan.base, BandPlan.factor) and what was seen of them. */
  readonly derived: DerivedData;
  /** Per cell: its row (rows are packed in cell order), or −1 for a one-value cell. */
  readonly rowOf: Int32Array;
  /** Per cell without a row: its one value and how many runs had it (0: none yet). */
  readonly atom: Float64Array;
  readonly atomCount: Float64Array;
  /** Per row: COUNTS fine counts. */
  readonly counts: Int32Array;
  /** Per row: min and max of each coarse bucket (+∞, −∞ when empty). */
  readonly minMax: Float64Array;
}

/**
 * A histogram as counted, unflushed (CellHistograms.view, decision 265): a row's count of fine bucket f is
 * its 32-bit count (where `counts` covers the row; it may cover none), plus its 8-bit count,
 * plus NARROW for each listed carry of that bucket.
 */
export interface HistogramView extends HistogramData {
  /** Per row: COUNTS 8-bit counts. */
  readonly narrow: Uint8Array;
  /** Carries not yet in `counts`, ascending: row · COUNTS + f, NARROW each. */
  readonly carries: Int32Array;
  /** Per row: 1 where its 32-bit counts may be non-zero (null: every row `counts` covers). */
  readonly wideRows: Uint8Array | null;
}

/**
 * What locating from views needs per thread: the views' 8-bit counts as 32-bit words (four
 * counts a read; null where not 4-byte aligned), and room for one cell.
 */
export interface ViewsRoom {
  readonly words: (Uint32Array | null)[];
  /** The merged cell's count per coarse bucket, its min/max, and one coarse bucket's counts. */
  readonly coarse: Int32Array;
  readonly minMax: Float64Array;
  readonly fine: Int32Array;
  /** The one-value counts a merge adds into the row: count and fine bucket. */
  readonly atomN: Float64Array;
  readonly atomF: Int32Array;
}

export function viewsRoom(views: readonly HistogramView[]): ViewsRoom {
  const k = views.length + 1;
  return {
    words: views.map(({ narrow: w }) =>
      w.byteOffset % 4 === 0 ? new Uint32Array(w.buffer, w.byteOffset, w.length >> 2) : null,
    ),
    coarse: new Int32Array(NC),
    minMax: new Float64Array(MM),
    fine: new Int32Array(FINE),
    atomN: new Float64Array(k),
    atomF: new Int32Array(k),
  };
}

/** The first index of the ascending list `cs` at or above `o` (a row's first carry). */
function firstCarry(cs: Int32Array, o: number): number {
  let a = 0;
  let b = cs.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (cs[mid] < o) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * Ranks `ranks` of the n values of cell i of the histogram merging `views` would make, into
 * `into`, and its extremes into lo[i], hi[i] (decisions 265, 266): the same values, bit for
 * bit, as merging them in their order into an empty histogram (merge, addRepeated,
 * materialize) and then locateRanks and extremes, with fewer counts read and no merged
 * histogram made. Merging is exact and the same in any order but for a zero's sign, which
 * this keeps as the merge in the same order does (the last equal value's atom; min/max by
 * strict compares). The
 * merged row's count per coarse bucket is summed first (the 8-bit counts four to a 32-bit
 * word, two 16-bit lanes at a time), then only the coarse buckets that hold a rank are read
 * count by count. The counts are integers, so `seen` is the same sum whatever its grouping,
 * and every rank is placed by locateRow's own arithmetic.
 */
export function locateViews(
  plan: CellHistograms,
  views: readonly HistogramView[],
  room: ViewsRoom,
  i: number,
  n: number,
  ranks: Float64Array,
  into: LocatedRows,
  lo: Float64Array,
  hi: Float64Array,
): void {
  const { coarse, minMax } = room;
  // which kind of cell the merge makes (addRepeated, materialize): a row, or one value (x, k)
  let row = false;
  let x = 0;
  let k = 0;
  let atoms = 0;
  for (let v = 0; v < views.length; v++) {
    const view = views[v];
    const ro = view.rowOf[i];
    if (ro < 0 && view.atomCount[i] <= 0) continue;
    if (ro < 0 && !row && (k === 0 || x === view.atom[i])) {
      x = view.atom[i];
      k += view.atomCount[i];
      continue;
    }
    if (!row) {
      row = true;
      coarse.fill(0);
      for (let c = 0; c < MM; c += 2) {
        minMax[c] = Number.POSITIVE_INFINITY;
        minMax[c + 1] = Number.NEGATIVE_INFINITY;
      }
      if (k > 0) atoms = addAtom(plan, i, x, k, room, atoms);
    }
    if (ro < 0) atoms = addAtom(plan, i, view.atom[i], view.atomCount[i], room, atoms);
    else coarseOfView(view, room.words[v], ro, room);
  }
  if (!row) {
    if (n > 0) locateAtom(x, ranks, into);
    lo[i] = hi[i] = k > 0 ? x : Number.NaN;
    return;
  }
  rowExtremes(minMax, 0, lo, hi, i);
  if (n === 0) return;
  const { value, lo: below0, hi: above0, bucket, first } = into;
  const m = ranks.length;
  let seen = 0;
  let j = 0;
  let next = m > 0 ? ranks[0] : Number.POSITIVE_INFINITY;
  for (let cb = 0; cb < NC && j < m; cb++) {
    const cc = coarse[cb];
    if (!(next < seen + cc)) {
      seen += cc;
      continue;
    }
    const fine = fineOfViews(views, i, cb, room, atoms);
    const mn = minMax[2 * cb];
    const mx = minMax[2 * cb + 1];
    for (let q = 0; q < FINE && j < m; q++) {
      const c = fine[q];
      if (!(next < seen + c)) {
        seen += c;
        continue;
      }
      const f = cb * FINE + q;
      // locateRanks' placing of the ranks in fine bucket f
      while (j < m && ranks[j] < seen + c) {
        bucket[j] = f;
        first[j] = seen;
        placeRank(plan, i, f, mn, mx, ranks[j], seen, c, n, into, j);
        j++;
      }
      next = j < m ? ranks[j] : Number.POSITIVE_INFINITY;
      seen += c;
    }
  }
  for (; j < m; j++) {
    value[j] = Number.NaN;
    below0[j] = above0[j] = ranks[j];
    bucket[j] = -1;
    first[j] = seen;
  }
}

/**
 * Rank r of cell i's n values, in fine bucket f of `plan` (c values from rank `seen`; its coarse
 * bucket's min mn and max mx), into into.value[j], .lo[j] and .hi[j]: exact where the coarse
 * bucket's values are all equal, else estimated by rank within the fine bucket's part of
 * [mn, mx], between the exact order statistics of ranks seen − 1 and seen + c. Stored in one
 * place: a store reached only late in the cells, with no type feedback, deoptimised the whole
 * locate.
 */
function placeRank(
  plan: CellHistograms,
  i: number,
  f: number,
  mn: number,
  mx: number,
  r: number,
  seen: number,
  c: number,
  n: number,
  into: LocatedRows,
  j: number,
): void {
  let v = mn;
  let below = r;
  let above = r;
  if (mn !== mx) {
    const cb = f >> FINE_SHIFT;
    const inner = cb > 0 && cb < COARSE + 1;
    const a = inner ? Math.max(mn, plan.edge(i, f)) : mn;
    const b = inner ? Math.min(mx, plan.edge(i, f + 1)) : mx;
    const l = Math.min(a, b);
    const h = Math.max(a, b);
    const e = l + ((h - l) * (r - seen + 0.5)) / c;
    // within the coarse bucket's [min, max] too: an edge's rounding cannot push it out
    v = Math.min(mx, Math.max(mn, Math.min(h, Math.max(l, e))));
    below = Math.max(0, seen - 1);
    above = Math.min(n - 1, seen + c);
  }
  into.value[j] = v;
  into.lo[j] = below;
  into.hi[j] = above;
}

/** n copies of x into the merged row's coarse count and min/max (addToRow), listed for fineOfViews. */
function addAtom(
  plan: CellHistograms,
  i: number,
  x: number,
  n: number,
  room: ViewsRoom,
  at: number,
) {
  const f = plan.bucket(i, x);
  const cb = f >> FINE_SHIFT;
  room.coarse[cb] += n;
  if (x < room.minMax[2 * cb]) room.minMax[2 * cb] = x;
  if (x > room.minMax[2 * cb + 1]) room.minMax[2 * cb + 1] = x;
  room.atomN[at] = n;
  room.atomF[at] = f;
  return at + 1;
}

/** Row `ro` of a view into the merged row's coarse counts and min/max (merge's sums). */
function coarseOfView(v: HistogramView, words: Uint32Array | null, ro: number, room: ViewsRoom) {
  const { coarse, minMax } = room;
  const o = ro * COUNTS;
  if (o < v.narrow.length) {
    if (words !== null) {
      // 8 words = one coarse bucket's 32 counts; each 16-bit lane sums ≤ 16 counts (< 2¹⁶)
      for (let cb = 0, w = o >> 2; cb < NC; cb++, w += 8) {
        let s = 0;
        for (let t = 0; t < 8; t++) {
          const x = words[w + t];
          s += (x & 0xff00ff) + ((x >>> 8) & 0xff00ff);
        }
        coarse[cb] += (s & 0xffff) + (s >>> 16);
      }
    } else {
      const w = v.narrow;
      for (let f = 0; f < COUNTS; f++) coarse[f >> FINE_SHIFT] += w[o + f];
    }
  }
  const c = v.counts;
  if (o < c.length && (v.wideRows === null || v.wideRows[ro] === 1))
    for (let f = 0; f < COUNTS; f++) coarse[f >> FINE_SHIFT] += c[o + f];
  const cs = v.carries;
  for (let a = firstCarry(cs, o); a < cs.length && cs[a] < o + COUNTS; a++)
    coarse[(cs[a] - o) >> FINE_SHIFT] += NARROW;
  const om = v.minMax;
  const p = ro * MM;
  for (let q = 0; q < MM; q += 2) {
    if (om[p + q] < minMax[q]) minMax[q] = om[p + q];
    if (om[p + q + 1] > minMax[q + 1]) minMax[q + 1] = om[p + q + 1];
  }
}

/** Coarse bucket cb's FINE counts of merged cell i (its rows' and its listed one values). */
function fineOfViews(
  views: readonly HistogramView[],
  i: number,
  cb: number,
  room: ViewsRoom,
  atoms: number,
): Int32Array {
  const fine = room.fine;
  fine.fill(0);
  const f0 = cb * FINE;
  for (const v of views) {
    const ro = v.rowOf[i];
    if (ro < 0) continue;
    const o = ro * COUNTS + f0;
    const w = v.narrow;
    if (o < w.length) for (let q = 0; q < FINE; q++) fine[q] += w[o + q];
    const c = v.counts;
    if (o < c.length && (v.wideRows === null || v.wideRows[ro] === 1))
      for (let q = 0; q < FINE; q++) fine[q] += c[o + q];
    const cs = v.carries;
    for (let a = firstCarry(cs, o); a < cs.length && cs[a] < o + FINE; a++)
      fine[cs[a] - o] += NARROW;
  }
  for (let a = 0; a < atoms; a++)
    if (room.atomF[a] >> FINE_SHIFT === cb) fine[room.atomF[a] - f0] += room.atomN[a];
  return fine;
}

/**
 * Rows to give a histogram of `plan` at once: one per cell that varied in the pilot, and 1/8
 * of that + 16 spare for cells that vary only later (3 of the whitepaper's 7,560 at 10,000
 * runs); a row more would double and copy every array. Spare rows are never written, so their
 * pages are never touched (decisions 160, 163).
 */
export function rowsFor(plan: Pick<BandPlan, "varies" | "base">): number {
  let varying = 0;
  for (let i = 0; i < plan.varies.length; i++) if (plan.base[i] < 0) varying += plan.varies[i];
  return varying + Math.ceil(varying / 8) + 16;
}

/** Every rank of a one-value cell is exactly its value x (locateRanks). */
function locateAtom(x: number, ranks: Float64Array, into: LocatedRows): void {
  const { value, lo, hi, bucket, first } = into;
  for (let j = 0; j < ranks.length; j++) {
    value[j] = x;
    lo[j] = hi[j] = ranks[j];
    bucket[j] = -1;
    first[j] = 0;
  }
}

/**
 * A row's smallest and largest value, from the min/max of its coarse buckets at `mm[p …]`,
 * into lo[i] and hi[i] (NaN when every bucket is empty): exact, the first and last non-empty
 * bucket's min and max (CellHistograms.extremes).
 */
function rowExtremes(mm: Float64Array, p: number, lo: Float64Array, hi: Float64Array, i: number) {
  lo[i] = hi[i] = Number.NaN;
  for (let k = 0; k < MM; k += 2)
    if (mm[p + k] <= mm[p + k + 1]) {
      lo[i] = mm[p + k];
      break;
    }
  for (let k = MM - 2; k >= 0; k -= 2)
    if (mm[p + k] <= mm[p + k + 1]) {
      hi[i] = mm[p + k + 1];
      break;
    }
}

/** The histograms of `cells` cells under one plan. */
export class CellHistograms {
  readonly cells: number;
  readonly start: Float64Array;
  readonly scale: Float64Array;
  readonly log: Uint8Array;
  readonly fineAt: Int32Array;
  readonly fine: Uint16Array;
  /** The derived cells (decision 270): summed and checked, not counted (BandFolder). */
  readonly derived: DerivedCells;
  readonly rowOf: Int32Array;
  readonly atom: Float64Array;
  readonly atomCount: Float64Array;
  /**
   * Per row: COUNTS counts flushed from `narrow` and carried from it (and merged in). A row's
   * count is counts + narrow. Made when first needed (wide), so that counting alone touches it
   * only for a carry; it may cover fewer rows than `narrow` (wide grows it).
   */
  counts: Int32Array;
  minMax: Float64Array;
  /**
   * Per row: COUNTS 8-bit counts being counted into (the hot path's, 2 kB per row), each the
   * count modulo NARROW since the row's last flush: the rest was carried into `counts`.
   */
  private narrow: Uint8Array;
  /** Per row: values counted into `narrow` since its last flush (< PENDING_MAX; 0: clean). */
  private pending: Int32Array;
  /**
   * Per row: 1 once its 32-bit counts may be non-zero (a carry of more than NARROW, a settled
   * carry, a flush or a merge into it), unless `allWidened` (every row: view reads this).
   */
  private widened: Uint8Array;
  private allWidened = false;
  /**
   * Carries not yet added into `counts`: indices row · COUNTS + f, NARROW each (few: 126 in
   * 10,000 whitepaper runs), so that a carry does not make the 32-bit counts before the flush
   * (which then takes its native conversion, not a loop over every row).
   */
  private carries = new Int32Array(64);
  private nCarries = 0;
  private nRows = 0;
  /** Per cell: ⌊start⌋ and start − ⌊start⌋ (the log scale's exact offset, logOffset). */
  private readonly aInt: Float64Array;
  private readonly aFrac: Float64Array;
  /** A masked batch's good values of one cell (addRow). */
  private kept = new Float64Array(0);
  /** The last batch counted (addMany) and a 32-bit view of its buffer (its values' bits). */
  private bitsOf: Float64Array | null = null;
  private bits: Uint32Array = new Uint32Array(0);

  constructor(
    plan: Pick<BandPlan, "start" | "scale" | "log" | "fineAt" | "fine" | "base" | "factor">,
    /** Rows to allocate at once (the cells expected to vary: rowsFor); more are added as needed. */
    rows = 0,
    /**
     * Keep the counts and min/max rows in shared memory (a worker thread's histogram: handing
     * them over then copies nothing, decision 164).
     */
    private readonly shared = false,
  ) {
    this.cells = plan.start.length;
    this.start = plan.start;
    this.scale = plan.scale;
    this.log = plan.log;
    this.fineAt = plan.fineAt;
    this.fine = plan.fine;
    this.derived = new DerivedCells(plan);
    this.aInt = new Float64Array(this.cells);
    this.aFrac = new Float64Array(this.cells);
    for (let i = 0; i < this.cells; i++) {
      this.aInt[i] = Math.floor(this.start[i]);
      this.aFrac[i] = this.start[i] - this.aInt[i];
    }
    this.rowOf = new Int32Array(this.cells).fill(-1);
    this.atom = new Float64Array(this.cells);
    this.atomCount = new Float64Array(this.cells);
    this.counts = new Int32Array(0);
    this.minMax = this.alloc(Float64Array, rows * MM);
    this.narrow = this.alloc(Uint8Array, rows * COUNTS);
    this.pending = new Int32Array(rows);
    this.widened = new Uint8Array(rows);
  }

  /** Fine bucket of x in cell i. */
  bucket(i: number, x: number): number {
    const log = this.log[i] === 1;
    if (log && !(x > 0)) return 0;
    const u = (log ? logOffset(x, this.aInt[i], this.aFrac[i]) : x - this.start[i]) * this.scale[i];
    const at = this.fineAt[i];
    if (at >= 0) {
      if (!(u >= 0)) return 0;
      if (u >= SEGMENTS) return FINE * (COARSE + 1);
      const c = u | 0;
      const o = this.fine[at + c];
      const nf = this.fine[at + c + 1] - o;
      return FINE + o + Math.min(nf - 1, ((u - c) * nf) | 0);
    }
    const f = Math.floor(u) + FINE;
    if (f < FINE) return 0;
    if (f >= FINE * (COARSE + 1)) return FINE * (COARSE + 1);
    return f;
  }

  /**
   * Coarse bucket (0: underflow, COARSE + 1: overflow) of fine bucket f of cell i: FINE
   * consecutive fine buckets, whatever the plan (fine buckets are ordered as their values are).
   */
  coarseOf(_i: number, f: number): number {
    return f >> FINE_SHIFT;
  }

  /** Segment of interior fine bucket f of adaptive cell i (binary search on its offsets). */
  private segmentOf(i: number, f: number): number {
    const at = this.fineAt[i];
    const g = f - FINE;
    let lo = 0;
    let hi = SEGMENTS - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.fine[at + mid] <= g) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Give cell i a row (its one value, if any, counted into it); returns the row's index. */
  materialize(i: number): number {
    if (this.rowOf[i] >= 0) return this.rowOf[i];
    if (this.nRows * COUNTS >= this.narrow.length) {
      const rows = Math.max(16, this.nRows * 2);
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, len: number): T => {
        const b = new (a.constructor as new (n: number) => T)(rows * len);
        b.set(a.subarray(0, this.nRows * len));
        return b;
      };
      const minMax = this.alloc(Float64Array, rows * MM);
      minMax.set(this.minMax.subarray(0, this.nRows * MM));
      this.minMax = minMax;
      const narrow = this.alloc(Uint8Array, rows * COUNTS);
      narrow.set(this.narrow.subarray(0, this.nRows * COUNTS));
      this.narrow = narrow;
      this.pending = grow(this.pending, 1);
      this.widened = grow(this.widened, 1);
    }
    const row = this.nRows++;
    // (+∞, −∞) in every pair: one pair, doubled by native copies
    const p = row * MM;
    this.minMax[p] = Number.POSITIVE_INFINITY;
    this.minMax[p + 1] = Number.NEGATIVE_INFINITY;
    for (let len = 2; len < MM; len *= 2)
      this.minMax.copyWithin(p + len, p, p + Math.min(len, MM - len));
    this.rowOf[i] = row;
    const n = this.atomCount[i];
    if (n > 0) this.addToRow(i, row, this.atom[i], n);
    this.atomCount[i] = 0;
    return row;
  }

  private addToRow(i: number, row: number, x: number, n: number): void {
    const f = this.bucket(i, x);
    // into the 8-bit count, what passes NARROW carried (n may be a one-value cell's whole count)
    if (this.pending[row] + n >= PENDING_MAX) this.flushRow(row);
    const t = this.narrow[row * COUNTS + f] + n;
    this.narrow[row * COUNTS + f] = t;
    if (t >= NARROW) this.carry(row, f, t);
    this.pending[row] += n;
    const p = row * MM + 2 * (f >> FINE_SHIFT);
    if (x < this.minMax[p]) this.minMax[p] = x;
    if (x > this.minMax[p + 1]) this.minMax[p + 1] = x;
  }

  /**
   * Fine bucket f of row `row` has been given the 8-bit count t ≥ NARROW (stored as t mod NARROW):
   * the rest, t − t mod NARROW, into its 32-bit count (exact: integers). Rare (a fine bucket's
   * NARROW-th value since the last flush), so out of the counting loops.
   */
  private carry(row: number, f: number, t: number): void {
    const amount = t - (t & (NARROW - 1));
    if (amount !== NARROW) {
      this.wide(row)[row * COUNTS + f] += amount;
      this.widened[row] = 1;
      return;
    }
    if (this.nCarries === this.carries.length) {
      if (this.nCarries >= CARRY_LIST) this.settle();
      else {
        const c = new Int32Array(2 * this.carries.length);
        c.set(this.carries);
        this.carries = c;
      }
    }
    this.carries[this.nCarries++] = row * COUNTS + f;
  }

  /** The listed carries into the 32-bit counts (made to cover every row). */
  private settle(): void {
    if (this.nCarries === 0) return;
    const c = this.wide(this.nRows - 1);
    for (let k = 0; k < this.nCarries; k++) {
      c[this.carries[k]] += NARROW;
      this.widened[(this.carries[k] / COUNTS) | 0] = 1;
    }
    this.nCarries = 0;
  }

  /**
   * The 32-bit counts, made to cover row `row` (with room for every row of `narrow` when they
   * are grown, and zero for the rows new to them).
   */
  private wide(row: number): Int32Array {
    if (this.counts.length <= row * COUNTS) {
      const c = this.alloc(Int32Array, Math.max(this.narrow.length, (row + 1) * COUNTS));
      c.set(this.counts);
      this.counts = c;
    }
    return this.counts;
  }

  /** A zeroed array of `length`, in shared memory if the histogram's are. */
  private alloc<T extends Int32Array | Float64Array | Uint8Array>(
    type: { new (n: number): T; new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
    length: number,
  ): T {
    return this.shared
      ? new type(new SharedArrayBuffer(length * type.BYTES_PER_ELEMENT))
      : new type(length);
  }

  /** Add the 8-bit counts of a row into its 32-bit counts (exact), and clear them. */
  private flushRow(row: number): void {
    if (row >= this.pending.length || this.pending[row] === 0) return;
    this.settle();
    const c = this.wide(row);
    const w = this.narrow;
    const o = row * COUNTS;
    for (let k = 0; k < COUNTS; k++) c[o + k] += w[o + k];
    w.fill(0, o, o + COUNTS);
    this.pending[row] = 0;
    this.widened[row] = 1;
  }

  /** Every row's 8-bit counts into its 32-bit counts (before reading or handing them over). */
  flush(): void {
    const n = this.nRows;
    if (n === 0) return;
    if (this.counts.length === 0) {
      // nothing flushed or carried yet: the 32-bit counts are the 8-bit ones (a native
      // conversion), and
      // exactly as many rows as there are (toData and handOver share them, uncopied; a worker
      // thread's in shared memory, so that its hand-over copies nothing)
      const counts = this.alloc(Int32Array, n * COUNTS);
      counts.set(this.narrow.subarray(0, n * COUNTS));
      this.counts = counts;
      // zeros without writing them (a fresh allocation): the histogram is mostly done with
      this.narrow = this.alloc(Uint8Array, this.narrow.length);
      this.pending.fill(0);
      for (let k = 0; k < this.nCarries; k++) counts[this.carries[k]] += NARROW;
      this.nCarries = 0;
      this.allWidened = true;
      return;
    }
    this.settle();
    this.wide(n - 1);
    for (let row = 0; row < n; row++) this.flushRow(row);
  }

  /** Add n copies of x to cell i. */
  addRepeated(i: number, x: number, n: number): void {
    if (n <= 0) return;
    if (this.rowOf[i] < 0) {
      if (this.atomCount[i] === 0 || this.atom[i] === x) {
        this.atom[i] = x;
        this.atomCount[i] += n;
        return;
      }
      this.materialize(i);
    }
    this.addToRow(i, this.rowOf[i], x, n);
  }

  /**
   * Add `n` values of cell i, `v[from], v[from+1], …` (the hot path: one cell of a batch of runs).
   * `good` (optional, per value) masks out failed runs. Returns `sum` plus the good values,
   * added in order (a block sum, BandFolder).
   */
  addMany(
    i: number,
    v: Float64Array,
    from: number,
    n: number,
    good: Uint8Array | null,
    sum = 0,
  ): number {
    if (this.rowOf[i] >= 0) return this.addRow(i, v, from, n, good, 0, sum);
    // one value so far: still one value?
    let ref = this.atomCount[i] > 0 ? this.atom[i] : Number.NaN;
    let same = 0;
    let j = 0;
    let s = sum;
    if (good === null) {
      if (n > 0 && Number.isNaN(ref)) ref = v[from];
      // the leading values equal to ref, four at a time then one by one from the first group
      // that has another (decision 229: the one-value cells are ≈ half the cells of a batch)
      const end = from + n;
      let k = from;
      for (const end4 = end - 3; k < end4; k += 4)
        if (!(v[k] === ref && v[k + 1] === ref && v[k + 2] === ref && v[k + 3] === ref)) break;
      while (k < end && v[k] === ref) k++;
      j = k - from;
      same = j;
      s = sumRepeated(s, ref, same);
    } else
      for (; j < n; j++) {
        if (good[j] === 0) continue;
        const x = v[from + j];
        if (Number.isNaN(ref)) ref = x;
        if (x !== ref) break;
        s += x;
        same++;
      }
    if (same > 0) {
      this.atom[i] = ref;
      this.atomCount[i] += same;
    }
    if (j === n) return s;
    // the values before j were `ref` (counted into the row with the atom), j … n−1 are binned
    this.materialize(i);
    return this.addRow(i, v, from + j, n - j, good, j, s);
  }

  /** addMany for a cell with a row; good[g0 + j] masks v[from + j]. */
  private addRow(
    i: number,
    v: Float64Array,
    from: number,
    n: number,
    good: Uint8Array | null,
    g0: number,
    sum: number,
  ): number {
    if (good !== null) {
      // the good values alone, in order (failed runs are rare: the loops need no mask)
      if (this.kept.length < n) this.kept = new Float64Array(n);
      const kept = this.kept;
      let m = 0;
      for (let j = 0; j < n; j++) if (good[g0 + j] !== 0) kept[m++] = v[from + j];
      return this.addRow(i, kept, 0, m, null, 0, sum);
    }
    let s = sum;
    const row = this.rowOf[i];
    if (v !== this.bitsOf) {
      this.bitsOf = v;
      this.bits = new Uint32Array(v.buffer, v.byteOffset, 2 * v.length);
    }
    const at = this.fineAt[i];
    const log = this.log[i] === 1;
    this.touch(row, at);
    // (the count of values since the flush only says whether the row is clean: a count that
    // reaches NARROW carries, so no count overflows)
    if (this.pending[row] + n >= PENDING_MAX) this.flushRow(row);
    this.pending[row] += n;
    if (at < 0)
      return log ? this.countEvenLog(i, row, v, from, n, s) : this.countEven(i, row, v, from, n, s);
    // fewer than CARRIES values per call of an adaptive loop (it lists its carries in CARRIED)
    for (let from1 = from, left = n; left > 0; ) {
      const m = Math.min(left, CARRIES - 1);
      s = log
        ? this.countAdaptiveLog(i, row, v, from1, m, s)
        : this.countAdaptive(i, row, v, from1, m, s);
      from1 += m;
      left -= m;
    }
    return s;
  }

  /**
   * Read one value of every cache line of a row's 8-bit counts, min/max pairs and (adaptive)
   * offsets, in address order, before counting into them: the hardware prefetcher then streams
   * the row in, where the counting loop's scattered accesses would miss one line at a time
   * (the rows of all cells, ≈ 20 MB for the whitepaper, do not stay in cache between batches).
   */
  private touch(row: number, at: number): void {
    const counts = this.narrow;
    const mm = this.minMax;
    let t = 0;
    for (let k = row * COUNTS, end = k + COUNTS; k < end; k += 64) t |= counts[k];
    for (let k = row * MM, end = k + MM; k < end; k += 8) if (mm[k] > 0) t |= 1;
    if (at >= 0) for (let k = at, end = at + OFFSETS; k < end; k += 32) t |= this.fine[k];
    TOUCHED[0] = t;
  }

  // The counting loops, one per kind of plan (even or adaptive, value or log scale), each
  // bucket()'s arithmetic inline with everything it reads in locals: the fine bucket f of each
  // value v[from … from+n−1] counted into the row's 8-bit counts, its coarse bucket's min and
  // max updated, and the values added to `sum` in order (the block sum). A module constant is
  // copied into a local: a module binding read in a loop is a context load each time. The sum
  // starts from `+sum`: from `sum` itself (addMany's parameter has a default, so its type
  // includes undefined), TurboFan kept the running sum boxed and allocated a heap number per
  // value (≈ 550 MB of young garbage per 10,000 whitepaper runs, most of the collector's time).
  // Consecutive values in one fine bucket (a cell's clusters: runs of equal or nearly equal
  // values) are counted in a register, with the run's min and max, and stored once per run
  // (decision 171): counted one by one, each increment loads the count the previous one has
  // just stored, a chain through memory (no hardware counters here to say whether its cost is
  // the store's forwarding or the processor guessing the load independent of the store);
  // ≈ 18% less counting time measured. A run's min and max are combined into its coarse
  // bucket's with the same strict comparisons in the same order, so the same value is kept
  // (of equal values, −0 and 0, the first; a NaN never). The adaptive loops (value scale, the
  // whitepaper's usual kind, and log scale) have no runs: they take eight values per iteration
  // (decisions 195, 206). Counts are 8-bit (decision 227: a row's counts are 33 cache lines, not
  // 66, each written back every batch): a count stored as t ≥ NARROW keeps t mod NARROW and
  // carries the rest (carry). The adaptive loops have no branch or call for it: they write each
  // value's fine bucket into CARRIED and advance the list by t >> 8 (1 at t = 256, else 0: a
  // count before its increment is at most 255), and the list is carried after the loop (a call
  // site per value also deoptimised each of the eight sites once, on its first carry).

  /** Even plan, value scale. (A NaN is summed and not counted, as bucket()'s NaN index.) */
  private countEven(
    i: number,
    row: number,
    v: Float64Array,
    from: number,
    n: number,
    sum: number,
  ): number {
    const co = row * COUNTS;
    const mo = row * MM;
    const a = this.start[i];
    const s = this.scale[i];
    const counts = this.narrow;
    const mm = this.minMax;
    const fine0 = FINE;
    const shift = FINE_SHIFT;
    const interior = INTERIOR;
    const top = FINE * (COARSE + 1);
    const narrow = NARROW;
    let total = +sum; // see the note above
    let t = 0; // a count stored (8 bits: NARROW or more carries)
    // the run of values being counted: its fine bucket, length, min and max
    let last = 0;
    let run = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = from, end = from + n; j < end; j++) {
      const x = v[j];
      total += x;
      // ⌊u⌋ + FINE clamped to [FINE, top], or 0 below: (u | 0) is ⌊u⌋ for 0 ≤ u < INTERIOR
      const u = (x - a) * s;
      let f: number;
      if (u >= 0) f = u >= interior ? top : (u | 0) + fine0;
      else if (u < 0) f = 0;
      else continue;
      if (f === last) run++;
      else {
        t = counts[co + last] + run;
        counts[co + last] = t;
        if (t >= narrow) this.carry(row, last, t);
        const p = mo + 2 * (last >> shift);
        if (lo < mm[p]) mm[p] = lo;
        if (hi > mm[p + 1]) mm[p + 1] = hi;
        last = f;
        run = 1;
        lo = Number.POSITIVE_INFINITY;
        hi = Number.NEGATIVE_INFINITY;
      }
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    t = counts[co + last] + run;
    counts[co + last] = t;
    if (t >= narrow) this.carry(row, last, t);
    const p = mo + 2 * (last >> shift);
    if (lo < mm[p]) mm[p] = lo;
    if (hi > mm[p + 1]) mm[p + 1] = hi;
    return total;
  }

  /** Even plan, log scale (logOffset inline; x ≤ 0 and NaN in the underflow bucket). */
  private countEvenLog(
    i: number,
    row: number,
    v: Float64Array,
    from: number,
    n: number,
    sum: number,
  ): number {
    const co = row * COUNTS;
    const mo = row * MM;
    const aInt = this.aInt[i];
    const aFrac = this.aFrac[i];
    const s = this.scale[i];
    const counts = this.narrow;
    const mm = this.minMax;
    const bits = this.bits;
    const hiAt = HI;
    const loAt = LO;
    const logAt = LOG_AT;
    const logStep = LOG_STEP;
    const p12 = P12;
    const p44 = P44;
    const fine0 = FINE;
    const shift = FINE_SHIFT;
    const interior = INTERIOR;
    const top = FINE * (COARSE + 1);
    const narrow = NARROW;
    let total = +sum; // see the note above
    let t = 0; // a count stored (8 bits: NARROW or more carries)
    // the run of values being counted: its fine bucket, length, min and max
    let last = 0;
    let run = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let j = from, end = from + n; j < end; j++) {
      const x = v[j];
      total += x;
      let f = 0;
      if (x > 0) {
        const hi = bits[2 * j + hiAt];
        const k = (hi >>> 12) & 0xff;
        const r = (hi & 0xfff) * p12 + bits[2 * j + loAt] * p44;
        const u = ((hi & 0x7ff00000) - aInt + (logAt[k] + logStep[k] * r - aFrac)) * s;
        // (u is finite: L(x) is for every positive x)
        if (u >= 0) f = u >= interior ? top : (u | 0) + fine0;
      }
      if (f === last) run++;
      else {
        t = counts[co + last] + run;
        counts[co + last] = t;
        if (t >= narrow) this.carry(row, last, t);
        const p = mo + 2 * (last >> shift);
        if (lo < mm[p]) mm[p] = lo;
        if (hi > mm[p + 1]) mm[p + 1] = hi;
        last = f;
        run = 1;
        lo = Number.POSITIVE_INFINITY;
        hi = Number.NEGATIVE_INFINITY;
      }
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    t = counts[co + last] + run;
    counts[co + last] = t;
    if (t >= narrow) this.carry(row, last, t);
    const p = mo + 2 * (last >> shift);
    if (lo < mm[p]) mm[p] = lo;
    if (hi > mm[p + 1]) mm[p + 1] = hi;
    return total;
  }

  /**
   * The values v[j … end−1] of cell i one by one through bucket() (the adaptive loops' last
   * n mod 8 values: the same arithmetic), added to `sum` in order.
   */
  private countOneByOne(
    i: number,
    row: number,
    v: Float64Array,
    j0: number,
    end: number,
    sum: number,
  ): number {
    const co = row * COUNTS;
    const mo = row * MM;
    const counts = this.narrow;
    const mm = this.minMax;
    let total = +sum; // see the note above
    for (let j = j0; j < end; j++) {
      const x = v[j];
      total += x;
      const f = this.bucket(i, x);
      const t = counts[co + f] + 1;
      counts[co + f] = t;
      if (t >= NARROW) this.carry(row, f, t);
      const p = mo + 2 * (f >> FINE_SHIFT);
      if (x < mm[p]) mm[p] = x;
      if (x > mm[p + 1]) mm[p + 1] = x;
    }
    return total;
  }

  /**
   * Adaptive plan (BandPlan.fineAt), value scale (NaN in the underflow bucket); the values eight
   * at a time (decision 195). Each value's bucket is a chain of ≈ 30 cycles (u → c → two
   * offsets → nf → k) that the core overlaps only across the few iterations its window holds:
   * eight values' chains per iteration, independent of each other, are eight chains in flight.
   * The eight values are then counted value by value, in order (no run in a register: a run
   * across them would merge its min and max out of value order), so the counts, the min/max
   * (strict comparisons in value order) and the sum (in value order) are those of one value at a
   * time. The last n mod 8 values are counted one by one.
   */
  private countAdaptive(
    i: number,
    row: number,
    v: Float64Array,
    from: number,
    n: number,
    sum: number,
  ): number {
    const co = row * COUNTS;
    const mo = row * MM;
    const a = this.start[i];
    const s = this.scale[i];
    const at = this.fineAt[i];
    const fine = this.fine;
    const counts = this.narrow;
    const mm = this.minMax;
    const shift = FINE_SHIFT;
    const carried = CARRIED;
    let nc = 0; // carries listed in `carried`
    let total = +sum; // see the note above
    let j = from;
    for (const end = from + n - 7; j < end; j += 8) {
      const x0 = v[j + 0];
      const x1 = v[j + 1];
      const x2 = v[j + 2];
      const x3 = v[j + 3];
      const x4 = v[j + 4];
      const x5 = v[j + 5];
      const x6 = v[j + 6];
      const x7 = v[j + 7];
      total += x0;
      total += x1;
      total += x2;
      total += x3;
      total += x4;
      total += x5;
      total += x6;
      total += x7;
      const f0 = adaptiveFine(x0, a, s, at, fine);
      const f1 = adaptiveFine(x1, a, s, at, fine);
      const f2 = adaptiveFine(x2, a, s, at, fine);
      const f3 = adaptiveFine(x3, a, s, at, fine);
      const f4 = adaptiveFine(x4, a, s, at, fine);
      const f5 = adaptiveFine(x5, a, s, at, fine);
      const f6 = adaptiveFine(x6, a, s, at, fine);
      const f7 = adaptiveFine(x7, a, s, at, fine);
      let p = 0;
      carried[nc] = f0;
      nc += ++counts[co + f0] >> 8;
      p = mo + 2 * (f0 >> shift);
      if (x0 < mm[p]) mm[p] = x0;
      if (x0 > mm[p + 1]) mm[p + 1] = x0;
      carried[nc] = f1;
      nc += ++counts[co + f1] >> 8;
      p = mo + 2 * (f1 >> shift);
      if (x1 < mm[p]) mm[p] = x1;
      if (x1 > mm[p + 1]) mm[p + 1] = x1;
      carried[nc] = f2;
      nc += ++counts[co + f2] >> 8;
      p = mo + 2 * (f2 >> shift);
      if (x2 < mm[p]) mm[p] = x2;
      if (x2 > mm[p + 1]) mm[p + 1] = x2;
      carried[nc] = f3;
      nc += ++counts[co + f3] >> 8;
      p = mo + 2 * (f3 >> shift);
      if (x3 < mm[p]) mm[p] = x3;
      if (x3 > mm[p + 1]) mm[p + 1] = x3;
      carried[nc] = f4;
      nc += ++counts[co + f4] >> 8;
      p = mo + 2 * (f4 >> shift);
      if (x4 < mm[p]) mm[p] = x4;
      if (x4 > mm[p + 1]) mm[p + 1] = x4;
      carried[nc] = f5;
      nc += ++counts[co + f5] >> 8;
      p = mo + 2 * (f5 >> shift);
      if (x5 < mm[p]) mm[p] = x5;
      if (x5 > mm[p + 1]) mm[p + 1] = x5;
      carried[nc] = f6;
      nc += ++counts[co + f6] >> 8;
      p = mo + 2 * (f6 >> shift);
      if (x6 < mm[p]) mm[p] = x6;
      if (x6 > mm[p + 1]) mm[p + 1] = x6;
      carried[nc] = f7;
      nc += ++counts[co + f7] >> 8;
      p = mo + 2 * (f7 >> shift);
      if (x7 < mm[p]) mm[p] = x7;
      if (x7 > mm[p + 1]) mm[p + 1] = x7;
    }
    // the carries, after the loop (no call in it: decision 227)
    for (let k = 0; k < nc; k++) this.carry(row, carried[k], NARROW);
    return this.countOneByOne(i, row, v, j, from + n, total);
  }

  /**
   * Adaptive plan, log scale: the values eight at a time, counted in value order, as
   * countAdaptive (decision 206). Each value's L(x) − a (logOffset's arithmetic, in its order; NaN
   * for x ≤ 0 and NaN, which adaptiveFine puts in the underflow bucket) is bucketed by
   * adaptiveFine with a start of 0: (y − 0) · s is y · s, bit for bit. (A helper for the log scale
   * inlined eight times beside adaptiveFine would pass TurboFan's budget of inlined bytecode,
   * 920 bytes per function: L(x) is written out in the loop.)
   */
  private countAdaptiveLog(
    i: number,
    row: number,
    v: Float64Array,
    from: number,
    n: number,
    sum: number,
  ): number {
    const co = row * COUNTS;
    const mo = row * MM;
    const aInt = this.aInt[i];
    const aFrac = this.aFrac[i];
    const s = this.scale[i];
    const at = this.fineAt[i];
    const fine = this.fine;
    const counts = this.narrow;
    const mm = this.minMax;
    const bits = this.bits;
    const hiAt = HI;
    const loAt = LO;
    const logAt = LOG_AT;
    const logStep = LOG_STEP;
    const p12 = P12;
    const p44 = P44;
    const shift = FINE_SHIFT;
    const nan = Number.NaN;
    const carried = CARRIED;
    let nc = 0; // carries listed in `carried`
    let total = +sum; // see the note above
    let j = from;
    for (const end = from + n - 7; j < end; j += 8) {
      const x0 = v[j + 0];
      const x1 = v[j + 1];
      const x2 = v[j + 2];
      const x3 = v[j + 3];
      const x4 = v[j + 4];
      const x5 = v[j + 5];
      const x6 = v[j + 6];
      const x7 = v[j + 7];
      total = total + x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7; // (left to right: one at a time)
      const h0 = bits[2 * j + hiAt];
      const k0 = (h0 >>> 12) & 0xff;
      const r0 = (h0 & 0xfff) * p12 + bits[2 * j + loAt] * p44;
      const y0 = x0 > 0 ? (h0 & 0x7ff00000) - aInt + (logAt[k0] + logStep[k0] * r0 - aFrac) : nan;
      const h1 = bits[2 * j + 2 + hiAt];
      const k1 = (h1 >>> 12) & 0xff;
      const r1 = (h1 & 0xfff) * p12 + bits[2 * j + 2 + loAt] * p44;
      const y1 = x1 > 0 ? (h1 & 0x7ff00000) - aInt + (logAt[k1] + logStep[k1] * r1 - aFrac) : nan;
      const h2 = bits[2 * j + 4 + hiAt];
      const k2 = (h2 >>> 12) & 0xff;
      const r2 = (h2 & 0xfff) * p12 + bits[2 * j + 4 + loAt] * p44;
      const y2 = x2 > 0 ? (h2 & 0x7ff00000) - aInt + (logAt[k2] + logStep[k2] * r2 - aFrac) : nan;
      const h3 = bits[2 * j + 6 + hiAt];
      const k3 = (h3 >>> 12) & 0xff;
      const r3 = (h3 & 0xfff) * p12 + bits[2 * j + 6 + loAt] * p44;
      const y3 = x3 > 0 ? (h3 & 0x7ff00000) - aInt + (logAt[k3] + logStep[k3] * r3 - aFrac) : nan;
      const h4 = bits[2 * j + 8 + hiAt];
      const k4 = (h4 >>> 12) & 0xff;
      const r4 = (h4 & 0xfff) * p12 + bits[2 * j + 8 + loAt] * p44;
      const y4 = x4 > 0 ? (h4 & 0x7ff00000) - aInt + (logAt[k4] + logStep[k4] * r4 - aFrac) : nan;
      const h5 = bits[2 * j + 10 + hiAt];
      const k5 = (h5 >>> 12) & 0xff;
      const r5 = (h5 & 0xfff) * p12 + bits[2 * j + 10 + loAt] * p44;
      const y5 = x5 > 0 ? (h5 & 0x7ff00000) - aInt + (logAt[k5] + logStep[k5] * r5 - aFrac) : nan;
      const h6 = bits[2 * j + 12 + hiAt];
      const k6 = (h6 >>> 12) & 0xff;
      const r6 = (h6 & 0xfff) * p12 + bits[2 * j + 12 + loAt] * p44;
      const y6 = x6 > 0 ? (h6 & 0x7ff00000) - aInt + (logAt[k6] + logStep[k6] * r6 - aFrac) : nan;
      const h7 = bits[2 * j + 14 + hiAt];
      const k7 = (h7 >>> 12) & 0xff;
      const r7 = (h7 & 0xfff) * p12 + bits[2 * j + 14 + loAt] * p44;
      const y7 = x7 > 0 ? (h7 & 0x7ff00000) - aInt + (logAt[k7] + logStep[k7] * r7 - aFrac) : nan;
      const f0 = adaptiveFine(y0, 0, s, at, fine);
      const f1 = adaptiveFine(y1, 0, s, at, fine);
      const f2 = adaptiveFine(y2, 0, s, at, fine);
      const f3 = adaptiveFine(y3, 0, s, at, fine);
      const f4 = adaptiveFine(y4, 0, s, at, fine);
      const f5 = adaptiveFine(y5, 0, s, at, fine);
      const f6 = adaptiveFine(y6, 0, s, at, fine);
      const f7 = adaptiveFine(y7, 0, s, at, fine);
      let p = 0;
      carried[nc] = f0;
      nc += ++counts[co + f0] >> 8;
      p = mo + 2 * (f0 >> shift);
      if (x0 < mm[p]) mm[p] = x0;
      if (x0 > mm[p + 1]) mm[p + 1] = x0;
      carried[nc] = f1;
      nc += ++counts[co + f1] >> 8;
      p = mo + 2 * (f1 >> shift);
      if (x1 < mm[p]) mm[p] = x1;
      if (x1 > mm[p + 1]) mm[p + 1] = x1;
      carried[nc] = f2;
      nc += ++counts[co + f2] >> 8;
      p = mo + 2 * (f2 >> shift);
      if (x2 < mm[p]) mm[p] = x2;
      if (x2 > mm[p + 1]) mm[p + 1] = x2;
      carried[nc] = f3;
      nc += ++counts[co + f3] >> 8;
      p = mo + 2 * (f3 >> shift);
      if (x3 < mm[p]) mm[p] = x3;
      if (x3 > mm[p + 1]) mm[p + 1] = x3;
      carried[nc] = f4;
      nc += ++counts[co + f4] >> 8;
      p = mo + 2 * (f4 >> shift);
      if (x4 < mm[p]) mm[p] = x4;
      if (x4 > mm[p + 1]) mm[p + 1] = x4;
      carried[nc] = f5;
      nc += ++counts[co + f5] >> 8;
      p = mo + 2 * (f5 >> shift);
      if (x5 < mm[p]) mm[p] = x5;
      if (x5 > mm[p + 1]) mm[p + 1] = x5;
      carried[nc] = f6;
      nc += ++counts[co + f6] >> 8;
      p = mo + 2 * (f6 >> shift);
      if (x6 < mm[p]) mm[p] = x6;
      if (x6 > mm[p + 1]) mm[p + 1] = x6;
      carried[nc] = f7;
      nc += ++counts[co + f7] >> 8;
      p = mo + 2 * (f7 >> shift);
      if (x7 < mm[p]) mm[p] = x7;
      if (x7 > mm[p + 1]) mm[p + 1] = x7;
    }
    // the carries, after the loop (no call in it: decision 227)
    for (let k = 0; k < nc; k++) this.carry(row, carried[k], NARROW);
    return this.countOneByOne(i, row, v, j, from + n, total);
  }

  /** Fold another histogram of the same plan in: exact, and the same bytes in any order. */
  merge(other: CellHistograms | HistogramData): void {
    if (other instanceof CellHistograms) other.flush();
    this.derived.merge(other instanceof CellHistograms ? other.derived.data() : other.derived);
    for (let i = 0; i < this.cells; i++) {
      const ro = other.rowOf[i];
      if (ro < 0) {
        this.addRepeated(i, other.atom[i], other.atomCount[i]);
        continue;
      }
      const row = this.materialize(i);
      const c = this.wide(row);
      this.widened[row] = 1;
      const oc = other.counts;
      for (let k = 0; k < COUNTS; k++) c[row * COUNTS + k] += oc[ro * COUNTS + k];
      const m = this.minMax;
      const om = other.minMax;
      for (let k = 0; k < MM; k += 2) {
        if (om[ro * MM + k] < m[row * MM + k]) m[row * MM + k] = om[ro * MM + k];
        if (om[ro * MM + k + 1] > m[row * MM + k + 1]) m[row * MM + k + 1] = om[ro * MM + k + 1];
      }
    }
  }

  /**
   * Every cell's smallest and largest value counted, into lo[i] and hi[i] (NaN for a cell with
   * none): exact (a one-value cell's value; a row's first and last non-empty coarse buckets keep
   * their exact min and max), so the same bytes whatever the chunking and order of merges.
   */
  extremes(lo: Float64Array, hi: Float64Array): void {
    for (let i = 0; i < this.cells; i++) {
      const row = this.rowOf[i];
      if (row >= 0) rowExtremes(this.minMax, row * MM, lo, hi, i);
      else lo[i] = hi[i] = this.atomCount[i] > 0 ? this.atom[i] : Number.NaN;
    }
  }

  /** The value where fine bucket f of cell i starts (f ≥ FINE), on the value scale. */
  edge(i: number, f: number): number {
    const at = this.fineAt[i];
    let k = f - FINE;
    if (at >= 0 && k >= INTERIOR) k = SEGMENTS;
    else if (at >= 0) {
      const c = this.segmentOf(i, f);
      const o = this.fine[at + c];
      k = c + (f - FINE - o) / (this.fine[at + c + 1] - o);
    }
    if (this.log[i] === 1) return logInverse(this.aInt[i], this.aFrac[i], k / this.scale[i]);
    return this.start[i] + k / this.scale[i];
  }

  /**
   * Where ranks `ranks` (0-based, ascending) of the `n` values of cell i lie, into `into`
   * (one pass over the row). A rank in a coarse bucket whose values are all equal is exact.
   * Otherwise its estimate lies in its fine bucket's part of the coarse bucket's [min, max],
   * spread evenly by rank, so it lies between the exact order statistics just before and just
   * after that fine bucket (up to the rounding of the bucket's edges).
   */
  locate(i: number, n: number, ranks: readonly number[], into: Located[]): void {
    const rows = locatedRows(ranks.length);
    this.locateRanks(i, n, Float64Array.from(ranks), rows);
    for (let j = 0; j < ranks.length; j++) into[j] = locatedAt(rows, j);
  }

  /**
   * `locate` into typed arrays (rank j's Located in `into.value[j]`, `into.lo[j]`, …): no
   * object per rank, the merge's path over every cell (locateQuantiles; decision 164).
   */
  locateRanks(i: number, n: number, ranks: Float64Array, into: LocatedRows): void {
    const row = this.rowOf[i];
    if (row < 0) {
      locateAtom(this.atom[i], ranks, into);
      return;
    }
    this.flushRow(row);
    this.locateRow(i, n, ranks, this.wide(row), row * COUNTS, this.minMax, row * MM, into);
  }

  /**
   * locateRanks' pass over cell i's row: its counts at `counts[co …]` (COUNTS of them) and its
   * coarse buckets' min/max at `mm[mo …]` (MM of them). locateViews places ranks the same way.
   */
  private locateRow(
    i: number,
    n: number,
    ranks: Float64Array,
    counts: Int32Array,
    co: number,
    mm: Float64Array,
    mo: number,
    into: LocatedRows,
  ): void {
    const { value, lo, hi, bucket, first } = into;
    const m = ranks.length;
    let seen = 0;
    let j = 0;
    // the next rank to place: ≥ seen, so an empty bucket never holds it (no test of c === 0,
    // a branch the CPU mispredicts on a sparse row, in the loop over all 2,112 buckets); four
    // buckets that do not hold it are passed in one step (counts are integers: their sum is
    // exact, whatever the grouping)
    let next = m > 0 ? ranks[0] : Number.POSITIVE_INFINITY;
    for (let f = 0; f < COUNTS && j < m; f++) {
      if ((f & 3) === 0 && f + 4 <= COUNTS) {
        const c4 = counts[co + f] + counts[co + f + 1] + counts[co + f + 2] + counts[co + f + 3];
        if (!(next < seen + c4)) {
          seen += c4;
          f += 3;
          continue;
        }
      }
      const c = counts[co + f];
      if (!(next < seen + c)) {
        seen += c;
        continue;
      }
      while (j < m && ranks[j] < seen + c) {
        const cb = f >> FINE_SHIFT;
        bucket[j] = f;
        first[j] = seen;
        placeRank(this, i, f, mm[mo + 2 * cb], mm[mo + 2 * cb + 1], ranks[j], seen, c, n, into, j);
        j++;
      }
      next = j < m ? ranks[j] : Number.POSITIVE_INFINITY;
      seen += c;
    }
    for (; j < m; j++) {
      value[j] = Number.NaN;
      lo[j] = hi[j] = ranks[j];
      bucket[j] = -1;
      first[j] = seen;
    }
  }

  /**
   * Plain data: rows only for the cells that have one. Shares this histogram's arrays when
   * they are exactly full (a chunk's histogram is handed over, not copied); merging never
   * changes its argument.
   */
  toData(): HistogramData {
    this.flush();
    const n = this.nRows;
    const rows = <T extends Int32Array | Float64Array>(a: T, len: number): T =>
      (a.length === len ? a : a.slice(0, len)) as T;
    return this.data(rows(this.counts, n * COUNTS), rows(this.minMax, n * MM));
  }

  /** Plain data viewing this histogram's own arrays (no copy): for handing it over, whole. */
  handOver(): HistogramData {
    this.flush();
    const n = this.nRows;
    return this.data(this.counts.subarray(0, n * COUNTS), this.minMax.subarray(0, n * MM));
  }

  /**
   * Plain data viewing this histogram's own arrays as counted, not flushed (decision 265): a
   * lane's hand-over at the end of a point, read only by locateViews. No 32-bit counts are made
   * (a flush writes ≈ 30 MB of fresh pages for the whitepaper); the histogram is not counted
   * into again.
   */
  view(): HistogramView {
    const n = this.nRows;
    const carries = this.carries.slice(0, this.nCarries).sort();
    return {
      ...this.data(
        this.counts.subarray(0, Math.min(this.counts.length, n * COUNTS)),
        this.minMax.subarray(0, n * MM),
      ),
      narrow: this.narrow.subarray(0, n * COUNTS),
      carries,
      wideRows: this.allWidened ? null : this.widened.slice(0, n),
    };
  }

  /** This histogram's plan and cells as plain data, with the given rows of counts and min/max. */
  private data(counts: Int32Array, minMax: Float64Array): HistogramData {
    return {
      cells: this.cells,
      start: this.start,
      scale: this.scale,
      log: this.log,
      fineAt: this.fineAt,
      fine: this.fine,
      derived: this.derived.data(),
      rowOf: this.rowOf,
      atom: this.atom,
      atomCount: this.atomCount,
      counts,
      minMax,
    };
  }

  /** A histogram made of `d`'s own arrays (not copied: `d` is handed over). */
  static adopt(d: HistogramData): CellHistograms {
    const h = new CellHistograms({ ...d, ...d.derived }, 0);
    h.derived.merge(d.derived);
    h.rowOf.set(d.rowOf);
    h.atom.set(d.atom);
    h.atomCount.set(d.atomCount);
    h.counts = d.counts;
    h.minMax = d.minMax;
    h.nRows = d.counts.length / COUNTS;
    h.narrow = new Uint8Array(d.counts.length);
    h.pending = new Int32Array(h.nRows);
    h.widened = new Uint8Array(h.nRows);
    h.allWidened = true;
    return h;
  }

  /** A histogram holding `d` (copied: merging into the result never changes `d`). */
  static fromData(d: HistogramData): CellHistograms {
    const h = new CellHistograms({ ...d, ...d.derived }, d.counts.length / COUNTS);
    h.merge(d);
    return h;
  }
}
