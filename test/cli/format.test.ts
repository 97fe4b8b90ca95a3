import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fmt, grouped } from "../../src/cli/format.js";

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
