import { withAtomicPath, writeFileAtomic } from "./atomic.js";
import { csvText } from "./csv.js";

/** The column types the sinks write (DuckDB/Parquet names). */
export type ColumnType = "DOUBLE" | "BIGINT" | "VARCHAR" | "BOOLEAN";

/** A column of a data table: its name and type. */
export interface DataColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** A table as plain rows, ready for any sink; cells are numbers, strings, booleans or null. */
export interface DataTable {
  readonly columns: readonly DataColumn[];
  readonly rows: readonly (readonly (number | string | boolean | null)[])[];
}

/** The file formats every table export offers; the same columns in each. */
export const TABLE_FORMATS = ["csv", "parquet", "json"] as const;
export type TableFileFormat = (typeof TABLE_FORMATS)[number];

/**
 * A cell as every sink writes it: a non-finite number (NaN, ±Infinity: a statistic that is
 * undefined, e.g. over zero good runs) is missing — null — in CSV, JSON and Parquet alike
 * (docs/limits.md).
 */
function cell(v: number | string | boolean | null | undefined): number | string | boolean | null {
  if (v === undefined) return null;
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

/** A plain CSV: header on line 1, a missing or non-finite value as an empty cell. */
export function dataTableCsv(t: DataTable): string {
  return csvText(
    t.columns.map((c) => c.name),
    t.rows.map((r) => r.map(cell)),
  );
}

/** JSON records, one object per row; NaN and ±Infinity (which JSON lacks) become null. */
export function dataTableJson(t: DataTable): string {
  const names = t.columns.map((c) => c.name);
  const records = t.rows.map((r) =>
    Object.fromEntries(
      names.map((n, i) => {
        return [n, cell(r[i])];
      }),
    ),
  );
  return `${JSON.stringify(records)}\n`;
}

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;
const quoteText = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Write a table as Parquet (through an in-memory DuckDB), with `metadata` as the file's
 * key-value metadata (read back with DuckDB's `parquet_kv_metadata(file)` or pyarrow's
 * `schema.metadata`). Written to a temporary file and renamed.
 */
export async function writeParquet(
  path: string,
  t: DataTable,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
    await db.run(`CREATE TABLE t (${cols})`);
    const app = await db.createAppender("t");
    for (const r of t.rows) {
      t.columns.forEach((c, i) => {
        const v = cell(r[i]);
        if (v === null) app.appendNull();
        else if (c.type === "DOUBLE") app.appendDouble(Number(v));
        else if (c.type === "BIGINT") app.appendBigInt(BigInt(Math.trunc(Number(v))));
        else if (c.type === "BOOLEAN") app.appendBoolean(Boolean(v));
        else app.appendVarchar(String(v));
      });
      app.endRow();
    }
    app.flushSync();
    app.closeSync();
    const kv = Object.entries(metadata)
      .map(([k, v]) => `${quoteIdent(k)}: ${quoteText(v)}`)
      .join(", ");
    await withAtomicPath(path, async (tmp) => {
      await db.run(
        `COPY t TO ${quoteText(tmp)} (FORMAT PARQUET${kv ? `, KV_METADATA {${kv}}` : ""})`,
      );
    });
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** Write a table in `format` to `path` (atomically); Parquet files also carry `metadata`. */
export async function writeDataTable(
  path: string,
  t: DataTable,
  format: TableFileFormat,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  if (format === "parquet") return writeParquet(path, t, metadata);
  writeFileAtomic(path, format === "csv" ? dataTableCsv(t) : dataTableJson(t));
}

/** Write a JSON document (2-space indent) atomically. */
export function writeJsonFile(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
