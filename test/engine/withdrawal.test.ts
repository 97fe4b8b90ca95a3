import { describe, expect, it } from "vitest";
import { DRAIN_TOLERANCE, drained, withdrawal } from "../../src/mechanisms/withdrawal.js";

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

describe("drained: a balance summed from flows that took all of it is exactly 0", () => {
  it("maps a rounding residue below 0 to 0, relative to the economy's total", () => {
    // the marketplace case: 274.66785006759324 + 6.065949419263153 − 280.73379948796264 in an
    // economy of 1,200,000 tokens gave −1.1e-9; the tolerance there is 1e-12 · 1.2e6 = 1.2e-6
    expect(drained(-1.1062297744501848e-9, 1_200_000)).toBe(0);
    expect(drained(-1.2e-6 * 0.99, 1_200_000)).toBe(0);
  });
  it("leaves a real shortfall negative, so the invariant check names it", () => {
    expect(drained(-1e-5, 1_200_000)).toBe(-1e-5);
    expect(drained(-1, 1_200_000)).toBe(-1);
  });
  it("leaves positive balances and zero untouched", () => {
    expect(drained(5, 1_200_000)).toBe(5);
    expect(drained(1e-12, 1_200_000)).toBe(1e-12);
    expect(Object.is(drained(0, 1_200_000), 0)).toBe(true);
  });
});
