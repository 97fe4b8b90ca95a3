import { mkdirSync } from "node:fs";
import { dirname, extname } from "node:path";
import type { RunResult } from "../engine/result.js";
import { writeFileAtomic } from "./atomic.js";

/** `# key: value` lines that open a CSV (pandas: `comment="#"`, DuckDB: `comment='#'`). */
function metaLines(r: RunResult): string {
  const m = r.meta;
  const lines = [
    `# scenario: ${m.scenarioName}`,
    `# seed: ${m.seed}`,
    `# run: ${m.run}`,
    `# version: bme-sim ${m.version}`,
    `# mode: ${m.mode}`,
  ];
  if (r.error) lines.push(`# error: ${r.error.message}`);
  return `${lines.join("\n")}\n`;
}

/** A number in a CSV cell; a non-finite value (never in a valid run) is an empty cell. */
export function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : "";
}

/** The daily table as CSV: metadata comment lines, a header, one row per day, shortest round-trip numbers. */
export function toCsv(r: RunResult): string {
  const parts: string[] = [metaLines(r), `${r.columns.join(",")}\n`];
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
  const meta = { ...r.meta, error: r.error ? r.error.message : null };
  return `${JSON.stringify({ meta, columns: r.columns, rows })}\n`;
}

export type TableFormat = "csv" | "json";

export function tableFormat(path: string): TableFormat | null {
  const ext = extname(path).toLowerCase();
  return ext === ".csv" ? "csv" : ext === ".json" ? "json" : null;
}

/** Write the table to `path` (.csv or .json), creating folders as needed. */
export function writeTable(r: RunResult, path: string): void {
  const format = tableFormat(path);
  if (format === null) throw new Error(`${path}: the output file must end in .csv or .json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, format === "csv" ? toCsv(r) : toJson(r));
}
