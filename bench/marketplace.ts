import { pathToFileURL } from "node:url";
import type { ScenarioInput } from "../src/scenario/schema.js";
import { simulate } from "../src/simulate.js";

/**
 * Marketplace-mode benchmark: tasks scheduled per second and wall time for suppliers × tasks/day
 * × 180 days, at 1x and 10x in suppliers and in tasks (10,000 × 100,000 × 180 = 18 million tasks
 * is the target). Three regions, two resource types (CPU jobs need a CPU, GPU jobs a GPU), 5% dishonest
 * suppliers (so failures, re-queues and bond confiscations happen), one-day tasks, total capacity
 * 50% above demand.
 */
export function benchScenario(suppliers: number, tasksPerDay: number, days = 180): ScenarioInput {
  const capacity = Math.max(1, Math.ceil((1.5 * tasksPerDay) / suppliers));
  return {
    name: "bench-marketplace",
    mode: "marketplace",
    days,
    tokens: { initialSupply: 100_000_000, initialTokenReserve: 100_000_000 },
    phaseOne: { phaseOneDays: 10 },
    onchain: { buybackModulation: 0.8, fiatOperationsFraction: 0.3 },
    suppliers: [{ name: "modelInferenceProviders", count: suppliers, phaseOneTarget: suppliers }],
    consumers: [
      {
        name: "inference",
        row: "inferenceSeekers",
        unitPrice: 1.25,
        unitsPerJob: 24,
        jobsPerDay: { start: tasksPerDay / 2, noise: tasksPerDay / 50 },
      },
      {
        name: "gpuInference",
        row: "inferenceSeekers",
        unitPrice: 2.5,
        unitsPerJob: 24,
        jobsPerDay: { start: tasksPerDay / 2, noise: tasksPerDay / 50 },
      },
    ],
    consumerSentiment: 1_000_000,
    marketplace: {
      regions: ["us", "eu", "asia"],
      suppliers: {
        modelInferenceProviders: {
          resources: { cpu: 1, gpu: 1 },
          capacity,
          honesty: { dishonestShare: 0.05, honest: 0.99, dishonest: 0.3 },
        },
      },
      jobs: {
        inference: {
          resource: "cpu",
          durationDays: 1,
          deadlineDays: 3,
          incentive: { low: 0, high: 0.2 },
        },
        gpuInference: { resource: "gpu", durationDays: 1, deadlineDays: 3 },
      },
    },
  };
}

interface Point {
  suppliers: number;
  tasksPerDay: number;
  days: number;
  seconds: number;
  scheduled: number;
  heapMb: number;
}

function measure(suppliers: number, tasksPerDay: number, days = 180): Point {
  const scenario = benchScenario(suppliers, tasksPerDay, days);
  const t0 = performance.now();
  const r = simulate(scenario, { seed: 1 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  const q = r.marketplace!.queue;
  const accepted = q.values[q.columns.indexOf("acceptedTasks")];
  let scheduled = 0;
  for (const a of accepted) scheduled += a;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  return { suppliers, tasksPerDay, days, seconds, scheduled, heapMb };
}

const line = (p: Point) =>
  `marketplace ${p.suppliers.toLocaleString("en-US")} suppliers × ${p.tasksPerDay.toLocaleString("en-US")} tasks/day × ${p.days} days: ` +
  `${p.seconds.toFixed(2)} s, ${(p.scheduled / 1e6).toFixed(2)} M tasks scheduled, ` +
  `${Math.round(p.scheduled / p.seconds).toLocaleString("en-US")} tasks/s, heap after ${p.heapMb.toFixed(0)} MB`;

/** The figures for docs/benchmarks.md, one line each. */
export async function benchMarketplace(): Promise<string[]> {
  measure(1000, 10_000, 20); // warm-up
  const out: string[] = [];
  for (const [s, t] of [
    [1000, 10_000],
    [10_000, 10_000],
    [1000, 100_000],
    [10_000, 100_000],
  ] as const)
    out.push(line(measure(s, t)));
  // memory flat in days: the same market for 60 days
  out.push(line(measure(10_000, 100_000, 60)));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  for (const l of await benchMarketplace()) console.log(l);
