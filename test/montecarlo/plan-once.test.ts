import { describe, expect, it } from "vitest";
import { BAND_STATS, type PointResult } from "../../src/analysis/types.js";
import { chunkRanges, mergeChunks, runChunk } from "../../src/montecarlo/chunk.js";
import { type BandPlan, COARSE, FINE, planFromRange } from "../../src/montecarlo/histogram.js";
import { pointPlan } from "../../src/montecarlo/runner.js";
import { decodePlan, encodePlan } from "../../src/queue/planCodec.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

// the pilot is run and planned once per point (docs/bands.md): the chunks are handed the plan
const { scenario } = loadScenario(WHITEPAPER, { days: 24 });
const whole = loadScenario(WHITEPAPER).scenario; // 180 days: adaptive cells after the cap
const point = { index: 0, params: {} };
const runs = 2100; // histogram mode (> 2,048 runs)
const seed = 11;

function bytesOf(p: PointResult): Buffer[] {
  return [...Object.values(p.bands.stats), ...Object.values(p.outcomes.metrics)].map((a) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
  );
}

/** Each field of a plan as hex (plans are small: at most a few hundred kB). */
function planBytes(p: BandPlan): Record<string, string> {
  return Object.fromEntries(
    Object.entries(p).map(([k, a]: [string, ArrayBufferView]) => [
      k,
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"),
    ]),
  );
}

describe("the bucket plan made once per point and handed to the chunks", () => {
  it("a chunk counts into the plan it is handed, not its own pilot's", () => {
    const cells = 42 * 24; // the table: 42 columns × 24 days
    const plan = planFromRange(
      new Float64Array(cells).fill(-1e6),
      new Float64Array(cells).fill(1e6),
    );
    const p = runChunk({ scenario, seed, point, runs, runStart: 0, runEnd: 1024, plan });
    const h = p.histograms!;
    // widened by 10% of the range (2e6) on each side, on the value scale (the range is not positive)
    for (let i = 0; i < h.cells; i++) {
      expect(h.start[i]).toBe(-1.2e6);
      expect(h.scale[i]).toBeCloseTo((COARSE * FINE) / 2.4e6, 12);
      expect(h.log[i]).toBe(0);
    }
  });

  it("chunks handed the point's plan give the same bytes as chunks that each run the pilot", () => {
    const plan = pointPlan(scenario, seed, runs);
    const ranges = chunkRanges(runs, 1);
    const own = mergeChunks(
      point,
      runs,
      ranges.map(([s, e]) => runChunk({ scenario, seed, point, runs, runStart: s, runEnd: e })),
    );
    const handed = mergeChunks(
      point,
      runs,
      ranges
        .reverse()
        .map(([s, e]) => runChunk({ scenario, seed, point, runs, runStart: s, runEnd: e, plan })),
    );
    expect(bytesOf(handed)).toEqual(bytesOf(own));
    for (const s of BAND_STATS) expect(handed.bands.stats[s].length).toBe(42 * 24);
  });

  it("the plan survives a queue job's JSON payload bit for bit, and the chunk's bytes with it", () => {
    const plan = pointPlan(whole, seed, runs);
    // the plan has adaptive cells and log-scaled cells (the whitepaper's prices)
    expect(plan.fine.length).toBeGreaterThan(0);
    expect(plan.log.includes(1)).toBe(true);
    const back = decodePlan(JSON.parse(JSON.stringify(encodePlan(plan))));
    expect(Object.keys(back).sort()).toEqual(Object.keys(plan).sort());
    for (const [k, a] of Object.entries(back) as [keyof BandPlan, ArrayBufferView][])
      expect(a.constructor).toBe(plan[k].constructor);
    expect(planBytes(back)).toEqual(planBytes(plan));
    // −0, NaN and infinities keep their bits
    const odd = planFromRange(
      Float64Array.of(-0, Number.NaN, 1),
      Float64Array.of(-0, Number.NaN, Number.POSITIVE_INFINITY),
    );
    expect(planBytes(decodePlan(JSON.parse(JSON.stringify(encodePlan(odd)))))).toEqual(
      planBytes(odd),
    );
    const viaJob = runChunk({
      scenario: whole,
      seed,
      point,
      runs,
      runStart: 1024,
      runEnd: 2048,
      plan: back,
    });
    const direct = runChunk({
      scenario: whole,
      seed,
      point,
      runs,
      runStart: 1024,
      runEnd: 2048,
      plan,
    });
    const h1 = viaJob.histograms!;
    const h2 = direct.histograms!;
    const same = (a: ArrayBufferView, b: ArrayBufferView) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      );
    expect(h1.counts.length).toBeGreaterThan(0);
    expect(same(h1.counts, h2.counts)).toBe(true);
    expect(same(h1.minMax, h2.minMax)).toBe(true);
    expect(same(h1.rowOf, h2.rowOf)).toBe(true);
  });

  it("a chunk refuses a plan made for another table", () => {
    const plan = planFromRange(new Float64Array(42 * 25), new Float64Array(42 * 25).fill(1));
    expect(() =>
      runChunk({ scenario, seed, point, runs, runStart: 0, runEnd: 1024, plan }),
    ).toThrow(/point 0: the bucket plan is for 1050 cells, the table has 1008/);
  });

  it("refuses a field whose bytes are not whole values", () => {
    expect(() =>
      decodePlan({ start: ["Float64Array", Buffer.alloc(12).toString("base64")] }),
    ).toThrow(/plan field start: 12 bytes is not a whole Float64Array/);
  });
});
