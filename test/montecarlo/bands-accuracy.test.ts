import { describe, expect, it } from "vitest";
import { BAND_STATS, type PointResult } from "../../src/analysis/types.js";
import { compileScenario } from "../../src/engine/compile.js";
import { kernelScratch, runKernel } from "../../src/engine/kernel.js";
import { BAND_RANK_ERROR } from "../../src/montecarlo/bands.js";
import {
  type ChunkPartial,
  chunkRanges,
  PointAccumulator,
  runChunk,
} from "../../src/montecarlo/chunk.js";
import { quantileSorted } from "../../src/montecarlo/quantile.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

// The whitepaper's scenario cut to 36 days: demand (and its noise) starts on day 30, so the
// quiet days give constant cells and the first noisy days give narrow ones (supply moves by
// far less than 0.1% of its level).
const { scenario } = loadScenario(WHITEPAPER, { days: 36 });
const point = { index: 0, params: {} };
const DAYS = [29, 30, 31, 33, 35];
const Q = { p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95 } as const;

/** Every run's value of every column on DAYS, one run at a time (what --keep-runs writes), sorted. */
function keptRuns(seed: number, runs: number): Float64Array[] {
  const c = compileScenario(scenario);
  const out = new Float64Array(c.columns.length * c.days);
  const scratch = kernelScratch(c);
  const byCell = Array.from(
    { length: c.columns.length * DAYS.length },
    () => new Float64Array(runs),
  );
  for (let r = 0; r < runs; r++) {
    const o = runKernel(c, seed, r, out, scratch);
    expect(o.error).toBe(null);
    for (let col = 0; col < c.columns.length; col++)
      DAYS.forEach((t, d) => {
        byCell[col * DAYS.length + d][r] = out[col * c.days + t];
      });
  }
  for (const v of byCell) v.sort();
  return byCell;
}

function monteCarlo(seed: number, runs: number, blocksPerChunk: number) {
  const acc = new PointAccumulator(point, runs, { scenario, seed });
  for (const [runStart, runEnd] of chunkRanges(runs, blocksPerChunk))
    acc.add(runChunk({ scenario, seed, point, runs, runStart, runEnd }));
  return { result: acc.finish(), quality: acc.quality };
}

for (const runs of [2000, 20000]) {
  describe(`bands of ${runs.toLocaleString("en-US")} runs against the exact quantiles of the kept runs`, () => {
    it("every quantile of every column lies between the exact q − 0.25 pp and q + 0.25 pp", () => {
      const seed = 11;
      const exact = keptRuns(seed, runs);
      const { result: r, quality } = monteCarlo(seed, runs, 4);
      const { columns, days, stats } = r.bands;
      expect(r.bands.runs).toBe(runs);
      // up to 2,048 runs every value is kept (exact); beyond, histograms with a bound
      expect(quality === null).toBe(runs <= 2048);
      let narrow = 0;
      let constant = 0;
      columns.forEach((name, col) => {
        DAYS.forEach((t, d) => {
          const v = exact[col * DAYS.length + d];
          const level = Math.abs(quantileSorted(v, 0.5));
          const spread = quantileSorted(v, 0.95) - quantileSorted(v, 0.05);
          if (spread > 0 && spread < 0.001 * level) narrow++;
          if (v[0] === v[runs - 1]) constant++;
          for (const [s, q] of Object.entries(Q)) {
            const got = stats[s as keyof typeof Q][col * days + t];
            if (v[0] === v[runs - 1]) expect(got).toBe(v[0]); // a constant cell: its value, exactly
            const lo = quantileSorted(v, q - BAND_RANK_ERROR);
            const hi = quantileSorted(v, q + BAND_RANK_ERROR);
            // bucket edges are computed in floating point: a relative 1e-12 of slack
            const slack = 1e-12 * Math.max(Math.abs(lo), Math.abs(hi));
            if (!(got >= lo - slack && got <= hi + slack))
              throw new Error(`${name} day ${t} ${s}: ${got} not in [${lo}, ${hi}]`);
          }
        });
      });
      // the cases the method must handle were there: spread under 0.1% of the level, constant
      expect(narrow).toBeGreaterThan(0);
      expect(constant).toBeGreaterThan(0);
      // phase is 1 or 2 in every run: a point mass, reported exactly
      const phase = columns.indexOf("phase");
      for (const s of Object.keys(Q))
        expect([1, 2]).toContain(stats[s as keyof typeof Q][phase * days + 35]);
    });
  });
}

describe("histogram bands are the same bytes", () => {
  it("whatever the chunking, in any order, and with a partial merged twice", () => {
    const runs = 3000;
    const seed = 4;
    const parts: ChunkPartial[] = chunkRanges(runs, 1).map(([runStart, runEnd]) =>
      runChunk({ scenario, seed, point, runs, runStart, runEnd }),
    );
    const merge = (ps: ChunkPartial[]): PointResult => {
      const acc = new PointAccumulator(point, runs, { scenario, seed });
      for (const p of ps) acc.add(p);
      return acc.finish();
    };
    const once = merge(parts);
    const twice = merge([parts[1], ...parts.reverse(), parts[0], parts[1]]);
    const whole = monteCarlo(seed, runs, 3).result;
    for (const s of BAND_STATS) {
      const a = Buffer.from(once.bands.stats[s].buffer);
      expect(Buffer.from(twice.bands.stats[s].buffer).equals(a)).toBe(true);
      expect(Buffer.from(whole.bands.stats[s].buffer).equals(a)).toBe(true);
    }
    expect(twice.bands.runs).toBe(runs);
  });
  it("refuses a partial overlapping others in part", () => {
    const runs = 3000;
    const a = runChunk({ scenario, seed: 1, point, runs, runStart: 0, runEnd: 2048 });
    const b = runChunk({ scenario, seed: 1, point, runs, runStart: 1024, runEnd: 3000 });
    const acc = new PointAccumulator(point, runs);
    acc.add(a);
    expect(() => acc.add(b)).toThrow(/overlaps/);
  });
});
