import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expm1 } from "../../src/engine/expm1.js";

/** The double whose 32-bit words are (hi, lo). */
function fromWords(hi: number, lo: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi >>> 0);
  v.setUint32(4, lo >>> 0);
  return v.getFloat64(0);
}

describe("expm1: Math.expm1's bits without the call into C", () => {
  it("equals Math.expm1 bit for bit over |x| < 1.5·ln 2 and beyond", () => {
    fc.assert(
      fc.property(fc.double({ min: -1.2, max: 1.2, noNaN: true }), (x) => {
        expect(Object.is(expm1(x), Math.expm1(x))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: false }), (x) => {
        expect(Object.is(expm1(x), Math.expm1(x))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
  it("equals Math.expm1 at fdlibm's range edges (high words 0x3c900000, 0x3fd62e43, 0x3ff0a2b2)", () => {
    for (const hi of [0x3c900000, 0x3fd62e42, 0x3fd62e43, 0x3ff0a2b1, 0x3ff0a2b2])
      for (const lo of [0, 1, 0x7fffffff, 0xffffffff])
        for (const sign of [1, -1]) {
          const x = sign * fromWords(hi, lo);
          expect(Object.is(expm1(x), Math.expm1(x))).toBe(true);
        }
    for (const x of [0, -0, Number.NaN, Infinity, -Infinity, 5e-324, -0.4, 0.4, 1, -1, 700])
      expect(Object.is(expm1(x), Math.expm1(x))).toBe(true);
  });
});
