import { describe, expect, it } from "vitest";
import { columnsOf, loopValue } from "../../src/feedback/stressMetrics.js";
import { type ChunkPartial, EXACT_RUNS, PointAccumulator } from "../../src/montecarlo/chunk.js";
import { CellHistograms, planFromRange } from "../../src/montecarlo/histogram.js";
import { meanOf } from "../../src/montecarlo/quantile.js";

// The per-day bands' mean is the sum of the cell's values over the good runs divided by their
// number; rounding in the sum must never put it outside the cell's own values (decision 143).

const point = { index: 0, params: {} };
/** The double just above 0.1. */
const ABOVE = 0.1 + 2 ** -56;

/** One chunk of one cell (column "x", one day): its values, run by run, and its block sums. */
function partial(runStart: number, values: number[], hist: CellHistograms | null): ChunkPartial {
  // the block sums the chunk's fold keeps: per block of 1,024 runs, its values added in run order
  const sums: number[] = [];
  values.forEach((v, k) => {
    const b = Math.floor(k / 1024);
    sums[b] = (sums[b] ?? 0) + v;
  });
  if (hist) hist.addMany(0, Float64Array.from(values), 0, values.length, null);
  return {
    runStart,
    runEnd: runStart + values.length,
    columns: ["x"],
    days: 1,
    blockSums: Float64Array.from(sums),
    values: hist ? null : Float64Array.from(values),
    histograms: hist ? hist.toData() : null,
    outcomes: [],
    metricNames: [],
    failed: [],
  };
}

describe("the per-day bands' mean", () => {
  it("of ten runs of 0.1 (exact bands) is 0.1, not the 0.09999999999999999 of their sum / 10", async () => {
    // by hand: 0.1 + 0.1 + … (ten terms, left to right) = 0.9999999999999999 in doubles, and
    // 0.9999999999999999 / 10 = 0.09999999999999999 < 0.1, below every value of the cell
    expect(partial(0, Array(10).fill(0.1), null).blockSums[0]).toBe(0.9999999999999999);
    const acc = new PointAccumulator(point, 10);
    acc.add(partial(0, Array(10).fill(0.1), null));
    const r = acc.finish();
    expect(r.bands.stats.mean[0]).toBe(0.1);
    expect(r.bands.stats.p5[0]).toBe(0.1);
    // the merge that yields between slices (the CLI's) gives the same
    const again = new PointAccumulator(point, 10);
    again.add(partial(0, Array(10).fill(0.1), null));
    expect((await again.finishYielding())!.bands.stats.mean[0]).toBe(0.1);
  });

  it("of a cell whose values vary is untouched (1, 2, 4: mean 7/3)", () => {
    const acc = new PointAccumulator(point, 3);
    acc.add(partial(0, [1, 2, 4], null));
    expect(acc.finish().bands.stats.mean[0]).toBe(7 / 3);
  });

  it("of 3,000 runs of 0.1 (histogram bands, three chunks) is 0.1 in any order of merging", () => {
    const runs = 3000;
    expect(runs).toBeGreaterThan(EXACT_RUNS);
    const plan = planFromRange(Float64Array.of(0.1), Float64Array.of(0.1));
    const chunks = [0, 1024, 2048].map((s) =>
      partial(s, Array(Math.min(1024, runs - s)).fill(0.1), new CellHistograms(plan)),
    );
    // the old mean (the three block sums added, / 3,000) lies below 0.1
    const sum = chunks.reduce((a, c) => a + c.blockSums[0], 0);
    expect(sum / runs).toBeLessThan(0.1);
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
    ]) {
      const acc = new PointAccumulator(point, runs);
      for (const k of order) acc.add(chunks[k]);
      expect(acc.finish().bands.stats.mean[0]).toBe(0.1);
    }
  });

  it("of 0.1 in 2,999 runs and the next double in one (a histogram row) is 0.1", () => {
    // the true mean 0.1 + 2⁻⁵⁶/3000 rounds to 0.1; the rounded sum / 3,000 falls below it
    const runs = 3000;
    const plan = planFromRange(Float64Array.of(0.1), Float64Array.of(ABOVE));
    const values = Array(runs).fill(0.1);
    values[runs - 1] = ABOVE;
    const chunks = [0, 1024, 2048].map((s) =>
      partial(s, values.slice(s, s + 1024), new CellHistograms(plan)),
    );
    const sum = chunks.reduce((a, c) => a + c.blockSums[0], 0);
    expect(sum / runs).toBeLessThan(0.1);
    const acc = new PointAccumulator(point, runs);
    for (const c of chunks) acc.add(c);
    const r = acc.finish();
    expect(r.bands.stats.mean[0]).toBe(0.1);
    expect(r.bands.stats.p95[0]).toBe(0.1);
  });
});

describe("meanOf (marketplace summaries, the dashboard)", () => {
  it("of ten 0.1 is 0.1; of nothing NaN; of 1, 2, 4 is 7/3", () => {
    expect(meanOf(Array(10).fill(0.1))).toBe(0.1);
    expect(meanOf([])).toBeNaN();
    expect(meanOf([1, 2, 4])).toBe(7 / 3);
  });
});

describe("the stress report's margin per supplier (the average supplier's margin)", () => {
  it("of three classes at 0.1 is 0.1, not the 0.10000000000000002 of their sum / 3", () => {
    // by hand: 0.1 + 0.1 + 0.1 = 0.30000000000000004 in doubles; / 3 = 0.10000000000000002
    const cols = columnsOf(["margin.a", "margin.b", "margin.c"]);
    const out = Float64Array.of(0.1, 0.1, 0.1); // one day per column
    expect(loopValue(out, 1, 0, cols, "marginPerSupplier")).toBe(0.1);
    expect(loopValue(Float64Array.of(-1, 0.5, 2), 1, 0, cols, "marginPerSupplier")).toBe(0.5);
    expect(loopValue(new Float64Array(0), 1, 0, columnsOf([]), "marginPerSupplier")).toBeNaN();
  });
  it("weighs each class by its suppliers: 1 at 0.5 and 3 at −0.5 average −0.25, not 0", () => {
    // a newcomer's finding: a 1-supplier class weighed as much as a 50-supplier class
    const cols = columnsOf(["suppliers.a", "suppliers.b", "margin.a", "margin.b"]);
    // by hand: (1 · 0.5 + 3 · (−0.5)) / (1 + 3) = −1 / 4
    expect(loopValue(Float64Array.of(1, 3, 0.5, -0.5), 1, 0, cols, "marginPerSupplier")).toBe(
      -0.25,
    );
    // an empty class (E40e's would-be entrant's margin) weighs nothing beside a class with suppliers
    expect(loopValue(Float64Array.of(0, 3, 9, -0.5), 1, 0, cols, "marginPerSupplier")).toBe(-0.5);
    // no supplier in any class: the classes' would-be entrants' margins, unweighted
    expect(loopValue(Float64Array.of(0, 0, 0.5, -0.25), 1, 0, cols, "marginPerSupplier")).toBe(
      0.125,
    );
    // three classes of one supplier at 0.1: 0.1, not the sum's 0.30000000000000004 / 3
    const three = columnsOf([
      "suppliers.a",
      "suppliers.b",
      "suppliers.c",
      "margin.a",
      "margin.b",
      "margin.c",
    ]);
    expect(
      loopValue(Float64Array.of(1, 1, 1, 0.1, 0.1, 0.1), 1, 0, three, "marginPerSupplier"),
    ).toBe(0.1);
  });
});
