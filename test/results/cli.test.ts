import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/results/index.js";
import { point, spec } from "./fixtures/points.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const MAIN = join(ROOT, "src/cli/main.ts");

/** `bme …` from the TypeScript sources, in `cwd`. */
function bme(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    encoding: "utf8",
    cwd,
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
let path: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bme-cli-store-"));
  path = join(dir, "bme-results.duckdb");
  const store = await openStore(path);
  const a = await store.begin(spec({ kind: "montecarlo" }, 1), { resume: false });
  await store.writePoint(a.experimentId, point(0));
  await store.finish(a.experimentId);
  const b = await store.begin(spec({ runsPerPoint: 250 }, 12), { resume: false });
  await store.writePoint(b.experimentId, point(1));
  await store.close();
});

describe("bme runs", () => {
  it("lists the experiments of the default store as a table", () => {
    const r = bme(dir, "runs");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(/\s{2,}/)).toEqual([
      "id",
      "kind",
      "scenario",
      "created (UTC)",
      "points",
      "runs/point",
      "finished",
    ]);
    const cells = (l: string) => l.split(/\s{2,}/).filter((_c, i) => i !== 3);
    expect(cells(lines[1]!)).toEqual(["mc-0001", "montecarlo", "tiny", "1/1", "3", "yes"]);
    expect(cells(lines[2]!)).toEqual([
      "sweep-0002",
      "sweep",
      "tiny",
      "1/12",
      "250",
      "no (1 run failed)",
    ]);
    expect(lines[1]).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d /);
  });

  it("says which store is missing, exit 2", () => {
    const r = bme(dir, "runs", "--store", "nowhere.duckdb");
    expect(r.code).toBe(2);
    expect(r.err).toBe("error: --store: no results store at nowhere.duckdb\n");
  });

  it("a file that is not a store is bad input (exit 2) for every command that opens one", () => {
    const bad = join(dir, "not-a-store.duckdb");
    writeFileSync(bad, "hello\n");
    const scenario = join(ROOT, "scenarios/whitepaper.yaml");
    for (const args of [
      ["runs", "--store", bad],
      ["montecarlo", scenario, "--runs", "4", "--quiet", "--store", bad],
    ]) {
      const r = bme(dir, ...args);
      expect(r.code, args[0]).toBe(2);
      expect(r.err).toContain(`cannot open store ${bad}: it is not a results store`);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
    expect(readFileSync(bad, "utf8")).toBe("hello\n");
  });

  it("a new store's folder is made, as an output folder is", () => {
    const nested = join(dir, "new", "sub", "s.duckdb");
    const scenario = join(ROOT, "scenarios/whitepaper.yaml");
    const r = bme(dir, "montecarlo", scenario, "--runs", "2", "--quiet", "--store", nested);
    expect(r.code).toBe(0);
    expect(existsSync(nested)).toBe(true);
    expect(bme(dir, "runs", "--store", nested).out).toMatch(/mc-0001 +montecarlo +whitepaper/);
  });

  it("refuses a store in use by another process with a message, exit 1", async () => {
    const store = await openStore(path);
    try {
      const r = bme(dir, "runs");
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        `error: store ${path.replace(`${dir}/`, "")} is in use by another process`,
      );
      expect(r.err).not.toMatch(/\n\s+at /);
    } finally {
      await store.close();
    }
  });
});

describe("bme export", () => {
  it("writes the experiment's files in the format asked for", () => {
    const out = join(dir, "exported");
    const r = bme(dir, "export", "sweep-0002", "--format", "json", "--out", out);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const files = ["experiment.json", "points.json", "bands.json", "outcomes.json"];
    expect(r.out.trim().split("\n")).toEqual(files.map((f) => join(out, f)));
    const points = JSON.parse(readFileSync(join(out, "points.json"), "utf8"));
    expect(points.map((p: { point: number }) => p.point)).toEqual([1]);
    // 3 columns × 5 days of point 1
    expect(JSON.parse(readFileSync(join(out, "bands.json"), "utf8"))).toHaveLength(15);
  });

  it("writes CSV into out/<id> by default", () => {
    const r = bme(dir, "export", "mc-0001");
    expect(r.code).toBe(0);
    for (const f of ["experiment.json", "points.csv", "bands.csv", "outcomes.csv"])
      expect(existsSync(join(dir, "out", "mc-0001", f))).toBe(true);
  });

  it("names the unknown id and the bad format, exit 2", () => {
    const unknown = bme(dir, "export", "sweep-0099");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      'error: no experiment "sweep-0099" in bme-results.duckdb (`bme runs` lists them)\n',
    );
    const bad = bme(dir, "export", "mc-0001", "--format", "xlsx");
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('error: --format: "xlsx" is not one of csv, parquet, json\n');
  });
});
