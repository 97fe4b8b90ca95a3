import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentSpec } from "../../src/analysis/types.js";
import { BAND_STATS } from "../../src/analysis/types.js";
import { column } from "../../src/engine/result.js";
import {
  type ChunkPartial,
  chunkRanges,
  mergeChunks,
  runChunk,
} from "../../src/montecarlo/chunk.js";
import { pairedDifferences, t975 } from "../../src/montecarlo/compare.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { runOutcomes } from "../../src/montecarlo/outcomes.js";
import { quantileSorted, summarizeSample } from "../../src/montecarlo/quantile.js";
import { sensitivityPlan } from "../../src/montecarlo/sensitivity.js";
import { expandSweep, parseAxis } from "../../src/montecarlo/sweep.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

const { scenario } = loadScenario(WHITEPAPER);
const point = { index: 0, params: {} };

describe("quantiles (type 7)", () => {
  it("matches hand-computed values", () => {
    expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([10, 20], 0.25)).toBe(12.5);
    expect(quantileSorted([7], 0.95)).toBe(7);
  });
  it("keeps a sample's mean within its range: ten values of 0.1 have mean 0.1 and sd 0", () => {
    // 0.1 added ten times is 0.9999999999999999; divided by 10, a mean below every value
    expect([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1].reduce((a, b) => a + b) / 10).toBe(
      0.09999999999999999,
    );
    const s = summarizeSample(new Float64Array(10).fill(0.1));
    expect([s.mean, s.sd, s.p5, s.p95]).toEqual([0.1, 0, 0.1, 0.1]);
    // a spread sample is untouched: (1 + 2 + 6) / 3 = 3
    expect(summarizeSample([1, 2, 6]).mean).toBe(3);
  });
});

describe("outcome metrics of one run", () => {
  it("computes the drawdown of [1, 2, 1, 3] as 0.5 and the other metrics by hand", () => {
    const r = simulate({ ...scenario, days: 4 }, { seed: 0 });
    const days = 4;
    const out = new Float64Array(r.columns.length * days);
    r.values.forEach((v, c) => {
      out.set(v, c * days);
    });
    const set = (name: string, xs: number[]) => out.set(xs, r.columns.indexOf(name) * days);
    set("priceOfToken", [1, 2, 1, 3]);
    set("tokenReserve", [5, 3, 4, 6]);
    set("tokenShortfall", [0, 2, 0, 1]);
    set("phaseOneEmission", [1, 1, 0, 0]);
    set("phaseTwoEmission", [0, 0, 2, 3]);
    set("phase", [1, 1, 2, 2]);
    expect(runOutcomes(out, days, days)).toMatchObject({
      finalPrice: 3,
      maxDrawdown: 0.5,
      minTokenReserve: 3,
      shortfallDays: 2,
      totalEmitted: 7,
      phaseChangeDay: 2,
    });
  });
});

describe("Monte Carlo bands", () => {
  it("are exact quantiles of the runs for small N: checked against single runs sorted", () => {
    const runs = 37;
    const r = mergeChunks(point, runs, [
      runChunk({ scenario, seed: 5, point, runs, runStart: 0, runEnd: runs }),
    ]);
    const prices = Array.from(
      { length: runs },
      (_, i) => column(simulate(scenario, { seed: 5, run: i }), "priceOfToken")[120],
    ).sort((a, b) => a - b);
    const c = r.bands.columns.indexOf("priceOfToken");
    const at = (s: (typeof BAND_STATS)[number]) => r.bands.stats[s][c * r.bands.days + 120];
    expect(at("p5")).toBe(quantileSorted(prices, 0.05));
    expect(at("p50")).toBe(prices[18]);
    expect(at("p95")).toBe(quantileSorted(prices, 0.95));
    expect(at("mean")).toBeCloseTo(prices.reduce((a, b) => a + b, 0) / runs, 15);
    expect(r.outcomes.metrics.finalPrice[7]).toBe(
      column(simulate(scenario, { seed: 5, run: 7 }), "priceOfToken")[179],
    );
  });

  it("are identical bytes however the runs are chunked and whatever order chunks arrive in", () => {
    const runs = 2500; // histogram mode: 3 blocks
    const whole = mergeChunks(point, runs, [
      runChunk({ scenario, seed: 9, point, runs, runStart: 0, runEnd: runs }),
    ]);
    const parts: ChunkPartial[] = chunkRanges(runs, 1).map(([s, e]) =>
      runChunk({ scenario, seed: 9, point, runs, runStart: s, runEnd: e }),
    );
    const split = mergeChunks(point, runs, parts.reverse());
    for (const s of BAND_STATS)
      expect(
        Buffer.from(split.bands.stats[s].buffer).equals(Buffer.from(whole.bands.stats[s].buffer)),
      ).toBe(true);
    expect(Array.from(split.outcomes.metrics.finalPrice)).toEqual(
      Array.from(whole.outcomes.metrics.finalPrice),
    );
  });

  it("refuses to merge a point with missing runs", () => {
    const p = runChunk({ scenario, seed: 1, point, runs: 2048, runStart: 1024, runEnd: 2048 });
    expect(() => mergeChunks(point, 2048, [p])).toThrow(/runs 0…1023 are missing/);
  });
});

describe("experiments with worker threads", () => {
  const dist = new URL("../../dist/src/montecarlo/worker.js", import.meta.url).pathname;
  it("give the same bytes for 1, 2 and 4 workers", async () => {
    expect(existsSync(dist)).toBe(true); // npm test builds first
    const spec: ExperimentSpec = {
      kind: "montecarlo",
      scenarioName: "whitepaper",
      scenario,
      version: VERSION,
      seed: 3,
      runsPerPoint: 3000,
      points: [point],
      options: {},
    };
    const results = [];
    for (const workers of [1, 2, 4])
      results.push((await runExperiment(spec, { workers, minThreadRuns: 0 })).points[0]!);
    for (const r of results.slice(1))
      for (const s of BAND_STATS)
        expect(
          Buffer.from(r.bands.stats[s].buffer).equals(
            Buffer.from(results[0].bands.stats[s].buffer),
          ),
        ).toBe(true);
  });
});

describe("sweeps", () => {
  it("expand a 2 × 3 grid into 6 points, the first axis varying slowest", () => {
    const pts = expandSweep([parseAxis("--grid", "a=1,2"), parseAxis("--grid", "b=x,y,z")], []);
    expect(pts.map((p) => p.params)).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 1, b: "z" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
      { a: 2, b: "z" },
    ]);
  });
  it("pair zip axes by position, as one more axis after the grid", () => {
    const pts = expandSweep(
      [parseAxis("--grid", "g=0,1")],
      [parseAxis("--zip", "a=1,2,3"), parseAxis("--zip", "b=4,5,6")],
    );
    expect(pts).toHaveLength(6);
    expect(pts[4].params).toEqual({ g: 1, a: 2, b: 5 });
  });
  it("read ranges start:stop:step with the stop included", () => {
    expect(parseAxis("--grid", "x=0:1:0.25").values).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(parseAxis("--grid", "x=0:1:0.1").values).toHaveLength(11);
    expect(parseAxis("--grid", "x=0:1:0.1").values[3]).toBe(0.3);
  });
  it("read each value as --set reads it (YAML), so a point records the value its runs use", () => {
    // YAML 1.2 core: 0x10 = 16, 1e1 = 10, True = true; 0b1 and 1_000 are not numbers there
    expect(parseAxis("--grid", "x= 0x10 ,1e1,True,0b1,1_000,abc").values).toEqual([
      16,
      10,
      true,
      "0b1",
      "1_000",
      "abc",
    ]);
    // a range's ends are decimal numbers only: "0x1" or a blank is no end (Number() read 1 and 0)
    for (const bad of ["x=0:0x1:0.5", "x=0: :1", "x=Infinity:1:1"])
      expect(() => parseAxis("--grid", bad), bad).toThrow(
        `--grid "${bad}": a range is start:stop:step with three decimal numbers`,
      );
  });
  it("refuse bad axes with a message naming the option", () => {
    expect(() => parseAxis("--grid", "x=0:1:0")).toThrow(/--grid "x=0:1:0": the step must be > 0/);
    expect(() => parseAxis("--zip", "nothing")).toThrow(/--zip/);
    expect(() => expandSweep([], [parseAxis("--zip", "a=1,2"), parseAxis("--zip", "b=1")])).toThrow(
      /same length/,
    );
  });
  it("refuse a grid whose axes multiply past 10,000 points, counted before any is made", () => {
    // 101 × 100 = 10,100 points; 100 × 100 = 10,000 is the largest allowed
    const a = parseAxis("--grid", "a=0:1:0.01");
    expect(a.values).toHaveLength(101);
    const b = parseAxis("--grid", "b=1:100:1");
    expect(() => expandSweep([a, b], [])).toThrow("10,100 points (101 × 100): at most 10,000");
    expect(expandSweep([parseAxis("--grid", "a=1:100:1"), b], [])).toHaveLength(10_000);
    // three axes of 5,001 values: refused at once, not after building 1.25e11 points
    const big = (p: string) => parseAxis("--grid", `${p}=0:1:0.0002`);
    expect(() => expandSweep([big("x"), big("y")], [big("z")])).toThrow("125,075,015,001 points");
  });
  it("use common random numbers: a point with no change equals the base Monte Carlo", async () => {
    const spec: ExperimentSpec = {
      kind: "sweep",
      scenarioName: "whitepaper",
      scenario,
      version: VERSION,
      seed: 4,
      runsPerPoint: 20,
      points: expandSweep([parseAxis("--grid", "onchain.buybackModulation=1,0.5")], []),
      options: {},
    };
    const [same, changed] = (await runExperiment(spec, { workers: 1 })).points;
    const base = mergeChunks(point, 20, [
      runChunk({ scenario, seed: 4, point, runs: 20, runStart: 0, runEnd: 20 }),
    ]);
    expect(Array.from(same!.outcomes.metrics.finalPrice)).toEqual(
      Array.from(base.outcomes.metrics.finalPrice),
    );
    // less buyback demand, lower price, run by run
    changed!.outcomes.metrics.finalPrice.forEach((p, i) => {
      expect(p).toBeLessThan(base.outcomes.metrics.finalPrice[i]);
    });
  });
});

describe("A/B comparison", () => {
  it("of a scenario against itself has difference exactly 0 and a zero-width interval", () => {
    const a = mergeChunks(point, 50, [
      runChunk({ scenario, seed: 2, point, runs: 50, runStart: 0, runEnd: 50 }),
    ]);
    const b = mergeChunks(point, 50, [
      runChunk({ scenario, seed: 2, point, runs: 50, runStart: 0, runEnd: 50 }),
    ]);
    for (const d of pairedDifferences(a, b)) {
      // a metric missing in every run (no shortfall day, a reserve not falling) has no pairs
      if (d.n === 0) {
        expect(d.mean).toBeNaN();
        continue;
      }
      expect(d.mean).toBe(0);
      expect(d.low).toBe(0);
      expect(d.high).toBe(0);
    }
  });
  it("gives each arm's mean of a constant metric as that constant", () => {
    const arm = (v: number) =>
      ({ outcomes: { metrics: { finalPrice: new Float64Array(10).fill(v) } } }) as never;
    const [d] = pairedDifferences(arm(0.1), arm(0.3));
    // 0.3 − 0.1 = 0.19999999999999998 in every run: the mean of ten of them is that value
    expect([d.meanA, d.meanB, d.mean, d.sd, d.n]).toEqual([0.1, 0.3, 0.3 - 0.1, 0, 10]);
  });
  it("uses Student's t: t(0.975, 9) = 2.262, and tends to 1.96", () => {
    expect(t975(9)).toBe(2.262);
    expect(t975(1000)).toBeCloseTo(1.9623, 3);
  });
});

describe("sensitivity plan", () => {
  it("moves each variable ±10%, clamped to its range, and skips what cannot move", () => {
    const plan = sensitivityPlan(scenario, 0.1);
    const bm = plan.variables.find((v) => v.variable === "buybackModulation")!;
    expect([bm.low, bm.high]).toEqual([0.9, 1]); // 1.1 clamped to the maximum 1
    const jrm = plan.variables.find((v) => v.variable === "jobRewardModulation")!;
    expect(jrm.low).toBeCloseTo(9, 12);
    expect(jrm.high).toBeCloseTo(11, 12);
    expect(plan.skipped.map((s) => s.variable)).toContain("buybackPremium"); // 0 ± 10% is 0
    expect(plan.points).toHaveLength(1 + 2 * plan.variables.length);
  });
});

describe("bme montecarlo / sweep / compare / sensitivity (CLI)", () => {
  const ROOT = new URL("../../", import.meta.url).pathname;
  const bme = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, "dist/src/cli/main.js"), ...args], {
      encoding: "utf8",
      cwd: ROOT,
    });
  it("montecarlo writes bands and outcomes and prints the metric summary", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-mc-"));
    const r = bme(
      "montecarlo",
      WHITEPAPER,
      "--runs",
      "40",
      "--workers",
      "1",
      "--no-store",
      "--out",
      dir,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("finalPrice mean [p5, p95]");
    const bands = readFileSync(join(dir, "bands.csv"), "utf8").trim().split("\n");
    expect(bands[0]).toBe("point,column,day,p5,p25,p50,p75,p95,mean");
    expect(bands).toHaveLength(1 + 42 * 180);
    expect(readFileSync(join(dir, "outcomes.csv"), "utf8").trim().split("\n")).toHaveLength(41);
  });
  it("compare of a file against itself reports zero differences", () => {
    const r = bme(
      "compare",
      WHITEPAPER,
      WHITEPAPER,
      "--runs",
      "20",
      "--workers",
      "1",
      "--no-store",
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/finalPrice\s+\S+\s+\S+\s+0\s+\[0, 0\]/);
    // no run has a shortfall day (shortfallDays 0 in both arms), so its first one is missing in
    // every run: said so, not printed as NaN
    expect(r.stdout).toMatch(/\nshortfallDays\s+0\s+0\s+0\s+\[0, 0\]/);
    expect(r.stdout).toMatch(/\nfirstShortfallDay\s+—\s+—\s+—\s+\(missing in all 20 runs\)/);
    expect(r.stdout).not.toContain("NaN");
  });
  it("compare stores one experiment whose points are arm A and arm B, and reports it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-cmp-"));
    const store = join(dir, "r.duckdb");
    const sec = WHITEPAPER.replace("whitepaper.yaml", "whitepaper-sec-case.yaml");
    const r = bme(
      "compare",
      WHITEPAPER,
      sec,
      "--runs",
      "12",
      "--days",
      "120",
      "--workers",
      "1",
      "--store",
      store,
      "--quiet",
    );
    expect(r.status).toBe(0);
    const { openStore } = await import("../../src/results/index.js");
    const s = await openStore(store, { readOnly: true });
    const list = await s.listExperiments();
    const e = await s.loadExperiment(list[0].id);
    await s.close();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ kind: "compare", pointsStored: 2 });
    // arm B is the SEC case with the same seeds: equal to that scenario's own Monte Carlo
    const b = loadScenario(sec, { days: 120 }).scenario;
    const ownB = mergeChunks(point, 12, [
      runChunk({ scenario: b, seed: 0, point, runs: 12, runStart: 0, runEnd: 12 }),
    ]);
    expect(Array.from(e!.points[1].outcomes.metrics.finalPrice)).toEqual(
      Array.from(ownB.outcomes.metrics.finalPrice),
    );
    const rep = bme("report", list[0].id, "--store", store, "--out", join(dir, "rep"), "--quiet");
    expect(rep.status).toBe(0);
  });
  it("compare and sensitivity --out write their tables too, and bme export their analysis file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-analysis-"));
    const store = join(dir, "r.duckdb");
    const common = ["--runs", "6", "--days", "30", "--workers", "1", "--store", store, "--quiet"];
    const tables = ["experiment.json", "points.csv", "bands.csv", "outcomes.csv"];
    const sec = WHITEPAPER.replace("whitepaper.yaml", "whitepaper-sec-case.yaml");
    expect(bme("compare", WHITEPAPER, sec, ...common, "--out", join(dir, "cmp")).status).toBe(0);
    const sens = ["sensitivity", WHITEPAPER, "--delta", "0.2", ...common];
    expect(bme(...sens, "--out", join(dir, "sens")).status).toBe(0);
    for (const [id, out, file] of [
      ["cmp-0001", "cmp", "compare.csv"],
      ["sens-0002", "sens", "sensitivity.json"],
    ]) {
      expect(readdirSync(join(dir, out)).sort()).toEqual([...tables, file].sort());
      const x = bme("export", id, "--store", store, "--out", join(dir, `x-${out}`));
      expect(x.status).toBe(0);
      expect(x.stdout.trim().split("\n").pop()).toBe(join(dir, `x-${out}`, file));
      // the same analysis, from the stored points
      expect(readFileSync(join(dir, `x-${out}`, file), "utf8")).toBe(
        readFileSync(join(dir, out, file), "utf8"),
      );
    }
  });
  it("--keep-runs writes every run's table, and needs --out", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-kr-"));
    expect(
      bme(
        "montecarlo",
        WHITEPAPER,
        "--runs",
        "4",
        "--no-store",
        "--keep-runs",
        "--out",
        dir,
        "--quiet",
      ).status,
    ).toBe(0);
    expect(readdirSync(join(dir, "runs", "point-0")).sort()).toEqual([
      "run-0.csv",
      "run-1.csv",
      "run-2.csv",
      "run-3.csv",
    ]);
    const refused = bme("montecarlo", WHITEPAPER, "--runs", "4", "--no-store", "--keep-runs");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("--keep-runs needs --out");
  });
  it("warns when asked for more worker threads than the machine has cores, and still runs", () => {
    const run = (workers: string) =>
      bme("montecarlo", WHITEPAPER, "--runs", "2", "--no-store", "--quiet", "--workers", workers);
    // 256 (the most --workers takes) is above the cores of any machine the suite runs on
    const r = run("256");
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: --workers 256 on \d+ cores?: threads beyond the cores/);
    expect(run("1").stderr).not.toContain("--workers");
  });
  it("report --runs adds Monte Carlo fan charts to the run's report", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-rep-"));
    const r = bme("report", WHITEPAPER, "--runs", "30", "--out", dir, "--quiet");
    expect(r.status).toBe(0);
    const html = readFileSync(join(dir, "index.html"), "utf8");
    for (const chart of ["price", "fan-priceOfToken", "fan-tokenReserve"])
      expect(html).toContain(`charts/${chart}.svg`);
    expect(readFileSync(join(dir, "charts/fan-priceOfToken.svg"), "utf8")).toContain("p25–p75");
  });
  it("bad options exit 2 naming the option", () => {
    for (const args of [
      ["montecarlo", WHITEPAPER, "--runs", "0"],
      ["sweep", WHITEPAPER, "--grid", "onchain.buybackModulation=0:1:0", "--no-store"],
      ["sweep", WHITEPAPER, "--grid", "onchain.buybackModulation=2", "--no-store"],
      ["sensitivity", WHITEPAPER, "--metric", "price", "--no-store"],
    ]) {
      const r = bme(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(
      bme("sweep", WHITEPAPER, "--grid", "onchain.buybackModulation=2", "--no-store").stderr,
    ).toContain("onchain.buybackModulation");
  });
});
