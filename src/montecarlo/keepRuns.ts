import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExperimentSpec } from "../analysis/types.js";
import { compileScenario } from "../engine/compile.js";
import { kernelScratch } from "../engine/kernel.js";
import { resultFromBuffer } from "../engine/result.js";
import { feedbackPlanOf } from "../feedback/run.js";
import { toCsv } from "../io/table.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { runOne } from "../runOne.js";
import { scenarioWarnings } from "../scenario/checks.js";
import { VERSION } from "../version.js";
import { pointScenario } from "./chunk.js";

/**
 * The run tables an earlier `--keep-runs` left in `runs` (`point-<p>/run-<r>.csv`, nothing
 * else), so a folder never mixes two experiments' runs; a folder left empty is removed.
 */
function removeRunTables(runs: string): void {
  if (!existsSync(runs)) return;
  for (const point of readdirSync(runs)) {
    if (!/^point-\d+$/.test(point)) continue;
    const folder = join(runs, point);
    for (const f of readdirSync(folder)) if (/^run-\d+\.csv$/.test(f)) rmSync(join(folder, f));
    if (readdirSync(folder).length === 0) rmdirSync(folder);
  }
}

/**
 * `--keep-runs`: every run's full daily table, `DIR/runs/point-<p>/run-<r>.csv` (the same
 * bytes `bme run --seed S --run r` writes for that point's scenario; the run tables of an
 * earlier experiment in the same folder are removed first). Runs are recomputed
 * from their seeds rather than kept in memory, so the bands stay memory-bounded.
 */
export function writeRunTables(spec: ExperimentSpec, dir: string): number {
  removeRunTables(join(dir, "runs"));
  let files = 0;
  for (const point of spec.points) {
    const scenario = pointScenario(spec.scenario, point);
    const c = compileScenario(scenario);
    const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
    const data = new Float64Array(c.columns.length * c.days);
    const scratch = kernelScratch(c);
    const plan = scenario.feedback === undefined ? undefined : feedbackPlanOf(c);
    const folder = join(dir, "runs", `point-${point.index}`);
    mkdirSync(folder, { recursive: true });
    const warnings = scenarioWarnings(scenario);
    for (let run = 0; run < spec.runsPerPoint; run++) {
      const cc = inputs ? inputs.forRun(spec.seed, run) : c;
      const o = runOne(cc, spec.seed, run, data, { scratch, plan });
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
