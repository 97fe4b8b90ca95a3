import { describe, expect, it } from "vitest";
import {
  daysBelow,
  drawdownFrom,
  firstDayAbove,
  minimumAndDay,
  priceVolatility,
  reserveRunway,
} from "../../src/metrics/stress.js";
import { supplierIncome } from "../../src/metrics/supplierIncome.js";

describe("outcome metrics E31–E37, by hand", () => {
  it("E31: the drawdown after day 2 of [4, 1, 2, 3, 1.5] is 0.5 (peak 3 → 1.5), ignoring the day-1 dip", () => {
    expect(drawdownFrom([4, 1, 2, 3, 1.5], 5, 2)).toBe(0.5);
    expect(drawdownFrom([4, 1, 2, 3, 1.5], 5, 0)).toBe(0.75);
    expect(drawdownFrom([4, 1], 2, 5)).toBeNaN(); // no day 5: missing
  });
  it("E32: prices 1, e, 1, e have log returns 1, −1, 1: sd = √(4/3)", () => {
    expect(priceVolatility([1, Math.E, 1, Math.E], 4)).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(priceVolatility([1, 2, 4, 8], 4)).toBeCloseTo(0, 12);
  });
  it("E33: days strictly below 2 in [1, 2, 3, 1.9] are 2", () => {
    expect(daysBelow([1, 2, 3, 1.9], 4, 2)).toBe(2);
  });
  it("E34: the minimum of [5, 3, 4, 3] is 3, first on day 1", () => {
    expect(minimumAndDay([5, 3, 4, 3], 4)).toEqual({ value: 3, day: 1 });
  });
  it("E35: a reserve falling 10 a day from 1000 to 700 over 30 days has 70 days of runway", () => {
    const r = Array.from({ length: 31 }, (_, t) => 1000 - 10 * t);
    expect(reserveRunway(r, 31)).toBeCloseTo(70, 12);
    expect(reserveRunway([5, 5, 6], 3)).toBeNaN(); // not falling: no runway
    expect(reserveRunway([5, 0], 2)).toBe(0);
    // only the last 30 days count: a fall before them does not
    const late = [2000, ...Array.from({ length: 31 }, () => 500)];
    expect(reserveRunway(late, 32)).toBeNaN();
  });
  it("E36: the first shortfall of [0, 0, 2, 0] is day 2; none is −1", () => {
    expect(firstDayAbove([0, 0, 2, 0], 4)).toBe(2);
    expect(firstDayAbove([0, 0], 2)).toBeNaN();
  });
  it("E37: two classes sharing pay by demand, phase-one tokens by count", () => {
    // day 0: phase 1, 100 tokens emitted, counts 1 and 3, price 0.5 → class A 25 tokens, B 75
    // day 1: demand 30 / 10, usdCapital 40, buyback 8 + emission 4 tokens at price 2
    //        → A: 30 usd + 9 tokens, B: 10 usd + 3 tokens; counts 2 and 2
    const inc = supplierIncome({
      days: 2,
      usdCapital: [0, 40],
      buybackTokens: [0, 8],
      phaseOneEmission: [100, 0],
      phaseTwoEmission: [0, 4],
      priceOfToken: [0.5, 2],
      demand: [
        [0, 30],
        [0, 10],
      ],
      counts: [
        [1, 2],
        [3, 2],
      ],
    });
    expect(inc[0].usd).toBeCloseTo(30 / 3, 12);
    expect(inc[0].tokens).toBeCloseTo((25 + 9) / 3, 12);
    expect(inc[0].value).toBeCloseTo((25 * 0.5 + 30 + 9 * 2) / 3, 12);
    expect(inc[1].usd).toBeCloseTo(10 / 5, 12);
    expect(inc[1].tokens).toBeCloseTo((75 + 3) / 5, 12);
    expect(inc[1].value).toBeCloseTo((75 * 0.5 + 10 + 3 * 2) / 5, 12);
  });
});

describe("missing outcome values (docs/limits.md)", () => {
  it("are left out of the summary and counted", async () => {
    const { summarizeSample } = await import("../../src/montecarlo/quantile.js");
    const s = summarizeSample([1, Number.NaN, 3, Number.NaN]);
    expect(s.mean).toBe(2);
    expect(s.p50).toBe(2);
    expect(s.missing).toBe(2);
  });
});
