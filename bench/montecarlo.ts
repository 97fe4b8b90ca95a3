import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ExperimentSpec } from "../src/analysis/types.js";
import { runExperiment } from "../src/montecarlo/experiment.js";
import { expandSweep, parseAxis } from "../src/montecarlo/sweep.js";
import { loadScenario } from "../src/scenario/load.js";
import { VERSION } from "../src/version.js";

const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });

function spec(runs: number, points = expandSweep([], [])): ExperimentSpec {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  return {
    kind: "montecarlo",
    scenarioName: scenario.name,
    scenario,
    version: VERSION,
    seed: 1,
    runsPerPoint: runs,
    points,
    options: {},
  };
}

async function timed(s: ExperimentSpec, workers: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await runExperiment(s, { workers });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Child-process entry: run N runs with W workers and print the peak resident memory in MB. */
async function peakChild(runs: number, workers: number): Promise<void> {
  await runExperiment(spec(runs), { workers });
  console.log(String(process.resourceUsage().maxRSS / 1024));
}

/** `npm run bench`: whitepaper Monte Carlo with bands, worker threads, memory, sweeps. */
export async function benchMonteCarlo(): Promise<string[]> {
  const lines = [
    "montecarlo, whitepaper (180 days, noise on), bands of all 42 columns + outcome metrics:",
  ];
  await timed(spec(2000), 1); // warm-up
  for (const workers of [1, 2]) {
    const seconds = await timed(spec(10_000), workers);
    lines.push(
      `  10,000 runs, ${workers} worker${workers > 1 ? "s" : " (this thread)"}: ${seconds.toFixed(2)} s  (${f(10_000 / seconds)} runs/s, ${f((10_000 * 180) / seconds)} day-steps/s)`,
    );
  }
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--peak", "100000", "2"],
    { encoding: "utf8" },
  );
  lines.push(
    `  100,000 runs, 2 workers: peak memory ${child.stdout.trim() || `? (${child.stderr.trim().slice(0, 200)})`} MB`,
  );
  const sweep = spec(
    200,
    expandSweep(
      [
        parseAxis("--grid", "onchain.buybackModulation=0.5:1:0.1"),
        parseAxis("--grid", "onchain.fiatOperationsFraction=0.1,0.3"),
      ],
      [],
    ),
  );
  const seconds = await timed(sweep, 2);
  lines.push(
    `  sweep of ${sweep.points.length} points × 200 runs, 2 workers: ${seconds.toFixed(2)} s (${(sweep.points.length / seconds).toFixed(1)} points/s)`,
  );
  return lines;
}

if (process.argv[2] === "--peak") {
  peakChild(Number(process.argv[3]), Number(process.argv[4])).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
