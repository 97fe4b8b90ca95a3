import { describe, expect, it } from "vitest";
import { BAND_STATS, type ExperimentSpec } from "../../src/analysis/types.js";
import { compileScenario } from "../../src/engine/compile.js";
import { kernelScratch, runKernel } from "../../src/engine/kernel.js";
import type { RefineWant } from "../../src/montecarlo/bands.js";
import { chunkRanges, PointAccumulator, runChunk, runRefine } from "../../src/montecarlo/chunk.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { quantileSorted } from "../../src/montecarlo/quantile.js";
import { loadScenario } from "../../src/scenario/load.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

// 3,000 runs of 36 days: histogram bands with few runs per bucket, so refinement fires
const { scenario } = loadScenario(WHITEPAPER, { days: 36 });
const point = { index: 0, params: {} };
const runs = 3000;
const seed = 5;
const Q = { p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95 } as const;

function spec(): ExperimentSpec {
  return {
    kind: "montecarlo",
    scenarioName: scenario.name,
    scenario,
    version: VERSION,
    seed,
    runsPerPoint: runs,
    points: [point],
    options: {},
  };
}

describe("refinement on the worker lanes", () => {
  it("gives the exact quantiles of the refined cells, the same bytes for 1, 2 and 4 workers", async () => {
    // which cell-quantiles are refined: the histograms of every chunk, located
    const acc = new PointAccumulator(point, runs, { scenario, seed });
    for (const [runStart, runEnd] of chunkRanges(runs, 1))
      acc.add(runChunk({ scenario, seed, point, runs, runStart, runEnd }));
    const want = acc.locate();
    expect(want).not.toBe(null); // the case refinement is for
    const inThread = acc.finish(
      // collected in two slices of the runs, in the opposite order: the same bytes
      [1500, 0].map((s) => collectSlice(want!, s, s + 1500)),
    );
    // every refined cell-quantile is the exact type-7 quantile of the kept runs
    const c = compileScenario(scenario);
    const out = new Float64Array(c.columns.length * c.days);
    const scratch = kernelScratch(c);
    const cells = want!.map(([cell]) => cell);
    const kept = cells.map(() => new Float64Array(runs));
    for (let r = 0; r < runs; r++) {
      expect(runKernel(c, seed, r, out, scratch).error).toBe(null);
      cells.forEach((cell, j) => {
        kept[j][r] = out[cell];
      });
    }
    let exactHits = 0;
    cells.forEach((cell, j) => {
      const v = kept[j].sort();
      for (const [s, q] of Object.entries(Q)) {
        const got = inThread.bands.stats[s as keyof typeof Q][cell];
        if (got === quantileSorted(v, q)) exactHits++;
        const lo = quantileSorted(v, q - 0.0025);
        const hi = quantileSorted(v, q + 0.0025);
        const slack = 1e-12 * Math.max(Math.abs(lo), Math.abs(hi));
        expect(got).toBeGreaterThanOrEqual(lo - slack);
        expect(got).toBeLessThanOrEqual(hi + slack);
      }
    });
    expect(exactHits).toBeGreaterThanOrEqual(acc.quality!.refined);
    for (const workers of [1, 2, 4]) {
      const { points } = await runExperiment(spec(), { workers, minThreadRuns: 0 });
      for (const s of BAND_STATS)
        expect(
          Buffer.from(points[0]!.bands.stats[s].buffer).equals(
            Buffer.from(inThread.bands.stats[s].buffer),
          ),
          `${workers} workers, ${s}`,
        ).toBe(true);
    }
  }, 120_000);
});

function collectSlice(want: RefineWant, runStart: number, runEnd: number) {
  return runRefine({ scenario, seed, point, runs, runStart, runEnd, want });
}
