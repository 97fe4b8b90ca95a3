import { scenarioExtensions } from "../day/extensions.js";
import type { StepInsertion } from "../day/sequence.js";
import { type CompiledScenario, compileScenario } from "../engine/compile.js";
import { runMarketplace } from "../marketplace/engine.js";
import { QCOL } from "../marketplace/result.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { type GovernanceChange, governanceStep } from "../rules/step.js";
import {
  collectStressChunk,
  type ShockName,
  type StressPartial,
  type StressTask,
} from "./stressMetrics.js";
import { crashWholeJobs, DEFAULT_SHOCK_SIZES, type ShockSizes } from "./stressShocks.js";
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
  sizes: ShockSizes = DEFAULT_SHOCK_SIZES,
): StepInsertion[] {
  const cumulative = new Float64Array(nC);
  const submitted = new Float64Array(nC);
  return shockSteps(
    shock,
    shockDay,
    pool,
    {
      crash: (jobs, share) => crashWholeJobs(jobs, cumulative, submitted, share),
      sellWithoutPool: false,
    },
    sizes,
  );
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
  const { scenario, seed, shock, shockDay } = task;
  const c = compileScenario(scenario);
  const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
  const pool = scenario.feedback?.amm !== undefined;
  const rules = scenario.rules ?? [];
  return collectStressChunk(task, c.columns, c.days, "marketplace", (run, out) => {
    const cc: CompiledScenario = inputs ? inputs.forRun(seed, run) : c;
    const log: GovernanceChange[] = [];
    const extensions = [
      ...scenarioExtensions(scenario),
      ...(rules.length > 0 ? [governanceStep(cc, rules, log)] : []),
      ...marketShockSteps(shock, shockDay, pool, c.nC, task.sizes),
    ];
    const o = runMarketplace(cc, seed, run, out, { extensions });
    const q = o.marketplace.queue.values;
    const queue = { waiting: q[QCOL.waitingTasks], expired: q[QCOL.expiredTasks] };
    return { daysCompleted: o.daysCompleted, error: o.error, queue };
  });
}
