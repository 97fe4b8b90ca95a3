import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { BAND_STATS, OUTCOME_METRICS } from "../analysis/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { encodeJson } from "./json.js";

export const EXPORT_FORMATS = ["csv", "parquet", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const SUMMARY_STATS = ["mean", "sd", "p5", "p50", "p95"] as const;

/**
 * A non-finite statistic (NaN or ±Infinity: undefined, e.g. over zero good runs) is exported as
 * missing in every format: an empty CSV cell, JSON null, Parquet NULL — the same rule as every
 * other sink (docs/limits.md).
 */
function double(expr: string, name: string, _format: ExportFormat): string {
  return `CASE WHEN isfinite(${expr}) THEN ${expr} END AS "${name}"`;
}

/** A summary statistic out of summary_json, including the `{"$number": "NaN"}` form. */
function summaryStat(metric: string, stat: string): string {
  const path = `'$.${metric}.${stat}'`;
  return `coalesce(TRY_CAST(json_extract_string(summary_json, ${path}) AS DOUBLE),
    TRY_CAST(json_extract_string(summary_json, '$.${metric}.${stat}."$number"') AS DOUBLE))`;
}

/** The SELECTs of the exported tables, for the experiment whose quoted id is `idLiteral`. */
function queries(idLiteral: string, format: ExportFormat): Record<string, string> {
  const where = `WHERE experiment_id = ${idLiteral}`;
  const summary = OUTCOME_METRICS.flatMap((m) =>
    SUMMARY_STATS.map((s) => double(summaryStat(m, s), `${m}_${s}`, format)),
  );
  return {
    points: `SELECT point_index, params_json, runs,
      CAST(greatest(runs - band_runs, json_array_length(failed_runs_json)) AS BIGINT) AS failed_runs,
      ${summary.join(",\n      ")}, failed_runs_json
      FROM points ${where} ORDER BY point_index`,
    bands: `SELECT point_index, column_name, day, ${BAND_STATS.map((s) => double(s, s, format)).join(", ")}
      FROM bands ${where} ORDER BY point_index, column_index, day`,
    outcomes: `SELECT point_index, run, ${OUTCOME_METRICS.map((m) => double(`"${m}"`, m, format)).join(", ")}
      FROM outcomes ${where} ORDER BY point_index, run`,
  };
}

const COPY_OPTIONS: Record<ExportFormat, string> = {
  csv: "FORMAT CSV, HEADER true",
  parquet: "FORMAT PARQUET",
  json: "FORMAT JSON, ARRAY true",
};

/** Write experiment.json and points/bands/outcomes.<format> into `outDir`; returns the paths. */
export async function exportFiles(
  db: DuckDBConnection,
  idLiteral: string,
  header: unknown,
  format: ExportFormat,
  outDir: string,
): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const experiment = join(outDir, "experiment.json");
  writeFileAtomic(experiment, `${JSON.stringify(JSON.parse(encodeJson(header)), null, 2)}\n`);
  const files = [experiment];
  for (const [name, sql] of Object.entries(queries(idLiteral, format))) {
    const file = join(outDir, `${name}.${format}`);
    // written beside the file and renamed: a failure never leaves a partial file
    const tmp = resolve(join(outDir, `.${name}.${randomBytes(6).toString("hex")}.tmp`));
    try {
      await db.run(`COPY (${sql}) TO '${tmp.replaceAll("'", "''")}' (${COPY_OPTIONS[format]})`);
      renameSync(tmp, resolve(file));
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    files.push(file);
  }
  return files;
}
