import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_DIR } from "../helpers.js";

// The CLI's Monte Carlo starts its worker threads from the thread bundle built beside it
// (dist/src/cli/thread.mjs running bme-thread.cjs with its V8 code cache; docs/decisions.md, "The worker thread is bundled"). What is
// asserted is which file each thread compiles, from which cache, and that the bytes written are
// those of one thread — never a time.
const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "bme-thread-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Compiled {
  thread: number;
  file: string;
  cached: boolean;
  rejected: boolean | undefined;
}

/** `bme args` with every vm.Script compiled (in any thread) recorded as it is made. */
function traced(args: string[]) {
  const log = join(dir, `scripts-${Math.random()}.jsonl`);
  writeFileSync(log, "");
  const hook = join(dir, "hook.cjs");
  // -r is inherited by worker threads (their execArgv); each line is appended at once, since a
  // thread that is terminated runs no exit handler
  writeFileSync(
    hook,
    `const vm = require("node:vm");
const { threadId } = require("node:worker_threads");
const { appendFileSync } = require("node:fs");
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    appendFileSync(${JSON.stringify(log)}, JSON.stringify({ thread: threadId, file: options.filename, cached: options.cachedData !== undefined, rejected: this.cachedDataRejected }) + "\\n");
  }
};`,
  );
  const r = spawnSync(process.execPath, ["-r", hook, join(CLI_DIR, "main.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  const lines = readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
  return { ...r, scripts: lines.map((l) => JSON.parse(l) as Compiled) };
}

/** `bme montecarlo` of the whitepaper, 30 days, `runs` runs on at most `workers` workers, into dir/<name>. */
function montecarlo(name: string, runs: number, workers: number, trace: boolean) {
  const args = [
    "montecarlo",
    "scenarios/whitepaper.yaml",
    "--runs",
    String(runs),
    "--days",
    "30",
    "--no-store",
    "--quiet",
    "--workers",
    String(workers),
    "--out",
    join(dir, name),
  ];
  if (trace) return traced(args);
  const r = spawnSync(process.execPath, [join(CLI_DIR, "main.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { ...r, scripts: [] as Compiled[] };
}

/** The files of two runs' --out folders are the same bytes. */
function expectSameFiles(a: string, b: string): void {
  const files = readdirSync(join(dir, a)).sort();
  expect(files).toContain("bands.csv");
  expect(readdirSync(join(dir, b)).sort()).toEqual(files);
  for (const f of files)
    expect(readFileSync(join(dir, b, f)).equals(readFileSync(join(dir, a, f))), f).toBe(true);
}

describe("the CLI's Monte Carlo worker threads", () => {
  it("run the thread bundle, compiled from a cache V8 accepts, and write what one thread writes", () => {
    // 8,192 runs: two threads' worth (MIN_THREAD_RUNS = 4,096 each), histogram mode
    const two = montecarlo("w2", 8192, 2, true);
    expect(two.status, two.stderr).toBe(0);
    // exactly one: this thread is one of the two lanes (decision 191), and the thread the CLI
    // started before reading the scenario is the other's (had the lane started its own, two
    // threads would have compiled the bundle)
    const threads = new Set(two.scripts.map((s) => s.thread).filter((t) => t !== 0));
    expect(threads.size).toBe(1);
    // the thread's one bundle, nothing else compiled through the loader
    for (const t of threads)
      expect(two.scripts.filter((s) => s.thread === t)).toEqual([
        { thread: t, file: join(CLI_DIR, "bme-thread.cjs"), cached: true, rejected: false },
      ]);
    const one = montecarlo("w1", 8192, 1, false);
    expect(one.status, one.stderr).toBe(0);
    expectSameFiles("w1", "w2");
  });

  it("are not started for work too small to pay for one (--workers is an upper bound)", () => {
    // 4,095 runs: less than two threads' worth, so this thread runs them, as with --workers 1
    const four = montecarlo("small-w4", 4095, 4, true);
    expect(four.status, four.stderr).toBe(0);
    expect(four.scripts.filter((s) => s.thread !== 0)).toEqual([]);
    expect(montecarlo("small-w1", 4095, 1, false).status).toBe(0);
    expectSameFiles("small-w1", "small-w4");
  });
});
