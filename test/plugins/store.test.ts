import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPlugins } from "../../src/plugins/load.js";
import { openStore } from "../../src/results/store.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");
const RESERVE = join(ROOT, "examples/reserve-metrics.mjs");

function bme(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("plugin metrics in the results store (issue 12)", () => {
  it("are stored per run, read back by the library, exported by bme export", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-plugin-store-"));
    const store = join(dir, "r.duckdb");
    bme(
      dir,
      "montecarlo",
      WHITEPAPER,
      "--runs",
      "40",
      "--seed",
      "3",
      "--days",
      "60",
      "--plugin",
      RESERVE,
      "--store",
      store,
      "--quiet",
    );
    const s = await openStore(store, { readOnly: true });
    const [summary] = await s.listExperiments();
    const e = (await s.loadExperiment(summary!.id))!;
    await s.close();
    const metrics = e.points[0]!.outcomes.metrics;
    expect(Object.keys(metrics).slice(-3)).toEqual([
      "supplierIncome", // the last of OUTCOME_METRICS
      "reserveFloorDays",
      "dollarPerToken",
    ]);
    // run 17 of the stored experiment is the library's run 17 with the same metrics
    const { metrics: plugin } = await loadPlugins([RESERVE]);
    const scenario = loadScenario(WHITEPAPER, { days: 60 }).scenario;
    const alone = simulate(scenario, { seed: 3, run: 17, metrics: plugin });
    for (const [name, v] of Object.entries(alone.metrics!)) expect(metrics[name]![17]).toBe(v);

    const out = join(dir, "export");
    bme(dir, "export", summary!.id, "--store", store, "--out", out);
    const header = readFileSync(join(out, "outcomes.csv"), "utf8").split("\n")[0]!;
    expect(header.split(",").slice(-3)).toEqual([
      "supplierIncome", // the last of OUTCOME_METRICS
      "reserveFloorDays",
      "dollarPerToken",
    ]);
  });
});
