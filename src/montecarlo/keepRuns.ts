import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExperimentSpec } from "../analysis/types.js";
import { compileScenario } from "../engine/compile.js";
import { kernelScratch } from "../engine/kernel.js";
import { resultFromBuffer } from "../engine/result.js";
import { runAggregateRun } from "../feedback/run.js";
import { toCsv } from "../io/table.js";
import { scenarioWarnings } from "../scenario/checks.js";
import { VERSION } from "../version.js";
import { pointScenario } from "./chunk.js";

/**
 * `--keep-runs`: every run's full daily table, `DIR/runs/point-<p>/run-<r>.csv` (the same
 * bytes `bme run --seed S --run r` writes for that point's scenario). Runs are recomputed
 * from their seeds rather than kept in memory, so the bands stay memory-bounded.
 */
export function writeRunTables(spec: ExperimentSpec, dir: string): number {
  let files = 0;
  for (const point of spec.points) {
    const scenario = pointScenario(spec.scenario, point);
    const c = compileScenario(scenario);
    const data = new Float64Array(c.columns.length * c.days);
    const scratch = kernelScratch(c);
    const folder = join(dir, "runs", `point-${point.index}`);
    mkdirSync(folder, { recursive: true });
    const warnings = scenarioWarnings(scenario);
    for (let run = 0; run < spec.runsPerPoint; run++) {
      const o = runAggregateRun(c, spec.seed, run, data, scratch);
      const meta = {
        scenarioName: scenario.name,
        seed: spec.seed,
        run,
        version: VERSION,
        mode: scenario.mode,
        scenario,
        warnings,
      };
      writeFileSync(
        join(folder, `run-${run}.csv`),
        toCsv(resultFromBuffer(meta, c.columns, data, c.days, o.daysCompleted, o.error)),
      );
      files++;
    }
  }
  return files;
}
