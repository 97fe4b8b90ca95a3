import { nextInt32, nextUniform } from "./streams.js";

/**
 * Standard normal draws by Marsaglia & Tsang's ziggurat (128 layers, 32-bit). About 98.8% of
 * draws take one 32-bit number, a compare and a multiply. Tables are pure arithmetic, built once.
 */
// exported for the fused kernel's own drawing loop (src/engine/kernel.ts), which must give the
// same values as `fillNormals`
export const KN = new Float64Array(128);
export const WN = new Float64Array(128);
const FN = new Float64Array(128);
const R = 3.442619855899;

(function buildTables() {
  const m1 = 2147483648.0;
  const vn = 9.91256303526217e-3;
  let dn = R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1.0;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
})();

/** One N(0, 1) draw from stream `o` (offset = 4·stream index). */
export function nextNormal(st: Int32Array, o: number): number {
  const hz = nextInt32(st, o);
  const iz = hz & 127;
  if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
  return normalTail(st, o, hz, iz);
}

/**
 * `n` successive N(0, 1) draws of stream `o` into `dst[p … p+n−1]`: the same values, in the
 * same order, as `n` calls of `nextNormal(st, o)`, with the stream's four state words held in
 * locals across the draws (one load and one store of the state per call, not per draw). The
 * fused kernel draws a series' days ahead in blocks with it (src/engine/kernel.ts).
 */
export function fillNormals(
  st: Int32Array,
  o: number,
  dst: Float64Array,
  p: number,
  n: number,
): void {
  let s0 = st[o];
  let s1 = st[o + 1];
  let s2 = st[o + 2];
  let s3 = st[o + 3];
  for (let j = p; j < p + n; j++) {
    // xoshiro128** (as nextInt32)
    const hz = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    s2 ^= s0;
    s3 ^= s1;
    s0 ^= s3;
    const t = s1 << 9;
    s1 ^= s2;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const iz = hz & 127;
    if (Math.abs(hz) < KN[iz]) {
      dst[j] = hz * WN[iz];
      continue;
    }
    st[o] = s0;
    st[o + 1] = s1;
    st[o + 2] = s2;
    st[o + 3] = s3;
    dst[j] = normalTail(st, o, hz, iz);
    s0 = st[o];
    s1 = st[o + 1];
    s2 = st[o + 2];
    s3 = st[o + 3];
  }
  st[o] = s0;
  st[o + 1] = s1;
  st[o + 2] = s2;
  st[o + 3] = s3;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The ziggurat's slow path after a first draw `hz` (layer `iz`) was rejected: as in `nextNormal`. */
export function normalTail(st: Int32Array, o: number, hz: number, iz: number): number {
  for (;;) {
    let x = hz * WN[iz];
    if (iz === 0) {
      let y: number;
      do {
        x = -Math.log(nextUniform(st, o)) / R;
        y = -Math.log(nextUniform(st, o));
      } while (y + y < x * x);
      return hz > 0 ? R + x : -R - x;
    }
    if (FN[iz] + nextUniform(st, o) * (FN[iz - 1] - FN[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = nextInt32(st, o);
    iz = hz & 127;
    if (Math.abs(hz) < KN[iz]) return hz * WN[iz];
  }
}
