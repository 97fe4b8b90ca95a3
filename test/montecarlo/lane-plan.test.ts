import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sharedCopy } from "../../src/montecarlo/chunk.js";
import { type BandPlan, planFromPilot } from "../../src/montecarlo/histogram.js";
import {
  cachedRunner,
  joinPlans,
  PILOT_RUNS,
  PILOT_SLICE,
  PLAN_SLICES,
  pilotParts,
  pilotRuns,
  planCells,
  planSlices,
  pointPlan,
} from "../../src/montecarlo/runner.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

// worker-thread lanes make a point's plan between them (docs/decisions.md 152): the pilot's
// runs in slices into one table, the plan in slices of the cells, joined by the coordinator

/** Each field of a plan as hex. */
function planBytes(p: BandPlan): Record<string, string> {
  return Object.fromEntries(
    Object.entries(p).map(([k, a]: [string, ArrayBufferView]) => [
      k,
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex"),
    ]),
  );
}

/** A small deterministic generator (mulberry32), for pilots with every kind of cell. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A pilot of `cells` cells × n runs, `pilot[cell·n + run]`: constant cells, spread cells,
 * positive cells spanning decades (log-scaled), cells crowded at one value with a far outlier
 * (adaptive plans), cells with a NaN, and failed runs.
 */
function pilotOf(
  cells: number,
  n: number,
  seed: number,
): { pilot: Float64Array; good: Uint8Array } {
  const r = rng(seed);
  const pilot = new Float64Array(cells * n);
  const good = new Uint8Array(n).fill(1);
  for (let k = 0; k < n; k++) if (r() < 0.02) good[k] = 0;
  for (let i = 0; i < cells; i++) {
    const kind = i % 5;
    for (let k = 0; k < n; k++) {
      const u = r();
      pilot[i * n + k] =
        kind === 0
          ? 7
          : kind === 1
            ? u * 100 - 50
            : kind === 2
              ? 10 ** (u * 6)
              : kind === 3
                ? k % 50 === 0
                  ? 1e6 * u
                  : 1 + Math.floor(u * 3) * 1e-9
                : k === 3
                  ? Number.NaN
                  : u;
    }
  }
  return { pilot, good };
}

describe("a plan made in slices of the cells (planCells, joinPlans)", () => {
  it("is the plan of the whole pilot, bit for bit, for any split of the cells", () => {
    const n = 128;
    const cells = 60;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.uniqueArray(fc.integer({ min: 1, max: cells - 1 }), { maxLength: 5 }),
        (seed, cuts) => {
          const { pilot, good } = pilotOf(cells, n, seed);
          const whole = planFromPilot(pilot, n, good);
          const edges = [0, ...cuts.sort((a, b) => a - b), cells];
          const parts = edges.slice(1).map((e, k) => planCells(pilot, good, edges[k], e));
          expect(planBytes(joinPlans(parts))).toEqual(planBytes(whole));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("has adaptive cells in the pilots tested (their offsets are renumbered when joined)", () => {
    const n = 128;
    const { pilot, good } = pilotOf(60, n, 3);
    const whole = planFromPilot(pilot, n, good);
    const adaptive = [...whole.fineAt].filter((a) => a >= 0);
    expect(adaptive.length).toBeGreaterThan(1);
    // the second half's first adaptive cell comes after the first half's offsets
    const second = planCells(pilot, good, 30, 60);
    const first = planCells(pilot, good, 0, 30);
    const at = second.fineAt.findIndex((a) => a >= 0);
    expect(second.fineAt[at]).toBe(0);
    expect(joinPlans([first, second]).fineAt[30 + at]).toBe(first.fine.length);
  });
});

describe("the pilot run in slices by the lanes (pilotRuns)", () => {
  it("fills the same table as one pass, and the lanes' plan is pointPlan's", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 24 });
    const seed = 5;
    const r = cachedRunner(scenario);
    const n = PILOT_RUNS;
    expect(n % PILOT_SLICE).toBe(0);
    expect(PILOT_SLICE % r.batch).toBe(0);
    const one = { pilot: new Float64Array(r.cells * n), good: new Uint8Array(n) };
    pilotRuns(r, seed, 0, n, one.pilot, one.good);
    const sliced = { pilot: new Float64Array(r.cells * n), good: new Uint8Array(n) };
    // the slices in reverse order, as lanes may finish them
    for (let s = n - PILOT_SLICE; s >= 0; s -= PILOT_SLICE)
      pilotRuns(r, seed, s, s + PILOT_SLICE, sliced.pilot, sliced.good);
    expect(Buffer.from(sliced.pilot.buffer).equals(Buffer.from(one.pilot.buffer))).toBe(true);
    expect([...sliced.good]).toEqual([...one.good]);
    const third = Math.floor(r.cells / 3);
    const joined = joinPlans([
      planCells(sliced.pilot, sliced.good, 0, third),
      planCells(sliced.pilot, sliced.good, third, r.cells),
    ]);
    expect(planBytes(joined)).toEqual(planBytes(pointPlan(scenario, seed, 3000)));
  });
});

describe("the plan made by the lanes a cell slice at a time (planSlices, decision 193)", () => {
  it("is pointPlan's, whoever claims which slices, and the pilot is kept for the first chunk", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 24 });
    const seed = 5;
    const whole = planBytes(pointPlan(scenario, seed, 3000));
    const r = cachedRunner(scenario);
    const parts = pilotParts(r, seed, 3000, true);
    // two batches of 256 runs, each in shared memory of its own, kept for the first chunk
    expect(parts.map((p) => [p.run0, p.runs])).toEqual([
      [0, 256],
      [256, 256],
    ]);
    for (const p of parts) expect(p.values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(r.kept?.parts).toBe(parts);
    // one claimer after another took slices 0 … 6 (a thread), this one the rest
    const claim = new Int32Array(new SharedArrayBuffer(4));
    claim[0] = 7;
    const late = planSlices(parts, claim);
    expect(late.map(([k]) => k)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(PLAN_SLICES).toBe(16);
    // the slices the thread took, planned by a claimer that stops after them
    claim[0] = 0;
    const early: [number, BandPlan][] = [];
    for (let k = 0; k < 7; k++) {
      const stop = new Int32Array(new SharedArrayBuffer(4));
      stop[0] = k;
      const c1 = Math.floor((r.cells * (k + 1)) / 16);
      // the slice alone: its cells' values of each part
      early.push([k, planSlices(parts, stop)[0][1]]);
      expect(early[k][1].start.length).toBe(c1 - Math.floor((r.cells * k) / 16));
    }
    const byK = new Map([...early, ...late]);
    const joined = joinPlans(Array.from({ length: 16 }, (_, k) => byK.get(k)!));
    expect(planBytes(joined)).toEqual(whole);
    // slices out of order do not join into it
    const swapped = Array.from({ length: 16 }, (_, k) => byK.get(k === 0 ? 1 : k === 1 ? 0 : k)!);
    expect(planBytes(joinPlans(swapped))).not.toEqual(whole);
  });
});

describe("sharedCopy (what a worker thread hands over is shared, never transferred)", () => {
  it("copies the large typed arrays into shared memory and keeps the rest", () => {
    const big = new Float64Array(20_000).map((_, i) => i * 0.5);
    const small = new Int32Array([1, 2, 3]);
    const shared = new Uint16Array(new SharedArrayBuffer(200_000));
    const o = { big, small, shared, n: 4 };
    const c = sharedCopy(o);
    expect(c.big).not.toBe(big);
    expect(c.big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(c.big).toBeInstanceOf(Float64Array);
    expect([...c.big]).toEqual([...big]);
    expect(c.small).toBe(small);
    expect(c.shared).toBe(shared);
    expect(c.n).toBe(4);
    // the original is left whole (not detached)
    expect(big.length).toBe(20_000);
    expect(big[19_999]).toBe(9999.5);
  });
});
