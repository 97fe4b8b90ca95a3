/**
 * Seeded random streams: xoshiro128** (Blackman & Vigna) with 32-bit state words held in an
 * Int32Array, four words per stream, so a run keeps all its streams in one typed array and
 * the hot loop allocates nothing. Each input series of a run draws from its own stream,
 * derived from (seed, run, stream index): run i of a Monte Carlo is reproducible alone, and
 * changing one series' noise does not move the draws of another (common random numbers).
 */

/** murmur3's 32-bit finaliser: a bijective mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Largest seed accepted: seeds are whole numbers 0 … 2^53 − 1. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * Fill `state[4·stream … 4·stream+3]` for each stream from (seed, run). Seeds and runs are
 * whole numbers below 2^53; both halves of each enter the mix.
 */
export function seedStreams(state: Int32Array, nStreams: number, seed: number, run: number): void {
  const h = runSeedMix(seed, run);
  for (let s = 0; s < nStreams; s++) seedStream(state, 4 * s, h, s);
}

/**
 * The part of every stream's seed mix that depends on (seed, run) alone (`seedStream`'s `h`):
 * computed once a run, not once a stream.
 */
export function runSeedMix(seed: number, run: number): number {
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / 4294967296) >>> 0;
  const runLo = run >>> 0;
  const runHi = Math.floor(run / 4294967296) >>> 0;
  let h = fmix32(seedLo ^ 0x9e3779b9);
  h = fmix32(h ^ seedHi ^ 0x7f4a7c15);
  h = fmix32(h ^ runLo ^ 0x3c6ef372);
  return fmix32(h ^ runHi ^ 0xdaa66d2b);
}

/**
 * Stream s's four state words into `state[o … o+3]` from its run's `runSeedMix`: the words
 * `seedStreams` gives stream s (a stream's words depend on its own index only, so a caller can
 * seed just the streams it draws from).
 */
export function seedStream(state: Int32Array, o: number, runMix: number, s: number): void {
  let h = fmix32(runMix ^ s ^ 0x1b873593);
  let any = 0;
  for (let w = 0; w < 4; w++) {
    h = fmix32(h + 0x6d2b79f5 * (w + 1));
    state[o + w] = h;
    any |= h;
  }
  if (any === 0) state[o] = 1; // xoshiro's state must not be all zero
}

/** Next 32 bits (as a signed int32) of stream `o` (offset = 4·stream index). */
export function nextInt32(st: Int32Array, o: number): number {
  const s0 = st[o];
  const s1 = st[o + 1];
  const s2 = st[o + 2] ^ s0;
  const s3 = st[o + 3] ^ s1;
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
  st[o] = s0 ^ s3;
  st[o + 1] = s1 ^ s2;
  st[o + 2] = s2 ^ (s1 << 9);
  st[o + 3] = rotl(s3, 11);
  return r;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in (0, 1): never 0, so its logarithm is finite. */
export function nextUniform(st: Int32Array, o: number): number {
  return ((nextInt32(st, o) >>> 0) + 0.5) * 2.3283064365386963e-10;
}
