import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import type { ExperimentSpec } from "../src/analysis/types.js";
import { runExperiment } from "../src/montecarlo/experiment.js";
import { distributedChunks, runDistributedExperiment } from "../src/queue/coordinator.js";
import { parseQueueUrl } from "../src/queue/url.js";
import { openStore } from "../src/results/index.js";
import { loadScenario } from "../src/scenario/load.js";
import { VERSION } from "../src/version.js";

const RUNS = 20_000;
const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });

function spec(): ExperimentSpec {
  const { scenario } = loadScenario("scenarios/whitepaper.yaml");
  return {
    kind: "montecarlo",
    scenarioName: scenario.name,
    scenario,
    version: VERSION,
    seed: 1,
    runsPerPoint: RUNS,
    points: [{ index: 0, params: {} }],
    options: {},
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once("exit", r));
  process.kill(p.pid!, "SIGTERM");
  await exited;
}

/**
 * `npm run bench`: a 20,000-run whitepaper Monte Carlo (180 days) on 1, 2 and 4 `bme worker`
 * processes through a local redis-server, against worker threads in one process.
 */
export async function benchQueue(): Promise<string[]> {
  const lines = [
    `queue, whitepaper (180 days), ${f(RUNS)} runs (queue: ${distributedChunks(RUNS).length} chunks of whole 1,024-run blocks), coordinator + redis-server on this machine:`,
  ];
  const s = spec();
  const rate = new Map<string, number>();
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    await runExperiment(s, { workers });
    const sec = (performance.now() - t0) / 1000;
    rate.set(`local ${workers}`, RUNS / sec);
    lines.push(
      `  local, ${workers} worker thread${workers > 1 ? "s" : ""}: ${sec.toFixed(2)} s  (${f(RUNS / sec)} runs/s)`,
    );
  }
  const port = await freePort();
  const redis = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const dir = mkdtempSync(join(tmpdir(), "bme-bench-queue-"));
  const workers: ChildProcess[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const c = new Redis({ port, lazyConnect: true, retryStrategy: () => null });
      c.on("error", () => {});
      try {
        await c.connect();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        c.disconnect();
      }
    }
    const url = `redis://127.0.0.1:${port}`;
    for (const n of [1, 2, 4]) {
      while (workers.length < n)
        workers.push(
          spawn(
            process.execPath,
            [CLI, "worker", "--queue", url, "--concurrency", "1", "--quiet"],
            { stdio: "ignore" },
          ),
        );
      await new Promise((r) => setTimeout(r, 1500)); // the workers start up and listen
      const store = await openStore(join(dir, `w${n}.duckdb`));
      const t0 = performance.now();
      await runDistributedExperiment(s, parseQueueUrl(url), { store, pollMs: 50 });
      const sec = (performance.now() - t0) / 1000;
      await store.close();
      rate.set(`queue ${n}`, RUNS / sec);
      lines.push(
        `  queue, ${n} worker process${n > 1 ? "es" : ""} (1 thread each): ${sec.toFixed(2)} s  (${f(RUNS / sec)} runs/s)`,
      );
    }
    const ratio = rate.get("queue 2")! / rate.get("local 2")!;
    lines.push(
      `  queue with 2 worker processes / local with 2 worker threads: ${(100 * ratio).toFixed(0)}% of the throughput (aim ≥ 80%: ${ratio >= 0.8 ? "met" : "NOT met"})`,
    );
  } finally {
    for (const w of workers) await stop(w);
    await stop(redis);
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}
