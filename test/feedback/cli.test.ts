import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const SPIRAL = join(ROOT, "scenarios/feedback/death-spiral.yaml");

function bme(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

describe("bme stress", () => {
  it("prints a verdict per shock, exits 3 when one fails, writes one report section per shock", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-stress-"));
    const r = bme("stress", SPIRAL, "--runs", "3", "--report", dir);
    // 3: a failed verdict (docs/limits.md), not 1, an engine error
    expect(r.code).toBe(3);
    // the thresholds used, the defaults here, printed with the verdicts
    expect(r.out).toContain(
      "thresholds: priceDrawdown ≤ 0.5, reserveRunwayDays ≥ 90, suppliersRetained ≥ 0.5, shortfallDays ≤ 0, dollarsRetained ≥ 0, topUpPriceImpact ≤ ∞\n",
    );
    // the death spiral has no noise (docs/model.md §8 without it): every run is the same run
    expect(r.err).toContain(
      `warning: ${SPIRAL} has no randomness: all 3 runs of each shock will be identical`,
    );
    for (const shock of ["baseline", "demandCrash", "sentimentCollapse", "sellWave", "combined"])
      expect(r.out).toMatch(new RegExp(`^${shock}\\s+(PASS|FAIL)`, "m"));
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html.match(/<h2>/g)).toHaveLength(6);
    expect(existsSync(join(dir, "charts", "demandCrash-marginPerSupplier.svg"))).toBe(true);
  });

  it("runs a marketplace-mode scenario: a verdict per shock and a report page per shock with the queue", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-stress-market-"));
    const market = join(ROOT, "scenarios/feedback/death-spiral-marketplace.yaml");
    // 60 days: the shocks from day 30 + floor(30 / 3) = 40
    const r = bme(
      "stress",
      market,
      "--runs",
      "1",
      "--workers",
      "1",
      "--set",
      "days=60",
      "--report",
      dir,
    );
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^death-spiral-marketplace: 1 run per shock, shocks from day 40$/m);
    expect(r.out).toContain(
      "\nsizes: demandCrash leaves 0.3 of the jobs, sellWave dumps 0.1 of the supply\n",
    );
    for (const shock of ["baseline", "demandCrash", "sentimentCollapse", "sellWave", "combined"])
      expect(r.out).toMatch(new RegExp(`^${shock}\\s+(PASS|FAIL)`, "m"));
    const html = readFileSync(join(dir, "index.html"), "utf8");
    expect(html.match(/<h2>/g)).toHaveLength(6);
    expect(existsSync(join(dir, "charts", "demandCrash-expiredTasks.svg"))).toBe(true);
    expect(existsSync(join(dir, "charts", "combined-waitingTasks.svg"))).toBe(true);
  });
  it("states no size for a shock that does not apply, and warns when the run ends before phase 1 does", () => {
    // the whitepaper has no pool (no sellWave) and phaseOneDays 30: over 20 days the default
    // shock day, 30 + ⌊(20 − 30) / 3⌋ = 26, is past the last day and the shocks start on day 19
    const args = ["stress", "scenarios/whitepaper.yaml", "--runs", "1", "--workers", "1"];
    const r = bme(...args, "--set", "days=20");
    expect(r.out).toMatch(/^whitepaper: 1 run per shock, shocks from day 19$/m);
    expect(r.out).toContain(
      "\nsizes: demandCrash leaves 0.3 of the jobs, sellWave not applicable (no pool)\n",
    );
    expect(r.err).toContain(
      "warning: the scenario's 20 days end before phase 1 does (phaseOneDays 30), so the shocks start on its last day, 19, with no day after them to show a response; give --shock-day or more days\n",
    );
    // with --shock-day the day is the user's: no warning
    const given = bme(...args, "--set", "days=20", "--shock-day", "10");
    expect(given.err).not.toContain("end before phase 1");
  });

  it("passes with thresholds nothing can break, exit 0; --out writes the verdicts and the loop as files", () => {
    const out = mkdtempSync(join(tmpdir(), "bme-stress-out-"));
    const r = bme(
      "stress",
      SPIRAL,
      "--out",
      out,
      "--crash-share",
      "0.5",
      "--runs",
      "2",
      "--max-drawdown",
      "1",
      "--min-runway",
      "0",
      "--min-retained",
      "0",
      "--max-shortfall-days",
      "1000",
      "--set",
      "onchain.buybackModulation=0.7",
    );
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("FAIL");
    expect(r.out).toContain(
      "thresholds: priceDrawdown ≤ 1, reserveRunwayDays ≥ 0, suppliersRetained ≥ 0, shortfallDays ≤ 1000, dollarsRetained ≥ 0, topUpPriceImpact ≤ ∞\n",
    );
    const verdicts = readFileSync(join(out, "verdicts.csv"), "utf8").trim().split("\n");
    // 5 shocks × 6 metrics, each with the threshold given and its side
    expect(verdicts).toHaveLength(1 + 30);
    const thresholds = verdicts.slice(1, 7).map((l) => l.split(",").slice(6, 10).join(","));
    expect(thresholds).toEqual([
      "priceDrawdown,fraction,<=,1",
      "reserveRunwayDays,days,>=,0",
      "suppliersRetained,fraction,>=,0",
      "shortfallDays,days,<=,1000",
      "dollarsRetained,fraction,>=,0",
      // no --max-top-up-impact: any impact passes, a threshold of inf
      "topUpPriceImpact,fraction,<=,inf",
    ]);
    // every shock applies (the spiral has a pool) and passes with all its runs
    for (const l of verdicts.slice(1)) expect(l).toMatch(/^\w+,true,true,1,2,0,/);
    // 5 shocks × 7 aggregate series × 240 days
    const loop = readFileSync(join(out, "loop.csv"), "utf8").trim().split("\n");
    expect(loop).toHaveLength(1 + 5 * 7 * 240);
    const json = JSON.parse(readFileSync(join(out, "stress.json"), "utf8"));
    expect(json).toMatchObject({ scenarioName: "death-spiral", days: 240, runs: 2, shockDay: 100 });
    // the scenario the battery ran, with the --set override (the file says 1.0)
    expect(json.scenario.name).toBe("death-spiral");
    expect(json.scenario.onchain.buybackModulation).toBe(0.7);
    expect(json.sizes).toEqual({ crashShare: 0.5, sellWaveShare: 0.1 });
    expect(json.shocks[1].description).toContain("fall to 50%");
    expect(r.out).toContain(`files: ${out} (verdicts.csv, loop.csv, stress.json)`);
  });
  it("sees a defence that spends the dollar reserve: --min-dollars-retained", () => {
    // the defended spiral's rule tops the token reserve up from the pool on day 101 with the
    // whole dollar reserve (E46): its lowest day after the shock is 0 dollars, so any positive
    // threshold fails the baseline, which passes the other thresholds
    const defended = join(ROOT, "scenarios/feedback/death-spiral-defended.yaml");
    const th = ["--max-drawdown", "0.7", "--min-runway", "90", "--min-retained", "0.4"];
    const without = bme("stress", defended, "--runs", "1", ...th);
    expect(without.out).toMatch(/^baseline\s+PASS/m);
    const r = bme("stress", defended, "--runs", "1", ...th, "--min-dollars-retained", "0.5");
    expect(r.code).toBe(3);
    expect(r.out).toContain("dollarsRetained ≥ 0.5, topUpPriceImpact ≤ ∞\n");
    expect(r.out).toMatch(/^baseline\s+FAIL/m);
  });
  it("sees a defence that overpays for its top-up: --max-top-up-impact", () => {
    // the top-ups from the shock day (100) on (no noise: the baseline's one run is simulate's),
    // worked out from their columns: usd paid per token over the pool's spot before the top-up
    // (the end-of-day reserves less the top-up's tokens and usd), minus 1
    const defended = join(ROOT, "scenarios/feedback/death-spiral-defended.yaml");
    const r0 = simulate(loadScenario(defended).scenario);
    const [usd, tokens, poolTokens, poolUsd] = [
      "reserveBuybackUsd",
      "reserveBuybackTokens",
      "poolTokens",
      "poolUsd",
    ].map((n) => column(r0, n));
    const days = [...tokens.keys()].filter((t) => tokens[t] > 0 && t >= 100);
    expect(days[0]).toBe(101);
    const of = (t: number) =>
      usd[t] / tokens[t] / ((poolUsd[t] - usd[t]) / (poolTokens[t] + tokens[t])) - 1;
    const impact = Math.max(...days.map(of));
    // day 101's E46 buys with 1.1 M usd from a pool of 1.29 M usd (decision 190): W/(x − W), over
    // half the tokens the pool held
    expect(of(101)).toBeGreaterThan(0.5);
    const th = ["--max-drawdown", "0.7", "--min-runway", "90", "--min-retained", "0.4"];
    const run = (x: number) =>
      bme("stress", defended, "--runs", "1", ...th, "--max-top-up-impact", String(x));
    const above = run(impact * 1.001);
    expect(above.out).toMatch(/^baseline\s+PASS/m);
    const below = run(impact * 0.999);
    expect(below.code).toBe(3);
    expect(below.out).toContain(`topUpPriceImpact ≤ ${impact * 0.999}\n`);
    expect(below.out).toMatch(/^baseline\s+FAIL/m);
    expect(bme("stress", defended, "--max-top-up-impact", "-1").err).toContain(
      '--max-top-up-impact: expected a number ≥ 0, got "-1"',
    );
  });
  it("names runs stopped by an error per shock, leaves them out of the metrics, exits 1", () => {
    // demand that grows e-fold a day (GBM drift 1, no noise) leaves the range of float64 near
    // day 437 (e^437 ≈ 1e190 jobs' worth of usd: the price's products pass 1e308; the exact day
    // moves with the rest of the economy's magnitudes, within a few days)
    const thin = join(ROOT, "scenarios/feedback/thin-liquidity.yaml");
    const growth = [
      "--set",
      "days=500",
      "--set",
      "stochastic={series: {imageLabeling: {gbm: {drift: 1, volatility: 0}}}}",
    ];
    const r = bme("stress", thin, "--runs", "2", "--workers", "1", ...growth);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /error: baseline: 2 of 2 runs stopped \(the first, run 0: day 43\d: priceOfToken would be Infinity/,
    );
    expect(r.err).toContain("the metrics are over the 0 that completed");
    // no completed run: no median, where the part-way runs' values were printed before
    expect(r.out).toMatch(/^baseline\s+FAIL\s+0%\s+–\s+–\s+–\s+–\s+–\s+–$/m);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("refuses a bad threshold with a message naming it, exit 2, no stack", () => {
    const r = bme("stress", SPIRAL, "--max-drawdown", "1.5");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--max-drawdown");
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("refuses before any work an --out folder whose file would overwrite the scenario", () => {
    // a JSON scenario named stress.json in the --out folder: the results must not replace it
    const dir = mkdtempSync(join(tmpdir(), "bme-stress-json-"));
    const scenario = join(dir, "stress.json");
    const { scenario: s } = loadScenario(SPIRAL);
    writeFileSync(scenario, JSON.stringify(s));
    const before = readFileSync(scenario, "utf8");
    const r = bme("stress", scenario, "--runs", "1", "--out", dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("is the input file");
    expect(r.out).toBe("");
    expect(readFileSync(scenario, "utf8")).toBe(before);
  });

  it("refuses before any work what it could not honour: report folder, shock day 0, 1 day, …", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-stress-bad-"));
    const file = join(dir, "single.csv");
    writeFileSync(file, "x\n");
    const cases: [string[], string][] = [
      [["--report", file], "is a file; an output folder is needed"],
      [["--report", "/proc/bme-report"], "cannot be created"],
      [["--out", file], "is a file; an output folder is needed"],
      [["--out", ""], "an empty path names no folder"],
      [["--report", ""], "an empty path names no folder"],
      [["--crash-share", "0x1"], '--crash-share: expected a number in [0, 1], got "0x1"'],
      [["--shock-day", "0"], "--shock-day must be a whole number from 1"],
      [["--set", "days=1"], "days: the stress battery needs at least 2 days"],
      [["--confidence", "0"], "--confidence: expected a number in (0, 1]"],
      // the message states the rule checked: 1.5 is refused by the same (0, 1], a negative
      // runway by "≥ 0" (no largest double printed as a bound)
      [["--confidence", "1.5"], '--confidence: expected a number in (0, 1], got "1.5"'],
      [["--min-runway", "-3"], '--min-runway: expected a number ≥ 0, got "-3"'],
      [["--max-drawdown", "1.5"], '--max-drawdown: expected a number in [0, 1], got "1.5"'],
      [["--crash-share", "1.5"], '--crash-share: expected a number in [0, 1], got "1.5"'],
      [["--sell-wave-share", "-0.1"], '--sell-wave-share: expected a number in [0, 1], got "-0.1"'],
      [["--seed", "-1"], '--seed must be a whole number ≥ 0, got "-1"'],
      [["--max-shortfall-days", "1.5"], "--max-shortfall-days must be a whole number"],
    ];
    for (const [args, message] of cases) {
      const r = bme("stress", SPIRAL, "--runs", "2", ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain(message);
      expect(r.out).toBe(""); // no verdict table: nothing ran
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(file, "utf8")).toBe("x\n");
    // a report folder that is not a report's: refused before any work, as bme run's and bme report's
    const foreign = mkdtempSync(join(tmpdir(), "bme-stress-foreign-"));
    writeFileSync(join(foreign, "notes.txt"), "mine\n");
    const rf = bme("stress", SPIRAL, "--runs", "1", "--report", foreign);
    expect([rf.code, rf.out]).toEqual([2, ""]);
    expect(rf.err).toContain("holds files that are not a report (notes.txt)");
    const folderIndex = mkdtempSync(join(tmpdir(), "bme-stress-index-"));
    mkdirSync(join(folderIndex, "index.html"));
    const ri = bme("stress", SPIRAL, "--runs", "1", "--report", folderIndex);
    expect([ri.code, ri.out]).toEqual([2, ""]);
    expect(ri.err).toContain("its index.html is not a file");
  });

  it("writes --out and --report into one folder, again and again", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-stress-both-"));
    for (let i = 0; i < 2; i++) {
      const r = bme("stress", SPIRAL, "--runs", "1", "--out", dir, "--report", dir);
      expect(r.code, r.err).toBe(3);
      expect(existsSync(join(dir, "index.html"))).toBe(true);
      expect(existsSync(join(dir, "verdicts.csv"))).toBe(true);
    }
  });
});
