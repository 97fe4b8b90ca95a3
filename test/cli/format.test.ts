import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fmt, formatFeedback, grouped } from "../../src/cli/format.js";
import { counted, percent } from "../../src/text.js";

/** What the CLI printed before `grouped` replaced Intl: ICU's en-US format, the oracle here. */
const intl = (x: number, digits: number) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

describe("grouped: en-US grouping and rounding without Intl", () => {
  it("agrees with Intl on hand-picked cases (ties, carries, exponents, signs)", () => {
    expect(grouped(1234567.8)).toBe("1,234,568");
    expect(grouped(1.005, 2)).toBe("1.01"); // the shortest form 1.005 rounds up, as ICU does
    expect(grouped(2.5)).toBe("3");
    expect(grouped(-2.5)).toBe("-3");
    expect(grouped(999.996, 2)).toBe("1,000.00");
    expect(grouped(-0)).toBe("-0");
    expect(grouped(1e21)).toBe("1,000,000,000,000,000,000,000");
    expect(grouped(0.0004, 3)).toBe("0.000");
    expect(grouped(0.0005, 3)).toBe("0.001");
    for (const [x, d] of [
      [1.005, 2],
      [999.996, 2],
      [1e21, 0],
      [1.5e300, 0],
      [123456789.125, 2],
      [0.0005, 3],
      [4.35, 1],
    ] as const)
      expect(grouped(x, d)).toBe(intl(x, d));
  });

  it("agrees with Intl on any finite double and 0–6 digits", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.double({ min: -1e7, max: 1e7, noNaN: true }),
          fc.integer({ min: -1e9, max: 1e9 }).map((n) => n / 1000),
        ),
        fc.integer({ min: 0, max: 6 }),
        (x, d) => grouped(x, d) === intl(x, d),
      ),
      { numRuns: 5_000 },
    );
  });

  it("fmt keeps four significant digits below 1,000, and groups from 1,000 on", () => {
    expect(fmt(0.0063291)).toBe("0.006329");
    // a final price of 8.1117 usd/token was printed "8"
    expect(fmt(8.1117)).toBe("8.112");
    expect(fmt(21)).toBe("21");
    expect(fmt(999.96)).toBe("1000");
    expect(fmt(0.01)).toBe("0.01");
    expect(fmt(1234.5)).toBe("1,235");
    expect(fmt(Number.NaN)).toBe("NaN");
    expect(fmt(12345.678, 1)).toBe("12,345.7");
  });
});

describe("formatFeedback: bme run's feedback lines", () => {
  it("nothing without a feedback column", () => {
    expect(formatFeedback({ columns: ["day", "supply"], values: [[0], [1]], days: 1 })).toBeNull();
  });

  it("counts, sums and the pool's end and slippage extremes, worked by hand", () => {
    const table: Record<string, number[]> = {
      "suppliers.hosts": [10, 9, 7],
      "supplierEntries.hosts": [0, 0.5, 0.25],
      "supplierExits.hosts": [0, 1.5, 2.25],
      jobsLost: [0, 3, 4],
      tokensSold: [0, 100, 50],
      salesUsd: [0, 200, 75],
      poolTokens: [1000, 1100, 1250],
      poolUsd: [2000, 1800, 2500],
      ammSlippage: [0.01, -0.05, 0.02],
    };
    const text = formatFeedback({
      columns: Object.keys(table),
      values: Object.values(table),
      days: 3,
    });
    // entries 0.75, exits 3.75 (10 + 0.75 − 3.75 = 7); spot 2500 / 1250 = 2
    expect(text).toBe(
      [
        "Feedback",
        "  suppliers             hosts 10 → 7 (entries 0.75, exits 3.75)",
        "  jobs lost             7 to capacity (E50)",
        "  tokens sold           150 tokens for 275 usd over the run",
        "  pool at the end       1,250 tokens, 2,500 usd (spot 2 usd/token)",
        "  slippage              min -5% on day 1, max +2% on day 2",
      ].join("\n"),
    );
  });
});

describe("counted and percent: words around numbers (decision 334)", () => {
  it("a count of exactly 1 takes the singular, any other the plural", () => {
    expect(counted(1, "run")).toBe("1 run");
    expect(counted(0, "run")).toBe("0 runs");
    expect(counted(2, "consumer type")).toBe("2 consumer types");
    expect(counted(1, "supplier class", "supplier classes")).toBe("1 supplier class");
    expect(counted(3, "supplier class", "supplier classes")).toBe("3 supplier classes");
  });
  it("a share as a percentage without the binary noise of · 100", () => {
    // 0.07 · 100 = 7.000000000000001 and 0.57 · 100 = 56.99999999999999 in doubles
    expect(0.07 * 100).not.toBe(7);
    expect(percent(0.07)).toBe("7%");
    expect(percent(0.57)).toBe("57%");
    expect(percent(0.955)).toBe("95.5%");
    expect(percent(1)).toBe("100%");
    expect(percent(0.123456789)).toBe("12.3456789%");
  });
});
