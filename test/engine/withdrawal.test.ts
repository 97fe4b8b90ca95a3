import { describe, expect, it } from "vitest";
import { DRAIN_TOLERANCE, withdrawal } from "../../src/mechanisms/withdrawal.js";

describe("withdrawal: a draining step lands on exactly 0", () => {
  it("takes the amount when it is well below the balance", () => {
    expect(withdrawal(1000, 400)).toBe(400);
  });
  it("takes exactly the balance when the amount exceeds it by rounding", () => {
    // 1000 tokens priced at demand/supply and bought back with all of demand: 1000.0000000000001
    const balance = 1000;
    const amount = 1000 * (1 + 1e-15);
    expect(balance - withdrawal(balance, amount)).toBe(0);
  });
  it("takes exactly the balance when the amount falls short of it by rounding only", () => {
    const balance = 3;
    const amount = 3 * (1 - DRAIN_TOLERANCE / 2);
    expect(balance - withdrawal(balance, amount)).toBe(0);
  });
  it("leaves a real remainder alone", () => {
    expect(withdrawal(3, 2.999)).toBe(2.999);
  });
  it("withdraws nothing from an empty or negative balance", () => {
    expect(withdrawal(0, 5)).toBe(0);
    expect(withdrawal(-1e-13, 5)).toBe(0);
  });
  it("over balances from 1e-6 to 1e12, (balance − amount·(1±1e-15)) never goes negative", () => {
    for (let e = -6; e <= 12; e++) {
      const balance = 1.7 * 10 ** e;
      for (const f of [1 - 1e-15, 1, 1 + 1e-15, 1 + 1e-13]) {
        expect(balance - withdrawal(balance, balance * f)).toBe(0);
      }
    }
  });
});
