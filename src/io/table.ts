import { extname } from "node:path";
import type { RunResult } from "../engine/result.js";
import { resultOutcomes } from "../montecarlo/outcomes.js";
import { writeFileAtomic } from "./atomic.js";
import { type DataTable, writeDataTable, writeJsonFile } from "./dataTable.js";

/** Columns written as whole numbers; every other column of a run is a float64. */
const INTEGER_COLUMNS = new Set(["day", "phase", "priceFloored"]);

/**
 * The run's metadata, everything needed to reproduce any row: scenario name, seed, run index,
 * package version, mode, the error that stopped the run (or null) and the scenario as parsed;
 * and what the run came to: `outcomes`, the built-in outcome metrics (docs/outputs.md), and
 * `metrics`, the plugin metrics by name (`{}` without plugins).
 */
export function runMetadata(r: RunResult): Record<string, unknown> {
  const m = r.meta;
  return {
    scenarioName: m.scenarioName,
    seed: m.seed,
    run: m.run,
    version: m.version,
    mode: m.mode,
    days: r.days,
    error: r.error ? r.error.message : null,
    warnings: m.warnings,
    columns: r.columns,
    outcomes: resultOutcomes(r),
    metrics: r.metrics ?? {},
    scenario: m.scenario,
  };
}

/** A number in a CSV cell; a non-finite value (never in a valid run) is an empty cell. */
export function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : "";
}

/** The daily table as CSV: the header on line 1, one row per day, shortest round-trip numbers. */
export function toCsv(r: RunResult): string {
  const parts: string[] = [`${r.columns.join(",")}\n`];
  const nCols = r.columns.length;
  for (let t = 0; t < r.days; t++) {
    let line = "";
    for (let c = 0; c < nCols; c++) line += (c === 0 ? "" : ",") + csvNumber(r.values[c][t]);
    parts.push(`${line}\n`);
  }
  return parts.join("");
}

/** The daily table as JSON: `{ meta, columns, rows }`, each row an array aligned with `columns`. */
export function toJson(r: RunResult): string {
  const rows: number[][] = [];
  for (let t = 0; t < r.days; t++) rows.push(r.values.map((v) => v[t]));
  const meta = {
    ...r.meta,
    error: r.error ? r.error.message : null,
    outcomes: resultOutcomes(r),
    metrics: r.metrics ?? {},
  };
  return `${JSON.stringify({ meta, columns: r.columns, rows })}\n`;
}

/** The daily table as a typed data table (for Parquet). */
export function runDataTable(r: RunResult): DataTable {
  const rows: number[][] = [];
  for (let t = 0; t < r.days; t++) rows.push(r.values.map((v) => v[t]));
  return {
    columns: r.columns.map((name) => ({
      name,
      type: INTEGER_COLUMNS.has(name) ? ("BIGINT" as const) : ("DOUBLE" as const),
    })),
    rows,
  };
}

export type TableFormat = "csv" | "json" | "parquet";

/** The format a file name asks for, by extension (.csv, .json, .parquet), or null. */
export function tableFormat(path: string): TableFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === ".csv" ? "csv" : ext === ".json" ? "json" : ext === ".parquet" ? "parquet" : null;
}

/** The sidecar metadata file of a table: `run.csv` → `run.meta.json`. */
export function metaPath(path: string): string {
  const ext = extname(path);
  return `${ext ? path.slice(0, -ext.length) : path}.meta.json`;
}

/**
 * Write the daily table to `path` by its extension, atomically, creating folders as needed:
 * `.csv` (plain: header on line 1) and `.parquet` (metadata also in the file's key-value
 * metadata, key `bme`) get a sidecar `<name>.meta.json` with `runMetadata`; `.json` carries
 * it inside. Returns the files written. Throws for another extension.
 */
export async function writeTable(r: RunResult, path: string): Promise<string[]> {
  const format = tableFormat(path);
  if (format === null)
    throw new Error(`${path}: the output file must end in .csv, .parquet or .json`);
  if (format === "json") {
    writeFileAtomic(path, toJson(r));
    return [path];
  }
  const meta = runMetadata(r);
  if (format === "csv") writeFileAtomic(path, toCsv(r));
  else await writeDataTable(path, runDataTable(r), "parquet", { bme: JSON.stringify(meta) });
  const side = metaPath(path);
  writeJsonFile(side, meta);
  return [path, side];
}
