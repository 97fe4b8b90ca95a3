/**
 * The tables of an experiment, one naming scheme for every export (`--out DIR` of the
 * experiment commands, `bme export`, the library): the same files, columns and names in CSV,
 * Parquet and JSON.
 *
 * - `points`: `point`, one column per swept parameter (named by its path, e.g.
 *   `onchain.buybackModulation`), `runs`, `failedRuns`, then `<metric>_<stat>` for every
 *   outcome metric and stat mean, sd, p5, p50, p95;
 * - `bands`: `point`, `column`, `day`, `p5`, `p25`, `p50`, `p75`, `p95`, `mean`;
 * - `outcomes`: `point`, `run`, `seed`, one column per outcome metric.
 */
import { join } from "node:path";
import {
  BAND_STATS,
  type ExperimentSpec,
  metricNames,
  OUTCOME_METRICS,
  type PointResult,
} from "../analysis/types.js";
import {
  type ColumnType,
  type DataTable,
  type TableFileFormat,
  writeDataTable,
  writeJsonFile,
} from "./dataTable.js";

/** Statistics of each metric in the points table, in this order. */
export const SUMMARY_STATS = ["mean", "sd", "p5", "p50", "p95"] as const;

/** The points table's column of one metric's statistic: `finalPrice_mean`. */
export const summaryColumn = (metric: string, stat: string): string => `${metric}_${stat}`;

/** The experiment's tables by name, in file order. */
export interface ExperimentTables {
  readonly points: DataTable;
  readonly bands: DataTable;
  readonly outcomes: DataTable;
}

function paramType(values: readonly unknown[]): ColumnType {
  if (values.every((v) => typeof v === "number")) return "DOUBLE";
  if (values.every((v) => typeof v === "boolean")) return "BOOLEAN";
  return "VARCHAR";
}

/** The tables of an experiment's points (sorted by index); `seed` is the experiment's. */
export function experimentTables(points: readonly PointResult[], seed: number): ExperimentTables {
  const sorted = [...points].sort((a, b) => a.index - b.index);
  const paramNames = [...new Set(sorted.flatMap((p) => Object.keys(p.params)))];
  // OUTCOME_METRICS, then the experiment's plugin metrics (docs/plugins.md)
  const metrics: readonly string[] = sorted[0] ? metricNames(sorted[0]) : OUTCOME_METRICS;
  const paramCols = paramNames.map((name) => ({
    name,
    type: paramType(sorted.map((p) => p.params[name]).filter((v) => v !== undefined)),
  }));
  const pointsTable: DataTable = {
    columns: [
      { name: "point", type: "BIGINT" },
      ...paramCols,
      { name: "runs", type: "BIGINT" },
      { name: "failedRuns", type: "BIGINT" },
      ...metrics.flatMap((m) =>
        SUMMARY_STATS.map((s) => ({ name: summaryColumn(m, s), type: "DOUBLE" as const })),
      ),
    ],
    rows: sorted.map((p) => [
      p.index,
      ...paramNames.map((n) => p.params[n] ?? null),
      p.outcomes.runs,
      p.failedRuns.length,
      ...metrics.flatMap((m) => SUMMARY_STATS.map((s) => p.summary[m][s])),
    ]),
  };
  const bandRows: (number | string)[][] = [];
  const outcomeRows: number[][] = [];
  for (const p of sorted) {
    const { columns, days, stats } = p.bands;
    columns.forEach((col, c) => {
      for (let t = 0; t < days; t++)
        bandRows.push([p.index, col, t, ...BAND_STATS.map((s) => stats[s][c * days + t])]);
    });
    for (let r = 0; r < p.outcomes.runs; r++)
      outcomeRows.push([p.index, r, seed, ...metrics.map((m) => p.outcomes.metrics[m][r])]);
  }
  return {
    points: pointsTable,
    bands: {
      columns: [
        { name: "point", type: "BIGINT" },
        { name: "column", type: "VARCHAR" },
        { name: "day", type: "BIGINT" },
        ...BAND_STATS.map((s) => ({ name: s, type: "DOUBLE" as const })),
      ],
      rows: bandRows,
    },
    outcomes: {
      columns: [
        { name: "point", type: "BIGINT" },
        { name: "run", type: "BIGINT" },
        { name: "seed", type: "BIGINT" },
        ...metrics.map((m) => ({ name: m, type: "DOUBLE" as const })),
      ],
      rows: outcomeRows,
    },
  };
}

/** What describes an experiment in `experiment.json` and in each Parquet file's metadata. */
export interface ExperimentHeader {
  readonly id?: string | null;
  readonly spec: ExperimentSpec | Record<string, unknown>;
  readonly [key: string]: unknown;
}

/**
 * Write `experiment.json` (the header) and `points`, `bands`, `outcomes` in `format` into
 * `dir`, atomically, and return the paths in that order. Parquet files carry the header as
 * key-value metadata under the key `bme`.
 */
export async function writeExperimentTables(
  dir: string,
  points: readonly PointResult[],
  header: ExperimentHeader,
  format: TableFileFormat = "csv",
): Promise<string[]> {
  const seed = Number((header.spec as { seed?: number }).seed ?? 0);
  const tables = experimentTables(points, seed);
  const headerJson = JSON.parse(
    JSON.stringify(header, (_k, v) => (typeof v === "bigint" ? Number(v) : v)),
  );
  const experiment = join(dir, "experiment.json");
  writeJsonFile(experiment, headerJson);
  const files = [experiment];
  for (const [name, t] of Object.entries(tables)) {
    const file = join(dir, `${name}.${format}`);
    await writeDataTable(file, t, format, { bme: JSON.stringify(headerJson) });
    files.push(file);
  }
  return files;
}
