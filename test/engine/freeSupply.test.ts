import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { freeSupplyCut } from "../../src/mechanisms/freeSupply.js";
import { withdrawal } from "../../src/mechanisms/withdrawal.js";

describe("freeSupplyCut (E22 and E11a from the free circulating tokens)", () => {
  it("is 1 when all was taken, the ratio when less, 0 when nothing was wanted", () => {
    // found by the property: a want 2 ulps below the free tokens drains them all
    const free = 999999999.9999996;
    const wanted = 999999999.9999994;
    expect(withdrawal(free, wanted)).toBe(free);
    expect(freeSupplyCut(withdrawal(free, wanted), wanted) * wanted).toBe(free);
    expect(freeSupplyCut(500, 500)).toBe(1);
    expect(freeSupplyCut(300, 2000)).toBe(0.15);
    expect(freeSupplyCut(0, 228)).toBe(0);
    expect(freeSupplyCut(0, 0)).toBe(1);
  });

  it("scales the parts of a want so they sum to what was taken (within rounding)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (free, parts) => {
          const wanted = parts.reduce((a, b) => a + b, 0);
          const taken = withdrawal(free, wanted);
          const cut = freeSupplyCut(taken, wanted);
          expect(cut).toBeGreaterThanOrEqual(0);
          // a want within 1e-12 of the free tokens drains them (withdrawal): the cut may then
          // exceed 1 by that much, so the parts sum to exactly what was taken
          expect(cut).toBeLessThanOrEqual(1 + 1e-12);
          const sum = parts.reduce((a, b) => a + cut * b, 0);
          expect(Math.abs(sum - taken)).toBeLessThanOrEqual(1e-12 * Math.max(wanted, 1));
          expect(sum).toBeLessThanOrEqual(free + 1e-12 * Math.max(free, 1));
        },
      ),
    );
  });
});
