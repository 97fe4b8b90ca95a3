import { scenarioExtensions } from "../day/extensions.js";
import type { StepInsertion } from "../day/sequence.js";
import { type CompiledScenario, compileScenario } from "../engine/compile.js";
import { runMarketplace } from "../marketplace/engine.js";
import { QCOL } from "../marketplace/result.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { type GovernanceChange, governanceStep } from "../rules/step.js";
import {
  columnsOf,
  loopSeriesOf,
  loopValue,
  type ShockName,
  STRESS_METRICS,
  type StressPartial,
  type StressTask,
  stressMetrics,
} from "./stressMetrics.js";
import { crashWholeJobs } from "./stressShocks.js";
import { shockSteps } from "./stressSteps.js";

/**
 * The battery's shock as steps inserted into marketplace mode's day (docs/model-feedback.md,
 * "Stress battery", marketplace mode): `shockSteps` with demandCrash on the day's whole jobs
 * (`crashWholeJobs`, before they are submitted, so the scheduler and its queue see the crashed
 * demand) and no sell wave without a pool. Build one set per run: the crash keeps the run's
 * running sum of crashed jobs.
 */
export function marketShockSteps(
  shock: ShockName,
  shockDay: number,
  pool: boolean,
  nC: number,
): StepInsertion[] {
  const cumulative = new Float64Array(nC);
  const submitted = new Float64Array(nC);
  return shockSteps(shock, shockDay, pool, {
    crash: (jobs) => crashWholeJobs(jobs, cumulative, submitted),
    sellWithoutPool: false,
  });
}

/**
 * Runs runStart … runEnd−1 of one shock in marketplace mode (src/marketplace/engine.ts, with the
 * scenario's feedback block), run i seeded from (seed, i): its stochastic inputs generated
 * (E23–E30), its governance rules in force (E38, E39, after the day's schedule as `simulate`
 * inserts them), the shock's steps inserted. The same metrics and loop series as aggregate mode,
 * plus the queue (tasks waiting, tasks expired). Every value depends on the run alone, so any
 * chunking (any number of workers) gives the same values.
 */
export function runMarketStressChunk(task: StressTask): StressPartial {
  const { scenario, seed, shock, shockDay, runStart, runEnd } = task;
  const c = compileScenario(scenario);
  const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
  const days = c.days;
  const cols = columnsOf(c.columns);
  const series = loopSeriesOf("marketplace");
  const pool = scenario.feedback?.amm !== undefined;
  const rules = scenario.rules ?? [];
  const n = runEnd - runStart;
  const pathCount = Math.max(0, Math.min(runEnd, task.pathRuns) - runStart);
  const metrics = STRESS_METRICS.map(() => new Float64Array(n));
  const failed = new Uint8Array(n);
  const paths = new Float64Array(series.length * pathCount * days);
  const out = new Float64Array(c.columns.length * days);
  for (let k = 0; k < n; k++) {
    const run = runStart + k;
    out.fill(0);
    const cc: CompiledScenario = inputs ? inputs.forRun(seed, run) : c;
    const log: GovernanceChange[] = [];
    const extensions = [
      ...scenarioExtensions(scenario),
      ...(rules.length > 0 ? [governanceStep(cc, rules, log)] : []),
      ...marketShockSteps(shock, shockDay, pool, c.nC),
    ];
    const o = runMarketplace(cc, seed, run, out, { extensions });
    const done = Math.max(1, o.daysCompleted);
    const m = stressMetrics(out, days, done, shockDay, cols);
    STRESS_METRICS.forEach((name, j) => {
      metrics[j][k] = m[name];
    });
    if (o.error) failed[k] = 1;
    if (k < pathCount) {
      const q = o.marketplace.queue.values;
      const queue = { waiting: q[QCOL.waitingTasks], expired: q[QCOL.expiredTasks] };
      series.forEach((s, si) => {
        const at = (si * pathCount + k) * days;
        for (let t = 0; t < days; t++)
          paths[at + t] =
            t < o.daysCompleted ? loopValue(out, days, t, cols, s, queue) : Number.NaN;
      });
    }
  }
  return { runStart, runEnd, metrics, failed, paths, pathCount };
}
