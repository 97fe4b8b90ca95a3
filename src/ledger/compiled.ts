import type BetterSqlite3 from "better-sqlite3";
import { type Compilable, CompiledQuery, type Kysely, sql, type Transaction } from "kysely";
import type { Tables } from "./db.js";

/**
 * Hot statements compiled once (docs/benchmarks.md, ledger): kysely builds and compiles a query
 * a single time with placeholder values, and every later run only binds new values — on SQLite to
 * a `better-sqlite3` prepared statement kept with it (synchronous, no query building at all), on
 * PostgreSQL through kysely's `executeQuery` of the compiled text. The SQL text is still the one
 * query layer's, so both engines run the same statements.
 */
export interface Prepared {
  readonly query: CompiledQuery;
  /** Compiled parameter k takes `values[positions[k]]`, or stays as compiled (a constant) if -1. */
  readonly positions: readonly number[];
  readonly statement: BetterSqlite3.Statement | null;
}

type Db = Kysely<Tables> | Transaction<Tables>;

/** A placeholder for the i-th value of a run, typed as whatever the builder wants. */
export type Placeholder = (i: number) => never;

const SENTINEL = "\u0001bme-param:";
const placeholder: Placeholder = (i) => `${SENTINEL}${i}` as never;

/** A multi-row insert's column list, one entry per column of every row. */
export type RowOf<T extends keyof Tables> = Tables[T];

export class CompiledStatements {
  private readonly cache = new Map<string, Prepared>();

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly sqlite: BetterSqlite3.Database | null,
  ) {}

  /** The statement named `key`, compiled by `build` the first time it is asked for. */
  prepare(key: string, build: (db: Kysely<Tables>, p: Placeholder) => Compilable): Prepared {
    let prepared = this.cache.get(key);
    if (prepared) return prepared;
    const query = build(this.db, placeholder).compile();
    const positions = query.parameters.map((v) =>
      typeof v === "string" && v.startsWith(SENTINEL) ? Number(v.slice(SENTINEL.length)) : -1,
    );
    const statement = this.sqlite ? this.sqlite.prepare(query.sql) : null;
    prepared = { query, positions, statement };
    if (this.cache.size >= 2000) this.cache.clear();
    this.cache.set(key, prepared);
    return prepared;
  }

  /** Run a prepared statement in `db` (a transaction on PostgreSQL); rows for a select. */
  async run<R = Record<string, unknown>>(
    db: Db,
    p: Prepared,
    values: readonly unknown[],
  ): Promise<R[]> {
    const parameters = p.positions.map((i, k) => (i < 0 ? p.query.parameters[k] : values[i]));
    if (p.statement) {
      if (p.statement.reader) return p.statement.all(parameters) as R[];
      p.statement.run(parameters);
      return [];
    }
    const result = await db.executeQuery<R>({ ...p.query, parameters });
    return result.rows as R[];
  }

  /** Run a fixed statement (savepoints): a kept prepared statement on SQLite. */
  async raw(db: Db, text: string): Promise<void> {
    if (this.sqlite) {
      let statement = this.rawStatements.get(text);
      if (!statement) {
        statement = this.sqlite.prepare(text);
        this.rawStatements.set(text, statement);
      }
      statement.run();
      return;
    }
    await db.executeQuery(CompiledQuery.raw(text));
  }

  private readonly rawStatements = new Map<string, BetterSqlite3.Statement>();

  /**
   * Insert `rows` (all with the columns of the first) in multi-row statements of at most `chunk`
   * rows, each statement compiled once per table, columns and row count.
   */
  async insert<T extends keyof Tables & string>(
    db: Db,
    table: T,
    rows: readonly Tables[T][],
    options: { chunk?: number; upsertAdd?: { keys: string[]; add: string } } = {},
  ): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]) as (keyof Tables[T] & string)[];
    const chunk = options.chunk ?? 500;
    for (let start = 0; start < rows.length; start += chunk) {
      const part = rows.slice(start, start + chunk);
      const key = `insert:${table}:${columns.join(",")}:${part.length}:${options.upsertAdd ? "upsert" : ""}`;
      const p = this.prepare(key, (kdb, ph) => {
        const values = part.map((_, r) =>
          Object.fromEntries(columns.map((col, c) => [col, ph(r * columns.length + c)])),
        );
        // biome-ignore lint/suspicious/noExplicitAny: placeholders stand for any column type
        const q = kdb.insertInto(table).values(values as any);
        const upsert = options.upsertAdd;
        if (!upsert) return q;
        return q.onConflict((oc) =>
          oc
            // biome-ignore lint/suspicious/noExplicitAny: the conflict target of this table
            .columns(upsert.keys as any)
            // biome-ignore lint/suspicious/noExplicitAny: add the excluded value to the stored one
            .doUpdateSet({ [upsert.add]: sqlAdd(table, upsert.add) } as any),
        );
      });
      const values: unknown[] = new Array(part.length * columns.length);
      let k = 0;
      for (const row of part) for (const col of columns) values[k++] = row[col];
      await this.run(db, p, values);
    }
  }
}

function sqlAdd(table: string, column: string) {
  return sql`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`;
}
