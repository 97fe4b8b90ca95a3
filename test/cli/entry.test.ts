import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { CLI_DIR, copyCli } from "../helpers.js";

// How `bme` decides it was started as the command, and what it does when its output fails.
const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "bme-entry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(script: string) {
  return spawnSync("bash", ["-c", script], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

describe("started by any path that leads to the command", () => {
  it("through a symbolic link to its folder (npm install ../dir, pnpm): it runs, not a silent exit 0", () => {
    const link = join(dir, "linked");
    symlinkSync(CLI_DIR, link);
    const r = spawnSync(process.execPath, [join(link, "main.js"), "--version"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it("from a folder whose name holds #, ? or % (a URL made from the path misread them)", () => {
    for (const name of ["a #b", "c?d", "e%41"]) {
      const copy = copyCli(join(dir, name));
      const r = spawnSync(process.execPath, [join(copy, "main.js"), "--version"], {
        encoding: "utf8",
      });
      expect({ name, status: r.status, out: r.stdout.trim() }).toEqual({
        name,
        status: 0,
        out: VERSION,
      });
    }
  });
});

describe("when the output cannot be written", () => {
  it("a full device (/dev/full): a one-line message and exit 1, no stack trace", () => {
    for (const args of ["schema", "--help", "run scenarios/whitepaper.yaml"]) {
      const r = sh(`node dist/src/cli/main.js ${args} > /dev/full`);
      expect({ args, status: r.status }).toEqual({ args, status: 1 });
      expect(r.stderr).toMatch(/^error: cannot write the output: ENOSPC\n$/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("stderr's reader gone: the Monte Carlo still finishes and writes its results", () => {
    const out = join(dir, "mc");
    // stderr (progress) goes to a pipe whose reader closed at once; stdout to /dev/null
    const r = sh(
      `node dist/src/cli/main.js montecarlo scenarios/whitepaper.yaml --runs 300 --no-store --out ${out} 2>&1 >/dev/null | (exec 0<&-; sleep 8)`,
    );
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("--resume without a store is refused (exit 2), naming both options", () => {
    const r = sh(
      "node dist/src/cli/main.js montecarlo scenarios/whitepaper.yaml --runs 10 --no-store --resume",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--resume .*--no-store/);
  });
});
