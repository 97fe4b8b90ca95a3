import { describe, expect, it } from "vitest";
import { fillNormals, nextNormal } from "../../src/random/normal.js";
import { seedStreams } from "../../src/random/streams.js";

describe("fillNormals draws what successive nextNormal calls draw", () => {
  it("the same values and the same stream state, tails included, in blocks of any length", () => {
    const streams = 3;
    const a = new Int32Array(4 * streams);
    const b = new Int32Array(4 * streams);
    seedStreams(a, streams, 42, 7);
    seedStreams(b, streams, 42, 7);
    const block = new Float64Array(40);
    let differing = 0;
    let tails = 0; // draws beyond the ziggurat's last layer (|z| > 3.4426…) pass through normalTail
    for (let round = 0; round < 5000; round++)
      for (let s = 0; s < streams; s++) {
        const n = 1 + ((round * 7 + s) % 40); // 1 … 40 draws at an offset
        const p = 40 - n;
        fillNormals(b, 4 * s, block, p, n);
        for (let j = 0; j < n; j++) {
          const z = nextNormal(a, 4 * s);
          if (!Object.is(z, block[p + j])) differing++;
          if (Math.abs(z) > 3.442619855899) tails++;
        }
      }
    expect(differing).toBe(0);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(tails).toBeGreaterThan(0);
  });
});
