import { describe, expect, it } from "vitest";
import type { Band, ShockResult, StressResult } from "../../src/feedback/stress.js";
import { stressJson, stressLoopCsv, stressVerdictsCsv } from "../../src/feedback/stressOut.js";

const band = (p05: number[], p50: number[], p95: number[]): Band => ({
  p05: Float64Array.from(p05),
  p50: Float64Array.from(p50),
  p95: Float64Array.from(p95),
});
const none = band([Number.NaN, Number.NaN], [Number.NaN, Number.NaN], [Number.NaN, Number.NaN]);
const q = (p05: number, p50: number, p95: number) => ({ p05, p50, p95 });

// A battery written out by hand: two days, a baseline that passes with one runway infinite
// (a reserve not falling), and a sell wave that does not apply (no pool).
const baseline: ShockResult = {
  shock: "baseline",
  description: "No shock.",
  applicable: true,
  runs: 4,
  failedRuns: 1,
  firstError: { run: 2, message: "day 7: priceOfToken would be NaN" },
  passShare: 0.75,
  pass: false,
  metrics: {
    priceDrawdown: q(0.1, 0.2, 0.5),
    reserveRunwayDays: q(40, 100, Number.POSITIVE_INFINITY),
    suppliersRetained: q(0.5, 1, 1),
    shortfallDays: q(0, 0, 3),
    dollarsRetained: q(1, 1, 1),
    topUpPriceImpact: q(0, 0.05, 0.5),
  },
  paths: {
    priceOfToken: band([1, 0.5], [1, 0.75], [1, 1.25]),
    suppliers: band([10, 8], [10, 9], [10, 10]),
    marginPerSupplier: none,
    netChurn: band([0, -2], [0, -1], [0, 0]),
    jobsLost: band([0, 0], [0, 0], [0, 0]),
    tokenReserve: band([5, 4], [5, 4.5], [5, 5]),
    dollarReserve: band([2, 2], [2, 2], [2, 2]),
  },
};
const sellWave: ShockResult = {
  shock: "sellWave",
  description: "Sell wave.",
  applicable: false,
  runs: 0,
  failedRuns: 0,
  firstError: null,
  passShare: Number.NaN,
  pass: false,
  metrics: baseline.metrics,
  paths: null,
};
const result: StressResult = {
  scenarioName: "hand",
  scenario: { name: "hand" } as StressResult["scenario"], // only recorded: its content is not read
  mode: "aggregate",
  days: 2,
  shockDay: 1,
  seed: 7,
  runs: 4,
  thresholds: {
    maxDrawdown: 0.4,
    minRunwayDays: 90,
    minSuppliersRetained: 0.6,
    maxShortfallDays: 2,
  },
  confidence: 0.95,
  sizes: { crashShare: 0.5, sellWaveShare: 0.2 },
  shocks: [baseline, sellWave],
};

describe("bme stress --out: the battery as files", () => {
  it("verdicts.csv: a row per shock and metric, thresholds with their side, missing where no value exists", () => {
    expect(stressVerdictsCsv(result).split("\n")).toEqual([
      "shock,applicable,pass,passShare,runs,failedRuns,metric,unit,comparison,threshold,p5,p50,p95",
      "baseline,true,false,0.75,4,1,priceDrawdown,fraction,<=,0.4,0.1,0.2,0.5",
      // an infinite runway is inf (pandas and Python's float() read infinity: inf >= 90 holds),
      // not an empty cell, which pandas reads as NaN (NaN >= 90 is False)
      "baseline,true,false,0.75,4,1,reserveRunwayDays,days,>=,90,40,100,inf",
      "baseline,true,false,0.75,4,1,suppliersRetained,fraction,>=,0.6,0.5,1,1",
      "baseline,true,false,0.75,4,1,shortfallDays,days,<=,2,0,0,3",
      // minDollarsRetained absent: 0, any dollar reserve passes
      "baseline,true,false,0.75,4,1,dollarsRetained,fraction,>=,0,1,1,1",
      // maxTopUpPriceImpact absent: any impact passes, a threshold of inf (0.05 <= inf holds)
      "baseline,true,false,0.75,4,1,topUpPriceImpact,fraction,<=,inf,0,0.05,0.5",
      // a shock that does not apply has no verdict: neither pass nor fail
      "sellWave,false,,,0,0,priceDrawdown,fraction,<=,0.4,,,",
      "sellWave,false,,,0,0,reserveRunwayDays,days,>=,90,,,",
      "sellWave,false,,,0,0,suppliersRetained,fraction,>=,0.6,,,",
      "sellWave,false,,,0,0,shortfallDays,days,<=,2,,,",
      "sellWave,false,,,0,0,dollarsRetained,fraction,>=,0,,,",
      "sellWave,false,,,0,0,topUpPriceImpact,fraction,<=,inf,,,",
      "",
    ]);
  });

  it("loop.csv: a row per applicable shock, aggregate series and day", () => {
    const lines = stressLoopCsv(result).split("\n");
    // 1 applicable shock × 7 aggregate series × 2 days, the header and the final newline
    expect(lines).toHaveLength(1 + 14 + 1);
    expect(lines.slice(0, 7)).toEqual([
      "shock,series,day,p5,p50,p95",
      "baseline,priceOfToken,0,1,1,1",
      "baseline,priceOfToken,1,0.5,0.75,1.25",
      "baseline,suppliers,0,10,10,10",
      "baseline,suppliers,1,8,9,10",
      // a series the scenario lacks (no supplier economics: no margin) is missing, not 0
      "baseline,marginPerSupplier,0,,,",
      "baseline,marginPerSupplier,1,,,",
    ]);
    expect(lines).toContain("baseline,netChurn,1,-2,-1,0");
    expect(lines.some((l) => l.startsWith("sellWave"))).toBe(false);
  });

  it("stress.json: the settings, verdicts and bands, null where no value exists", () => {
    const j = JSON.parse(stressJson(result));
    expect(j.scenarioName).toBe("hand");
    expect(j.scenario).toEqual({ name: "hand" }); // the scenario as the battery ran it
    expect(j.shockDay).toBe(1);
    expect(j.sizes).toEqual({ crashShare: 0.5, sellWaveShare: 0.2 });
    expect(j.thresholds.priceDrawdown).toEqual({
      unit: "fraction",
      comparison: "<=",
      threshold: 0.4,
    });
    expect(j.thresholds.dollarsRetained.threshold).toBe(0);
    expect(j.thresholds.topUpPriceImpact).toEqual({
      unit: "fraction",
      comparison: "<=",
      threshold: null,
    });
    expect(j.shocks[0].metrics.reserveRunwayDays).toEqual({ p5: 40, p50: 100, p95: null });
    expect(j.shocks[0].loop.priceOfToken).toEqual({ p5: [1, 0.5], p50: [1, 0.75], p95: [1, 1.25] });
    expect(j.shocks[0].loop.marginPerSupplier.p50).toEqual([null, null]);
    // the queue's series are marketplace mode's
    expect(Object.keys(j.shocks[0].loop)).not.toContain("waitingTasks");
    expect(j.shocks[1]).toMatchObject({
      applicable: false,
      pass: null,
      passShare: null,
      loop: null,
    });
    expect(j.shocks[0].firstError).toEqual({ run: 2, message: "day 7: priceOfToken would be NaN" });
    expect(j.shocks[1].metrics.priceDrawdown).toEqual({ p5: null, p50: null, p95: null });
  });
});
