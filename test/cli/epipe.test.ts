import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("a closed pipe", () => {
  it("`bme schema | head -c 10` stops quietly: no EPIPE stack trace", () => {
    // the schema (~80 kB) is larger than a pipe's buffer: head closes the pipe while bme still writes
    const r = spawnSync(
      "bash",
      ["-c", "node dist/src/cli/main.js schema | (sleep 0.3; head -c 10)"],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stdout).toHaveLength(10);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });
});
