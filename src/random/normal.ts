import { nextInt32, nextUniform } from "./streams.js";

/**
 * Standard normal draws by Marsaglia & Tsang's ziggurat (128 layers, 32-bit). About 98.8% of
 * draws take one 32-bit number, a compare and a multiply. Tables are pure arithmetic, built once.
 */
const KN = new Float64Array(128);
const WN = new Float64Array(128);
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

function normalTail(st: Int32Array, o: number, hz: number, iz: number): number {
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

/** Four state words of one lane, copied in and out around the (rare) tail path. */
const LANE = new Int32Array(4);

/**
 * One N(0, 1) draw for each of `count` streams held side by side ("lanes"): word w of lane b
 * at `st[o + w·stride + b]`. Lane b draws exactly what `nextNormal` draws from a stream with
 * the same four words (xoshiro128** and the ziggurat written out, the tail path shared), into
 * `dst[b]`. A batch of runs keeps one series' streams as lanes, so a day's draws of that
 * series are one tight loop over contiguous state instead of one scattered stream per run.
 */
export function nextNormals(
  st: Int32Array,
  o: number,
  stride: number,
  count: number,
  dst: Float64Array,
): void {
  const o1 = o + stride;
  const o2 = o1 + stride;
  const o3 = o2 + stride;
  for (let b = 0; b < count; b++) {
    // nextInt32: xoshiro128** (see streams.ts)
    const s0 = st[o + b];
    const s1 = st[o1 + b];
    const s2 = st[o2 + b] ^ s0;
    const s3 = st[o3 + b] ^ s1;
    const m = Math.imul(s1, 5);
    const hz = Math.imul((m << 7) | (m >>> 25), 9);
    st[o + b] = s0 ^ s3;
    st[o1 + b] = s1 ^ s2;
    st[o2 + b] = s2 ^ (s1 << 9);
    st[o3 + b] = (s3 << 11) | (s3 >>> 21);
    // the ziggurat's fast path, as in nextNormal
    const iz = hz & 127;
    dst[b] = Math.abs(hz) < KN[iz] ? hz * WN[iz] : laneTail(st, o + b, stride, hz, iz);
  }
}

function laneTail(st: Int32Array, o: number, stride: number, hz: number, iz: number): number {
  for (let w = 0; w < 4; w++) LANE[w] = st[o + w * stride];
  const x = normalTail(LANE, 0, hz, iz);
  for (let w = 0; w < 4; w++) st[o + w * stride] = LANE[w];
  return x;
}
