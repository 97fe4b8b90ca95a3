import { fmix32, nextUniform } from "./streams.js";

/**
 * Streams addressed by name instead of by position: the stochastic input processes
 * (src/processes) draw from `(seed, run, name)`, so adding, removing or changing one series'
 * process never moves the draws of another series, and A/B arms share them (common random
 * numbers). The mix differs from seedStreams' positional one by a domain word, so a named
 * stream never coincides with a positional stream of the same run.
 */

/** FNV-1a, 32-bit, of a string's UTF-16 code units. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Fill `state[o … o+3]` with the xoshiro128** state of stream `name` of (seed, run). */
export function seedNamedStream(
  state: Int32Array,
  o: number,
  seed: number,
  run: number,
  name: string,
): void {
  let h = fmix32((seed >>> 0) ^ 0x2545f491);
  h = fmix32(h ^ (Math.floor(seed / 4294967296) >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (run >>> 0) ^ 0x7f4a7c15);
  h = fmix32(h ^ (Math.floor(run / 4294967296) >>> 0) ^ 0x3c6ef372);
  h = fmix32(h ^ nameHash(name) ^ 0x5bd1e995);
  let any = 0;
  for (let w = 0; w < 4; w++) {
    h = fmix32(h + 0x6d2b79f5 * (w + 1));
    state[o + w] = h;
    any |= h;
  }
  if (any === 0) state[o] = 1;
}

/**
 * A Poisson(λ) count by Knuth's product of uniforms: the number of uniforms whose running
 * product stays above e^{−λ}. Takes N + 1 uniforms for a draw of N; meant for λ ≤ 30.
 */
export function nextPoisson(st: Int32Array, o: number, lambda: number): number {
  if (lambda <= 0) return 0;
  const limit = Math.exp(-lambda);
  let n = 0;
  let p = nextUniform(st, o);
  while (p > limit) {
    n++;
    p *= nextUniform(st, o);
  }
  return n;
}
