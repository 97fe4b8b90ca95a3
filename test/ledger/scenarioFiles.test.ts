import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger/ledger.js";

const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `bme ledger init` run from a directory that is not the scenario's (nor the repository). */
async function init(scenario: string) {
  const d = mkdtempSync(join(tmpdir(), "bme-ledger-files-"));
  dirs.push(d);
  const r = spawnSync(
    process.execPath,
    [CLI, "ledger", "init", "--db", join(d, "l.db"), "--scenario", join(ROOT, scenario)],
    { cwd: d, encoding: "utf8" },
  );
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const ledger = await Ledger.open(join(d, "l.db"));
  const s = ledger.economy.scenario;
  await ledger.close();
  return s;
}

/** A column of a shipped CSV file, read here by hand. */
function column(file: string, name: string): number[] {
  const [head, ...rows] = readFileSync(join(ROOT, file), "utf8").trim().split("\n");
  const i = head.split(",").indexOf(name);
  return rows.map((r) => Number(r.split(",")[i]));
}

describe("bme ledger init reads a scenario file as bme run does", () => {
  it("follows extends relative to the file (stress/price-defense.yaml extends ../whitepaper.yaml)", async () => {
    const s = await init("scenarios/stress/price-defense.yaml");
    expect(s.name).toBe("stress-price-defense");
    expect(s.onchain.buybackModulation).toBe(0.5); // its own value, over the whitepaper's
    expect(s.consumers.map((c) => c.name)).toContain("imageLabeling"); // from the base
  });

  it.each([
    ["scenarios/demand-collapse.yaml", "scenarios/data/demand-collapse.csv", "imageLabeling"],
    [
      "scenarios/feedback/death-spiral.yaml",
      "scenarios/feedback/data/demand-crash.csv",
      "inference",
    ],
  ])("reads %s's CSV series relative to the file", async (file, csv, name) => {
    const s = await init(file);
    const consumer = s.consumers.find((c) => c.name === name);
    const series = consumer?.jobsPerDay as { values: number[] };
    expect(series.values).toEqual(column(csv, name));
  });
});
