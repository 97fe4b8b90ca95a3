import { describe, expect, it } from "vitest";
import { quantileByRank, quantileSorted } from "../../src/montecarlo/quantile.js";

const inf = Number.POSITIVE_INFINITY;
const byRank = (v: number[], q: number) => quantileByRank(v.length, q, (r) => v[r]);

describe("type-7 quantiles next to an infinite value (a stress run's runway ∞)", () => {
  it("take the finite order statistic when the rank falls on it (no 0·∞ = NaN)", () => {
    // h = 4·0.5 = 2: the third value, whatever follows it
    expect(quantileSorted([1, 2, 3, inf, inf], 0.5)).toBe(3);
    expect(byRank([1, 2, 3, inf, inf], 0.5)).toBe(3);
    // 21 runs: h = 20·0.05 = 1, 20·0.95 = 19 — both whole
    const runs = [...Array.from({ length: 19 }, (_, i) => i), inf, inf];
    expect(quantileSorted(runs, 0.05)).toBe(1);
    expect(quantileSorted(runs, 0.95)).toBe(inf);
  });

  it("are the formula's limit between a finite value and an infinity", () => {
    // h = 1.5, halfway from 2 to ∞: ∞
    expect(quantileSorted([1, 2, inf], 0.75)).toBe(inf);
    // from −∞ towards 1: −∞ (−∞ + w·∞ would be NaN)
    expect(quantileSorted([Number.NEGATIVE_INFINITY, 1], 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(byRank([Number.NEGATIVE_INFINITY, 1], 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(quantileSorted([inf, inf], 0.3)).toBe(inf);
    expect(Number.isNaN(quantileSorted([1, Number.NaN], 0.5))).toBe(true);
  });

  it("are unchanged between finite values", () => {
    expect(quantileSorted([1, 3], 0.5)).toBe(2);
    expect(quantileSorted([0, 10, 20, 30], 0.25)).toBe(7.5);
  });
});
