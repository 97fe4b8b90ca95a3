import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { BAND_STATS } from "../../src/analysis/types.js";
import { mergeChunks, runChunk } from "../../src/montecarlo/chunk.js";
import { exactQuantiles } from "../../src/montecarlo/exact.js";
import { BandFolder } from "../../src/montecarlo/fold.js";
import {
  CellHistograms,
  COUNTS,
  FINE,
  type Located,
  planFromPilot,
  planFromRange,
  sumRepeated,
} from "../../src/montecarlo/histogram.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

/** A histogram's contents, cell by cell (rows are packed in the order cells got them). */
function contents(h: CellHistograms): string {
  const d = h.toData();
  const out: string[] = [];
  for (let i = 0; i < d.cells; i++) {
    const r = d.rowOf[i];
    if (r < 0) out.push(`${i}:${d.atomCount[i] > 0 ? `${d.atom[i]}×${d.atomCount[i]}` : "-"}`);
    else
      out.push(
        `${i}:${Array.from(d.counts.subarray(r * COUNTS, (r + 1) * COUNTS)).join(",")}|${Array.from(
          d.minMax.subarray((r * COUNTS * 2) / FINE, ((r + 1) * COUNTS * 2) / FINE),
        ).join(",")}`,
      );
  }
  return out.join(";");
}

/** Values with atoms (0, 3.25, repeated), negatives and a wide positive range. */
const values = fc.array(
  fc.oneof(
    fc.constant(0),
    fc.constant(3.25),
    fc.double({ min: -1e6, max: -1e-6, noNaN: true }),
    fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  ),
  { minLength: 1, maxLength: 300 },
);

/** A one-cell plan from a pilot of the first `pilot` values. */
function planOf(xs: number[], pilot: number) {
  const p = xs.slice(0, Math.max(1, pilot));
  return planFromRange(Float64Array.of(Math.min(...p)), Float64Array.of(Math.max(...p)));
}

describe("pilot-planned histograms", () => {
  it("order buckets as the values are ordered, on the linear and the log scale", () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 20 }), (xs, pilot) => {
        const h = new CellHistograms(planOf(xs, pilot));
        const sorted = [...xs].sort((a, b) => a - b);
        for (let k = 1; k < sorted.length; k++)
          expect(h.bucket(0, sorted[k - 1])).toBeLessThanOrEqual(h.bucket(0, sorted[k]));
      }),
    );
  });
  it("place every rank between the exact order statistics they name; one value exactly", () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 1, max: 20 }), (xs, pilot) => {
        const h = new CellHistograms(planOf(xs, pilot));
        h.addMany(0, Float64Array.from(xs), 0, xs.length, null);
        const sorted = [...xs].sort((a, b) => a - b);
        const ranks = sorted.map((_, r) => r);
        const found: Located[] = [];
        h.locate(0, xs.length, ranks, found);
        found.forEach((l, r) => {
          expect(l.lo).toBeLessThanOrEqual(r);
          expect(l.hi).toBeGreaterThanOrEqual(r);
          if (l.lo === l.hi) expect(l.value).toBe(sorted[r]);
          const slack = 1e-12 * Math.max(Math.abs(sorted[l.lo]), Math.abs(sorted[l.hi]));
          expect(l.value).toBeGreaterThanOrEqual(sorted[l.lo] - slack);
          expect(l.value).toBeLessThanOrEqual(sorted[l.hi] + slack);
          // a value alone in its coarse bucket (min = max there) is read exactly
          const coarse = (x: number) => Math.floor(h.bucket(0, x) / FINE);
          if (sorted.filter((x) => coarse(x) === coarse(sorted[r])).every((x) => x === sorted[r]))
            expect(l.value).toBe(sorted[r]);
        });
      }),
    );
  });
  it("merge to the same contents in any split and order, through the plain-data form", () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 300 }), (xs, cut) => {
        const plan = planFromRange(Float64Array.of(-10, 0), Float64Array.of(10, 5));
        const whole = new CellHistograms(plan);
        const a = new CellHistograms(plan);
        const b = new CellHistograms(plan);
        xs.forEach((x, i) => {
          whole.addRepeated(i % 2, x, 1);
          (i < cut ? a : b).addRepeated(i % 2, x, 1);
        });
        const ab = CellHistograms.fromData(a.toData());
        ab.merge(CellHistograms.fromData(b.toData()));
        const ba = CellHistograms.fromData(b.toData());
        ba.merge(a);
        expect(contents(ab)).toBe(contents(CellHistograms.fromData(whole.toData())));
        expect(contents(ba)).toBe(contents(ab));
      }),
    );
  });

  it("hand a worker thread's counts over in shared memory, with the same contents", () => {
    // a shared histogram's hand-over must not need a copy (decision 164): its counts and
    // min/max live in SharedArrayBuffers however they were made (at the first flush, or grown)
    const plan = planFromRange(Float64Array.of(-10, 0, 1), Float64Array.of(10, 5, 1));
    const shared = new CellHistograms(plan, 1, true);
    const plain = new CellHistograms(plan, 1);
    const xs = [3, -2, 7.5, 0.25, 9, -9.5, 4, 4];
    // cells 0 and 1 get rows: 2 rows for 1 allocated, so the arrays grow once
    for (const h of [shared, plain])
      xs.forEach((x, i) => {
        h.addRepeated(i % 2, x, 1);
      });
    const d = shared.handOver();
    expect(d.counts.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(d.minMax.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(contents(CellHistograms.fromData(d))).toBe(contents(plain));
  });
});

describe("BandFolder (the large-N fold of a chunk)", () => {
  it("gives the block sums of run-by-run addition and the histograms of adding value by value", () => {
    fc.assert(
      fc.property(
        values,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(8, 32),
        (xs, cells, batch) => {
          const runs = Math.floor(xs.length / cells);
          if (runs === 0) return;
          const plan = planFromRange(
            new Float64Array(cells).fill(-5),
            new Float64Array(cells).fill(5),
          );
          const folder = new BandFolder(plan, cells, runs, 64);
          const naive = new CellHistograms(plan);
          const sums = new Float64Array(Math.ceil(runs / 64) * cells);
          const value = (run: number, i: number) => xs[run * cells + i];
          for (let k0 = 0; k0 < runs; k0 += batch) {
            const count = Math.min(batch, runs - k0);
            const out = new Float64Array(cells * count);
            const good = new Uint8Array(count).fill(1);
            for (let b = 0; b < count; b++) {
              if ((k0 + b) % 7 === 3) good[b] = 0; // a failed run: not folded
              for (let i = 0; i < cells; i++) {
                out[i * count + b] = value(k0 + b, i);
                if (good[b] === 1) {
                  sums[Math.floor((k0 + b) / 64) * cells + i] += value(k0 + b, i);
                  naive.addRepeated(i, value(k0 + b, i), 1);
                }
              }
            }
            folder.addBatch(k0, count, out, good);
          }
          expect(Array.from(folder.blockSums)).toEqual(Array.from(sums));
          expect(contents(CellHistograms.fromData(folder.hist.toData()))).toBe(
            contents(CellHistograms.fromData(naive.toData())),
          );
        },
      ),
    );
  });
  it("counts into a lane's histograms only under the same plan: a bit-for-bit copy, not one value off", () => {
    // an adaptive plan (clustered pilot values), so that every array of the plan has contents
    const cells = 3;
    const n = 64;
    const pilot = Float64Array.from({ length: cells * n }, (_, j) =>
      j % 5 === 0 ? 1000 + j : 1 + (j % 3) * 1e-9,
    );
    const plan = planFromPilot(pilot, n, new Uint8Array(n).fill(1));
    expect(plan.fine.length).toBeGreaterThan(0);
    const lane = new CellHistograms(plan, cells);
    // a copy, as a worker thread's next chunk brings it (new arrays, the same bytes)
    const copy = () => ({
      start: plan.start.slice(),
      scale: plan.scale.slice(),
      log: plan.log.slice(),
      varies: plan.varies.slice(),
      fineAt: plan.fineAt.slice(),
      fine: plan.fine.slice(),
      base: plan.base.slice(),
      factor: plan.factor.slice(),
    });
    const check = () => {
      expect(() => new BandFolder(copy(), cells, n, 64, lane)).not.toThrow();
      // each array changed in one place (the last: a check that stops early misses it)
      for (const key of ["start", "scale", "log", "fineAt", "fine", "base", "factor"] as const) {
        const other = copy();
        const a = other[key];
        a[a.length - 1] =
          key === "start" || key === "scale" || key === "factor"
            ? a[a.length - 1] * 2 + 1
            : a[a.length - 1] + 1;
        expect(() => new BandFolder(other, cells, n, 64, lane), key).toThrow(/another plan/);
      }
    };
    check(); // by node's Buffer.compare
    vi.stubGlobal("Buffer", undefined); // and where there is none (the loops)
    try {
      check();
    } finally {
      vi.unstubAllGlobals();
    }
  });
  it("counts past 65,535 values in one bucket exactly (16-bit counts flushed into 32 bits)", () => {
    // 140,032 values: 0.5 in every other run (70,016 in one bucket), the rest on a 1/1000 grid
    const plan = planFromRange(Float64Array.of(0), Float64Array.of(1));
    const folder = new BandFolder(plan, 1, 140_032, 1024);
    const naive = new CellHistograms(plan);
    for (let k0 = 0; k0 < 140_032; k0 += 256) {
      const out = Float64Array.from({ length: 256 }, (_, b) =>
        b % 2 === 0 ? 0.5 : ((k0 + b) % 1000) / 1000,
      );
      folder.addBatch(k0, 256, out, null);
      for (const x of out) naive.addRepeated(0, x, 1);
    }
    expect(contents(CellHistograms.fromData(folder.hist.toData()))).toBe(
      contents(CellHistograms.fromData(naive.toData())),
    );
    // 0.5's fine bucket (1.2 / 2,048 wide) holds no grid value (odd runs give odd thousandths)
    const d = folder.hist.toData();
    expect(d.counts[d.rowOf[0] * COUNTS + folder.hist.bucket(0, 0.5)]).toBe(70_016);
    expect(d.counts.reduce((a, c) => a + c, 0)).toBe(140_032);
  });
  it("keeps a cell with one value in all 100 runs as that value × 100, and reads it exactly", () => {
    const plan = planFromRange(Float64Array.of(2.5, 1), Float64Array.of(2.5, 2));
    const folder = new BandFolder(plan, 2, 100, 1024);
    for (let k0 = 0; k0 < 100; k0 += 20) {
      const out = new Float64Array(40);
      out.fill(2.5, 0, 20);
      for (let b = 0; b < 20; b++) out[20 + b] = (k0 + b) % 4 === 0 ? 2 : 1; // phase-like: 1 or 2
      folder.addBatch(k0, 20, out, null);
    }
    const h = folder.hist;
    expect(h.rowOf[0]).toBe(-1);
    expect(h.atom[0]).toBe(2.5);
    expect(h.atomCount[0]).toBe(100);
    expect(folder.blockSums[0]).toBe(250);
    // cell 1: 75 ones then 25 twos; every rank is exact
    const found: Located[] = [];
    h.locate(1, 100, [0, 74, 75, 99], found);
    expect(found.map((l) => l.value)).toEqual([1, 1, 2, 2]);
    expect(found.map((l) => l.hi - l.lo)).toEqual([0, 0, 0, 0]);
  });
});

describe("mergeChunks", () => {
  it("leaves its partials as they were: merging the same chunks twice gives the same bytes", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 20 });
    const point = { index: 0, params: {} };
    const runs = 2100; // beyond the exact limit: histogram bands, three blocks
    const parts = [
      runChunk({ scenario, seed: 8, point, runs, runStart: 0, runEnd: 2048 }),
      runChunk({ scenario, seed: 8, point, runs, runStart: 2048, runEnd: runs }),
    ];
    const before = structuredClone(parts);
    const first = mergeChunks(point, runs, parts);
    expect(parts).toEqual(before);
    const again = mergeChunks(point, runs, parts);
    for (const s of BAND_STATS)
      expect(
        Buffer.from(again.bands.stats[s].buffer).equals(Buffer.from(first.bands.stats[s].buffer)),
      ).toBe(true);
  });
});

describe("exact bands (up to 2,048 runs)", () => {
  it("are type-7 quantiles of each cell over the good runs, across chunks", () => {
    // 3 cells; runs 0–3 in one chunk, 4–6 in another; run 2 failed (its row holds junk)
    const cells = 3;
    const rows = [
      [5, 7, 0],
      [1, 7, -0],
      [999, 999, 999],
      [4, 7, 0],
      [2, 7, 0],
      [3, 7, -0],
      [6, 7, 0],
    ];
    const chunk = (a: number, b: number) => ({
      runStart: a,
      runEnd: b,
      values: Float64Array.from(rows.slice(a, b).flat()),
    });
    const qs = [0.05, 0.25, 0.5, 0.75, 0.95];
    const into = qs.map(() => new Float64Array(cells));
    exactQuantiles([chunk(0, 4), chunk(4, 7)], new Set([2]), cells, qs, into);
    // cell 0 over the good runs: 1 2 3 4 5 6; h = 5q: p5 = 1 + 0.25·1, p25 = 2 + 0.25,
    // p50 = 3.5, p75 = 4.75, p95 = 5.75
    expect(into.map((a) => a[0])).toEqual([1.25, 2.25, 3.5, 4.75, 5.75]);
    // a cell with the same value in every run, and a cell of zeros of both signs: +0
    expect(into.map((a) => a[1])).toEqual([7, 7, 7, 7, 7]);
    for (const a of into) expect(Object.is(a[2], 0)).toBe(true);
  });

  it("match a sort of each cell's values (random tables, with ties)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 5, maxLength: 5 }), {
          minLength: 1,
          maxLength: 60,
        }),
        (cells, raw) => {
          const rows = raw.map((r) => r.slice(0, cells).map((x) => x / 4));
          const into = [new Float64Array(cells), new Float64Array(cells)];
          const values = Float64Array.from(rows.flat());
          exactQuantiles(
            [{ runStart: 0, runEnd: rows.length, values }],
            new Set(),
            cells,
            [0.1, 0.9],
            into,
          );
          for (let c = 0; c < cells; c++) {
            const v = rows.map((r) => r[c]).sort((a, b) => a - b);
            [0.1, 0.9].forEach((q, s) => {
              const h = (v.length - 1) * q;
              const lo = Math.floor(h);
              const hi = Math.min(lo + 1, v.length - 1);
              expect(into[s][c]).toBeCloseTo(v[lo] + (h - lo) * (v[hi] - v[lo]), 12);
            });
          }
        },
      ),
    );
  });
});

describe("adaptive plans (a crowded pilot)", () => {
  /** A pilot of 128: `crowd` values within 1e-6 of 0.5 (a cluster of residues) and the rest spread over [0, 1]. */
  function crowdedPilot(crowd: number, seed: number): Float64Array {
    let s = seed;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    return Float64Array.from({ length: 128 }, (_, k) =>
      k < crowd ? 0.5 + 1e-6 * rnd() : k === crowd ? 0 : k === crowd + 1 ? 1 : rnd(),
    );
  }
  const all = new Uint8Array(128).fill(1);

  it("are chosen for a crowded pilot, not for an even one", () => {
    // 90 of 128 pilot values in one of 512 coarse buckets (a spike of ≥ 6), ≈ 9% of the runs per fine bucket on the even plan
    expect(planFromPilot(crowdedPilot(90, 1), 128, all).fineAt[0]).toBe(0);
    // 128 evenly spaced values: ≤ 1 per coarse bucket, ≤ 1/(128·8) ≈ 0.1% per fine bucket (< 0.15%)
    const even = Float64Array.from({ length: 128 }, (_, k) => k);
    expect(planFromPilot(even, 128, all).fineAt[0]).toBe(-1);
  });

  it("order buckets as the values are, and place every rank between the order statistics they name", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 6, max: 120 }),
        fc.integer({ min: 1, max: 1000 }),
        (extra, crowd, seed) => {
          const pilot = crowdedPilot(crowd, seed);
          const plan = planFromPilot(pilot, 128, all);
          expect(plan.fineAt[0]).toBe(0);
          const xs = [...extra, ...Array.from(pilot), 0.5, 0.5];
          const h = new CellHistograms(plan);
          h.addMany(0, Float64Array.from(xs), 0, xs.length, null);
          const sorted = [...xs].sort((a, b) => a - b);
          for (let k = 1; k < sorted.length; k++) {
            expect(h.bucket(0, sorted[k - 1])).toBeLessThanOrEqual(h.bucket(0, sorted[k]));
            const [a, b] = [h.bucket(0, sorted[k - 1]), h.bucket(0, sorted[k])];
            expect(h.coarseOf(0, a)).toBeLessThanOrEqual(h.coarseOf(0, b));
          }
          const found: Located[] = [];
          h.locate(
            0,
            xs.length,
            sorted.map((_, r) => r),
            found,
          );
          found.forEach((l, r) => {
            expect(l.lo).toBeLessThanOrEqual(r);
            expect(l.hi).toBeGreaterThanOrEqual(r);
            // the exact order statistic; −0 and +0 are one value (the sort may order them either way)
            if (l.lo === l.hi) expect(l.value + 0).toBe(sorted[r] + 0);
            const slack = 1e-12 * Math.max(Math.abs(sorted[l.lo]), Math.abs(sorted[l.hi]));
            expect(l.value).toBeGreaterThanOrEqual(sorted[l.lo] - slack);
            expect(l.value).toBeLessThanOrEqual(sorted[l.hi] + slack);
          });
        },
      ),
      // found by the property: an edge rounded below the cell's least value (−6.9e-18 next to 0)
      // … and −0 among the values (seed 974882663): reported +0 where the sorted list had −0
      {
        numRuns: 50,
        examples: [
          [[-6.93889390390723e-18, 0], 7, 1],
          [[-0], 6, 1],
        ],
      },
    );
  });

  it("hold a clustered cell's quantiles to 0.25 pp where the even plan cannot", () => {
    // 10,000 values: 70% in a cluster 1/300 of the range wide, the rest spread over [0, 1]
    let s = 7;
    const rnd = () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648;
    };
    const xs = Float64Array.from({ length: 10_000 }, () =>
      rnd() < 0.7 ? 0.5 + rnd() / 300 : rnd(),
    );
    const n = xs.length;
    const sorted = Array.from(xs).sort((a, b) => a - b);
    const bound = (plan: ReturnType<typeof planFromPilot>) => {
      const h = new CellHistograms(plan);
      h.addMany(0, xs, 0, n, null);
      const found: Located[] = [];
      let worst = 0;
      for (const q of [0.05, 0.25, 0.5, 0.75, 0.95]) {
        const r = Math.floor((n - 1) * q);
        h.locate(0, n, [r], found);
        worst = Math.max(worst, r - found[0].lo, found[0].hi - r);
        expect(found[0].value).toBeGreaterThanOrEqual(sorted[found[0].lo]);
        expect(found[0].value).toBeLessThanOrEqual(sorted[found[0].hi]);
      }
      return worst / (n - 1);
    };
    const pilot = xs.subarray(0, 128);
    const adaptive = planFromPilot(pilot, 128, all);
    expect(adaptive.fineAt[0]).toBe(0);
    const even = planFromRange(
      Float64Array.of(Math.min(...pilot)),
      Float64Array.of(Math.max(...pilot)),
    );
    // the cluster's 7,000 values over ≈ 1/300 of 4,096 fine buckets: ≈ 500 per bucket
    expect(bound(even)).toBeGreaterThan(0.0025);
    expect(bound(adaptive)).toBeLessThanOrEqual(0.0025);
  });
});

describe("the counting loops and bucket() on the log scale", () => {
  /** Counts of `xs` in cell 0's row by the counting loop, and by bucket() one value at a time. */
  function countedBoth(plan: ReturnType<typeof planFromRange>, xs: number[]): [number[], number[]] {
    const h = new CellHistograms(plan);
    // two different values give the cell its row (counted through bucket(), as in both tallies)
    h.addRepeated(0, 1, 1);
    h.addRepeated(0, 2, 1);
    h.addMany(0, Float64Array.from(xs), 0, xs.length, null);
    const d = h.toData();
    const loop = Array.from(d.counts.subarray(d.rowOf[0] * COUNTS, (d.rowOf[0] + 1) * COUNTS));
    const one = new Array<number>(COUNTS).fill(0);
    for (const x of [1, 2, ...xs]) one[h.bucket(0, x)]++;
    return [loop, one];
  }
  const values = fc.array(
    fc.oneof(
      fc.double({ min: 0.01, max: 100, noNaN: true }),
      fc.constantFrom(0, -1, 1e-300, 1e300, 0.25, 0.5, 4, 8),
    ),
    { minLength: 1, maxLength: 400 },
  );

  it("put every value in the same fine bucket: even plan", () => {
    const plan = planFromRange(Float64Array.of(0.1), Float64Array.of(20));
    expect(plan.log[0]).toBe(1);
    expect(plan.fineAt[0]).toBe(-1);
    fc.assert(
      fc.property(values, (xs) => {
        const [loop, one] = countedBoth(plan, xs);
        expect(loop).toEqual(one);
      }),
    );
  });

  it("put every value in the same fine bucket: adaptive plan", () => {
    // 128 pilot values over a factor of 400, a third of them crowded near 3: adaptive, on the log
    const pilot = Float64Array.from({ length: 128 }, (_, k) =>
      k % 3 === 0 ? 3 + k * 1e-4 : 0.05 * 400 ** (k / 127),
    );
    const plan = planFromPilot(pilot, 128, new Uint8Array(128).fill(1));
    expect(plan.log[0]).toBe(1);
    expect(plan.fineAt[0]).toBeGreaterThanOrEqual(0);
    fc.assert(
      fc.property(values, (xs) => {
        const [loop, one] = countedBoth(plan, xs);
        expect(loop).toEqual(one);
      }),
    );
  });

  // the value scale's loops (values of both signs, beyond the range on each side)
  const signed = fc.array(
    fc.oneof(
      fc.double({ min: -12, max: 12, noNaN: true }),
      fc.constantFrom(0, -0, -5, 5, 1, -1e300, 1e300),
    ),
    { minLength: 1, maxLength: 400 },
  );

  it("put every value in the same fine bucket: even plan on the value scale", () => {
    const plan = planFromRange(Float64Array.of(-5), Float64Array.of(5));
    expect(plan.log[0]).toBe(0);
    fc.assert(
      fc.property(signed, (xs) => {
        const [loop, one] = countedBoth(plan, xs);
        expect(loop).toEqual(one);
      }),
    );
  });

  it("put every value in the same fine bucket: adaptive plan on the value scale", () => {
    // 128 pilot values over −3 … 5, a third of them crowded near 1: adaptive, on the value scale
    const pilot = Float64Array.from({ length: 128 }, (_, k) =>
      k % 3 === 0 ? 1 + k * 1e-5 : -3 + (8 * k) / 127,
    );
    const plan = planFromPilot(pilot, 128, new Uint8Array(128).fill(1));
    expect(plan.log[0]).toBe(0);
    expect(plan.fineAt[0]).toBeGreaterThanOrEqual(0);
    fc.assert(
      fc.property(signed, (xs) => {
        const [loop, one] = countedBoth(plan, xs);
        expect(loop).toEqual(one);
      }),
    );
  });
});

describe("sumRepeated (a one-value cell's block sum)", () => {
  it("is the sum added one value at a time, bit for bit", () => {
    // integers up to 2⁵³ (where adding in order rounds), −0, fractions, and a few values added
    const num = fc.oneof(
      fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
      fc.constantFrom(0, -0, 2 ** 50, 2 ** 52 - 1, 2 ** 53, -(2 ** 52) + 1, 0.1, 3.25),
      fc.double({ min: -(2 ** 53), max: 2 ** 53, noNaN: true }).map(Math.round),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    );
    fc.assert(
      fc.property(num, num, fc.integer({ min: 0, max: 300 }), (s, x, n) => {
        let t = s;
        for (let k = 0; k < n; k++) t += x;
        expect(Object.is(sumRepeated(s, x, n), t)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
