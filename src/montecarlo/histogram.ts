/**
 * Mergeable per-cell histograms for the bands of large Monte Carlos. A value's bucket is
 * its float64 exponent and top K mantissa bits, so buckets are 2^−K wide in relative terms
 * (K = 7: 0.78%). Each bucket keeps its count and the exact min and max of its values;
 * counts add and min/max combine exactly, so merging in any order gives the same bytes.
 * A quantile read from the histogram interpolates inside its bucket between min and max:
 * exact when a bucket's values are equal, otherwise within the bucket's width (≤ 0.78%).
 * Zeros are counted apart; negative values (only rounding residues, by I3) go to a mirrored
 * histogram of −x.
 */
export const MANTISSA_BITS = 7;
const SHIFT = 20 - MANTISSA_BITS;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Bucket key of x > 0: monotone in x. */
export function bucketKey(x: number): number {
  f64[0] = x;
  return u32[1] >>> SHIFT;
}

/** One side (positive or mirrored negative) of one cell: a dense run of buckets. */
interface Side {
  lo: number;
  counts: Int32Array;
  min: Float64Array;
  max: Float64Array;
}

function emptySide(): Side {
  return { lo: 0, counts: new Int32Array(0), min: new Float64Array(0), max: new Float64Array(0) };
}

/** Make room for `key` in `s`, growing the dense range with some slack. */
function reserve(s: Side, key: number): void {
  const len = s.counts.length;
  if (len > 0 && key >= s.lo && key < s.lo + len) return;
  // grow geometrically, so a cell's range settles after a few reallocations
  const slack = Math.max(16, len);
  const lo = len === 0 ? key - 16 : Math.min(s.lo, key < s.lo ? key - slack : s.lo);
  const hi = len === 0 ? key + 17 : Math.max(s.lo + len, key >= s.lo + len ? key + 1 + slack : 0);
  const counts = new Int32Array(hi - lo);
  const min = new Float64Array(hi - lo).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(hi - lo).fill(Number.NEGATIVE_INFINITY);
  if (len > 0) {
    counts.set(s.counts, s.lo - lo);
    min.set(s.min, s.lo - lo);
    max.set(s.max, s.lo - lo);
  }
  s.lo = lo;
  s.counts = counts;
  s.min = min;
  s.max = max;
}

function addToSide(s: Side, x: number): void {
  const key = bucketKey(x);
  if (key < s.lo || key >= s.lo + s.counts.length) reserve(s, key);
  const i = key - s.lo;
  s.counts[i]++;
  if (x < s.min[i]) s.min[i] = x;
  if (x > s.max[i]) s.max[i] = x;
}

function mergeSide(into: Side, from: Side): void {
  for (let i = 0; i < from.counts.length; i++) {
    const c = from.counts[i];
    if (c === 0) continue;
    const key = from.lo + i;
    reserve(into, key);
    const j = key - into.lo;
    into.counts[j] += c;
    if (from.min[i] < into.min[j]) into.min[j] = from.min[i];
    if (from.max[i] > into.max[j]) into.max[j] = from.max[i];
  }
}

/** The histograms of `cells` cells (a band cell is a column × day). */
export class CellHistograms {
  readonly zeros: Float64Array;
  readonly pos: Side[];
  readonly neg: Side[];
  constructor(readonly cells: number) {
    this.zeros = new Float64Array(cells);
    this.pos = Array.from({ length: cells }, emptySide);
    this.neg = Array.from({ length: cells }, emptySide);
  }

  add(cell: number, x: number): void {
    if (x > 0) addToSide(this.pos[cell], x);
    else if (x === 0) this.zeros[cell]++;
    else addToSide(this.neg[cell], -x);
  }

  /**
   * Add `n` values of one cell, `values[start … start+n)`: the hot path of large Monte Carlos.
   * `words` is a Uint32Array view of `values`' buffer (little-endian: word 2g+1 is the high word).
   */
  addMany(
    cell: number,
    values: Float64Array,
    start: number,
    n: number,
    words: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, values.length * 2),
  ): void {
    // a cell with the same value in every run of the group (deterministic days and columns):
    // one bucket update for all of them
    const first = values[start];
    let same = true;
    for (let g = start + 1; g < start + n; g++)
      if (values[g] !== first) {
        same = false;
        break;
      }
    if (same) {
      this.addRepeated(cell, first, n);
      return;
    }
    const side = this.pos[cell];
    let lo = side.lo;
    let counts = side.counts;
    let mn = side.min;
    let mx = side.max;
    let len = counts.length;
    let zeros = 0;
    for (let g = start; g < start + n; g++) {
      const x = values[g];
      if (x > 0) {
        const key = words[2 * g + 1] >>> SHIFT; // the high word of values[g], read in place
        let i = key - lo;
        if (i < 0 || i >= len) {
          reserve(side, key);
          lo = side.lo;
          counts = side.counts;
          mn = side.min;
          mx = side.max;
          len = counts.length;
          i = key - lo;
        }
        counts[i]++;
        if (x < mn[i]) mn[i] = x;
        if (x > mx[i]) mx[i] = x;
      } else if (x === 0) zeros++;
      else addToSide(this.neg[cell], -x);
    }
    this.zeros[cell] += zeros;
  }

  /** Add `n` copies of x. */
  addRepeated(cell: number, x: number, n: number): void {
    if (x === 0) {
      this.zeros[cell] += n;
      return;
    }
    const side = x > 0 ? this.pos[cell] : this.neg[cell];
    const y = Math.abs(x);
    const key = bucketKey(y);
    reserve(side, key);
    const i = key - side.lo;
    side.counts[i] += n;
    if (y < side.min[i]) side.min[i] = y;
    if (y > side.max[i]) side.max[i] = y;
  }

  merge(other: CellHistograms): void {
    for (let c = 0; c < this.cells; c++) {
      this.zeros[c] += other.zeros[c];
      mergeSide(this.pos[c], other.pos[c]);
      mergeSide(this.neg[c], other.neg[c]);
    }
  }

  /** The r-th smallest value of a cell (0-based), read from its buckets. */
  rank(cell: number, r: number): number {
    const neg = this.neg[cell];
    let seen = 0;
    // negative values, most negative first: mirrored buckets from the top down
    for (let i = neg.counts.length - 1; i >= 0; i--) {
      const c = neg.counts[i];
      if (c === 0) continue;
      if (r < seen + c) return -inBucket(neg.max[i], neg.min[i], c, r - seen);
      seen += c;
    }
    if (r < seen + this.zeros[cell]) return 0;
    seen += this.zeros[cell];
    const pos = this.pos[cell];
    for (let i = 0; i < pos.counts.length; i++) {
      const c = pos.counts[i];
      if (c === 0) continue;
      if (r < seen + c) return inBucket(pos.min[i], pos.max[i], c, r - seen);
      seen += c;
    }
    return Number.NaN;
  }

  /** Packed plain-data form (a few flat typed arrays) for passing between threads and machines. */
  toData(): HistogramData {
    return { cells: this.cells, zeros: this.zeros, pos: pack(this.pos), neg: pack(this.neg) };
  }

  /** Rebuild from packed data; the buckets are views of the packed arrays (no copy). */
  static fromData(d: HistogramData): CellHistograms {
    const h = new CellHistograms(0) as { -readonly [K in keyof CellHistograms]: CellHistograms[K] };
    h.cells = d.cells;
    h.zeros = d.zeros;
    h.pos = unpack(d.pos, d.cells);
    h.neg = unpack(d.neg, d.cells);
    return Object.setPrototypeOf(h, CellHistograms.prototype) as CellHistograms;
  }
}

/** One side of every cell, packed: cell c's buckets are [offset[c], offset[c+1]) of the flat arrays. */
export interface PackedSides {
  readonly lo: Int32Array;
  readonly offset: Int32Array;
  readonly counts: Int32Array;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

export interface HistogramData {
  readonly cells: number;
  readonly zeros: Float64Array;
  readonly pos: PackedSides;
  readonly neg: PackedSides;
}

function pack(sides: readonly Side[]): PackedSides {
  // each cell trimmed to its occupied buckets: the slack left by growth is not sent
  const first = new Int32Array(sides.length);
  const offset = new Int32Array(sides.length + 1);
  sides.forEach((s, c) => {
    let a = 0;
    let b = s.counts.length;
    while (a < b && s.counts[a] === 0) a++;
    while (b > a && s.counts[b - 1] === 0) b--;
    first[c] = a;
    offset[c + 1] = offset[c] + (b - a);
  });
  const total = offset[sides.length];
  const out = {
    lo: Int32Array.from(sides, (s, c) => s.lo + first[c]),
    offset,
    counts: new Int32Array(total),
    min: new Float64Array(total),
    max: new Float64Array(total),
  };
  sides.forEach((s, c) => {
    const a = first[c];
    const n = offset[c + 1] - offset[c];
    out.counts.set(s.counts.subarray(a, a + n), offset[c]);
    out.min.set(s.min.subarray(a, a + n), offset[c]);
    out.max.set(s.max.subarray(a, a + n), offset[c]);
  });
  return out;
}

function unpack(p: PackedSides, cells: number): Side[] {
  return Array.from({ length: cells }, (_, c) => ({
    lo: p.lo[c],
    counts: p.counts.subarray(p.offset[c], p.offset[c + 1]),
    min: p.min.subarray(p.offset[c], p.offset[c + 1]),
    max: p.max.subarray(p.offset[c], p.offset[c + 1]),
  }));
}

/** The k-th of c values spread evenly from a to b (a bucket's values, by rank). */
function inBucket(a: number, b: number, c: number, k: number): number {
  return c === 1 ? a : a + ((b - a) * k) / (c - 1);
}
