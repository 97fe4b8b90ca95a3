import type { ExperimentSpec } from "../src/analysis/types.js";
import { runExperiment } from "../src/montecarlo/experiment.js";
import { pluginRefs } from "../src/plugins/refs.js";
import { loadScenario } from "../src/scenario/load.js";

/** Runs per second of a whole Monte Carlo of the whitepaper (best of `reps`), 1 thread. */
async function runsPerSecond(plugins: string[], runs: number, reps: number): Promise<number> {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  const spec: ExperimentSpec = {
    kind: "montecarlo",
    scenarioName: scenario.name,
    scenario,
    version: "bench",
    seed: 1,
    runsPerPoint: runs,
    points: [{ index: 0, params: {} }],
    options: plugins.length > 0 ? { plugins: pluginRefs(plugins) } : {},
  };
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    await runExperiment(spec, { workers: 1 });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return runs / best;
}

/**
 * `npm run bench plugins`: Monte Carlo speed with a plugin policy (examples/price-guard.mjs,
 * which also forces the step-sequence engine) and with plugin metrics only, next to the plain
 * fast-kernel Monte Carlo (issue 12).
 */
export async function benchPlugins(): Promise<string[]> {
  const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const cases: [string, string[]][] = [
    ["no plugin (fast kernel)", []],
    ["plugin policy + metric (price-guard)", ["examples/price-guard.mjs"]],
    ["plugin metrics only (reserve-metrics)", ["examples/reserve-metrics.mjs"]],
  ];
  const lines = ["Monte Carlo with plugins (whitepaper, 180 days, 2,048 runs, 1 thread):"];
  for (const [name, plugins] of cases) {
    await runsPerSecond(plugins, 1024, 1);
    lines.push(`  ${name.padEnd(40)} ${f(await runsPerSecond(plugins, 2048, 3))} runs/s`);
  }
  return lines;
}
