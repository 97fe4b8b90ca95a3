import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { WHITEPAPER } from "../helpers.js";

const MAIN = resolve(import.meta.dirname, "../../dist/src/cli/main.js");

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Ctrl-C stops an experiment promptly whatever the worker count (issue 9 item 9): it does not
 * wait for the point in flight (shown by a point far longer than the wait before the signal,
 * never by a clock), keeps the finished points and can be resumed.
 */
/**
 * Starts `bme sweep` of the whitepaper over `grid` into a new store, Ctrl-C 1.5 s after the store
 * appears; its exit code ("hung" if it did not exit within 60 s), its stderr and the store.
 */
async function interruptSweep(
  grid: string,
  runs: number,
  workers: number,
): Promise<{ code: number | null | "hung"; stderr: string; store: string }> {
  const store = join(mkdtempSync(join(tmpdir(), "bme-sigint-")), "s.duckdb");
  const child = spawn(
    process.execPath,
    [
      MAIN,
      "sweep",
      WHITEPAPER,
      "--grid",
      grid,
      "--runs",
      String(runs),
      "--days",
      "365",
      "--workers",
      String(workers),
      "--store",
      store,
      "--quiet",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  for (let i = 0; i < 600 && !existsSync(store); i++) await sleep(50);
  expect(existsSync(store)).toBe(true);
  await sleep(1_500);
  process.kill(child.pid!, "SIGINT");
  const code = await Promise.race([exited, sleep(60_000).then(() => "hung" as const)]);
  if (code === "hung") process.kill(child.pid!, "SIGKILL");
  return { code, stderr, store };
}

describe("Ctrl-C during a sweep", () => {
  for (const workers of [1, 2])
    it(`stops with ${workers} worker${workers > 1 ? "s" : ""}: exit 130, finished points kept, resumable`, async () => {
      // 41 points × 2,048 runs × 365 days: far more work than the few seconds before the signal
      const { code, stderr, store } = await interruptSweep(
        "onchain.buybackModulation=0:1:0.025",
        2048,
        workers,
      );
      expect(code).toBe(130);
      expect(stderr).toMatch(
        /stopped after \d+ of 41 points; continue with the same command and --resume/,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
      // the experiment is stored, not finished: --resume can complete it
      const runs = spawnSync(process.execPath, [MAIN, "runs", "--store", store], {
        encoding: "utf8",
      });
      expect(runs.status).toBe(0);
      expect(runs.stdout).toMatch(/sweep-0001\s+sweep\s+whitepaper\s.*\/41\s+2048\s+no/);
    }, 120_000);

  for (const workers of [1, 2])
    it(`does not wait for the point in flight (${workers} worker${workers > 1 ? "s" : ""})`, async () => {
      // 2 points × 200,000 runs × 365 days: a point is tens of seconds of work on any machine,
      // so a stop that waited for the point in flight would report a finished point
      const { code, stderr } = await interruptSweep(
        "onchain.buybackModulation=0:1:1",
        200_000,
        workers,
      );
      expect(code).toBe(130);
      expect(stderr).toMatch(
        /stopped after 0 of 2 points; continue with the same command and --resume/,
      );
    }, 120_000);
});
