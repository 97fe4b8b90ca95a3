import { availableParallelism } from "node:os";
import { compileScenario } from "../src/engine/compile.js";
import { kernelScratch, runKernel } from "../src/engine/kernel.js";
import { runReference } from "../src/engine/reference.js";
import { runFeedbackAggregate } from "../src/feedback/day.js";
import { runFeedbackKernel } from "../src/feedback/kernel.js";
import { compileFeedback } from "../src/feedback/plan.js";
import { runStress, runStressOnWorkers } from "../src/feedback/stress.js";
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

function stepsPerSecond(
  days: number,
  runs: number,
  reps: number,
  one: (i: number) => void,
): number {
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) one(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (runs * days) / best;
}

/** Wall time of `f`, seconds. */
async function seconds(f: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * `npm run bench feedback`: day-steps/s with all feedback on (fused feedback kernel and step
 * sequence) vs the plain kernel, aim ≥ half; the 10,000-run stress battery's wall time.
 */
export async function benchFeedback(runs = 10_000): Promise<string[]> {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  const plain = compileScenario(scenario);
  const fed = compileScenario(allFeedback(scenario));
  const plan = compileFeedback(fed.scenario);
  if (!plan) throw new Error("no feedback plan");
  const outPlain = new Float64Array(plain.columns.length * plain.days);
  const outFed = new Float64Array(fed.columns.length * fed.days);
  const scratch = kernelScratch(plain);
  const kernel = (i: number) => runKernel(plain, 1, i, outPlain, scratch);
  const reference = (i: number) => runReference(plain, 1, i, outPlain);
  const steps = (i: number) => {
    const o = runFeedbackAggregate(fed, 1, i, outFed, plan);
    if (o.error) throw o.error;
  };
  const fused = (i: number) => {
    const o = runFeedbackKernel(fed, 1, i, outFed, { plan });
    if (o.error) throw o.error;
  };
  stepsPerSecond(plain.days, 10_000, 1, kernel);
  stepsPerSecond(plain.days, 1_000, 1, reference);
  const r = stepsPerSecond(plain.days, 3_000, 3, reference);
  stepsPerSecond(fed.days, 1_000, 1, steps);
  const f = stepsPerSecond(fed.days, 3_000, 3, steps);
  stepsPerSecond(fed.days, 3_000, 1, fused);
  // the plain and the fused feedback kernel alternately, best of each: the machine is shared
  let kk = 0;
  let ff = 0;
  for (let round = 0; round < 6; round++) {
    kk = Math.max(kk, stepsPerSecond(plain.days, 10_000, 1, kernel));
    ff = Math.max(ff, stepsPerSecond(fed.days, 4_000, 1, fused));
  }
  const { scenario: spiral } = loadScenario("scenarios/feedback/death-spiral.yaml");
  const workers = availableParallelism();
  const small = Math.min(runs, 1_000);
  const one = await seconds(() => runStress(spiral, { runs: small, seed: 1 }));
  const wall = await seconds(() => runStressOnWorkers(spiral, { runs, seed: 1, workers }));
  const n = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const pct = (x: number) => `${((100 * x) / kk).toFixed(0)}% of the plain kernel`;
  return [
    `feedback, ${scenario.name} (${plain.days} days, noise on), 1 thread:`,
    `  plain fast kernel               ${n(kk)} day-steps/s`,
    `  plain step sequence             ${n(r)} day-steps/s`,
    `  all feedback on, step sequence  ${n(f)} day-steps/s  (${pct(f)})`,
    `  all feedback on, fused kernel   ${n(ff)} day-steps/s  (${pct(ff)}; aim ≥ 50%: ${ff >= kk / 2 ? "met" : "not met"})`,
    `  bme stress death-spiral, ${n(small)} runs × 5 shocks (${spiral.days} days), 1 thread: ${one.toFixed(1)} s`,
    `  bme stress death-spiral, ${n(runs)} runs × 5 shocks, ${workers} workers: ${wall.toFixed(1)} s`,
  ];
}
