import { describe, expect, it } from "vitest";
import { decimalNumber, wholeNumberText } from "../../src/scenario/numberText.js";

describe("numbers in text are read one way: decimal notation only", () => {
  it("reads what a user writes as a number", () => {
    expect(decimalNumber("1200")).toBe(1200);
    expect(decimalNumber(" -3.5 ")).toBe(-3.5);
    expect(decimalNumber("1.5e3")).toBe(1500);
    expect(decimalNumber(".5")).toBe(0.5);
    expect(decimalNumber("+2.")).toBe(2);
    expect(wholeNumberText("80")).toBe(80);
    expect(wholeNumberText(" 0 ")).toBe(0);
    expect(wholeNumberText("9007199254740991")).toBe(2 ** 53 - 1);
  });

  it("refuses what Number() would read as something else", () => {
    // Number() reads each of these as a number: "" and " " as 0, 0x50 as 80, 0b1 as 1, 0o7 as 7
    for (const t of [
      "",
      " ",
      "0x50",
      "0b1",
      "0o7",
      "Infinity",
      "-Infinity",
      "1e999",
      "1_000",
      "1,5",
    ])
      expect(decimalNumber(t), JSON.stringify(t)).toBeUndefined();
    // a whole number is digits: no sign, point, exponent; and exactly representable
    for (const t of ["", "0x50", "+1", "-1", "1.0", "1e1", "8e1", "9007199254740993"])
      expect(wholeNumberText(t), JSON.stringify(t)).toBeUndefined();
  });
});
