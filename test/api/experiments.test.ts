import { describe, expect, it } from "vitest";
import { OUTCOME_METRICS } from "../../src/analysis/types.js";
import {
  compare,
  defaultLabels,
  monteCarlo,
  pairedDifferences,
  sensitivity,
  sweep,
} from "../../src/index.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { tinyScenario, WHITEPAPER } from "../helpers.js";

const SEC = new URL("../../scenarios/whitepaper-sec-case.yaml", import.meta.url).pathname;

describe("experiments as library calls", () => {
  it("monteCarlo reports progress up to every run, and returns plain records", async () => {
    const seen: [number, number][] = [];
    const mc = await monteCarlo(WHITEPAPER, {
      runs: 12,
      seed: 3,
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen.at(-1)).toEqual([12, 12]);
    expect(mc.interrupted).toBe(false);
    expect(mc.experimentId).toBeNull();
    expect(mc.point?.outcomes.runs).toBe(12);
    // the whitepaper's phase 2 begins on day 30 in every run (docs/model.md §8)
    expect(Array.from(mc.point!.outcomes.metrics.phaseChangeDay)).toEqual(Array(12).fill(30));
  });

  it("an aborted experiment stops before running and says so", async () => {
    const stop = new AbortController();
    stop.abort();
    const r = await sweep(WHITEPAPER, {
      grid: { "onchain.buybackModulation": [0.5, 1] },
      runs: 4,
      signal: stop.signal,
    });
    expect(r.interrupted).toBe(true);
    expect(r.points).toEqual([]);
  });

  it("sweep puts each point's values in its params, grid in file order", async () => {
    const r = await sweep(parseScenario(tinyScenario()), {
      grid: { "onchain.buybackModulation": [0.25, 0.75] },
      runs: 2,
    });
    expect(r.points.map((p) => p.params)).toEqual([
      { "onchain.buybackModulation": 0.25 },
      { "onchain.buybackModulation": 0.75 },
    ]);
    await expect(sweep(WHITEPAPER, { runs: 2 })).rejects.toThrow(/at least one grid or zip axis/);
  });

  it("compare labels the arms by their scenarios' names", async () => {
    expect(defaultLabels("whitepaper", "whitepaper-sec-case")).toEqual([
      "whitepaper",
      "whitepaper-sec-case",
    ]);
    expect(defaultLabels("x", "x")).toEqual(["x (A)", "x (B)"]);
    const r = await compare(WHITEPAPER, SEC, { runs: 4 });
    expect(r.labels).toEqual(["whitepaper", "whitepaper-sec-case"]);
    expect(r.spec.options.labels).toEqual(["whitepaper", "whitepaper-sec-case"]);
    // the same scenario against itself: every paired difference is exactly 0
    const same = await compare(WHITEPAPER, WHITEPAPER, { runs: 4, labels: ["now", "again"] });
    expect(same.labels).toEqual(["now", "again"]);
    for (const d of same.differences)
      if (d.n > 0) expect([d.metric, d.mean, d.low, d.high]).toEqual([d.metric, 0, 0, 0]);
      else expect(d.mean).toBeNaN(); // missing in every run (e.g. no shortfall day): no pairs
    expect(same.differences.find((d) => d.metric === "firstShortfallDay")?.n).toBe(0);
  });

  it("differences below 1e-9 relative are 0: residue is not an effect", () => {
    const outcomes = (x: number) => ({
      runs: 2,
      metrics: Object.fromEntries(OUTCOME_METRICS.map((m) => [m, new Float64Array([x, x])])),
    });
    const point = (x: number) =>
      ({ index: 0, params: {}, outcomes: outcomes(x) }) as unknown as Parameters<
        typeof pairedDifferences
      >[0];
    const tiny = pairedDifferences(point(2_000_000), point(2_000_000 - 3.96e-4)); // 2e-10 relative
    expect(tiny.map((d) => d.mean)).toEqual(Array(OUTCOME_METRICS.length).fill(0));
    const real = pairedDifferences(point(2_000_000), point(2_000_000 - 4)); // 2e-6 relative
    expect(real[0].mean).toBe(-4);
  });

  it("sensitivity ranks every metric asked for; base values are the scenario's", async () => {
    const r = await sensitivity(WHITEPAPER, { runs: 2, metrics: ["finalPrice", "totalEmitted"] });
    expect(r.tables.map((t) => t.metric)).toEqual(["finalPrice", "totalEmitted"]);
    const bm = r.tables[0].rows.find((x) => x.variable === "buybackModulation")!;
    // whitepaper: BM 1; ×1.1 clamps to its maximum 1, ×0.9 is 0.9
    expect([bm.baseValue, bm.low, bm.high]).toEqual([1, 0.9, 1]);
    await expect(sensitivity(WHITEPAPER, { delta: 2 })).rejects.toThrow(/delta/);
  });
});
