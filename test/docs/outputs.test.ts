import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXED_COLUMNS } from "../../src/engine/columns.js";
import { codeBlocks } from "./blocks.js";

/**
 * Issue 10 item 4: outputs read as they are. The commands of docs/outputs.md are run, and its
 * SQL is executed by DuckDB against what they wrote; every Parquet and CSV output is read
 * back, its column names and a value checked.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const DOC = join(ROOT, "docs/outputs.md");
const CLI = join(ROOT, "dist/src/cli/main.js");
let dir: string;
let inst: DuckDBInstance;
let con: Awaited<ReturnType<DuckDBInstance["connect"]>>;

const sql = async (q: string) => {
  const r = await con.runAndReadAll(q.replaceAll("'out/", `'${dir}/out/`));
  return { names: r.columnNames(), rows: r.getRows() };
};

function bme(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bme-outputs-"));
  const lines = codeBlocks(DOC, "sh")
    .join("\n")
    .split("\n")
    .filter((l) => l.startsWith("bme "));
  expect(lines.length).toBeGreaterThanOrEqual(3);
  for (const l of lines)
    bme(
      l
        .slice(4)
        .split(/\s+/)
        .map((a) => (a.startsWith("scenarios/") ? join(ROOT, a) : a)),
    );
  inst = await DuckDBInstance.create(":memory:");
  con = await inst.connect();
}, 120_000);

afterAll(() => {
  con?.closeSync();
  inst?.closeSync();
});

describe("docs/outputs.md, executed", () => {
  it("every SQL statement of the page runs", async () => {
    const statements = codeBlocks(DOC, "sql")
      .join("\n")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean);
    expect(statements.length).toBeGreaterThanOrEqual(5);
    for (const s of statements) expect((await sql(s)).rows.length).toBeGreaterThan(0);
  });

  it("the run's CSV is plain: header on line 1, 180 rows, the §7 columns", async () => {
    const text = readFileSync(join(dir, "out/run.csv"), "utf8");
    expect(text.split("\n")[0].split(",").slice(0, FIXED_COLUMNS.length)).toEqual([
      ...FIXED_COLUMNS,
    ]);
    // day 0: no jobs before day 30, demand is the 20,000 usd of sentiment over 2,000,000 tokens
    const r = await sql(
      "SELECT count(*), min(priceOfToken) FILTER (WHERE day = 0) FROM 'out/run.csv'",
    );
    expect(r.rows).toEqual([[180n, 0.01]]);
  });

  it("the run's Parquet has the same columns and values, and the metadata inside", async () => {
    const r = await sql("SELECT * FROM 'out/run.parquet' ORDER BY day");
    const c = await sql("SELECT * FROM 'out/run.csv' ORDER BY day");
    expect(r.names).toEqual(c.names);
    expect(r.names).toContain("jobCreated.tpuTraining");
    const price = r.names.indexOf("priceOfToken");
    expect(r.rows.map((row) => row[price])).toEqual(c.rows.map((row) => row[price]));
    expect(r.rows[0][price]).toBe(0.01);
    const kv = await sql(
      "SELECT decode(key), decode(value) FROM parquet_kv_metadata('out/run.parquet')",
    );
    const bme = kv.rows.find((row) => row[0] === "bme");
    const meta = JSON.parse(String(bme?.[1]));
    expect([meta.scenarioName, meta.seed, meta.scenario.days]).toEqual(["whitepaper", 1, 180]);
    const side = JSON.parse(readFileSync(join(dir, "out/run.meta.json"), "utf8"));
    expect(side).toEqual(meta);
  });

  it("sweep parameters are real columns, with the same names in CSV and Parquet", async () => {
    for (const ext of ["csv", "parquet"]) {
      const p = await sql(
        `SELECT point, "onchain.buybackModulation", runs, finalPrice_mean FROM 'out/sweep/points.${ext}' ORDER BY point`,
      );
      expect(p.rows.map((row) => [Number(row[0]), row[1], Number(row[2])])).toEqual([
        [0, 0.5, 20],
        [1, 1, 20],
      ]);
      // buying back with all the supplier pool (BM 1) puts more USD demand on the token than half
      expect(Number(p.rows[1][3])).toBeGreaterThan(Number(p.rows[0][3]));
      const b = await sql(`SELECT * FROM 'out/sweep/bands.${ext}' LIMIT 1`);
      expect(b.names).toEqual(["point", "column", "day", "p5", "p25", "p50", "p75", "p95", "mean"]);
      const o = await sql(`SELECT * FROM 'out/sweep/outcomes.${ext}' LIMIT 1`);
      expect(o.names.slice(0, 4)).toEqual(["point", "run", "seed", "finalPrice"]);
    }
  });

  it("bme export writes the same columns as --out", async () => {
    const store = join(dir, "s.duckdb");
    bme([
      "sweep",
      join(ROOT, "scenarios/whitepaper.yaml"),
      "--grid",
      "onchain.buybackModulation=0.5,1",
      "--runs",
      "20",
      "--store",
      store,
      "--quiet",
      "--out",
      "out/sweep-out",
    ]);
    bme(["export", "sweep-0001", "--store", store, "--out", "out/exported", "--format", "parquet"]);
    for (const t of ["points", "bands", "outcomes"]) {
      const a = await sql(`SELECT * FROM 'out/sweep-out/${t}.csv'`);
      const b = await sql(`SELECT * FROM 'out/exported/${t}.parquet'`);
      expect(b.names).toEqual(a.names);
      expect(b.rows.length).toBe(a.rows.length);
    }
    // the header too: the same keys, and the creation time the store gave the experiment
    const head = (d: string) =>
      JSON.parse(readFileSync(join(dir, `out/${d}/experiment.json`), "utf8"));
    const [out, exported] = [head("sweep-out"), head("exported")];
    expect(Object.keys(out)).toEqual(Object.keys(exported));
    expect(out.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(out.createdAt).toBe(exported.createdAt);
  });
});
