import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PointResult } from "../../src/analysis/types.js";
import { reportFailedRuns } from "../../src/cli/commands/experiments.js";
import { WHITEPAPER } from "../helpers.js";

const MAIN = resolve(import.meta.dirname, "../../dist/src/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "bme-edges-"));
const scenario = join(work, "w.yaml");
copyFileSync(WHITEPAPER, scenario);

function bme(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    encoding: "utf8",
    cwd: work,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Exit 2, one `error:` line naming `path`, no stack trace, and the folder unchanged. */
function refused(args: string[], path: string) {
  const before = readdirSync(work).sort();
  const r = bme(...args);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/^error: /);
  expect(r.err).toContain(path);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toContain("BME_DEBUG");
  expect(readdirSync(work).sort()).toEqual(before);
}

describe("files and paths are refused up front with exit 2, naming the path", () => {
  it("an --out that is the scenario itself", () => {
    const json = join(work, "x.json");
    writeFileSync(json, '{"name": "x"}');
    refused(["run", "x.json", "--out", "x.json"], "x.json");
    expect(readFileSync(json, "utf8")).toBe('{"name": "x"}');
  });
  it("an --out that is a directory", () => {
    mkdirSync(join(work, "table.csv"), { recursive: true });
    refused(["run", "w.yaml", "--out", "table.csv"], "table.csv");
  });
  it("an --out below a file (its folder cannot be created)", () => {
    writeFileSync(join(work, "plain"), "");
    refused(["run", "w.yaml", "--out", "plain/t.csv"], "plain/t.csv");
  });
  it("a scenario path that is a directory", () => {
    refused(["run", "table.csv"], "table.csv");
  });
  it("a CSV series that is a device (/dev/zero), without reading it", () => {
    writeFileSync(
      join(work, "dev.yaml"),
      "name: dev\nconsumerSentiment: { csv: /dev/zero, column: x }\n",
    );
    refused(["run", "dev.yaml"], "/dev/zero");
  });
  it("an experiment's --out that is a file", () => {
    refused(["montecarlo", "w.yaml", "--runs", "2", "--no-store", "--out", "plain"], "plain");
  });
  it("sweep axes through __proto__", () => {
    refused(["sweep", "w.yaml", "--grid", "__proto__.x=1,2", "--no-store"], "__proto__");
  });
  it("--store PATH with --no-store, in either order (no store is made)", () => {
    refused(
      ["montecarlo", "w.yaml", "--runs", "2", "--store", "s.duckdb", "--no-store"],
      "--store",
    );
    refused(
      ["sweep", "w.yaml", "--no-store", "--store", "s.duckdb", "--grid", "days=2,3"],
      "--no-store",
    );
  });
});

describe("number options are decimal notation, the same rule for every command", () => {
  // Number() would read 0x50 as 80, "" as 0 (any free port), Infinity as a rate without limit
  it("bme serve --port", () => {
    refused(
      ["serve", "--port", "0x50"],
      '--port must be a whole number from 0 to 65535, got "0x50"',
    );
    refused(["serve", "--port", ""], '--port must be a whole number from 0 to 65535, got ""');
  });
  it("bme ledger serve --port and --rate, bme ledger export-scenario --from and --to", () => {
    refused(
      ["ledger", "serve", "--port", "8e3"],
      '--port must be a whole number from 0 to 65535, got "8e3"',
    );
    refused(
      ["ledger", "serve", "--rate", "Infinity"],
      '--rate: expected a number > 0, got "Infinity"',
    );
    refused(
      ["ledger", "export-scenario", "--to", "", "--out", "t.yaml"],
      '--to must be a whole number ≥ 0, got ""',
    );
    refused(
      ["ledger", "export-scenario", "--from", "0x1", "--to", "2", "--out", "t.yaml"],
      '--from must be a whole number ≥ 0, got "0x1"',
    );
  });
});

describe("every message reaches the user", () => {
  it("bme run prints the loader's warnings (a vote past the last day, a short series)", () => {
    const r = bme(
      "run",
      "w.yaml",
      "--days",
      "5",
      "--set",
      "schedule=[{day: 9, set: {buybackModulation: 0.5}}]",
      "--set",
      "governanceValue={values: [1, 2]}",
    );
    expect(r.code).toBe(0);
    expect(r.err).toContain("warning: schedule[0]: day 9 is past the run's last day (4)");
    expect(r.err).toContain(
      "warning: governanceValue: 2 values for a 5-day run; the last value (2) repeats on the last 3 days",
    );
  });
  it("a written table is whole: no temporary file is left beside it", () => {
    const r = bme("run", "w.yaml", "--days", "3", "--out", "out/t.csv", "--quiet");
    expect(r.code).toBe(0);
    // the table and its metadata sidecar, and no temporary file beside them
    expect(readdirSync(join(work, "out")).sort()).toEqual(["t.csv", "t.meta.json"]);
  });
});

describe("failed Monte Carlo runs", () => {
  afterAll(() => {
    process.exitCode = 0;
  });
  it("are counted over every point, reported with the first, and make the command exit 1", () => {
    const p = (index: number, runs: number, good: number, first?: number) =>
      ({
        index,
        outcomes: { runs },
        bands: { runs: good },
        failedRuns: first === undefined ? [] : [{ run: first, error: "no token price exists" }],
      }) as unknown as PointResult;
    let err = "";
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      err += s;
      return true;
    }) as typeof process.stderr.write;
    try {
      process.exitCode = 0;
      reportFailedRuns([p(0, 10, 10), p(1, 10, 7, 4)]);
    } finally {
      process.stderr.write = write;
    }
    expect(err).toBe("error: 3 of 20 runs failed (first: point 1, run 4: no token price exists)\n");
    expect(process.exitCode).toBe(1);
  });
});
