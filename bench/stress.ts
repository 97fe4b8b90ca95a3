import { availableParallelism } from "node:os";
import { compileScenario } from "../src/engine/compile.js";
import { kernelScratch, runKernel } from "../src/engine/kernel.js";
import { runStressOnWorkers } from "../src/feedback/stress.js";
import { StochasticInputs } from "../src/processes/generate.js";
import { runOne } from "../src/runOne.js";
import { loadScenario } from "../src/scenario/load.js";
import { parseScenario } from "../src/scenario/parse.js";
import type { Scenario } from "../src/scenario/schema.js";

const TYPES = ["imageLabeling", "tpuTraining", "gpuTraining", "inference"];
const each = (p: unknown) => Object.fromEntries(TYPES.map((n) => [n, p]));

/** One stochastic block per process, on every consumer type of the whitepaper. */
const PROCESSES: Record<string, object> = {
  gbm: { series: each({ gbm: { drift: 0.001, volatility: 0.03 } }) },
  ou: { series: each({ ou: { speed: 0.1, volatility: 0.05 } }) },
  jumps: { series: each({ jumps: { rate: 0.02, mean: -0.5, sd: 0.2 } }) },
  seasonality: { series: each({ seasonality: { period: 7, amplitude: 0.1 } }) },
  regimes: {
    regimes: {
      states: [{ name: "bull" }, { name: "bear", series: each({ scale: 0.7 }) }],
      transition: [
        [0.98, 0.02],
        [0.05, 0.95],
      ],
    },
  },
  shocks: {
    shocks: [{ series: TYPES, fromDay: 90, days: 30, factor: 0.4, rampDays: 5, recoveryDays: 30 }],
  },
  correlation: {
    series: each({ gbm: { volatility: 0.03 } }),
    factor: { loadings: each(0.7) },
  },
};

/** Day-steps per second of the kernel fed by generated inputs (best of `reps`). */
function measure(s: Scenario, runs: number, reps: number): number {
  const c = compileScenario(s);
  const gen = new StochasticInputs(c);
  const out = new Float64Array(c.columns.length * c.days);
  const scratch = kernelScratch(c);
  let best = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) {
      const o = runKernel(gen.forRun(1, i), 1, i, out, scratch);
      if (o.error) throw o.error;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (runs * c.days) / best;
}

/** `npm run bench stress`: the whitepaper with each stochastic process on (issue 12). */
export async function benchStress(): Promise<string[]> {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const lines = [
    `stochastic inputs (whitepaper, ${scenario.days} days, inputs generated per run + fast kernel), 1 thread:`,
  ];
  for (const [name, block] of Object.entries(PROCESSES)) {
    const s = parseScenario({ ...scenario, stochastic: block });
    measure(s, 2_000, 1);
    lines.push(`  ${name.padEnd(12)} ${f(measure(s, 10_000, 3))} day-steps/s`);
  }
  const defense = loadScenario("scenarios/stress/price-defense.yaml").scenario;
  const c = compileScenario(defense);
  const gen = new StochasticInputs(c);
  const out = new Float64Array(c.columns.length * c.days);
  const scratch = kernelScratch(c);
  const rate = (runs: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) runOne(gen.forRun(1, i), 1, i, out, { scratch });
    return (runs * c.days) / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  rate(200);
  lines.push(`  rule (price-defense, fused feedback kernel) ${f(rate(1_000))} day-steps/s`);
  return [...lines, ...(await benchStressBattery())];
}

/** Wall time of one `bme stress` battery (5 shocks × `runs` runs) on the machine's cores. */
async function batteryWall(file: string, runs: number): Promise<number> {
  const { scenario } = loadScenario(file);
  const t0 = process.hrtime.bigint();
  await runStressOnWorkers(scenario, { runs, seed: 1, workers: availableParallelism() });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * `bme stress`'s battery (issue 13): 10,000 runs per shock of the aggregate death spiral (fused
 * feedback kernel) and 20 of its marketplace twin (marketplace engine), on the machine's cores.
 */
export async function benchStressBattery(): Promise<string[]> {
  const workers = availableParallelism();
  const agg = await batteryWall("scenarios/feedback/death-spiral.yaml", 10_000);
  const mkt = await batteryWall("scenarios/feedback/death-spiral-marketplace.yaml", 20);
  return [
    `bme stress battery (5 shocks, 240 days), ${workers} workers:`,
    `  death-spiral, 10,000 runs per shock              ${agg.toFixed(1)} s wall`,
    `  death-spiral-marketplace, 20 runs per shock      ${mkt.toFixed(1)} s wall`,
  ];
}
