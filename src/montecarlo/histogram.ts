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

/**
 * One side (positive, or mirrored negative) of every cell. Each cell owns a dense window of
 * buckets [lo, lo + len) stored at [off, off + len) of three shared arrays (an arena): a
 * window that must grow moves to the arena's end, so adding values allocates nothing per
 * cell and the arena grows only geometrically. `pack` drops the moved-out windows.
 */
class Sides {
  readonly lo: Int32Array;
  readonly off: Int32Array;
  readonly len: Int32Array;
  counts: Int32Array;
  min: Float64Array;
  max: Float64Array;
  top = 0;

  constructor(
    readonly cells: number,
    capacity: number,
  ) {
    this.lo = new Int32Array(cells);
    this.off = new Int32Array(cells);
    this.len = new Int32Array(cells);
    this.counts = new Int32Array(capacity);
    this.min = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
  }

  /** Make cell's window cover keys a … b, with slack (so a cell's window settles quickly). */
  reserve(cell: number, a: number, b: number): void {
    const lo = this.lo[cell];
    const len = this.len[cell];
    if (len > 0 && a >= lo && b < lo + len) return;
    const slack = Math.max(16, len);
    const nlo = len === 0 ? a - 16 : Math.min(lo, a < lo ? a - slack : lo);
    const nhi = len === 0 ? b + 17 : Math.max(lo + len, b >= lo + len ? b + 1 + slack : 0);
    const n = nhi - nlo;
    if (this.top + n > this.counts.length) this.grow(this.top + n);
    const off = this.top;
    this.top += n;
    this.min.fill(Number.POSITIVE_INFINITY, off, off + n);
    this.max.fill(Number.NEGATIVE_INFINITY, off, off + n);
    if (len > 0) {
      const from = this.off[cell];
      const to = off + lo - nlo;
      this.counts.copyWithin(to, from, from + len);
      this.min.copyWithin(to, from, from + len);
      this.max.copyWithin(to, from, from + len);
    }
    this.lo[cell] = nlo;
    this.off[cell] = off;
    this.len[cell] = n;
  }

  private grow(need: number): void {
    const cap = Math.max(need, this.counts.length * 2, 1024);
    const counts = new Int32Array(cap);
    const min = new Float64Array(cap);
    const max = new Float64Array(cap);
    counts.set(this.counts.subarray(0, this.top));
    min.set(this.min.subarray(0, this.top));
    max.set(this.max.subarray(0, this.top));
    this.counts = counts;
    this.min = min;
    this.max = max;
  }

  /** Add n copies of x > 0 (or of the mirrored −x) to a cell. */
  addRepeated(cell: number, x: number, n: number): void {
    const key = bucketKey(x);
    this.reserve(cell, key, key);
    const j = this.off[cell] + key - this.lo[cell];
    this.counts[j] += n;
    if (x < this.min[j]) this.min[j] = x;
    if (x > this.max[j]) this.max[j] = x;
  }

  /** Fold in one cell of another side: counts add, min and max combine (exact in any order). */
  mergeCell(cell: number, from: Sides): void {
    const n = from.len[cell];
    if (n === 0) return;
    const fo = from.off[cell];
    let a = 0;
    let b = n;
    while (a < b && from.counts[fo + a] === 0) a++;
    while (b > a && from.counts[fo + b - 1] === 0) b--;
    if (a === b) return;
    const flo = from.lo[cell];
    this.reserve(cell, flo + a, flo + b - 1);
    const base = this.off[cell] + flo - this.lo[cell];
    for (let i = a; i < b; i++) {
      const c = from.counts[fo + i];
      if (c === 0) continue;
      const j = base + i;
      this.counts[j] += c;
      if (from.min[fo + i] < this.min[j]) this.min[j] = from.min[fo + i];
      if (from.max[fo + i] > this.max[j]) this.max[j] = from.max[fo + i];
    }
  }

  /** Packed: each cell trimmed to its occupied buckets, cells one after the other. */
  pack(): PackedSides {
    const cells = this.cells;
    const first = new Int32Array(cells);
    const offset = new Int32Array(cells + 1);
    for (let c = 0; c < cells; c++) {
      const o = this.off[c];
      let a = 0;
      let b = this.len[c];
      while (a < b && this.counts[o + a] === 0) a++;
      while (b > a && this.counts[o + b - 1] === 0) b--;
      first[c] = a;
      offset[c + 1] = offset[c] + (b - a);
    }
    const total = offset[cells];
    const out = {
      lo: new Int32Array(cells),
      offset,
      counts: new Int32Array(total),
      min: new Float64Array(total),
      max: new Float64Array(total),
    };
    for (let c = 0; c < cells; c++) {
      const a = this.off[c] + first[c];
      const n = offset[c + 1] - offset[c];
      out.lo[c] = this.lo[c] + first[c];
      out.counts.set(this.counts.subarray(a, a + n), offset[c]);
      out.min.set(this.min.subarray(a, a + n), offset[c]);
      out.max.set(this.max.subarray(a, a + n), offset[c]);
    }
    return out;
  }

  /** Sides from packed data (copied). */
  static unpack(p: PackedSides, cells: number): Sides {
    const s = new Sides(cells, 0);
    s.counts = p.counts.slice();
    s.min = p.min.slice();
    s.max = p.max.slice();
    s.top = p.counts.length;
    for (let c = 0; c < cells; c++) {
      s.lo[c] = p.lo[c];
      s.off[c] = p.offset[c];
      s.len[c] = p.offset[c + 1] - p.offset[c];
    }
    return s;
  }
}

/** The histograms of `cells` cells (a band cell is a column × day). */
export class CellHistograms {
  readonly zeros: Float64Array;
  private pos: Sides;
  private neg: Sides;
  constructor(
    readonly cells: number,
    /** Initial buckets per cell (the arena grows as needed). */
    bucketsPerCell = 64,
  ) {
    this.zeros = new Float64Array(cells);
    this.pos = new Sides(cells, cells * bucketsPerCell);
    this.neg = new Sides(cells, 0);
  }

  add(cell: number, x: number): void {
    if (x > 0) this.pos.addRepeated(cell, x, 1);
    else if (x === 0) this.zeros[cell]++;
    else this.neg.addRepeated(cell, -x, 1);
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
    // a group with the same value in every run (deterministic days, zeros) is one update
    const end = start + n;
    const first = values[start];
    let g = start + 1;
    while (g < end && values[g] === first) g++;
    if (g === end) {
      this.addRepeated(cell, first, n);
      return;
    }
    const side = this.pos;
    let lo = side.lo[cell];
    let len = side.len[cell];
    let base = side.off[cell] - lo;
    let counts = side.counts;
    let mn = side.min;
    let mx = side.max;
    for (g = start; g < end; g++) {
      const x = values[g];
      if (x > 0 && x < Number.POSITIVE_INFINITY) {
        const key = words[2 * g + 1] >>> SHIFT; // the high word of values[g], read in place
        if ((key - lo) >>> 0 >= len) {
          // outside the cell's window: widen it (it moves to the arena's end)
          side.reserve(cell, key, key);
          lo = side.lo[cell];
          len = side.len[cell];
          base = side.off[cell] - lo;
          counts = side.counts;
          mn = side.min;
          mx = side.max;
        }
        const j = base + key;
        counts[j]++;
        if (x < mn[j]) mn[j] = x;
        if (x > mx[j]) mx[j] = x;
      } else this.add(cell, x); // zeros, negatives, non-finite: rare
    }
  }

  /** Add `n` copies of x. */
  addRepeated(cell: number, x: number, n: number): void {
    if (x > 0) this.pos.addRepeated(cell, x, n);
    else if (x === 0) this.zeros[cell] += n;
    else this.neg.addRepeated(cell, -x, n);
  }

  merge(other: CellHistograms): void {
    for (let c = 0; c < this.cells; c++) {
      this.zeros[c] += other.zeros[c];
      this.pos.mergeCell(c, other.pos);
      this.neg.mergeCell(c, other.neg);
    }
  }

  /** The r-th smallest value of a cell (0-based), read from its buckets. */
  rank(cell: number, r: number): number {
    const neg = this.neg;
    let seen = 0;
    // negative values, most negative first: mirrored buckets from the top down
    for (let i = neg.off[cell] + neg.len[cell] - 1; i >= neg.off[cell]; i--) {
      const c = neg.counts[i];
      if (c === 0) continue;
      if (r < seen + c) return -inBucket(neg.max[i], neg.min[i], c, r - seen);
      seen += c;
    }
    if (r < seen + this.zeros[cell]) return 0;
    seen += this.zeros[cell];
    const pos = this.pos;
    for (let i = pos.off[cell]; i < pos.off[cell] + pos.len[cell]; i++) {
      const c = pos.counts[i];
      if (c === 0) continue;
      if (r < seen + c) return inBucket(pos.min[i], pos.max[i], c, r - seen);
      seen += c;
    }
    return Number.NaN;
  }

  /**
   * Packed plain-data form (a few flat typed arrays) for passing between threads and machines;
   * fresh arrays, not shared with this histogram.
   */
  toData(): HistogramData {
    return {
      cells: this.cells,
      zeros: this.zeros.slice(),
      pos: this.pos.pack(),
      neg: this.neg.pack(),
    };
  }

  /**
   * Rebuild from packed data, copied: merging into the result never changes `d`, so a chunk's
   * partial can be merged again (a retried or re-read chunk gives the same bytes).
   */
  static fromData(d: HistogramData): CellHistograms {
    const h = new CellHistograms(0, 0) as unknown as {
      cells: number;
      zeros: Float64Array;
      pos: Sides;
      neg: Sides;
    };
    h.cells = d.cells;
    h.zeros = d.zeros.slice();
    h.pos = Sides.unpack(d.pos, d.cells);
    h.neg = Sides.unpack(d.neg, d.cells);
    return h as unknown as CellHistograms;
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

/** The k-th of c values spread evenly from a to b (a bucket's values, by rank). */
function inBucket(a: number, b: number, c: number, k: number): number {
  return c === 1 ? a : a + ((b - a) * k) / (c - 1);
}
