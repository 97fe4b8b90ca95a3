import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const bme = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });

describe("--report DIR never mixes files (newcomer findings, issue 12)", () => {
  it("refuses a folder holding other files before any work, naming them", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-repdir-"));
    writeFileSync(join(dir, "notes.txt"), "mine");
    const r = bme("run", WHITEPAPER, "--days", "40", "--report", dir, "--quiet");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("holds files that are not a report (notes.txt)");
    expect(existsSync(join(dir, "index.html"))).toBe(false);
  });

  it("replaces a previous report whole: its charts that the new report lacks are gone", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-repdir-"));
    mkdirSync(join(dir, "charts"));
    writeFileSync(join(dir, "index.html"), "<html>old</html>");
    writeFileSync(join(dir, "charts", "governance.svg"), "<svg/>");
    const r = bme("run", WHITEPAPER, "--days", "40", "--report", dir, "--quiet");
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "charts", "governance.svg"))).toBe(false);
    expect(existsSync(join(dir, "charts", "price.svg"))).toBe(true);
  });

  it("an output under a folder that cannot be created names that folder", () => {
    const r = bme("run", join(SCENARIOS_DIR, "whitepaper.yaml"), "--out", "/proc/nope/x.csv");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "its folder /proc/nope does not exist and cannot be created in /proc",
    );
  });
});
