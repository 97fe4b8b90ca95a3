import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentSpec } from "../../src/analysis/types.js";
import {
  BandMemoryError,
  bandMemory,
  checkBandMemory,
  experimentBandWork,
  HISTOGRAM_ROW_BYTES,
} from "../../src/montecarlo/memory.js";
import { loadScenario } from "../../src/scenario/load.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../..", import.meta.url).pathname;

describe("the bands' memory, estimated before any run", () => {
  it("is a histogram row per cell and lane, or every value below 2,048 runs", () => {
    // a row: (64 + 2) coarse buckets × 32 fine counts, each a 4-byte count and a 2-byte one,
    // and a min and max of 8 bytes per coarse bucket: 12,672 + 1,056 bytes
    expect(HISTOGRAM_ROW_BYTES).toBe(13_728);
    // 1,000 cells, 2 lanes: each lane's rows and this thread's merged ones, over 0.4 GB of base
    expect(bandMemory({ cells: 1000, runs: 5000, lanes: 2 })).toBe(400_000_000 + 41_184_000);
    // one lane: its rows only
    expect(bandMemory({ cells: 1000, runs: 5000, lanes: 1 })).toBe(400_000_000 + 13_728_000);
    // 100 runs: 100 values per cell and a sorted copy, 8 bytes each
    expect(bandMemory({ cells: 1000, runs: 100, lanes: 2 })).toBe(400_000_000 + 1_600_000);
  });

  it("of an experiment is its band columns × days, with --columns and per point", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 30 });
    const spec = (options: Record<string, unknown>, points = [{ index: 0, params: {} }]) =>
      ({
        kind: "sweep",
        scenarioName: "w",
        scenario,
        version: VERSION,
        seed: 1,
        runsPerPoint: 3000,
        points,
        options,
      }) as ExperimentSpec;
    const all = experimentBandWork(spec({}), 2);
    expect(all.cells).toBe(all.columns * 30);
    expect(all.lanes).toBe(2);
    expect(experimentBandWork(spec({ bandColumns: ["supply", "day", "priceOfToken"] }), 1)).toEqual(
      { columns: 2, days: 30, cells: 60, runs: 3000, lanes: 1 },
    );
    // a sweep over days: the longest point decides
    const days = experimentBandWork(
      spec({ bandColumns: ["supply"] }, [
        { index: 0, params: { days: 10 } },
        { index: 1, params: { days: 50 } },
      ]),
      1,
    );
    expect([days.days, days.cells]).toEqual([50, 50]);
  });

  it("is refused above 75% of the machine's memory, naming the size and what to change", () => {
    const work = { columns: 42, days: 36_500, cells: 42 * 36_500, runs: 3000, lanes: 1 };
    // 1,533,000 cells × 13,728 bytes + 0.4 GB = 21.4 GB
    expect(() => checkBandMemory(work, 24e9)).toThrow(BandMemoryError);
    expect(() => checkBandMemory(work, 24e9)).toThrow(
      "the bands of 42 columns × 36,500 days need about 21.4 GB with 1 worker, more than 75% of this machine's 24.0 GB: band fewer columns (--columns priceOfToken,supply) or fewer --days",
    );
    // 21.4 GB is within 75% of 32 GB
    expect(() => checkBandMemory(work, 32e9)).not.toThrow();
  });

  it("stops `bme montecarlo` before anything is stored, exit 2, no stack trace", () => {
    // the whitepaper's bands over 100 years at 9,000 runs on 2 workers (2 lanes: 4,096 runs
    // each at least) need ≈ 3 × 21 GB (each worker's rows and the merged ones): more than this
    // machine has
    expect(totalmem()).toBeLessThan(63.5e9 / 0.75);
    const dir = mkdtempSync(join(tmpdir(), "bme-mem-"));
    const store = join(dir, "s.duckdb");
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "dist/src/cli/main.js"),
        "montecarlo",
        WHITEPAPER,
        "--days",
        "36500",
        "--runs",
        "9000",
        "--workers",
        "2",
        "--store",
        store,
      ],
      { encoding: "utf8", cwd: ROOT, timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: the bands of \d+ columns × 36,500 days need about /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(spawnSync("ls", [dir], { encoding: "utf8" }).stdout).toBe("");
  });
});
