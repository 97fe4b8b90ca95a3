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
  if (ax >= TINY && ax < PRIMARY) {
    const hfx = 0.5 * x;
    const hxs = x * hfx;
    const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    const t = 3.0 - r1 * hfx;
    const e = hxs * ((r1 - t) / (6.0 - x * t));
    return x - (x * e - hxs);
  }
  if (!(ax >= PRIMARY && ax < ONE_AND_HALF)) return Math.expm1(x);
  // k = ±1: x = k·ln 2 + r, r = hi − lo carried with its rounding error c
  const negative = x < 0;
  const hi = negative ? x + LN2_HI : x - LN2_HI;
  const lo = negative ? -LN2_LO : LN2_LO;
  const r = hi - lo;
  const c = hi - r - lo;
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - r * t));
  e = r * (e - c) - c;
  e -= hxs;
  if (negative) return 0.5 * (r - e) - 0.5;
  if (r < -0.25) return -2.0 * (e - (r + 0.5));
  return 1 + 2.0 * (r - e);
}

// fdlibm's constants (s_expm1.c), hex words in the comments
const LN2_HI = 6.9314718036912381649e-1; // 3FE62E42 FEE00000
const LN2_LO = 1.90821492927058770002e-10; // 3DEA39EF 35793C76
const Q1 = -3.33333333333331316428e-2; // BFA11111 111110F4
const Q2 = 1.58730158725481460165e-3; // 3F5A01A0 19FE5585
const Q3 = -7.9365075786748794247e-5; // BF14CE19 9EAADBB7
const Q4 = 4.00821782732936239552e-6; // 3ED0CFCA 86E65239
const Q5 = -2.01099218183624371326e-7; // BE8AFDB7 6E09C32D

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
