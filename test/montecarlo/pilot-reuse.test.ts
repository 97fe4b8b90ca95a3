import { describe, expect, it } from "vitest";
import { type ChunkPartial, runChunk } from "../../src/montecarlo/chunk.js";
import { type BandPlan, planFromParts, planFromPilot } from "../../src/montecarlo/histogram.js";
import { cachedRunner, PILOT_RUNS, pointPlan } from "../../src/montecarlo/runner.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

// the pilot's runs are run once (decision 165): the plan is read from the kernel's batches, and
// the point's first chunk in the same thread counts those batches instead of running them again
// 180 days: the first weeks are the same in every run, the noise shows after them
const { scenario } = loadScenario(WHITEPAPER);
const point = { index: 0, params: {} };
const runs = 2100; // histogram mode (> 2,048 runs)

function planBytes(p: BandPlan): Record<string, string> {
  return Object.fromEntries(
    Object.entries(p).map(([k, a]: [string, ArrayBufferView]) => [
      k,
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"),
    ]),
  );
}

/** Whether two chunks' sums, outcomes and histograms are the same bytes, array by array. */
function sameBytes(p: ChunkPartial, q: ChunkPartial): boolean[] {
  const arrays = (c: ChunkPartial) => {
    const h = c.histograms!;
    return [c.blockSums, ...c.outcomes, h.rowOf, h.atom, h.atomCount, h.counts, h.minMax];
  };
  const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const b = arrays(q);
  return arrays(p).map((a, k) => bytes(a).equals(bytes(b[k])));
}

/** Record the first run of every batch the runner is asked for (until `restore`). */
function spyOnRuns(r: ReturnType<typeof cachedRunner>) {
  const asked: number[] = [];
  const run = r.run;
  r.run = (s, run0, count, out, good) => {
    asked.push(run0);
    run.call(r, s, run0, count, out, good);
  };
  return { asked, restore: () => (r.run = run) };
}

describe("the pilot's batches counted by the point's first chunk", () => {
  it("the same bytes as running those runs again, without asking the kernel for them", () => {
    const seed = 4242; // a seed no other test plans with (pointPlan keeps plans per seed)
    const r = cachedRunner(scenario);
    const { asked, restore } = spyOnRuns(r);
    try {
      const plan = pointPlan(scenario, seed, runs);
      // the pilot: runs 0 … PILOT_RUNS − 1, a batch at a time
      expect(asked).toEqual([0, 256]);
      expect(PILOT_RUNS).toBe(512);
      asked.length = 0;
      const task = { scenario, seed, point, runs, runStart: 0, runEnd: 1024, plan };
      // the two pilot batches differ (a batch counted in place of the other would show)
      const [first, second] = r.kept!.parts;
      expect(first.values.some((x, i) => x !== second.values[i])).toBe(true);
      const reused = runChunk(task);
      expect(asked).toEqual([512, 768]);
      // nothing kept now: the same chunk again runs every batch
      asked.length = 0;
      const again = runChunk(task);
      expect(asked).toEqual([0, 256, 512, 768]);
      const same = sameBytes(reused, again);
      expect(same.length).toBe(1 + reused.outcomes.length + 5);
      expect(same.every((x) => x)).toBe(true);
    } finally {
      restore();
    }
  });

  it("a chunk of another seed, or not starting at run 0, runs its own runs", () => {
    const seed = 4243;
    const r = cachedRunner(scenario);
    const { asked, restore } = spyOnRuns(r);
    try {
      const plan = pointPlan(scenario, seed, runs);
      asked.length = 0;
      runChunk({ scenario, seed: seed + 1, point, runs, runStart: 0, runEnd: 1024, plan });
      expect(asked).toEqual([0, 256, 512, 768]);
    } finally {
      restore();
    }
  });
});

describe("planFromParts", () => {
  it("plans a pilot held in parts as planFromPilot plans its runs in one table", () => {
    const cells = 5;
    const n = 96;
    const table = new Float64Array(cells * n);
    // a spread cell, a crowded one (adaptive), a positive wide one (log scale), a constant one
    // and one with a far outlier (trimmed); run 7 and run 50 failed
    let x = 12345;
    const rand = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    for (let k = 0; k < n; k++) {
      table[0 * n + k] = rand() * 10 - 5;
      table[1 * n + k] = k % 3 === 0 ? 1 + rand() * 1e-6 : 2 + rand();
      table[2 * n + k] = Math.exp(rand() * 6);
      table[3 * n + k] = 7;
      table[4 * n + k] = k === 40 ? 1e9 : rand();
    }
    const good = new Uint8Array(n).fill(1);
    good[7] = 0;
    good[50] = 0;
    const whole = planBytes(planFromPilot(table, n, good));
    expect(planFromPilot(table, n, good).fine.length).toBeGreaterThan(0);
    for (const cuts of [[32], [1], [50, 51], [10, 40, 80]]) {
      const edges = [0, ...cuts, n];
      const parts = edges.slice(1).map((e, j) => {
        const s = edges[j];
        const values = new Float64Array(cells * (e - s));
        for (let i = 0; i < cells; i++)
          values.set(table.subarray(i * n + s, i * n + e), i * (e - s));
        return { values, runs: e - s, good: good.slice(s, e) };
      });
      expect(planBytes(planFromParts(parts))).toEqual(whole);
    }
  });
});
