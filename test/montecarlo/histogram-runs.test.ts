import { describe, expect, it } from "vitest";
import {
  CellHistograms,
  COARSE,
  COUNTS,
  FINE,
  planFromPilot,
} from "../../src/montecarlo/histogram.js";

// The counting loops count a run of consecutive values in one fine bucket in registers (its
// length, min and max) and store it once (decision 171). These tests count sequences full of
// runs, −0 and 0, NaN and non-positive values on a log scale through addMany and compare each
// row with a value-by-value reference: the count of bucket(i, x) per fine bucket, and per
// coarse bucket the min and max kept by strict comparisons in arrival order (of equal values
// the first: 0 before −0 stays 0; a NaN never).

const MM = (COARSE + 2) * 2;

/** Pilot of 4 cells × 400 runs: even value scale, even log scale, adaptive value, adaptive log. */
function pilot(): Float64Array {
  const n = 400;
  const p = new Float64Array(4 * n);
  for (let k = 0; k < n; k++) {
    p[k] = (10 * k) / n; // even, 0 … 10
    p[n + k] = 100 ** (k / n); // even, log scale (1 … 100)
    // crowded: most values within residues of 5, a few spread over 0 … 10 (adaptive)
    p[2 * n + k] = k % 10 === 0 ? k / 40 : 5 + k * 1e-9;
    p[3 * n + k] = k % 10 === 0 ? 1 + k / 4 : 50 * (1 + k * 1e-9); // adaptive, log
  }
  return p;
}

/** A sequence with runs, −0 and 0, NaN and out-of-range values around `mid` (width `w`). */
function sequence(mid: number, w: number): number[] {
  const xs: number[] = [0, -0, 0, -0, -0, Number.NaN, -1, -1, Number.NaN, -2, Number.NaN];
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let k = 0; k < 600; k++) {
    const r = rand();
    const x = r < 0.3 ? mid : r < 0.5 ? mid + (rand() - 0.5) * 1e-7 : mid + (rand() - 0.5) * w;
    const times = 1 + Math.floor(rand() * 4); // runs of 1 … 4 equal values
    for (let t = 0; t < times; t++) xs.push(x);
    if (rand() < 0.02) xs.push(Number.NaN, -0, 0, mid * 100, -0.5);
  }
  return xs;
}

describe("counting runs of values in one fine bucket", () => {
  const plan = planFromPilot(pilot(), 400, new Uint8Array(400).fill(1));

  it("covers every kind of plan", () => {
    expect(Array.from(plan.log)).toEqual([0, 1, 0, 1]);
    expect(Array.from(plan.fineAt).map((a) => a >= 0)).toEqual([false, false, true, true]);
  });

  for (const [cell, mid, w] of [
    [0, 5, 8],
    [1, 30, 60],
    [2, 5, 6],
    [3, 50, 80],
  ] as const)
    it(`gives the value-by-value counts and min/max (cell ${cell})`, () => {
      const xs = sequence(mid, w);
      const h = new CellHistograms(plan, 4);
      const v = Float64Array.from(xs);
      // in two calls, the second starting inside a run
      const cut = 301;
      let sum = h.addMany(cell, v, 0, cut, null, 0);
      sum = h.addMany(cell, v, cut, v.length - cut, null, sum);
      const d = h.toData();
      const row = d.rowOf[cell];
      expect(row).toBeGreaterThanOrEqual(0);

      const counts = new Array(COUNTS).fill(0);
      const min = new Array(COARSE + 2).fill(Number.POSITIVE_INFINITY);
      const max = new Array(COARSE + 2).fill(Number.NEGATIVE_INFINITY);
      let total = 0;
      for (const x of xs) {
        total += x;
        // the even value-scale plan neither counts nor keeps a NaN (bucket() gives NaN)
        if (cell === 0 && Number.isNaN(x)) continue;
        const f = h.bucket(cell, x);
        counts[f]++;
        const c = Math.floor(f / FINE);
        if (x < min[c]) min[c] = x;
        if (x > max[c]) max[c] = x;
      }
      expect(Array.from(d.counts.subarray(row * COUNTS, (row + 1) * COUNTS))).toEqual(counts);
      const mm = d.minMax.subarray(row * MM, (row + 1) * MM);
      for (let c = 0; c < COARSE + 2; c++) {
        // Object.is: −0 and 0 told apart
        expect(Object.is(mm[2 * c], min[c]), `min of coarse bucket ${c}`).toBe(true);
        expect(Object.is(mm[2 * c + 1], max[c]), `max of coarse bucket ${c}`).toBe(true);
      }
      expect(Object.is(sum, total)).toBe(true);
    });
});

// The adaptive value-scale loop takes eight values per iteration (decision 195) and counts them
// in value order, so of equal values in one group the first is kept: 0 then −0 keeps 0 as its
// coarse bucket's min and max (a group counted out of order could keep −0).
describe("counting eight values at a time", () => {
  const plan = planFromPilot(pilot(), 400, new Uint8Array(400).fill(1));

  it("keeps the first of 0 and −0 when they are counted in one group", () => {
    // cell 2 is adaptive on the value scale; 3 is its one value until 7 gives it a row, so the
    // values from 7 on are counted as one group of eight, (7, 5, 0, −0, 2, 4, 6, 8), then 1 alone
    const h = new CellHistograms(plan, 4);
    const xs = [3, 7, 5, 0, -0, 2, 4, 6, 8, 1];
    const sum = h.addMany(2, Float64Array.from(xs), 0, xs.length, null, 0);
    expect(sum).toBe(36);
    const d = h.toData();
    const row = d.rowOf[2];
    const c = h.coarseOf(2, h.bucket(2, 0));
    const mm = d.minMax.subarray(row * MM, (row + 1) * MM);
    expect(Object.is(mm[2 * c], 0)).toBe(true);
    // the max is 0 too unless another of the values shares the coarse bucket (then the largest)
    const others = [3, 7, 5, 2, 4, 6, 8, 1].filter((x) => h.coarseOf(2, h.bucket(2, x)) === c);
    const max = others.length > 0 ? Math.max(...others) : 0;
    expect(Object.is(mm[2 * c + 1], max)).toBe(true);
    let total = 0;
    for (let k = 0; k < COUNTS; k++) total += d.counts[row * COUNTS + k];
    expect(total).toBe(10);
  });

  it("keeps the first of 0 and −0 on the log scale too (both in the underflow bucket)", () => {
    // cell 3 is adaptive on the log scale: 50 is its one value until 60 gives it a row, then
    // (60, 0, −0, 2, 4, 6, 8, 70) are counted as one group of eight and 1 alone; 0 and −0 are
    // not positive, so both fall in the underflow bucket (coarse bucket 0), where nothing else
    // falls (the others lie in the pilot's range, 1 … 100 widened)
    const h = new CellHistograms(plan, 4);
    const xs = [50, 60, 0, -0, 2, 4, 6, 8, 70, 1];
    const sum = h.addMany(3, Float64Array.from(xs), 0, xs.length, null, 0);
    expect(sum).toBe(201);
    const d = h.toData();
    const row = d.rowOf[3];
    expect(h.bucket(3, 0)).toBe(0);
    expect(h.bucket(3, -0)).toBe(0);
    for (const x of [50, 60, 2, 4, 6, 8, 70, 1])
      expect(h.coarseOf(3, h.bucket(3, x))).toBeGreaterThan(0);
    const mm = d.minMax.subarray(row * MM, (row + 1) * MM);
    expect(Object.is(mm[0], 0)).toBe(true);
    expect(Object.is(mm[1], 0)).toBe(true);
    expect(d.counts[row * COUNTS]).toBe(2);
    let total = 0;
    for (let k = 0; k < COUNTS; k++) total += d.counts[row * COUNTS + k];
    expect(total).toBe(10);
  });
});

// Counts are kept in 8 bits while counting; a count that reaches 256 carries 256 into the 32-bit
// counts, listed until the flush (decision 227). Thousands of values in a few fine buckets, in
// batches of 256 as BandFolder counts them, must give the value-by-value counts whether the
// flush is the hand-over's (no 32-bit counts yet), a row's (a locate in between) or a merge's.
describe("counting into 8-bit counts with carries", () => {
  const plan = planFromPilot(pilot(), 400, new Uint8Array(400).fill(1));

  /** 3,000 values around `mid`: 70% exactly `mid` (one fine bucket), the rest spread by `w`. */
  function crowded(mid: number, w: number): Float64Array {
    const xs = sequence(mid, w);
    const v = new Float64Array(3000);
    for (let k = 0; k < v.length; k++) v[k] = k % 10 < 7 ? mid : xs[k % xs.length];
    return v;
  }

  /** The value-by-value counts of `vs` in cell i (bucket(); NaN not counted on the even value scale). */
  function reference(h: CellHistograms, i: number, vs: Float64Array[]): number[] {
    const counts = new Array(COUNTS).fill(0);
    for (const v of vs)
      for (const x of v) if (!(i === 0 && Number.isNaN(x))) counts[h.bucket(i, x)]++;
    return counts;
  }

  /** Count v into cell i in batches of 256 values. */
  function count(h: CellHistograms, i: number, v: Float64Array): void {
    for (let k = 0; k < v.length; k += 256) h.addMany(i, v, k, Math.min(256, v.length - k), null);
  }

  const rowCounts = (h: CellHistograms, i: number): number[] => {
    const d = h.toData();
    const row = d.rowOf[i];
    return Array.from(d.counts.subarray(row * COUNTS, (row + 1) * COUNTS));
  };

  for (const [cell, mid, w] of [
    [0, 5, 8],
    [1, 30, 60],
    [2, 5, 6],
    [3, 50, 80],
  ] as const) {
    it(`counts past 256 in a fine bucket, flushed at the hand-over (cell ${cell})`, () => {
      const h = new CellHistograms(plan, 4);
      const v = crowded(mid, w);
      count(h, cell, v);
      const want = reference(h, cell, [v]);
      expect(Math.max(...want)).toBeGreaterThan(2 * 256);
      expect(rowCounts(h, cell)).toEqual(want);
    });

    it(`counts past 256 with a row read in between, and repeated values (cell ${cell})`, () => {
      const h = new CellHistograms(plan, 4);
      const v = crowded(mid, w);
      count(h, cell, v);
      // a read of the row flushes it (its carries and 8-bit counts into 32 bits) mid-way
      h.locate(cell, 3000, [0, 1500], []);
      count(h, cell, v);
      // 1,000 copies at once (addToRow: a count of 1,000 + what is there, carried)
      h.addRepeated(cell, mid, 1000);
      const want = reference(h, cell, [v, v, new Float64Array(1000).fill(mid)]);
      expect(rowCounts(h, cell)).toEqual(want);
      // merged into another histogram that has counted the same values: twice the counts
      const g = new CellHistograms(plan, 4);
      count(g, cell, v);
      count(g, cell, v);
      g.addRepeated(cell, mid, 1000);
      g.merge(h);
      expect(rowCounts(g, cell)).toEqual(want.map((c) => 2 * c));
    });
  }
});

// A cell with one value so far tests a batch's leading values four at a time (decision 229): a
// different value in any place of a group of four must give the cell its row, counted.
describe("a one-value cell's leading values", () => {
  const plan = planFromPilot(pilot(), 400, new Uint8Array(400).fill(1));

  for (let at = 0; at < 9; at++)
    it(`counts the one other value at place ${at} of 11`, () => {
      const h = new CellHistograms(plan, 4);
      const xs = new Array(11).fill(5);
      xs[at] = 7;
      const sum = h.addMany(2, Float64Array.from(xs), 0, xs.length, null, 0);
      expect(sum).toBe(57);
      const d = h.toData();
      const row = d.rowOf[2];
      expect(row).toBeGreaterThanOrEqual(0);
      expect(d.counts[row * COUNTS + h.bucket(2, 7)]).toBe(1);
      expect(d.counts[row * COUNTS + h.bucket(2, 5)]).toBe(10);
    });
});
