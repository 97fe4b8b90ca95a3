import { describe, expect, it } from "vitest";
import { nextNormal, nextNormals } from "../../src/random/normal.js";
import { seedStreams } from "../../src/random/streams.js";

/**
 * A batch of runs keeps a series' streams as lanes (word w of run b at w·stride + b). Drawing
 * from lanes must give exactly the draws of the same streams kept one after another, fast path
 * and ziggurat tail alike, and leave each stream in the same state.
 */
describe("nextNormals draws from lanes what nextNormal draws from streams", () => {
  it("7 streams in lanes of a batch of 9, 20,000 draws each (about 80 beyond the ziggurat's base, the tail path)", () => {
    const n = 7;
    const stride = 9;
    const plain = new Int32Array(4 * n);
    seedStreams(plain, n, 42, 3);
    const lanes = new Int32Array(4 * stride);
    for (let b = 0; b < n; b++)
      for (let w = 0; w < 4; w++) lanes[w * stride + b] = plain[4 * b + w];
    const dst = new Float64Array(stride);
    let differing = 0;
    let tails = 0;
    for (let draw = 0; draw < 20_000; draw++) {
      nextNormals(lanes, 0, stride, n, dst);
      for (let b = 0; b < n; b++) {
        const x = nextNormal(plain, 4 * b);
        if (!Object.is(x, dst[b])) differing++;
        if (Math.abs(x) > 3.442619855899) tails++; // beyond the ziggurat's base: a tail draw
      }
    }
    expect(differing).toBe(0);
    expect(tails).toBeGreaterThan(0);
    for (let b = 0; b < n; b++)
      for (let w = 0; w < 4; w++) expect(lanes[w * stride + b]).toBe(plain[4 * b + w]);
  });
});
