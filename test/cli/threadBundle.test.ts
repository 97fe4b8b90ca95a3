import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_DIR } from "../helpers.js";

// The CLI's Monte Carlo starts its worker threads from the thread bundle built beside it
// (dist/src/cli/thread.mjs running bme-thread.cjs with its V8 code cache; decision 94). What is
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
  const lines = readFileSync(log, "utf8").trim().split("\n");
  return { ...r, scripts: lines.map((l) => JSON.parse(l) as Compiled) };
}

describe("the CLI's Monte Carlo worker threads", () => {
  it("run the thread bundle, compiled from a cache V8 accepts, and write what one thread writes", () => {
    const out = (workers: string) => join(dir, `w${workers}`);
    // 3,072 runs: histogram mode (above 2,048), three chunks, so both threads get work
    const args = (workers: string) => [
      "montecarlo",
      "scenarios/whitepaper.yaml",
      "--runs",
      "3072",
      "--no-store",
      "--quiet",
      "--workers",
      workers,
      "--out",
      out(workers),
    ];
    const two = traced(args("2"));
    expect(two.status, two.stderr).toBe(0);
    const threads = new Set(two.scripts.map((s) => s.thread).filter((t) => t !== 0));
    expect(threads.size).toBe(2);
    for (const t of threads) {
      const own = two.scripts.filter((s) => s.thread === t);
      // the thread's one bundle, nothing else compiled through the loader
      expect(own).toEqual([
        { thread: t, file: join(CLI_DIR, "bme-thread.cjs"), cached: true, rejected: false },
      ]);
    }
    const one = spawnSync(process.execPath, [join(CLI_DIR, "main.js"), ...args("1")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(one.status, one.stderr).toBe(0);
    const files = readdirSync(out("1")).sort();
    expect(files).toContain("bands.csv");
    expect(readdirSync(out("2")).sort()).toEqual(files);
    for (const f of files)
      expect(readFileSync(join(out("2"), f)).equals(readFileSync(join(out("1"), f))), f).toBe(
        true,
      );
  });
});
