import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PointSpec } from "../../src/analysis/types.js";
import { toCsv } from "../../src/io/table.js";
import { writeRunTables } from "../../src/montecarlo/keepRuns.js";
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
});
