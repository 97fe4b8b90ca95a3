import { describe, expect, it } from "vitest";
import { intervalText, realNumber, wholeNumber } from "../../src/cli/options.js";

const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "";
};

describe("numeric CLI options: the message states the rule that is checked", () => {
  it("prints each kind of interval as it is checked", () => {
    expect(intervalText({ min: 0, max: 1 })).toBe("in [0, 1]");
    expect(intervalText({ min: 0, max: 1, minOpen: true })).toBe("in (0, 1]");
    expect(intervalText({ min: 0, max: 1, minOpen: true, maxOpen: true })).toBe("in (0, 1)");
    expect(intervalText({ min: 0 })).toBe("≥ 0");
    expect(intervalText({ min: 0, minOpen: true })).toBe("> 0");
  });

  it("accepts the closed ends and refuses the open ones, naming the same interval", () => {
    const conf = realNumber("--confidence", { min: 0, max: 1, minOpen: true });
    expect(conf("1")).toBe(1);
    expect(conf("0.25")).toBe(0.25);
    for (const bad of ["0", "1.5", "-0.1", "", "x", "NaN"])
      expect(message(() => conf(bad))).toBe(
        `--confidence: expected a number in (0, 1], got "${bad}"`,
      );
    const runway = realNumber("--min-runway", { min: 0 });
    expect(runway("0")).toBe(0);
    expect(runway("1e6")).toBe(1e6);
    expect(message(() => runway("-3"))).toBe('--min-runway: expected a number ≥ 0, got "-3"');
    expect(message(() => runway("Infinity"))).toBe(
      '--min-runway: expected a number ≥ 0, got "Infinity"',
    );
  });

  it("a whole number with no upper bound but the representable reads ≥ min, not 2^53 − 1", () => {
    expect(message(() => wholeNumber("--run", 0, Number.MAX_SAFE_INTEGER)("-1"))).toBe(
      '--run must be a whole number ≥ 0, got "-1"',
    );
    expect(message(() => wholeNumber("--runs", 1, 1000)("0"))).toBe(
      '--runs must be a whole number from 1 to 1000, got "0"',
    );
  });
});
