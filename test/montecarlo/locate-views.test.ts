import { describe, expect, it } from "vitest";
import { BAND_STATS } from "../../src/analysis/types.js";
import {
  joinSlices,
  LOCATE_SLICES,
  type LocateTask,
  locateQuantiles,
  locateSlices,
  rankBounds,
  type SliceLocated,
  viewsDerived,
} from "../../src/montecarlo/bands.js";
import {
  chunkRanges,
  type HeldHistograms,
  PointAccumulator,
  runChunk,
} from "../../src/montecarlo/chunk.js";
import { CellHistograms, planFromPilot, rowsFor } from "../../src/montecarlo/histogram.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

// Decision 265: at the end of a point the lanes hand their histograms over as counted (views:
// 8-bit counts, 32-bit counts where flushed, listed carries), and the quantiles are located
// cell by cell from what merging them would give, in slices any lane may take. These tests
// compare that with the reference: the histograms flushed, merged in the same order and
// located cell by cell (locateQuantiles, extremes), bit for bit.

const QS = [0.05, 0.25, 0.5, 0.75, 0.95];
const N_PILOT = 400;

/**
 * Pilot of 8 cells: even value scale, even log scale, adaptive value, adaptive log, then four
 * constant cells (one-value cells in the plan).
 */
function pilot(): Float64Array {
  const p = new Float64Array(8 * N_PILOT);
  for (let k = 0; k < N_PILOT; k++) {
    p[k] = (10 * k) / N_PILOT;
    p[N_PILOT + k] = 100 ** (k / N_PILOT);
    p[2 * N_PILOT + k] = k % 10 === 0 ? k / 40 : 5 + k * 1e-9;
    p[3 * N_PILOT + k] = k % 10 === 0 ? 1 + k / 4 : 50 * (1 + k * 1e-9);
    for (let c = 4; c < 8; c++) p[c * N_PILOT + k] = c;
  }
  return p;
}

function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/**
 * Histogram `h` (of three) counted: the varying cells with runs of equal values (more than 256
 * in one fine bucket: carries), flushed half-way in the second (32-bit and 8-bit counts both
 * non-zero); cell 4 one value everywhere (0 in one histogram, −0 in the others: the atom's
 * sign as merged), cell 0 512 more of one value at once in two (32-bit counts made for that row
 * only), cell 5 one value per histogram but a different one in the third (a row made
 * by the merge), cell 6 one value in the first and varying in the second, cell 7 empty in one.
 */
function counted(plan: ReturnType<typeof planFromPilot>, h: number): CellHistograms {
  const hist = new CellHistograms(plan, rowsFor(plan), h === 1);
  const rand = random(17 + h);
  const mids = [5, 10, 5, 50];
  const widths = [8, 60, 4, 200];
  for (let half = 0; half < 2; half++) {
    for (let i = 0; i < 4; i++) {
      const v = new Float64Array(1200);
      for (let k = 0; k < v.length; k++)
        v[k] =
          k < 300 + 50 * h
            ? mids[i]
            : mids[i] + (rand() - 0.5) * widths[i] * (rand() < 0.1 ? 3 : 1);
      hist.addMany(i, v, 0, v.length, null);
    }
    if (h === 1 && half === 0) hist.flush();
  }
  // 512 of one value at once, where few values lie: all in the 32-bit counts, of one row
  if (h !== 1) hist.addRepeated(0, 0.3, 512);
  hist.addRepeated(4, h === 0 ? 0 : -0, 100);
  hist.addRepeated(5, h === 2 ? 5.5 : 5, 100);
  hist.addRepeated(6, 6, 50);
  if (h === 1) hist.addRepeated(6, 6.25, 50);
  if (h !== 2) hist.addRepeated(7, 7, 100);
  return hist;
}

describe("quantiles located from the lanes' views (decision 265)", () => {
  const plan = planFromPilot(pilot(), N_PILOT, new Uint8Array(N_PILOT).fill(1));
  const cells = plan.start.length;

  // the bands' quantiles, and 99 (ranks in most coarse buckets)
  const dense = Array.from({ length: 99 }, (_, k) => (k + 1) / 100);
  it.each([
    ["the bands'", QS],
    ["99", dense],
  ])(
    "are the merged histograms' quantiles (%s), extremes and pending bounds, bit for bit",
    (_, qs) => {
      const views = [0, 1, 2].map((h) => counted(plan, h).view());
      expect(views.some((v) => v.carries.length > 0)).toBe(true);
      // 32-bit counts on some rows only (a carry of more than 256 at once), and on every row
      const some = views[0].wideRows;
      expect([some?.includes(0), some?.includes(1)]).toEqual([true, true]);
      expect(views[1].wideRows).toBe(null);
      expect(views[1].counts.some((c) => c > 0) && views[1].narrow.some((c) => c > 0)).toBe(true);
      // the reference: flushed, merged in the same order, located cell by cell
      const merged = CellHistograms.fromData(counted(plan, 0).toData());
      merged.merge(counted(plan, 1));
      merged.merge(counted(plan, 2));
      const n = 3 * 2 * 1200; // the varying cells' values
      const want = qs.map(() => new Float64Array(cells));
      const found = locateQuantiles(merged, n, qs, want);
      const wantLo = new Float64Array(cells);
      const wantHi = new Float64Array(cells);
      merged.extremes(wantLo, wantHi);

      const task: LocateTask = {
        views,
        n,
        qs,
        into: qs.map(() => new Float64Array(cells)),
        lo: new Float64Array(cells),
        hi: new Float64Array(cells),
        bounds: rankBounds(cells * qs.length, false),
        claim: new Int32Array(new SharedArrayBuffer(4)),
      };
      const slices = locateSlices(task);
      expect(slices).toHaveLength(LOCATE_SLICES);
      expect(locateSlices(task)).toEqual([]); // every slice claimed once
      // joined in cell order whatever order the lanes return them in
      const got = joinSlices([...slices].reverse(), task, viewsDerived(views));
      const bits = (a: Float64Array) => Buffer.from(a.buffer).toString("hex");
      QS.forEach((_, s) => {
        expect(bits(task.into[s])).toBe(bits(want[s]));
      });
      expect(bits(task.lo)).toBe(bits(wantLo));
      expect(bits(task.hi)).toBe(bits(wantHi));
      expect(Object.is(task.lo[4], 0)).toBe(false); // −0, merged last
      expect(got.quality).toEqual(found.quality);
      expect(got.pending).toEqual(found.pending);
    },
  );
});

describe("a point's histograms handed over as views", () => {
  const { scenario } = loadScenario(WHITEPAPER, { days: 36 });
  const point = { index: 0, params: {} };
  const runs = 5000;
  const seed = 2;
  const ranges = chunkRanges(runs, 1);

  function withViews(): PointAccumulator {
    const threads: HeldHistograms[] = [
      { hist: null, ranges: [] },
      { hist: null, ranges: [] },
    ];
    const acc = new PointAccumulator(point, runs, { scenario, seed });
    ranges.forEach(([runStart, runEnd], i) => {
      acc.add(
        runChunk(
          { scenario, seed, point, runs, runStart, runEnd },
          undefined,
          threads[i % 2],
          true,
        ),
      );
    });
    const pieces = threads.map((t) => ({ ranges: t.ranges, data: t.hist!.view() }));
    acc.addHistograms(pieces[1], true);
    acc.addHistograms(pieces[0], true);
    acc.addHistograms(pieces[1], true); // again: counted once
    return acc;
  }

  it("give the bytes of one histogram per chunk, located here or with a helping lane", async () => {
    const perChunk = new PointAccumulator(point, runs, { scenario, seed });
    for (const [runStart, runEnd] of ranges)
      perChunk.add(runChunk({ scenario, seed, point, runs, runStart, runEnd }));
    const a = perChunk.finish();
    // finish() alone; a lane that takes every slice first; a lane that finds none left
    const here = withViews().finish();
    const first = (t: LocateTask) => Promise.resolve(locateSlices(t));
    const late = async (t: LocateTask): Promise<SliceLocated[]> => {
      await new Promise((done) => setTimeout(done, 5));
      return locateSlices(t);
    };
    const results = [here];
    for (const helper of [first, late]) {
      const acc = withViews();
      const want = await acc.locateWith([helper]);
      expect(want).toBe(null); // 5,000 runs of 36 days: nothing to refine
      results.push(acc.finish());
    }
    for (const b of results) {
      for (const s of BAND_STATS)
        expect(
          Buffer.from(b.bands.stats[s].buffer).equals(Buffer.from(a.bands.stats[s].buffer)),
        ).toBe(true);
      expect(b.bands.runs).toBe(a.bands.runs);
    }
  });
});
