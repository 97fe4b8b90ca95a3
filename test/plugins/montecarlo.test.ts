import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentSpec } from "../../src/analysis/types.js";
import { pairedDifferences } from "../../src/montecarlo/compare.js";
import { runExperiment } from "../../src/montecarlo/experiment.js";
import { loadPlugins } from "../../src/plugins/load.js";
import { loadPluginRefs, pluginRefs } from "../../src/plugins/refs.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const GUARD = join(ROOT, "examples/price-guard.mjs");
const RESERVE = join(ROOT, "examples/reserve-metrics.mjs");

function spec(runs: number, plugins: unknown[]): ExperimentSpec {
  const scenario = loadScenario(WHITEPAPER, { days: 45 }).scenario;
  return {
    kind: "montecarlo",
    scenarioName: scenario.name,
    scenario,
    version: "test",
    seed: 5,
    runsPerPoint: runs,
    points: [{ index: 0, params: {} }],
    options: { plugins },
  };
}

describe("plugins in Monte Carlo workers (issue 12)", () => {
  it("a policy's memory (view.state) is its own per run: run i of a Monte Carlo is run i alone", async () => {
    // a cooldown: raise buybackModulation on the first day the price is below yesterday's, then
    // wait 14 days; its memory (the day it last acted) must start empty in every run
    const dir = mkdtempSync(join(tmpdir(), "bme-state-"));
    const file = join(dir, "cooldown.mjs");
    writeFileSync(
      file,
      `export const policies = [{ name: "cooldown", decide(view) {
        const y = view.yesterday;
        if (!y || view.day < 2) return undefined;
        const p = view.history("priceOfToken");
        if (view.state.last !== undefined && view.day - view.state.last < 14) return undefined;
        if (p[view.day - 1] >= p[view.day - 2]) return undefined;
        view.state.last = view.day;
        const b = view.onchain.buybackModulation;
        return { set: { buybackModulation: b >= 0.9 ? 0.5 : b + 0.1 } };
      } }];\n`,
    );
    const s = spec(40, pluginRefs([file]));
    const mc = (await runExperiment(s, { workers: 1 })).points[0]!;
    const { policies } = await loadPlugins([file]);
    for (const run of [0, 5, 39]) {
      const alone = simulate(s.scenario, { seed: 5, run, policies });
      expect(mc.outcomes.metrics.finalPrice[run]).toBe(
        alone.values[alone.columns.indexOf("priceOfToken")][44],
      );
      // and the policy acted in that run (its log has changes at least 14 days apart)
      const days = alone.governance!.map((g) => g.day);
      expect(days.length).toBeGreaterThan(1);
      for (let i = 1; i < days.length; i++)
        expect(days[i] - days[i - 1]).toBeGreaterThanOrEqual(14);
    }
  });

  it("1 and 2 worker threads give the same bits, and run i is simulate(seed, i) with the plugins", async () => {
    // 1,100 runs: two blocks, so the 2-thread pool really splits the point
    const s = spec(1100, pluginRefs([GUARD, RESERVE]));
    const one = (await runExperiment(s, { workers: 1 })).points[0]!;
    const two = (await runExperiment(s, { workers: 2, minThreadRuns: 0 })).points[0]!;
    expect(Object.keys(one.outcomes.metrics).slice(-3)).toEqual([
      "phaseTwoReturn",
      "reserveFloorDays",
      "dollarPerToken",
    ]);
    for (const m of Object.keys(one.outcomes.metrics))
      expect(Buffer.from(two.outcomes.metrics[m].buffer)).toEqual(
        Buffer.from(one.outcomes.metrics[m].buffer),
      );
    expect(Buffer.from(two.bands.stats.p50.buffer)).toEqual(
      Buffer.from(one.bands.stats.p50.buffer),
    );
    // the Monte Carlo's run 1037 is the library's run 1037 with the same policy and metrics
    const { policies, metrics } = await loadPlugins([GUARD, RESERVE]);
    const alone = simulate(s.scenario, { seed: 5, run: 1037, policies, metrics });
    for (const [name, v] of Object.entries(alone.metrics!))
      expect(one.outcomes.metrics[name][1037]).toBe(v);
    // the policy acts: the plain run's final price differs from the guarded one
    const plain = simulate(s.scenario, { seed: 5, run: 1037 });
    expect(one.outcomes.metrics.finalPrice[1037]).not.toBe(
      plain.values[plain.columns.indexOf("priceOfToken")][44],
    );
  });

  it("A/B: a plugin metric gets its paired difference; an arm against itself differs by 0", async () => {
    const s = spec(64, pluginRefs([RESERVE]));
    const r = await runExperiment(
      {
        ...s,
        kind: "compare",
        points: [
          { index: 0, params: {} },
          { index: 1, params: {}, scenario: s.scenario },
        ],
      },
      { workers: 1 },
    );
    const diffs = pairedDifferences(r.points[0]!, r.points[1]!);
    const d = diffs.find((x) => x.metric === "dollarPerToken")!;
    expect(d.mean).toBe(0);
    expect(d.n).toBe(64);
  });

  it("a worker whose plugin file differs from the experiment's refuses to run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-ref-"));
    const file = join(dir, "p.mjs");
    copyFileSync(RESERVE, file);
    const [ref] = pluginRefs([file]);
    writeFileSync(file, `${readFileSync(file, "utf8")}\n// edited on this machine\n`);
    await expect(loadPluginRefs([ref])).rejects.toThrow(/differs from the experiment's/);
    await expect(loadPluginRefs([{ ...ref, path: join(dir, "gone.mjs") }])).rejects.toThrow(
      /no such file on this worker/,
    );
  });

  it("bme montecarlo --plugin with 2 workers: a throwing policy fails its runs, exit 1 naming it and the day", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-plugin-mc-"));
    const bad = join(dir, "bad.mjs");
    writeFileSync(
      bad,
      'export const policies = [{ name: "thrower", decide(v) { if (v.day === 41) throw new Error("nope"); } }];\n',
    );
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        "montecarlo",
        WHITEPAPER,
        "--runs",
        "20",
        "--workers",
        "2",
        "--no-store",
        "--quiet",
        "--plugin",
        bad,
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("20 of 20 runs failed");
    expect(r.stderr).toContain('plugin "thrower" failed on day 41: nope');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("bme sensitivity --metric takes a plugin metric; an unknown one is refused naming the choices", () => {
    const ok = spawnSync(
      process.execPath,
      [
        CLI,
        "sensitivity",
        WHITEPAPER,
        "--runs",
        "4",
        "--days",
        "60",
        "--workers",
        "1",
        "--no-store",
        "--plugin",
        RESERVE,
        "--metric",
        "dollarPerToken",
      ],
      { encoding: "utf8" },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("dollarPerToken (mean over 4 runs)");
    const bad = spawnSync(
      process.execPath,
      [CLI, "sensitivity", WHITEPAPER, "--runs", "4", "--no-store", "--metric", "dollarPerToken"],
      { encoding: "utf8" },
    );
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--metric must be one of finalPrice");
    expect(bad.stderr).toContain('got "dollarPerToken"');
  });
});
