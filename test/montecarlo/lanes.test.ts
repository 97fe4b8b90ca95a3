import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCK_RUNS, runChunk } from "../../src/montecarlo/chunk.js";
import { earlyThreads, laneCount, MIN_THREAD_RUNS } from "../../src/montecarlo/experiment.js";
import { joinPartials } from "../../src/montecarlo/threads.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

describe('the lanes of an experiment (docs/decisions.md, "Lanes from the work")', () => {
  it("are as many as the work pays for, MIN_THREAD_RUNS = 4 blocks each, at most --workers", () => {
    expect(MIN_THREAD_RUNS).toBe(4 * BLOCK_RUNS);
    // 10,000 runs: two threads' worth (2 × 4,096 ≤ 10,000 < 3 × 4,096)
    expect(laneCount(2, 10_000, 10)).toBe(2);
    expect(laneCount(4, 10_000, 10)).toBe(2);
    // 8,191 runs: one thread's worth, so this thread alone
    expect(laneCount(2, 8191, 8)).toBe(1);
    expect(laneCount(2, 8192, 8)).toBe(2);
    // 100,000 runs: the workers asked for
    expect(laneCount(4, 100_000, 98)).toBe(4);
    // --workers 1 is one lane whatever the work
    expect(laneCount(1, 1_000_000, 977)).toBe(1);
    // never more lanes than chunks
    expect(laneCount(4, 3000, 3, 0)).toBe(3);
    // 0 runs per thread: every worker asked for (tests of the threads' paths)
    expect(laneCount(4, 100, 100, 0)).toBe(4);
    // a sweep: the runs of all its points count
    expect(laneCount(2, 41 * 2048, 82)).toBe(2);
  });

  it("hold between 1 and --workers lanes, and 2+ only with MIN_THREAD_RUNS runs for each", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (workers, runs, chunks) => {
          const n = laneCount(workers, runs, chunks);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.min(workers, chunks));
          if (n > 1) expect(n * MIN_THREAD_RUNS).toBeLessThanOrEqual(runs);
          // one more lane would be short of its runs, or above the workers or chunks
          if (n < Math.min(workers, chunks))
            expect((n + 1) * MIN_THREAD_RUNS).toBeGreaterThan(runs);
        },
      ),
    );
  });

  it("the CLI starts early the threads of one point's lanes but this thread's", () => {
    // 10,000 runs: 2 lanes (4,096 runs each at least), this thread and one worker thread
    expect(earlyThreads(2, 10_000)).toBe(1);
    expect(earlyThreads(2, 4096)).toBe(0);
    expect(earlyThreads(1, 1_000_000)).toBe(0);
    // 20,000 runs pay for ⌊20,000 / 4,096⌋ = 4 lanes: this thread and 3 worker threads
    expect(earlyThreads(8, 20_000)).toBe(3);
  });
});

describe("this thread's lane runs a chunk a block at a time (decision 191)", () => {
  const { scenario } = loadScenario(WHITEPAPER, { days: 20 });
  const point = { index: 0, params: {} };
  const blocks = (runs: number, runStart: number, runEnd: number) => {
    const parts = [];
    for (let s = runStart; s < runEnd; s += BLOCK_RUNS)
      parts.push(
        runChunk({
          scenario,
          seed: 5,
          point,
          runs,
          runStart: s,
          runEnd: Math.min(runEnd, s + BLOCK_RUNS),
        }),
      );
    return parts;
  };

  it("and joins the blocks' partials into the chunk's: block sums, values, outcomes in run order", () => {
    // exact bands (2,048 runs): every run's values are kept, run-major
    const whole = runChunk({ scenario, seed: 5, point, runs: 2048, runStart: 0, runEnd: 2048 });
    const parts = blocks(2048, 0, 2048);
    expect(parts).toHaveLength(2);
    const joined = joinPartials(parts);
    expect([joined.runStart, joined.runEnd]).toEqual([0, 2048]);
    // one block sum per block and cell: the two blocks' sums side by side, not added
    expect(joined.blockSums.length).toBe(2 * whole.columns.length * 20);
    expect(joined.blockSums).toEqual(whole.blockSums);
    expect(joined.values).toEqual(whole.values);
    expect(joined.outcomes).toEqual(whole.outcomes);
    expect(joined.outcomes[0].length).toBe(2048);
    expect(joined.failed).toEqual(whole.failed);
  });

  it("and a chunk of three blocks of a histogram point joins its three blocks' sums", () => {
    const whole = runChunk({ scenario, seed: 5, point, runs: 5000, runStart: 1024, runEnd: 4096 });
    const joined = joinPartials(blocks(5000, 1024, 4096));
    expect([joined.runStart, joined.runEnd]).toEqual([1024, 4096]);
    expect(joined.blockSums).toEqual(whole.blockSums);
    expect(joined.outcomes).toEqual(whole.outcomes);
    expect(joined.values).toBeNull();
    expect(joined.histograms).toBeNull();
  });
});
