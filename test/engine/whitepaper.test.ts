import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe("the whitepaper scenario, deterministic (docs/model.md §8 checks)", () => {
  const { scenario } = loadScenario(WHITEPAPER, { deterministic: true });
  const r = simulate(scenario);
  const col = (n: string) => column(r, n);

  it("runs 180 days without error", () => {
    expect(r.error).toBeNull();
    expect(r.days).toBe(180);
  });
  it("emits exactly 1,200,000 tokens in phase 1 (60% of the 2,000,000 reserve)", () => {
    expect(sum(col("phaseOneEmission"))).toBeCloseTo(1_200_000, 6);
  });
  it("begins phase 2 on day 30", () => {
    expect(col("phase")[29]).toBe(1);
    expect(col("phase")[30]).toBe(2);
  });
  it("has an income of 47,640 usd on day 30", () => {
    expect(col("income")[30]).toBeCloseTo(47_640, 6);
  });
  it("ends with a higher token price than on day 30", () => {
    expect(col("priceOfToken")[179]).toBeGreaterThan(col("priceOfToken")[30]);
  });
  it("prices day 0 at sentiment / supply = 20,000 / 2,000,000", () => {
    expect(col("priceOfToken")[0]).toBeCloseTo(0.01, 15);
    // day 1: the supply grew by day 0's phase-1 emission of 40,000
    expect(col("priceOfToken")[1]).toBeCloseTo(20_000 / 2_040_000, 15);
  });

  it("computes the whole of day 30 as worked out by hand", () => {
    const t = 30;
    // start of day 30: 30 phase-1 days of 40,000 tokens each, nothing else moved
    const supply0 = 2_000_000 + 30 * 40_000;
    expect(col("supply")[29]).toBeCloseTo(supply0, 6);
    expect(col("stakedTokens")[29]).toBeCloseTo(1_200_000, 6);
    const income = 47_640;
    const opsRevenue = 0.3 * income;
    const buyback = 0.7 * income; // BM = 1
    // suppliers: annotators floor(5 + 0.25t), training floor(15 + 0.5t), inference floor(5 + 0.25t)
    const total = (d: number) =>
      2 * Math.floor(5 + 0.25 * d + 1e-9) + Math.floor(15 + 0.5 * d + 1e-9);
    const arrivals = 1; // training 29 → 30; annotators and inference stay at 12
    let window = 0;
    for (let d = 1; d <= 30; d++) window += total(d); // W = 30 days including today
    const onboardingUsd = ((0.1 * income) / window) * arrivals; // income before day 30 is 0
    const bond = 0.1 * income;
    const demand = 20_000 + onboardingUsd + bond + buyback;
    const price = demand / supply0;
    const jobReward = income / price / 10;
    const e2 = 800_000 * (1 - Math.exp(-jobReward / 800_000));
    const validators = 0.5 * (200 + 400 + 200 + 300);

    expect(col("opsRevenue")[t]).toBeCloseTo(opsRevenue, 6);
    expect(col("usdBuybackCapital")[t]).toBeCloseTo(buyback, 6);
    expect(col("usdCapital")[t]).toBe(0);
    expect(col("onboardingUsd")[t]).toBeCloseTo(onboardingUsd, 9);
    expect(col("supplierBondUsd")[t]).toBeCloseTo(bond, 6);
    expect(col("demand")[t]).toBeCloseTo(demand, 6);
    expect(col("priceOfToken")[t] / price).toBeCloseTo(1, 12);
    expect(col("buybackTokens")[t] / (buyback / price)).toBeCloseTo(1, 12);
    expect(col("jobReward")[t] / jobReward).toBeCloseTo(1, 12);
    expect(col("phaseTwoEmission")[t] / e2).toBeCloseTo(1, 12);
    expect(col("validatorTokensPaid")[t]).toBeCloseTo(validators, 9);
    expect(col("phaseOneEmission")[t]).toBe(0);
    expect(col("stakedTokens")[t]).toBe(0); // the stake is released on the first phase-2 day
    const onboardingTokens = onboardingUsd / price;
    expect(col("supply")[t] / (supply0 + validators + e2 - onboardingTokens)).toBeCloseTo(1, 12);
    expect(col("dollarReserve")[t]).toBeCloseTo(opsRevenue, 6); // the reserve held 0 usd before
  });

  it("keeps every token: supply + reserve = 4,000,000 at the end of every day (I1)", () => {
    for (let t = 0; t < r.days; t++)
      expect(Math.abs(col("supply")[t] + col("tokenReserve")[t] - 4_000_000)).toBeLessThan(
        1e-9 * 4_000_000,
      );
  });
});

describe("the whitepaper scenario with noise", () => {
  const { scenario } = loadScenario(WHITEPAPER);
  /** Least-squares slope of y over days 30 … 179. */
  function trend(y: Float64Array): number {
    let n = 0,
      sx = 0,
      sy = 0,
      sxx = 0,
      sxy = 0;
    for (let t = 30; t < 180; t++) {
      n++;
      sx += t;
      sy += y[t];
      sxx += t * t;
      sxy += t * y[t];
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
  }
  for (const seed of [1, 2, 3, 42, 2026]) {
    it(`seed ${seed}: TPU training wanes, GPU training grows, the token price rises`, () => {
      const r = simulate(scenario, { seed });
      expect(r.error).toBeNull();
      expect(trend(column(r, "jobCreated.tpuTraining"))).toBeLessThan(0);
      expect(trend(column(r, "jobCreated.gpuTraining"))).toBeGreaterThan(0);
      const p = column(r, "priceOfToken");
      expect(p[179]).toBeGreaterThan(p[30]);
      expect(trend(p)).toBeGreaterThan(0);
    });
  }
  it("draws noise: two seeds give different demand, one seed the same demand", () => {
    const a = column(simulate(scenario, { seed: 1 }), "jobCreated.tpuTraining");
    const b = column(simulate(scenario, { seed: 2 }), "jobCreated.tpuTraining");
    const a2 = column(simulate(scenario, { seed: 1 }), "jobCreated.tpuTraining");
    expect(Array.from(a)).not.toEqual(Array.from(b));
    expect(Array.from(a)).toEqual(Array.from(a2));
    // before startDay 30 there is no demand and no draw
    expect(Array.from(a.subarray(0, 30)).every((x) => x === 0)).toBe(true);
  });
});
