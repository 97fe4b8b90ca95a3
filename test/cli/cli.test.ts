import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import { WHITEPAPER } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/src/cli/main.js");

function bme(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", cwd: ROOT });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  // `npm test` builds dist/ first; run `npm run build` before running this file alone
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
});

describe("bme run", () => {
  it("prints the summary of the whitepaper scenario and writes the table", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    const r = bme("run", WHITEPAPER, "--deterministic", "--out", join(dir, "t.csv"));
    expect(r.code).toBe(0);
    expect(r.out).toContain("phase 2 from day      30");
    expect(r.out).toContain(
      "emitted               2,000,000 tokens (phase 1 1,200,000, phase 2 800,000)",
    );
    // a plain CSV: the header on line 1; the metadata in the sidecar t.meta.json
    const csv = readFileSync(join(dir, "t.csv"), "utf8").trimEnd().split("\n");
    expect(csv[0].split(",").slice(0, 3)).toEqual(["day", "phase", "income"]);
    expect(csv).toHaveLength(1 + 180);
    const meta = JSON.parse(readFileSync(join(dir, "t.meta.json"), "utf8"));
    expect([meta.scenarioName, meta.seed, meta.run, meta.version, meta.mode]).toEqual([
      "whitepaper",
      0,
      0,
      VERSION,
      "aggregate",
    ]);
    expect(meta.scenario.days).toBe(180);
  });
  it("writes identical bytes for the same seed, and different ones for another", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    for (const [name, seed] of [
      ["a", "7"],
      ["b", "7"],
      ["c", "8"],
    ]) {
      expect(
        bme("run", WHITEPAPER, "--seed", seed, "--out", join(dir, `${name}.csv`), "--quiet").code,
      ).toBe(0);
      expect(
        bme("run", WHITEPAPER, "--seed", seed, "--out", join(dir, `${name}.json`), "--quiet").code,
      ).toBe(0);
    }
    const read = (f: string) => readFileSync(join(dir, f));
    expect(read("a.csv").equals(read("b.csv"))).toBe(true);
    expect(read("a.json").equals(read("b.json"))).toBe(true);
    expect(read("a.csv").equals(read("c.csv"))).toBe(false);
    const json = JSON.parse(read("a.json").toString());
    expect(json.meta).toMatchObject({ scenarioName: "whitepaper", seed: 7, version: VERSION });
    expect(json.rows).toHaveLength(180);
  });
  it("--days and --set override the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    const r = bme(
      "run",
      WHITEPAPER,
      "--days",
      "40",
      "--set",
      "onchain.fiatOperationsFraction=0",
      "--out",
      join(dir, "t.json"),
      "--quiet",
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "t.json"), "utf8"));
    expect(json.rows).toHaveLength(40);
    const ops = json.columns.indexOf("opsRevenue");
    expect(json.rows.every((row: number[]) => row[ops] === 0)).toBe(true);
  });
});

describe("bad input: exit code 2, the field named, no stack trace", () => {
  const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at /);
  it("an invalid scenario file lists every problem", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    writeFileSync(
      join(dir, "bad.yaml"),
      "days: 1000000000\ncolour: red\nconsumers:\n  - { name: x, unitPrice: -1, unitsPerJob: 1, jobsPerDay: 1 }\n",
    );
    for (const cmd of ["run", "validate"]) {
      const r = bme(cmd, join(dir, "bad.yaml"));
      expect(r.code).toBe(2);
      expect(r.err).toContain("days:");
      expect(r.err).toContain("colour: unknown key");
      expect(r.err).toContain("consumers[0].unitPrice:");
      noStack(r.err);
    }
  });
  it("a bad option value names the option", () => {
    const r = bme("run", WHITEPAPER, "--seed", "-4");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--seed");
    noStack(r.err);
    const o = bme("run", WHITEPAPER, "--out", "table.xlsx");
    expect(o.code).toBe(2);
    expect(o.err).toContain("--out");
  });
  it("a bad --set names the field", () => {
    const r = bme("run", WHITEPAPER, "--set", "onchain.buybackModulation=1.5");
    expect(r.code).toBe(2);
    expect(r.err).toContain("onchain.buybackModulation");
    noStack(r.err);
  });
  it("a missing file and an unknown command", () => {
    expect(bme("run", "no-such.yaml").code).toBe(2);
    expect(bme("frobnicate").code).toBe(2);
  });
  it("help of a command that does not exist says so and suggests the nearest", () => {
    const r = bme("help", "strss");
    expect(r.code).toBe(2);
    expect(r.err).toContain("error: unknown command 'strss'");
    expect(r.err).toContain("Did you mean stress?");
    expect(r.out).toBe("");
    const known = bme("help", "stress");
    expect(known.code).toBe(0);
    expect(known.out).toMatch(/^Usage: bme stress /);
  });
  it("bme stress --help lists its exit codes, 3 for a failed verdict (docs/limits.md)", () => {
    const r = bme("stress", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain("\nExit codes:\n  0    every shock passed its thresholds\n");
    for (const code of ["1", "2", "130"]) expect(r.out).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    expect(r.out).toContain(
      "  3    every run completed and at least one shock failed its thresholds",
    );
  });
});

describe("bme validate and bme schema", () => {
  it("validates a good file", () => {
    const r = bme("validate", WHITEPAPER);
    expect(r.code).toBe(0);
    expect(r.out).toContain("valid (whitepaper: 180 days, 4 consumer types, 5 supplier classes)");
  });
  it("counts one of a thing in the singular: 1 day, 1 consumer type, 1 supplier class", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    const file = join(dir, "one.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "one",
        days: 1,
        tokens: { initialSupply: 1000, initialTokenReserve: 1000 },
        suppliers: [{ name: "hosts", count: 1 }],
        consumers: [{ name: "hosting", unitPrice: 1, unitsPerJob: 1, jobsPerDay: 1 }],
        priceMatrix: { hosting: { hosts: 1 } },
        consumerSentiment: 1,
      }),
    );
    const r = bme("validate", file);
    expect(r.err).toBe("");
    expect(r.out).toContain("valid (one: 1 day, 1 consumer type, 1 supplier class)");
    const run = bme("run", file, "--out", join(dir, "one.csv"));
    expect(run.out).toMatch(/^Scenario one, seed 0, 1 day$/m);
    expect(run.out).toContain(`(1 row)`);
  });
  it("prints a JSON Schema that documents units and defaults", () => {
    const r = bme("schema");
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.out);
    const onchain = schema.properties.onchain.properties;
    expect(onchain.buybackModulation.maximum).toBe(1);
    expect(onchain.buybackModulation.description).toContain("Unit: fraction. Default: 1.");
    expect(schema.properties.days.maximum).toBe(36_500);
    expect(schema.additionalProperties).toBe(false);
  });
});
