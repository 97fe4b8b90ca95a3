import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BAND_STATS, type PointResult } from "../../src/analysis/types.js";
import {
  type ChunkPartial,
  chunkRanges,
  type HeldHistograms,
  PointAccumulator,
  runChunk,
} from "../../src/montecarlo/chunk.js";
import { bandColumns, UnknownColumnError } from "../../src/montecarlo/columns.js";
import { fanCharts } from "../../src/report/charts/fan.js";
import { loadScenario } from "../../src/scenario/load.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../..", import.meta.url).pathname;
const { scenario } = loadScenario(WHITEPAPER, { days: 40 });
const point = { index: 0, params: {} };
const NAMED = ["supply", "day", "priceOfToken", "phase"];

function monteCarlo(runs: number, seed: number, columns?: string[]): PointResult {
  const acc = new PointAccumulator(point, runs, { scenario, seed, columns });
  for (const [runStart, runEnd] of chunkRanges(runs, 1))
    acc.add(runChunk({ scenario, seed, point, runs, runStart, runEnd, columns }));
  return acc.finish();
}

describe("--columns: bands of the named columns only", () => {
  it("are the same bytes as those columns' bands of a Monte Carlo of every column", () => {
    // exact (≤ 2,048 runs) and histogram bands
    for (const runs of [300, 3000]) {
      const all = monteCarlo(runs, 7);
      const some = monteCarlo(runs, 7, NAMED);
      // table order, and day never gets bands
      expect(some.bands.columns).toEqual(["phase", "priceOfToken", "supply"]);
      const days = all.bands.days;
      for (const [k, name] of some.bands.columns.entries()) {
        const c = all.bands.columns.indexOf(name);
        for (const s of BAND_STATS) {
          const a = all.bands.stats[s].subarray(c * days, (c + 1) * days);
          const b = some.bands.stats[s].subarray(k * days, (k + 1) * days);
          expect(Buffer.from(b.slice().buffer).equals(Buffer.from(a.slice().buffer))).toBe(true);
        }
      }
      // the outcome metrics still read every column they need
      expect(Array.from(some.outcomes.metrics.finalPrice)).toEqual(
        Array.from(all.outcomes.metrics.finalPrice),
      );
    }
  });
  it("refuse an unknown column, naming it", () => {
    expect(() => bandColumns(["day", "supply"], 10, ["supply", "suply"])).toThrow(
      UnknownColumnError,
    );
    expect(() => bandColumns(["day", "supply"], 10, ["suply"])).toThrow(/"suply"/);
    expect(() => bandColumns(["day", "supply"], 10, ["day"])).toThrow(/day never gets bands/);
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "dist/src/cli/main.js"),
        "montecarlo",
        WHITEPAPER,
        "--runs",
        "20",
        "--no-store",
        "--columns",
        "priceOfToken,supplyy",
      ],
      { encoding: "utf8", cwd: ROOT },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"supplyy"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("write only those columns to --out, and a report charts only the banded columns", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-cols-"));
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "dist/src/cli/main.js"),
        "montecarlo",
        WHITEPAPER,
        "--runs",
        "40",
        "--workers",
        "1",
        "--no-store",
        "--quiet",
        "--columns",
        "supply,tokenReserve",
        "--out",
        dir,
      ],
      { encoding: "utf8", cwd: ROOT },
    );
    expect(r.status).toBe(0);
    const lines = readFileSync(join(dir, "bands.csv"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(1 + 2 * 180);
    expect(new Set(lines.slice(1).map((l) => l.split(",")[1]))).toEqual(
      new Set(["supply", "tokenReserve"]),
    );
    const bands = monteCarlo(40, 1, ["supply", "tokenReserve"]).bands;
    expect(fanCharts(bands).map((c) => c.title)).toEqual(["Circulating supply", "Token reserve"]);
  });
});

describe("a thread's histograms of several chunks", () => {
  it("merge to the same bytes as one histogram per chunk, once however often they come", () => {
    const runs = 5000;
    const seed = 2;
    const ranges = chunkRanges(runs, 1);
    const perChunk = new PointAccumulator(point, runs, { scenario, seed });
    for (const [runStart, runEnd] of ranges)
      perChunk.add(runChunk({ scenario, seed, point, runs, runStart, runEnd }));
    // two "threads": chunks 0, 2, 4 and 1, 3, each counting its chunks into one histogram
    const threads: HeldHistograms[] = [
      { hist: null, ranges: [] },
      { hist: null, ranges: [] },
    ];
    const held = new PointAccumulator(point, runs, { scenario, seed });
    const light: ChunkPartial[] = ranges.map(([runStart, runEnd], i) =>
      runChunk({ scenario, seed, point, runs, runStart, runEnd }, undefined, threads[i % 2]),
    );
    for (const p of light) {
      expect(p.histograms).toBe(null);
      held.add(p);
    }
    expect(() => held.finish()).toThrow(/histograms of 5000 runs are missing/);
    const pieces = threads.map((t) => ({ ranges: t.ranges, data: t.hist!.toData() }));
    held.addHistograms(pieces[1]);
    held.addHistograms(pieces[0]);
    held.addHistograms(pieces[1]); // again: counted once
    expect(() =>
      held.addHistograms({ ranges: [ranges[0], [9216, 10240]], data: pieces[0].data }),
    ).toThrow(/in part/);
    const a = perChunk.finish();
    const b = held.finish();
    for (const s of BAND_STATS)
      expect(
        Buffer.from(b.bands.stats[s].buffer).equals(Buffer.from(a.bands.stats[s].buffer)),
      ).toBe(true);
  });
});
