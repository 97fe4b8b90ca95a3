import { compileScenario } from "../src/engine/compile.js";
import { kernelScratch, runKernel, runKernelBatch } from "../src/engine/kernel.js";
import { runReference } from "../src/engine/reference.js";
import { FEEDBACK_BATCH, feedbackBatchScratch, runFeedbackBatch } from "../src/feedback/batch.js";
import { runFeedbackAggregate } from "../src/feedback/day.js";
import { runFeedbackKernel } from "../src/feedback/kernel.js";
import { compileFeedback } from "../src/feedback/plan.js";
import { loadScenario } from "../src/scenario/load.js";
import type { Scenario } from "../src/scenario/schema.js";

/** The whitepaper with every feedback part on: churn with capacity, sales, speculators, a pool, elastic demand. */
export function allFeedback(base: Scenario): Scenario {
  const classes = Object.fromEntries(
    base.suppliers
      .filter((k) => k.phaseOneTarget > 0)
      .map((k) => [
        k.name,
        {
          costPerDay: 900,
          dynamic: { start: k.phaseOneTarget },
          entryElasticity: 0.05,
          exitElasticity: 0.1,
          maxEntryRate: 0.02,
          maxExitRate: 0.05,
          jobsPerSupplierPerDay: 60,
        },
      ]),
  );
  return {
    ...base,
    feedback: {
      suppliers: { lagDays: 7, validatorsAreSuppliers: false, classes },
      sales: { sellShare: 0.5, sellOverDays: 3, validatorsSell: true },
      speculators: { momentumDays: 7, sensitivity: 2, capitalUsd: 10_000 },
      amm: { poolTokens: 500_000, poolUsd: 500_000 },
      consumers: Object.fromEntries(
        base.consumers.map((c) => [
          c.name,
          { referencePrice: 40, elasticity: 0.5, maxMultiplier: 2, queueLossSensitivity: 0 },
        ]),
      ),
    },
  } as Scenario;
}

/**
 * Day-steps per CPU-second (process.cpuUsage: the machine is shared, and CPU time is less
 * disturbed by other processes than wall time) of `runs` runs through `one`, best of `reps`.
 */
function stepsPerSecond(
  days: number,
  runs: number,
  reps: number,
  one: (i: number) => void,
  stride = 1,
): number {
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < runs; i += stride) one(i);
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e6);
  }
  return (runs * days) / best;
}

/**
 * `npm run bench feedback`: day-steps per CPU-second with all feedback on (fused feedback kernel,
 * step sequence, and the lockstep feedback kernel at 16, 32 and 64 runs, each also against the
 * plain kernel at the same width) against the plain kernel in its best configuration (one run
 * at a time or 16, 32, 64 runs in lockstep, whichever is fastest in this measurement): the aim
 * is the feedback kernel's best width at ≥ half the plain kernel's best. The stress battery's
 * wall time is `npm run bench stress`'s (bench/stress.ts).
 */
export async function benchFeedback(): Promise<string[]> {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  const plain = compileScenario(scenario);
  const fed = compileScenario(allFeedback(scenario));
  const plan = compileFeedback(fed.scenario);
  if (!plan) throw new Error("no feedback plan");
  const outPlain = new Float64Array(plain.columns.length * plain.days * 64);
  const outFed = new Float64Array(fed.columns.length * fed.days);
  const scratch = kernelScratch(plain);
  const kernel = (i: number) => runKernel(plain, 1, i, outPlain, scratch);
  const lockstep = (batch: number) => {
    const s = kernelScratch(plain, batch);
    return (i: number) => runKernelBatch(plain, 1, i, batch, outPlain, s);
  };
  const batches = [16, 32, 64].map((b) => ({ b, run: lockstep(b) }));
  const reference = (i: number) => runReference(plain, 1, i, outPlain);
  const steps = (i: number) => {
    const o = runFeedbackAggregate(fed, 1, i, outFed, plan);
    if (o.error) throw o.error;
  };
  const options = { plan };
  const fused = (i: number) => {
    const o = runFeedbackKernel(fed, 1, i, outFed, options);
    if (o.error) throw o.error;
  };
  // the feedback kernel in lockstep at the plain kernel's widths (the stress battery's is FEEDBACK_BATCH)
  const feedbackLockstep = (batch: number) => {
    const s = feedbackBatchScratch(fed, plan, batch);
    const o = new Float64Array(fed.columns.length * fed.days * batch);
    return (i: number) => {
      runFeedbackBatch(fed, 1, i, batch, o, s, options);
      for (const e of s.errors) if (e) throw e;
    };
  };
  const fedBatches = [...new Set([FEEDBACK_BATCH, 16, 32, 64])].map((b) => ({
    b,
    run: feedbackLockstep(b),
  }));
  stepsPerSecond(plain.days, 10_240, 1, kernel);
  for (const { b, run } of batches) stepsPerSecond(plain.days, 10_240, 1, run, b);
  stepsPerSecond(plain.days, 1_000, 1, reference);
  const r = stepsPerSecond(plain.days, 3_000, 3, reference);
  stepsPerSecond(fed.days, 1_000, 1, steps);
  const f = stepsPerSecond(fed.days, 3_000, 3, steps);
  stepsPerSecond(fed.days, 3_000, 1, fused);
  for (const { b, run } of fedBatches) stepsPerSecond(fed.days, 3_072, 1, run, b);
  // the plain kernel's configurations and the feedback kernel's alternately, best of each
  let one = 0;
  const best = new Map<number, number>();
  let ff = 0;
  const fedBest = new Map<number, number>();
  for (let round = 0; round < 6; round++) {
    one = Math.max(one, stepsPerSecond(plain.days, 10_240, 1, kernel));
    for (const { b, run } of batches)
      best.set(b, Math.max(best.get(b) ?? 0, stepsPerSecond(plain.days, 10_240, 1, run, b)));
    ff = Math.max(ff, stepsPerSecond(fed.days, 4_000, 1, fused));
    for (const { b, run } of fedBatches)
      fedBest.set(b, Math.max(fedBest.get(b) ?? 0, stepsPerSecond(fed.days, 4_096, 1, run, b)));
  }
  const [bestBatch, bestLockstep] = [...best].sort((x, y) => y[1] - x[1])[0];
  const kk = Math.max(one, bestLockstep);
  const which = one >= bestLockstep ? "one run at a time" : `${bestBatch} runs in lockstep`;
  const [fedBatch, fb] = [...fedBest].sort((x, y) => y[1] - x[1])[0];
  const n = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const pct = (x: number) => `${((100 * x) / kk).toFixed(0)}% of the plain kernel's best`;
  const same = (b: number, x: number) => {
    const p = best.get(b);
    return p ? `; ${((100 * x) / p).toFixed(0)}% of the plain kernel ${b} in lockstep` : "";
  };
  return [
    `feedback, ${scenario.name} (${plain.days} days, noise on), 1 thread, day-steps per CPU-second:`,
    `  plain kernel, one run at a time ${n(one)}`,
    ...[...best].map(([b, v]) => `  plain kernel, ${`${b} in lockstep`.padEnd(16)} ${n(v)}`),
    `  plain kernel's best: ${which}`,
    `  plain step sequence             ${n(r)}`,
    `  all feedback on, step sequence  ${n(f)}  (${pct(f)})`,
    `  all feedback on, fused kernel   ${n(ff)}  (${pct(ff)}; ${((100 * ff) / one).toFixed(0)}% of one plain run at a time)`,
    ...[...fedBest].map(
      ([b, v]) =>
        `  all feedback on, ${`${b} in lockstep`.padEnd(14)} ${n(v)}  (${pct(v)}${same(b, v)})`,
    ),
    `  all feedback on, best (${fedBatch} in lockstep) against the plain kernel's best: ${((100 * fb) / kk).toFixed(0)}% (aim ≥ 50%: ${Math.max(ff, fb) >= kk / 2 ? "met" : "not met"})`,
  ];
}
