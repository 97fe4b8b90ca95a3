import { hostname } from "node:os";
import type BetterSqlite3 from "better-sqlite3";
import type { Client } from "pg";
import { isPostgresUrl, type LedgerDb, maskedUrl } from "./db.js";
import { LedgerError } from "./errors.js";

/**
 * The one-writer lock of `bme ledger serve` (docs/ledger.md "One server per database"): the
 * service numbers ids in memory (src/ledger/ledger.ts), so a second server on the same database
 * would hand out the first one's ids. A server takes this lock before it serves and holds it for
 * its life; the database releases it when the holder's connection ends, so a killed server never
 * leaves a stale lock.
 *
 * - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`, scoped to the database) on a
 *   connection of its own, held open until `release`.
 * - SQLite: an exclusive transaction (`BEGIN EXCLUSIVE`, locking mode EXCLUSIVE) on the companion
 *   file `<ledger file>-serve.lock`, held until `release` (the OS drops it when the process dies).
 *   The ledger file itself stays readable and writable by other processes (`bme ledger keys`).
 *
 * A library writer (`Ledger.open`, `LedgerSession`: decision 145) takes the same lock on its first
 * write and holds it until it closes, so it can neither interleave with a server nor with another
 * library writer; a ledger that only reads takes none.
 *
 * Refused with a `LedgerError` 409 (field `db`) naming the holder (what it is — a server or a
 * library session —, its pid, host and start, as it wrote them in `meta.serveHolder`).
 */
export interface ServeLock {
  release(): Promise<void>;
}

/** Advisory lock key of a ledger's server (any fixed 64-bit number; "bmeledgr" in ASCII). */
const ADVISORY_KEY = "7091990385906168946";
const HOLDER = "serveHolder";

/** Who holds the lock: `bme ledger serve`, or a library ledger that writes. */
export type LockHolder = "server" | "library";

export async function holdServeLock(
  url: string,
  db: LedgerDb,
  as: LockHolder = "server",
): Promise<ServeLock> {
  const lock = isPostgresUrl(url) ? await postgresLock(url) : await sqliteLock(url);
  if (!lock) throw new LedgerError(409, "db", await refusal(url, db, as));
  const holder = JSON.stringify({
    kind: as,
    pid: process.pid,
    host: hostname(),
    since: new Date().toISOString(),
  });
  await db
    .insertInto("meta")
    .values({ key: HOLDER, value: holder })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: holder }))
    .execute();
  return lock;
}

async function refusal(url: string, db: LedgerDb, as: LockHolder): Promise<string> {
  const row = await db
    .selectFrom("meta")
    .select("value")
    .where("key", "=", HOLDER)
    .executeTakeFirst()
    .catch(() => undefined);
  let who = "another process";
  let library = false;
  if (row) {
    const h = JSON.parse(row.value) as {
      kind?: LockHolder;
      pid: number;
      host: string;
      since: string;
    };
    library = h.kind === "library";
    who = library
      ? `held by a library session of process ${h.pid} on ${h.host} (writing since ${h.since})`
      : `already served by process ${h.pid} on ${h.host} (serving since ${h.since})`;
  } else who = `held by ${who}`;
  const where = isPostgresUrl(url) ? maskedUrl(url) : url;
  const held = `${where} is ${who}`;
  if (as === "library")
    return library
      ? `${held}: one writer per database (close the other ledger first)`
      : `${held}: write through its HTTP API, or stop the server first`;
  return library
    ? `${held}: one writer per database (close that session first)`
    : `${held}: run one bme ledger serve per database (stop the other first, or use its URL)`;
}

async function postgresLock(url: string): Promise<ServeLock | null> {
  const pg = (await import("pg")).default;
  const client: Client = new pg.Client({ connectionString: url });
  await client.connect();
  // a broken lock connection means the lock is gone: say so rather than serve unguarded
  client.on("error", (e) => {
    process.stderr.write(`ledger: the server's database lock connection failed: ${e.message}\n`);
  });
  const r = await client.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [
    ADVISORY_KEY,
  ]);
  if (!r.rows[0]?.ok) {
    await client.end();
    return null;
  }
  return { release: () => client.end() };
}

async function sqliteLock(url: string): Promise<ServeLock | null> {
  const file = url.replace(/^sqlite:(\/\/)?/, "");
  if (file === ":memory:") return { release: async () => undefined };
  const Database = (await import("better-sqlite3")).default;
  const lockDb: BetterSqlite3.Database = new Database(`${file}-serve.lock`, { timeout: 0 });
  try {
    lockDb.pragma("locking_mode = EXCLUSIVE");
    lockDb.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    lockDb.close();
    if ((e as { code?: string }).code?.startsWith("SQLITE_BUSY")) return null;
    throw e;
  }
  return {
    release: async () => {
      lockDb.exec("ROLLBACK");
      lockDb.close();
    },
  };
}
