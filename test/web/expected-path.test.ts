/**
 * The dashboard's "noise off" (its default) is `bme run --deterministic`, number for number,
 * for every shipped scenario (stochastic blocks, feedback, rules, the reserve controller,
 * marketplace mode): the page's run (web/src/model.ts, on the raw object the server hands it)
 * against the CSV the built CLI writes.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { listScenarioFiles, readShipped } from "../../src/server/scenarios.js";
import { prepare, runOnce } from "../../web/src/model.js";

const REPO = resolve(import.meta.dirname, "../..");
const SCENARIOS = join(REPO, "scenarios");
const CLI = join(REPO, "dist/src/cli/main.js");
const work = mkdtempSync(join(tmpdir(), "bme-expected-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every scenario file under scenarios/, found by a plain recursive walk (not the server's listing). */
function scenarioFilesOnDisk(): string[] {
  return (readdirSync(SCENARIOS, { recursive: true }) as string[])
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) =>
      relative(SCENARIOS, join(SCENARIOS, f))
        .replace(/\\/g, "/")
        .replace(/\.ya?ml$/, ""),
    )
    .sort();
}

/** `bme run <file> --deterministic --out x.csv`: column name → values. */
function cliDeterministic(name: string): Record<string, number[]> {
  const out = join(work, `${name.replace(/\//g, "-")}.csv`);
  try {
    execFileSync(
      process.execPath,
      [CLI, "run", join(SCENARIOS, `${name}.yaml`), "--deterministic", "--quiet", "--out", out],
      {
        timeout: 120_000,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
  } catch (e) {
    // a run that stops early exits non-zero but writes the rows it computed
    if (!existsSync(out)) throw e;
  }
  const [head, ...rows] = readFileSync(out, "utf8").trim().split("\n");
  const columns = head.split(",");
  const table: Record<string, number[]> = Object.fromEntries(columns.map((c) => [c, []]));
  for (const row of rows)
    row.split(",").forEach((cell, i) => {
      table[columns[i]].push(cell === "" ? Number.NaN : Number(cell));
    });
  return table;
}

describe("the dashboard's scenarios", () => {
  it("lists every scenario file shipped, in scenarios/ and its folders (stress/, feedback/)", () => {
    const listed = listScenarioFiles(SCENARIOS);
    expect([...listed].sort()).toEqual(scenarioFilesOnDisk());
    expect(listed).toContain("stress/jump-crash");
    expect(listed).toContain("feedback/death-spiral");
  });
});

describe("noise off is bme run --deterministic", () => {
  it("stress/jump-crash ends at the deterministic price 0.02419, not seed 0's 0.007255", () => {
    const base = readShipped(SCENARIOS, "stress/jump-crash");
    const p = prepare(base?.raw, {}, false);
    if (!p.ok) throw new Error(JSON.stringify(p.issues));
    const price = runOnce(p.scenario, 0).series.priceOfToken;
    // figures of the newcomer's report: `bme run … --deterministic` 0.02419, `--seed 0` 0.007255
    expect(price[price.length - 1]).toBeCloseTo(0.02419, 5);
  });

  const names = scenarioFilesOnDisk();
  it.each(names)("%s: every column, every day, equal", (name) => {
    const yaml = parseYaml(readFileSync(join(SCENARIOS, `${name}.yaml`), "utf8")) as object;
    const base = readShipped(SCENARIOS, name);
    expect(base?.problems).toEqual([]);
    const p = prepare(base?.raw, {}, false);
    if (!p.ok) throw new Error(JSON.stringify(p.issues));
    const run = runOnce(p.scenario, 0);
    const cli = cliDeterministic(name);
    expect(run.days).toBe(cli.day.length);
    run.table.columns.forEach((col, c) => {
      expect(cli[col], `${name}: column ${col} in the CLI's table`).toBeDefined();
      const page = Array.from(run.table.values[c]);
      expect(page, `${name}: ${col}`).toEqual(cli[col]);
    });
    // the scenarios with a stochastic block are among them (the newcomer's case)
    if ("stochastic" in yaml) expect(p.scenario.stochastic).toBeDefined();
  });
});
