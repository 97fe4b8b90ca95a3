import { compileScenario } from "../engine/compile.js";
import { hasStochastic, StochasticInputs } from "../processes/generate.js";
import { runFeedbackKernel } from "./kernel.js";
import { compileFeedback, type FeedbackPlan } from "./plan.js";
import { runMarketStressChunk } from "./stressMarket.js";
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
import { NO_SHOCK, type ShockDays } from "./stressShocks.js";

export type { StressPartial, StressTask } from "./stressMetrics.js";

/** The shock as days (the fused kernel's form of `shockSteps`). */
export function shockDays(shock: ShockName, shockDay: number, pool: boolean): ShockDays {
  const crash = shock === "demandCrash" || shock === "combined";
  const collapse = shock === "sentimentCollapse" || shock === "combined";
  const wave = shock === "sellWave" || (shock === "combined" && pool);
  return {
    crashFrom: crash ? shockDay : NO_SHOCK.crashFrom,
    collapseFrom: collapse ? shockDay : NO_SHOCK.collapseFrom,
    sellWaveDay: wave ? shockDay : NO_SHOCK.sellWaveDay,
  };
}

/**
 * Runs runStart … runEnd−1 of one shock on the fused feedback kernel, run i seeded from
 * (seed, i): its stochastic inputs generated, its governance rules in force, the shock applied.
 * Every value depends on the run alone, so any chunking gives the same values. A marketplace-mode
 * scenario runs on the marketplace engine (`runMarketStressChunk`).
 */
export function runStressChunk(task: StressTask, planIn?: FeedbackPlan): StressPartial {
  if (task.scenario.mode === "marketplace") return runMarketStressChunk(task);
  const series = loopSeriesOf("aggregate");
  const { scenario, seed, shock, shockDay, runStart, runEnd } = task;
  const c = compileScenario(scenario);
  const plan = planIn ?? compileFeedback(scenario) ?? undefined;
  const inputs = hasStochastic(scenario) ? new StochasticInputs(c) : null;
  const days = c.days;
  const cols = columnsOf(c.columns);
  const days_ = shockDays(shock, shockDay, (plan?.amm ?? null) !== null);
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
    const cc = inputs ? inputs.forRun(seed, run) : c;
    const o = runFeedbackKernel(cc, seed, run, out, { plan, rules, shock: days_ });
    const m = stressMetrics(out, days, Math.max(1, o.daysCompleted), shockDay, cols);
    STRESS_METRICS.forEach((name, j) => {
      metrics[j][k] = m[name];
    });
    if (o.error) failed[k] = 1;
    if (k < pathCount)
      series.forEach((s, si) => {
        const at = (si * pathCount + k) * days;
        for (let t = 0; t < days; t++)
          paths[at + t] = t < o.daysCompleted ? loopValue(out, days, t, cols, s) : Number.NaN;
      });
  }
  return { runStart, runEnd, metrics, failed, paths, pathCount };
}
