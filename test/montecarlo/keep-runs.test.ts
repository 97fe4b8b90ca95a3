import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statfsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PointSpec } from "../../src/analysis/types.js";
import { toCsv } from "../../src/io/table.js";
import { runTablesBytes, writeRunTables } from "../../src/montecarlo/keepRuns.js";
import { loadScenario, prepareScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

describe("--keep-runs", () => {
  it("writes every run of every point, each the table `bme run --seed S --run i` writes", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 50 });
    const dir = mkdtempSync(join(tmpdir(), "bme-keep-"));
    const points: PointSpec[] = [
      { index: 0, params: {} },
      { index: 1, params: { "onchain.buybackModulation": 0.5 } },
    ];
    const n = writeRunTables(
      {
        kind: "sweep",
        scenarioName: scenario.name,
        scenario,
        version: VERSION,
        seed: 6,
        runsPerPoint: 3,
        points,
        options: {},
      },
      dir,
    );
    expect(n).toBe(6);
    expect(readdirSync(join(dir, "runs", "point-1")).sort()).toEqual([
      "run-0.csv",
      "run-1.csv",
      "run-2.csv",
    ]);
    const changed = prepareScenario(scenario, { set: ["onchain.buybackModulation=0.5"] }).scenario;
    expect(readFileSync(join(dir, "runs", "point-1", "run-2.csv"), "utf8")).toBe(
      toCsv(simulate(changed, { seed: 6, run: 2 })),
    );
    expect(readFileSync(join(dir, "runs", "point-0", "run-0.csv"), "utf8")).toBe(
      toCsv(simulate(scenario, { seed: 6, run: 0 })),
    );
  });

  it("estimates its files' size from the first run's table, and refuses more than the disk has", () => {
    const { scenario } = loadScenario(WHITEPAPER, { days: 20 });
    const spec = {
      kind: "montecarlo" as const,
      scenarioName: scenario.name,
      scenario,
      version: VERSION,
      seed: 4,
      runsPerPoint: 3,
      points: [{ index: 0, params: {} }],
      options: {},
    };
    const dir = mkdtempSync(join(tmpdir(), "bme-keep-size-"));
    writeRunTables(spec, dir);
    const sizes = [0, 1, 2].map((r) => statSync(join(dir, "runs", "point-0", `run-${r}.csv`)).size);
    // three times run 0's file, within the digits the other runs differ by
    expect(runTablesBytes(spec)).toBe(3 * sizes[0]);
    expect(Math.abs(runTablesBytes(spec) - (sizes[0] + sizes[1] + sizes[2]))).toBeLessThan(
      0.05 * sizes[0],
    );
    // more runs than this disk holds: refused before any run, naming the sizes, exit 2
    const { blocks, bsize } = statfsSync(dir);
    const runs = Math.ceil((2 * blocks * bsize) / (sizes[0] * (180 / 20)));
    const out = join(dir, "big");
    const r = spawnSync(
      process.execPath,
      [
        new URL("../../dist/src/cli/main.js", import.meta.url).pathname,
        "montecarlo",
        WHITEPAPER,
        "--runs",
        String(runs),
        "--no-store",
        "--keep-runs",
        "--out",
        out,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: --keep-runs: ${runs.toLocaleString("en-US")} run tables, about [\\d.]+ GB, more than the [\\d.]+ GB free on the disk of ${out}: keep fewer runs`,
      ),
    );
    expect(readdirSync(dir)).toEqual(["runs"]);
  });
});
