import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ExperimentSpec } from "../src/analysis/types.js";
import { compileScenario } from "../src/engine/compile.js";
import { phaseClock } from "../src/montecarlo/chunk.js";
import { runExperiment } from "../src/montecarlo/experiment.js";
import { expandSweep, parseAxis } from "../src/montecarlo/sweep.js";
import { loadScenario } from "../src/scenario/load.js";
import { VERSION } from "../src/version.js";
import { measureLockstep } from "./engine.js";

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

/** Wall seconds and peak memory (MB, GNU time) of one whole `bme` process; null memory without GNU time. */
function wholeCommand(args: string[]): { seconds: number; peakMb: number | null } {
  const time = "/usr/bin/time";
  const useTime = spawnSync(time, ["-f", "%M", "true"]).status === 0;
  // the CLI run as a program, as a user's `bme` runs it (its launcher line included)
  const cmd = useTime ? time : CLI;
  const argv = useTime ? ["-f", "%M", CLI, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`bme ${args.join(" ")} failed: ${r.stderr.slice(-300)}`);
  const kb = useTime ? Number(r.stderr.trim().split("\n").at(-1)) : Number.NaN;
  return { seconds, peakMb: Number.isFinite(kb) ? kb / 1024 : null };
}

/**
 * Where a Monte Carlo's time goes, phase by phase: `runs` runs in this thread (as one worker
 * thread runs its share), in CPU seconds and as a share of the kernel's time.
 */
async function breakdown(runs: number): Promise<string[]> {
  await timed(spec(2048 + 1024), 1); // warm-up (histogram path)
  phaseClock.seconds = {};
  phaseClock.enabled = true;
  const u0 = process.cpuUsage();
  const total = await timed(spec(runs), 1);
  const u = process.cpuUsage(u0);
  phaseClock.enabled = false;
  const kernel = phaseClock.seconds.kernel ?? Number.NaN;
  const lines = [
    `  breakdown, ${runs.toLocaleString("en-US")} runs in this thread: ${total.toFixed(2)} s wall, ${((u.user + u.system) / 1e6).toFixed(2)} s CPU (whole process)`,
  ];
  const phases = Object.entries(phaseClock.seconds).sort((a, b) => b[1] - a[1]);
  const counted = phases.reduce((a, [, s]) => a + s, 0);
  for (const [phase, s] of phases)
    lines.push(
      `    ${phase.padEnd(36)} ${s.toFixed(3)} s CPU  (${(s / kernel).toFixed(2)}× the kernel)`,
    );
  const cpu = (u.user + u.system) / 1e6;
  lines.push(
    `    ${"the rest (set-up, garbage collection)".padEnd(36)} ${(cpu - counted).toFixed(3)} s CPU`,
  );
  return lines;
}

/** The aims of issue 11 for the Monte Carlo path, each beside its measured figure. */
async function aims(): Promise<string[]> {
  const lines = ["  aims (issue 11), whitepaper (180 days), bands of every column:"];
  const runs = 20_000;
  const c = compileScenario(spec(runs).scenario);
  measureLockstep(c, 32, 10_240, 1); // warm-up
  const kernel = (runs * c.days) / measureLockstep(c, 32, runs, 3);
  let mc = Number.POSITIVE_INFINITY;
  for (let rep = 0; rep < 3; rep++) mc = Math.min(mc, await timed(spec(runs), 1));
  lines.push(
    `    bands cost: ${runs.toLocaleString("en-US")} runs, 1 thread: Monte Carlo ${mc.toFixed(2)} s / kernel alone ${kernel.toFixed(2)} s = ${(mc / kernel).toFixed(2)}×  (aim ≤ 1.5×)`,
  );
  const args = ["montecarlo", "scenarios/whitepaper.yaml", "--no-store", "--quiet"];
  const tenK = [0, 1, 2].map(() => wholeCommand([...args, "--runs", "10000", "--workers", "2"]));
  const best = Math.min(...tenK.map((t) => t.seconds));
  lines.push(
    `    whole command, 10,000 runs, 2 workers: ${best.toFixed(2)} s best of 3, peak ${tenK[0].peakMb?.toFixed(0) ?? "?"} MB  (aim < 0.5 s)`,
  );
  const priceOnly = [0, 1, 2].map(() =>
    wholeCommand([
      ...args,
      "--runs",
      "10000",
      "--workers",
      "2",
      "--columns",
      "priceOfToken,supply",
    ]),
  );
  lines.push(
    `    whole command, 10,000 runs, 2 workers, --columns priceOfToken,supply: ${Math.min(...priceOnly.map((t) => t.seconds)).toFixed(2)} s best of 3`,
  );
  if (process.env.BENCH_FULL === "1") {
    const m = wholeCommand([...args, "--runs", "1000000", "--workers", "2"]);
    lines.push(
      `    whole command, 1,000,000 runs, 2 workers: ${m.seconds.toFixed(1)} s, peak ${m.peakMb === null ? "?" : m.peakMb.toFixed(0)} MB  (aim < 30 s, < 1 GB)`,
    );
  } else
    lines.push(
      "    whole command, 1,000,000 runs: set BENCH_FULL=1 (aim < 30 s, < 1 GB on 2 cores)",
    );
  return lines;
}

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
  lines.push(...(await breakdown(10_000)));
  lines.push(...(await aims()));
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

if (process.argv[2] === "--breakdown") {
  // `node dist/bench/montecarlo.js --breakdown [runs]`: the per-phase breakdown alone
  breakdown(Number(process.argv[3] ?? 10_000)).then(
    (lines) => console.log(lines.join("\n")),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
