import { compileScenario } from "../engine/compile.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { FEEDBACK_BATCH, feedbackBatchScratch, runFeedbackBatch } from "./batch.js";
import { runFeedbackKernel } from "./kernel.js";
import { compileFeedback, type FeedbackPlan } from "./plan.js";
import { runMarketStressChunk } from "./stressMarket.js";
import {
  collectStressChunk,
  type ShockName,
  type StressPartial,
  type StressTask,
} from "./stressMetrics.js";
import { DEFAULT_SHOCK_SIZES, NO_SHOCK, type ShockDays, type ShockSizes } from "./stressShocks.js";

export type { StressPartial, StressTask } from "./stressMetrics.js";

/** The shock as days and sizes (the fused kernel's form of `shockSteps`). */
export function shockDays(
  shock: ShockName,
  shockDay: number,
  pool: boolean,
  sizes: ShockSizes = DEFAULT_SHOCK_SIZES,
): ShockDays {
  const crash = shock === "demandCrash" || shock === "combined";
  const collapse = shock === "sentimentCollapse" || shock === "combined";
  const wave = shock === "sellWave" || (shock === "combined" && pool);
  return {
    crashFrom: crash ? shockDay : NO_SHOCK.crashFrom,
    collapseFrom: collapse ? shockDay : NO_SHOCK.collapseFrom,
    sellWaveDay: wave ? shockDay : NO_SHOCK.sellWaveDay,
    crashShare: sizes.crashShare,
    sellWaveShare: sizes.sellWaveShare,
  };
}

/**
 * Runs runStart … runEnd−1 of one shock on the fused feedback kernel (in lockstep batches,
 * `runFeedbackBatch`, when the scenario has no stochastic processes and no rules), run i seeded from
 * (seed, i): its stochastic inputs generated, its governance rules in force, the shock applied.
 * Every value depends on the run alone, so any chunking gives the same values. A marketplace-mode
 * scenario runs on the marketplace engine (`runMarketStressChunk`).
 */
export function runStressChunk(task: StressTask, planIn?: FeedbackPlan): StressPartial {
  if (task.scenario.mode === "marketplace") return runMarketStressChunk(task);
  const { scenario, seed, shock, shockDay } = task;
  const c = compileScenario(scenario);
  const plan = planIn ?? compileFeedback(scenario) ?? undefined;
  const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
  const days_ = shockDays(shock, shockDay, (plan?.amm ?? null) !== null, task.sizes);
  const rules = scenario.rules ?? [];
  if (!inputs && rules.length === 0 && plan) {
    // the lockstep kernel: FEEDBACK_BATCH runs at a time, each run's metrics read in the batch's table
    const scratch = feedbackBatchScratch(c, plan, FEEDBACK_BATCH);
    const batchOut = new Float64Array(c.columns.length * c.days * FEEDBACK_BATCH);
    let first = -1;
    let count = 0;
    return collectStressChunk(task, c.columns, c.days, "aggregate", (run) => {
      if (run < first || run >= first + count) {
        first = run;
        count = Math.min(FEEDBACK_BATCH, task.runEnd - run);
        runFeedbackBatch(c, seed, first, count, batchOut, scratch, { plan, shock: days_ });
      }
      const b = run - first;
      return {
        daysCompleted: scratch.daysCompleted[b],
        error: scratch.errors[b],
        batch: { table: batchOut, count, lane: b },
      };
    });
  }
  return collectStressChunk(task, c.columns, c.days, "aggregate", (run, out) =>
    runFeedbackKernel(inputs ? inputs.forRun(seed, run) : c, seed, run, out, {
      plan,
      rules,
      shock: days_,
    }),
  );
}
