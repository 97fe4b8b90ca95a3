import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from "kysely";
import type { Pool } from "pg";
import { LedgerError } from "./errors.js";

/**
 * The ledger's database: one kysely schema, one set of migrations, two engines — PostgreSQL
 * (`postgres://…`) for production and embedded SQLite (a file path) by default
 * (docs/decisions.md: why better-sqlite3). Amounts are float64 (`double precision`), as in the
 * engine; ids are assigned by the service (one writer), so both engines number alike.
 */
export interface Tables {
  meta: { key: string; value: string };
  api_keys: {
    hash: string;
    role: string;
    account_id: number | null;
    name: string;
    created_at: string;
  };
  consumers: { id: number; name: string; consumer_type: string; joined_day: number };
  suppliers: {
    id: number;
    name: string;
    supplier_class: string;
    resource: string;
    region: string;
    capacity: number;
    certified: number;
    stake: number;
    joined_day: number;
  };
  validators: { id: number; name: string; joined_day: number };
  jobs: {
    id: number;
    consumer_id: number;
    consumer_type: string;
    units: number;
    incentive: number;
    price: number;
    resource: string | null;
    regions: string | null;
    /** The region the job comes from and its latency SLA, ms, as submitted (null: not given). */
    origin: string | null;
    latency_sla_ms: number | null;
    deadline_day: number;
    day: number;
  };
  tasks: {
    id: number;
    job_id: number;
    consumer_id: number;
    supplier_class: string;
    share: number;
    price: number;
    incentive: number;
    day: number;
    deadline_day: number;
    resource: string | null;
    regions: string | null;
    /** queued | assigned | validated | expired */
    status: string;
    excluded: number;
    attempt_id: number | null;
    closed_day: number | null;
  };
  attempts: {
    id: number;
    task_id: number;
    supplier_id: number;
    assigned_day: number;
    bond_day: number | null;
    /** The bondModulation in force when the bond was posted: its quote (E22), what it is charged. */
    bond_modulation: number | null;
    completed_day: number | null;
    validated_day: number | null;
    validator_id: number | null;
    /** open | passed | failed | expired */
    outcome: string;
    /** Order of outcomes (E20 window), a global counter. */
    outcome_seq: number | null;
  };
  inputs: {
    day: number;
    consumer_sentiment: number;
    governance_value: number;
    price_of_token: number | null;
    posted_by: string;
    posted_at: string;
  };
  votes: {
    id: number;
    day: number;
    variable: string;
    value: number;
    voter: string;
    cast_at: string;
  };
  days: {
    day: number;
    closed_at: string;
    /** The §7 row and the state the next close needs, as JSON. */
    row: string;
    state: string;
  };
  txns: { id: number; day: number; kind: string; ref: string; at: string };
  postings: {
    id: number;
    txn_id: number;
    day: number;
    kind: string;
    account: string;
    currency: string;
    amount: number;
  };
  balances: { account: string; currency: string; amount: number };
  /** Buyback tokens per submission day: bought, paid out so far, tasks still open. */
  cohorts: { day: number; bought: number; paid: number; open: number };
  idempotency: {
    principal: string;
    key: string;
    request_hash: string;
    status: number;
    response: string;
    at: string;
  };
  /** Suppliers that left (src/ledger/departures.ts): active on days joined_day ≤ t < day. */
  departures: {
    supplier_id: number;
    day: number;
    reason: string | null;
    recorded_by: string;
    at: string;
  };
}

export type LedgerDb = Kysely<Tables>;

export interface OpenedDb {
  readonly db: LedgerDb;
  readonly kind: "sqlite" | "postgres";
  /** The SQLite connection itself (one per ledger), for the compiled hot statements; else null. */
  readonly sqlite: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

/** True for `postgres://` / `postgresql://` URLs; anything else is an SQLite file path. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/** A PostgreSQL URL as it may be shown: its password masked. */
export function maskedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  }
}

/**
 * Open the database at `url` and bring its schema up to date. `create` (bme ledger init) makes a
 * new SQLite file; otherwise a missing file is refused (404, field `db`) rather than created
 * empty. Refused too (422, field `db`): an SQLite file in a folder that does not exist, and a
 * PostgreSQL server that cannot be reached (named by its URL, password masked).
 */
export async function openDb(url: string, options: { create?: boolean } = {}): Promise<OpenedDb> {
  let opened: OpenedDb;
  if (isPostgresUrl(url)) {
    const pg = (await import("pg")).default;
    // float8 → number is pg's default; count()/sum(int) come back as bigint strings (Number()).
    const pool: Pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      (await pool.connect()).release();
    } catch (e) {
      await pool.end().catch(() => undefined);
      const err = e as NodeJS.ErrnoException;
      const why = err.message || err.code || String(e);
      throw new LedgerError(
        422,
        "db",
        `could not connect to PostgreSQL at ${maskedUrl(url)}: ${why}${err.code && err.message ? ` (${err.code})` : ""}`,
      );
    }
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    opened = { db, kind: "postgres", sqlite: null, close: () => db.destroy() };
  } else {
    const Database = (await import("better-sqlite3")).default;
    const file = url.replace(/^sqlite:(\/\/)?/, "");
    if (file !== ":memory:" && !existsSync(file)) {
      if (!options.create)
        throw new LedgerError(404, "db", `no ledger at ${file}; create one with bme ledger init`);
      const folder = dirname(resolve(file));
      if (!existsSync(folder))
        throw new LedgerError(
          422,
          "db",
          `cannot create ${file}: the folder ${folder} does not exist (create it first)`,
        );
    }
    const database = new Database(file);
    // WAL + synchronous FULL: a commit returns only once its log frames are fsync'ed, so an
    // acknowledged event survives SIGKILL and power loss alike (docs/decisions.md: NORMAL would
    // survive SIGKILL but may lose the last commits on power loss).
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = FULL");
    database.pragma("busy_timeout = 5000");
    // kysely prepares every query anew; the ledger repeats a few dozen SQL texts, so keep them
    const prepared = new Map<string, ReturnType<typeof database.prepare>>();
    const prepare = database.prepare.bind(database);
    database.prepare = ((text: string) => {
      let s = prepared.get(text);
      if (!s) {
        if (prepared.size >= 500) prepared.clear();
        s = prepare(text);
        prepared.set(text, s);
      }
      return s;
    }) as typeof database.prepare;
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
    opened = { db, kind: "sqlite", sqlite: database, close: () => db.destroy() };
  }
  await migrate(opened.db);
  return opened;
}

const D = "double precision";

/** The accounts: meta, API keys, consumers, suppliers, validators. */
async function createAccountTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("meta")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("api_keys")
    .addColumn("hash", "text", (c) => c.primaryKey())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("account_id", "integer")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("consumers")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("consumer_type", "text", (c) => c.notNull())
    .addColumn("joined_day", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("suppliers")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("supplier_class", "text", (c) => c.notNull())
    .addColumn("resource", "text", (c) => c.notNull())
    .addColumn("region", "text", (c) => c.notNull())
    .addColumn("capacity", "integer", (c) => c.notNull())
    .addColumn("certified", "integer", (c) => c.notNull())
    .addColumn("stake", D, (c) => c.notNull())
    .addColumn("joined_day", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("validators")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("joined_day", "integer", (c) => c.notNull())
    .execute();
}

/** The market: jobs, their tasks, attempts, market inputs, votes. */
async function createMarketTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("jobs")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("consumer_id", "integer", (c) => c.notNull())
    .addColumn("consumer_type", "text", (c) => c.notNull())
    .addColumn("units", D, (c) => c.notNull())
    .addColumn("incentive", D, (c) => c.notNull())
    .addColumn("price", D, (c) => c.notNull())
    .addColumn("resource", "text")
    .addColumn("regions", "text")
    .addColumn("deadline_day", "integer", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("tasks")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("job_id", "integer", (c) => c.notNull())
    .addColumn("consumer_id", "integer", (c) => c.notNull())
    .addColumn("supplier_class", "text", (c) => c.notNull())
    .addColumn("share", D, (c) => c.notNull())
    .addColumn("price", D, (c) => c.notNull())
    .addColumn("incentive", D, (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("deadline_day", "integer", (c) => c.notNull())
    .addColumn("resource", "text")
    .addColumn("regions", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("excluded", "integer", (c) => c.notNull())
    .addColumn("attempt_id", "integer")
    .addColumn("closed_day", "integer")
    .execute();
  await db.schema.createIndex("tasks_status").on("tasks").column("status").execute();
  await db.schema.createIndex("tasks_job").on("tasks").column("job_id").execute();
  await db.schema.createIndex("tasks_day").on("tasks").column("day").execute();
  await db.schema
    .createTable("attempts")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("task_id", "integer", (c) => c.notNull())
    .addColumn("supplier_id", "integer", (c) => c.notNull())
    .addColumn("assigned_day", "integer", (c) => c.notNull())
    .addColumn("bond_day", "integer")
    .addColumn("completed_day", "integer")
    .addColumn("validated_day", "integer")
    .addColumn("validator_id", "integer")
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("outcome_seq", "integer")
    .execute();
  await db.schema
    .createIndex("attempts_validated")
    .on("attempts")
    .column("validated_day")
    .execute();
  await db.schema.createIndex("attempts_bond").on("attempts").column("bond_day").execute();
  await db.schema.createIndex("attempts_supplier").on("attempts").column("supplier_id").execute();
  await db.schema
    .createTable("inputs")
    .addColumn("day", "integer", (c) => c.primaryKey())
    .addColumn("consumer_sentiment", D, (c) => c.notNull())
    .addColumn("governance_value", D, (c) => c.notNull())
    .addColumn("price_of_token", D)
    .addColumn("posted_by", "text", (c) => c.notNull())
    .addColumn("posted_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("votes")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("variable", "text", (c) => c.notNull())
    .addColumn("value", D, (c) => c.notNull())
    .addColumn("voter", "text", (c) => c.notNull())
    .addColumn("cast_at", "text", (c) => c.notNull())
    .execute();
}

/** The books: closed days, transactions, postings, balances, cohorts, idempotency. */
async function createBookTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("days")
    .addColumn("day", "integer", (c) => c.primaryKey())
    .addColumn("closed_at", "text", (c) => c.notNull())
    .addColumn("row", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("txns")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("ref", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("postings")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("txn_id", "integer", (c) => c.notNull())
    .addColumn("day", "integer", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("amount", D, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("postings_account").on("postings").column("account").execute();
  await db.schema
    .createTable("balances")
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("amount", D, (c) => c.notNull())
    .addPrimaryKeyConstraint("balances_pk", ["account", "currency"])
    .execute();
  await db.schema
    .createTable("cohorts")
    .addColumn("day", "integer", (c) => c.primaryKey())
    .addColumn("bought", D, (c) => c.notNull())
    .addColumn("paid", D, (c) => c.notNull())
    .addColumn("open", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("idempotency")
    .addColumn("principal", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("status", "integer", (c) => c.notNull())
    .addColumn("response", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("idempotency_pk", ["principal", "key"])
    .execute();
}

const migrations: Record<string, Migration> = {
  "0001_ledger": {
    async up(db: Kysely<unknown>) {
      await createAccountTables(db);
      await createMarketTables(db);
      await createBookTables(db);
    },
  },
  "0002_departures": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("departures")
        .addColumn("supplier_id", "integer", (c) => c.primaryKey())
        .addColumn("day", "integer", (c) => c.notNull())
        .addColumn("reason", "text")
        .addColumn("recorded_by", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .execute();
    },
  },
  // the bondModulation a bond was quoted at (docs/ledger.md): a ledger made before it upgrades
  "0003_bond_quote": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("attempts").addColumn("bond_modulation", "real").execute();
    },
  },
  // a job's origin and latency SLA as submitted, so GET /v1/jobs/{id} shows what was sent
  "0004_job_origin": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("jobs").addColumn("origin", "text").execute();
      await db.schema.alterTable("jobs").addColumn("latency_sla_ms", D).execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Apply every pending migration (the same list on both engines). */
export async function migrate(db: LedgerDb): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "?";
    throw new Error(
      `the ledger database could not be migrated (${failed}): ${(error as Error).message}`,
    );
  }
}

/** `Number()` of a count or sum the driver may return as a string (pg bigint). */
export function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export { sql };
