import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BAND_STATS } from "../../src/analysis/types.js";
import { mergeChunks, runChunk } from "../../src/montecarlo/chunk.js";
import { exactQuantiles } from "../../src/montecarlo/exact.js";
import { BandFolder } from "../../src/montecarlo/fold.js";
import { CellHistograms } from "../../src/montecarlo/histogram.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

/** The packed histograms as bytes: equal bytes ⇔ equal counts, mins and maxes in every bucket. */
function bytes(h: CellHistograms): string {
  const d = h.toData();
  const parts = [
    d.zeros,
    ...[d.pos, d.neg].flatMap((s) => [s.lo, s.offset, s.counts, s.min, s.max]),
  ];
  return parts
    .map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"))
    .join("|");
}

/**
 * Synthetic run tables: `columns` × `days` values per run. Each column has a kind: constant in
 * every run, constant until run `from` then varying, or varying from the start; values mix
 * zeros, negatives and positives spread over several octaves.
 */
const tables = fc
  .record({
    columns: fc.integer({ min: 1, max: 4 }),
    days: fc.integer({ min: 1, max: 5 }),
    runs: fc.integer({ min: 1, max: 150 }),
    blockRuns: fc.constantFrom(8, 32, 64, 1024),
    seed: fc.integer(),
  })
  .chain((p) =>
    fc.record({
      p: fc.constant(p),
      kinds: fc.array(fc.integer({ min: -1, max: p.runs + 5 }), {
        minLength: p.columns,
        maxLength: p.columns,
      }),
      failed: fc.uniqueArray(fc.integer({ min: 0, max: p.runs - 1 }), { maxLength: 10 }),
    }),
  );

function table(seed: number, run: number, columns: number, days: number, kinds: number[]) {
  const out = new Float64Array(columns * days);
  for (let c = 0; c < columns; c++)
    for (let t = 0; t < days; t++) {
      // kinds[c] = −1: varying from run 0; r ≥ 0: equal to run 0's value before run r
      const r = kinds[c] === -1 || run >= kinds[c] ? run : 0;
      const h = Math.imul(seed ^ (r * 2654435761), 40503 + c * 7 + t * 131) >>> 0;
      const u = h / 2 ** 32;
      out[c * days + t] = u < 0.1 ? 0 : u < 0.15 ? -u * 3 : 2 ** (u * 6 - 2) * (1 + t);
    }
  return out;
}

describe("BandFolder (the large-N fold of a chunk)", () => {
  it("gives the same block sums and histograms as adding every value, run by run", () => {
    fc.assert(
      fc.property(tables, ({ p, kinds, failed }) => {
        const { columns, days, runs, blockRuns, seed } = p;
        const cells = columns * days;
        const folder = new BandFolder(columns, days, runs, blockRuns);
        const naive = new CellHistograms(cells, 1);
        const sums = new Float64Array(Math.ceil(runs / blockRuns) * cells);
        const skip = new Set(failed);
        for (let k = 0; k < runs; k++) {
          if (skip.has(k)) continue; // a failed run: not folded
          const out = table(seed, k, columns, days, kinds);
          folder.add(k, out);
          const b = Math.floor(k / blockRuns) * cells;
          for (let i = 0; i < cells; i++) {
            sums[b + i] += out[i];
            naive.add(i, out[i]);
          }
        }
        folder.finish();
        expect(Array.from(folder.blockSums)).toEqual(Array.from(sums));
        expect(bytes(folder.hist)).toBe(bytes(naive));
      }),
      { numRuns: 200 },
    );
  });

  it("counts a column that is the same in all 100 runs as 100 copies of its value", () => {
    const folder = new BandFolder(1, 2, 100, 1024);
    for (let k = 0; k < 100; k++) folder.add(k, Float64Array.of(2.5, 0));
    folder.finish();
    expect(folder.hist.rank(0, 0)).toBe(2.5);
    expect(folder.hist.rank(0, 99)).toBe(2.5);
    expect(Number.isNaN(folder.hist.rank(0, 100))).toBe(true);
    expect(folder.hist.zeros[1]).toBe(100);
    expect(folder.blockSums[0]).toBe(250);
  });
});

describe("arena histograms", () => {
  const values = fc.array(
    fc.oneof(
      fc.constant(0),
      fc.double({ min: -1e6, max: -1e-6, noNaN: true }),
      fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
    ),
    { maxLength: 200 },
  );
  it("merge to the same bytes in any split and order, through the packed form", () => {
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 200 }), (xs, cut) => {
        const whole = new CellHistograms(2, 1);
        const a = new CellHistograms(2, 1);
        const b = new CellHistograms(2, 3);
        xs.forEach((x, i) => {
          whole.add(i % 2, x);
          (i < cut ? a : b).add(i % 2, x);
        });
        const ab = CellHistograms.fromData(a.toData());
        ab.merge(CellHistograms.fromData(b.toData()));
        const ba = CellHistograms.fromData(b.toData());
        ba.merge(a);
        expect(bytes(ab)).toBe(bytes(whole));
        expect(bytes(ba)).toBe(bytes(whole));
      }),
    );
  });
  it("addMany of a group equals adding its values one by one, zeros and negatives too", () => {
    fc.assert(
      fc.property(values, (xs) => {
        if (xs.length === 0) return;
        const one = new CellHistograms(1, 1);
        const many = new CellHistograms(1, 1);
        for (const x of xs) one.add(0, x);
        many.addMany(0, Float64Array.from(xs), 0, xs.length);
        expect(bytes(many)).toBe(bytes(one));
      }),
    );
  });
  it("reads ranks of 1 … 5 exactly: the median is 3", () => {
    const h = new CellHistograms(1);
    h.addMany(0, Float64Array.of(5, 1, 4, 2, 3), 0, 5);
    // each value is alone in its bucket, so every rank is exact
    expect([0, 1, 2, 3, 4].map((r) => h.rank(0, r))).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("mergeChunks", () => {
  it("leaves its partials as they were: merging the same chunks twice gives the same bytes", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 20 });
    const point = { index: 0, params: {} };
    const runs = 1100; // beyond the exact limit: histogram bands, two blocks
    const parts = [
      runChunk({ scenario, seed: 8, point, runs, runStart: 0, runEnd: 1024 }),
      runChunk({ scenario, seed: 8, point, runs, runStart: 1024, runEnd: runs }),
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

describe("exact bands (up to 1,024 runs)", () => {
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
