import { describe, expect, it } from "vitest";
import type { PointResult } from "../../src/analysis/types.js";
import { type ChunkPartial, mergeChunks, runChunk } from "../../src/montecarlo/chunk.js";
import { decodeChunk, encodeChunk } from "../../src/queue/codec.js";
import { distributedChunks } from "../../src/queue/coordinator.js";
import { maskUrl, parseQueueUrl } from "../../src/queue/url.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { tinyScenario } from "../helpers.js";

const scenario = parseScenario(tinyScenario({ days: 12 }), "tiny");
const point = { index: 0, params: {} };

function chunks(runs: number, ranges: [number, number][]): ChunkPartial[] {
  return ranges.map(([runStart, runEnd]) =>
    runChunk({ scenario, seed: 7, point, runs, runStart, runEnd }),
  );
}

function bytesOf(p: PointResult): Buffer[] {
  return [...Object.values(p.bands.stats), ...Object.values(p.outcomes.metrics)].map((a) =>
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
  );
}

describe("chunk codec", () => {
  it("round-trips an exact-mode chunk (every run kept): the merged bands are byte-identical", () => {
    const parts = chunks(700, [[0, 700]]);
    const direct = mergeChunks(point, 700, parts);
    const decoded = parts.map((p) => decodeChunk(encodeChunk(p)));
    expect(decoded[0].values).not.toBeNull();
    const viaCodec = mergeChunks(point, 700, decoded);
    expect(bytesOf(viaCodec)).toEqual(bytesOf(direct));
    expect(viaCodec.summary).toEqual(direct.summary);
  });

  it("round-trips histogram-mode chunks: the merged bands are byte-identical, in any order", () => {
    const runs = 2500;
    const parts = chunks(runs, [
      [0, 1024],
      [1024, 2048],
      [2048, 2500],
    ]);
    expect(parts[0].histograms).not.toBeNull();
    const direct = mergeChunks(point, runs, parts);
    const decoded = parts.map((p) => decodeChunk(encodeChunk(p))).reverse();
    expect(bytesOf(mergeChunks(point, runs, decoded))).toEqual(bytesOf(direct));
  });

  it("encodes a decoded chunk to the same bytes (nothing lost or added)", () => {
    const [p] = chunks(2000, [[1024, 2000]]);
    const once = encodeChunk(p);
    // Buffer.equals: toEqual walks megabytes byte by byte for tens of seconds
    expect(Buffer.from(encodeChunk(decodeChunk(once))).equals(Buffer.from(once))).toBe(true);
    expect(decodeChunk(once).runStart).toBe(1024);
    expect(decodeChunk(once).runEnd).toBe(2000);
  });

  it("decodes bytes at any offset of a larger buffer (aligned or not) and refuses a cut chunk", () => {
    const [p] = chunks(2000, [[1024, 2000]]);
    const once = encodeChunk(p);
    for (const at of [0, 3, 8]) {
      const big = new Uint8Array(once.length + 16);
      big.set(once, at);
      const view = big.subarray(at, at + once.length);
      expect(Buffer.from(encodeChunk(decodeChunk(view))).equals(Buffer.from(once))).toBe(true);
    }
    expect(() => decodeChunk(once.subarray(0, once.length - 9))).toThrow(/truncated chunk/);
  });

  it("rejects bytes that are not a chunk", () => {
    expect(() => decodeChunk(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(
      /not an encoded chunk/,
    );
  });
});

describe("distributed chunking", () => {
  it("plans whole blocks from the runs alone: 3,000 runs → 1024, 1024, 952", () => {
    expect(distributedChunks(3000)).toEqual([
      [0, 1024],
      [1024, 2048],
      [2048, 3000],
    ]);
  });
  it("shares 20 blocks among 8 chunks as evenly as whole blocks allow: 3,3,3,3,2,2,2,2", () => {
    const plan = distributedChunks(20_000);
    const blocks = plan.map(([s, e]) => Math.ceil((e - s) / 1024));
    expect(blocks).toEqual([3, 3, 3, 3, 2, 2, 2, 2]);
    expect(plan[1]).toEqual([3 * 1024, 6 * 1024]);
    expect(plan[7]).toEqual([18 * 1024, 20_000]);
  });
  it("splits 1,000 blocks into 16 chunks, none over 64 blocks, covering every run once", () => {
    const runs = 1000 * 1024;
    const plan = distributedChunks(runs);
    expect(plan).toHaveLength(16); // ⌈1000 / 64⌉
    expect(Math.max(...plan.map(([s, e]) => e - s))).toBe(63 * 1024); // 1000 = 8·63 + 8·62
    for (let i = 1; i < plan.length; i++) expect(plan[i][0]).toBe(plan[i - 1][1]);
    expect(plan[0][0]).toBe(0);
    expect(plan.at(-1)![1]).toBe(runs);
  });
});

describe("queue URL", () => {
  it("reads host, port, database and password, and never shows the password", () => {
    const a = parseQueueUrl("redis://:s3cret@10.0.0.5:6380/2");
    expect(a.options).toMatchObject({ host: "10.0.0.5", port: 6380, db: 2, password: "s3cret" });
    expect(a.display).toBe("redis://:***@10.0.0.5:6380/2");
    expect(a.options.tls).toBeUndefined();
  });
  it("defaults to port 6379 and database 0; rediss:// turns TLS on", () => {
    const a = parseQueueUrl("rediss://user:pw@redis.internal");
    expect(a.options).toMatchObject({ port: 6379, db: 0, username: "user", tls: true });
    expect(a.display).toBe("rediss://user:***@redis.internal");
  });
  it("takes the password from the environment's secrets over the URL", () => {
    expect(parseQueueUrl("redis://h:1", { password: "env" }).options.password).toBe("env");
  });
  it("rejects other schemes without echoing a password", () => {
    expect(() => parseQueueUrl("http://:pw@h")).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(maskUrl("http://:pw@h")).toBe("http://:***@h");
  });
});
