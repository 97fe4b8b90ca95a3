import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantileSorted, selectRanks, summarizeSample } from "../../src/montecarlo/quantile.js";

/** The definition the summary is held to: the finite values sorted (−0 before 0), type 7. */
function bySorting(values: readonly number[]) {
  const finite = values.filter((v) => Number.isFinite(v));
  const sorted = Float64Array.from(finite).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of finite) sum += v;
  const mean = n === 0 ? Number.NaN : Math.min(sorted[n - 1], Math.max(sorted[0], sum / n));
  return {
    mean,
    p5: quantileSorted(sorted, 0.05),
    p50: quantileSorted(sorted, 0.5),
    p95: quantileSorted(sorted, 0.95),
    missing: values.length - n,
  };
}

// few distinct values (ties, both zeros) or many; NaN and infinities to be left out
const value = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
);

describe("summarizeSample by selection (decision 248)", () => {
  it("gives the sorted sample's type-7 percentiles and mean, bit for bit (property)", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), (values) => {
        const s = summarizeSample(values);
        const r = bySorting(values);
        for (const k of ["mean", "p5", "p50", "p95", "missing"] as const)
          expect(Object.is(s[k], r[k]), `${k}: ${s[k]} against ${r[k]}`).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("works out a small sample by hand", () => {
    // sorted 1, 2, 3, 4, 10: h = 0.2, 2, 3.8 → 1.2, 3, 4 + 0.8·6 = 8.8; mean 20 / 5 = 4
    const s = summarizeSample([10, 3, Number.NaN, 1, 4, 2]);
    expect(s.p5).toBeCloseTo(1.2, 14);
    expect(s.p50).toBe(3);
    expect(s.p95).toBeCloseTo(8.8, 14);
    expect(s.mean).toBe(4);
    expect(s.missing).toBe(1);
  });

  it("keeps the sign of a mean of zeros: all −0 has mean −0, −0 with one 0 has mean 0", () => {
    // the sum starts at 0 and 0 + −0 is 0; held within [−0, −0] it is −0 (Math.min(−0, 0))
    expect(Object.is(summarizeSample([-0, -0, -0]).mean, -0)).toBe(true);
    expect(Object.is(summarizeSample([-0, 0, -0]).mean, 0)).toBe(true);
  });

  it("puts each selected rank's order statistic at its index, smaller before and larger after", () => {
    const n = 10_001;
    const inputs = [
      Float64Array.from({ length: n }, (_, k) => k), // sorted
      Float64Array.from({ length: n }, (_, k) => n - k), // reversed
      Float64Array.from({ length: n }, (_, k) => (k < n / 2 ? k : n - k)), // organ pipe
      new Float64Array(n).fill(7), // one value
      Float64Array.from({ length: n }, (_, k) => (k * 7919) % 13), // 13 values, many ties
    ];
    for (const a of inputs) {
      const sorted = a.slice().sort();
      const ranks = [9_500, 0, 500, 5_000, 5_001, n - 1];
      selectRanks(a, ranks);
      for (const r of ranks) {
        expect(a[r]).toBe(sorted[r]);
        for (let k = 0; k < r; k++) if (a[k] > a[r]) throw new Error(`a[${k}] > a[${r}]`);
        for (let k = r + 1; k < n; k++) if (a[k] < a[r]) throw new Error(`a[${k}] < a[${r}]`);
      }
    }
  });
});
