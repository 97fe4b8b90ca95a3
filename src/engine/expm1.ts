/**
 * `Math.expm1` without the call into C for |x| < 1.5·ln 2. V8's Math.expm1 is fdlibm's
 * s_expm1.c; for 2^-54 ≤ |x| < 1.5·ln 2 it reduces the argument by at most one ln 2 (k = 0 or
 * ±1) and evaluates a short rational approximation. This is that code path, the same
 * floating-point operations in the same order, so the same bits (tested against Math.expm1);
 * every other argument (larger, tiny, ±0, NaN, ±Infinity) goes to Math.expm1 itself. Used by
 * the kernel's E14 (phase-two claim), whose argument (minus a day's reward over
 * phase2Modulation) lies in that range on every day of the shipped scenarios.
 */
export function expm1(x: number): number {
  const ax = Math.abs(x);
  if (!(ax >= TINY && ax < ONE_AND_HALF)) return Math.expm1(x);
  // k = 0 (|x| ≲ 0.5·ln 2): r = x; k = ±1: x = k·ln 2 + r, r carried with its rounding error c
  const k = ax < PRIMARY ? 0 : x < 0 ? -1 : 1;
  let r = x;
  let c = 0;
  if (k !== 0) {
    const hi = k < 0 ? x + 0.6931471803691238 : x - 0.6931471803691238; // ± ln2_hi
    const lo = k < 0 ? -1.9082149292705877e-10 : 1.9082149292705877e-10; // ± ln2_lo
    r = hi - lo;
    c = hi - r - lo;
  }
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  // fdlibm's Q1 … Q5
  const r1 =
    1 +
    hxs *
      (-0.03333333333333313 +
        hxs *
          (0.0015873015872548146 +
            hxs *
              (-0.0000793650757867488 +
                hxs * (0.000004008217827329362 + hxs * -2.0109921818362437e-7))));
  const t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - r * t));
  if (k === 0) return r - (r * e - hxs);
  e = r * (e - c) - c;
  e -= hxs;
  if (k < 0) return 0.5 * (r - e) - 0.5;
  if (r < -0.25) return -2.0 * (e - (r + 0.5));
  return 1 + 2.0 * (r - e);
}

/** The double whose 32-bit words are (hi, 0). */
function fromHighWord(hi: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setUint32(0, hi);
  return v.getFloat64(0);
}
/** 2^-54: below it fdlibm returns x. */
const TINY = 2 ** -54;
/** fdlibm's k = 0 range, high word ≤ 0x3fd62e42 (|x| ≲ 0.5·ln 2). */
const PRIMARY = fromHighWord(0x3fd62e43);
/** fdlibm's k = ±1 range, high word < 0x3ff0a2b2 (|x| ≲ 1.5·ln 2). */
const ONE_AND_HALF = fromHighWord(0x3ff0a2b2);
