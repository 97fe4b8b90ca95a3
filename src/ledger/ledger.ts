import { createHash, randomBytes } from "node:crypto";
import type { Compilable, Transaction } from "kysely";
import { supplierBondUsd } from "../mechanisms/bonds.js";
import { ScenarioError } from "../scenario/errors.js";
import { prepareScenario } from "../scenario/load.js";
import { ONCHAIN_NAMES, type OnchainName, type OnchainValues } from "../scenario/onchain.js";
import { closeDay, type DayRecord, type DayState } from "./close.js";
import { CompiledStatements, type Placeholder } from "./compiled.js";
import { type LedgerDb, num, type OpenedDb, openDb, type Tables } from "./db.js";
import { departSupplier } from "./departures.js";
import { consumerIndex, type Economy, economyOf, priceOfJob, rowOf } from "./economy.js";
import { badInput, conflict, forbidden, LedgerError, notFound } from "./errors.js";
import { fanOut, Journal, transfer } from "./journal.js";
import { checkRegion, Dispatcher } from "./scheduler.js";
import { holdServeLock, type ServeLock } from "./serveLock.js";

export type Role = "operator" | "consumer" | "supplier" | "validator" | "governance";
export const ROLES: readonly Role[] = [
  "operator",
  "consumer",
  "supplier",
  "validator",
  "governance",
];

/** Who is calling: a role and, for consumers, suppliers and validators, their account id. */
export interface Principal {
  readonly role: Role;
  readonly accountId: number | null;
  readonly name: string;
  /** Stable id for idempotency keys and audit (the key's hash prefix). */
  readonly id: string;
}

export type PriceSource = "model" | "feed";

type Trx = Transaction<Tables>;

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");
const newKey = (role: Role) => `bme_${role}_${randomBytes(24).toString("base64url")}`;

interface Counters {
  consumer: number;
  supplier: number;
  validator: number;
  job: number;
  task: number;
  attempt: number;
  vote: number;
  txn: number;
  posting: number;
  outcome: number;
}

/** A write waiting for its group commit. */
interface PendingWrite {
  readonly principal: Principal;
  readonly idempotencyKey: string;
  readonly request: unknown;
  readonly fn: (trx: Trx, j: Journal) => Promise<WriteResult>;
  resolve(r: WriteResult): void;
  reject(e: unknown): void;
}

/** The stored answer's note of the key it issued (hash only), for a replay to re-issue it. */
const REISSUE = "reissuesKey";
interface Reissue {
  readonly hash: string;
  readonly role: Role;
  readonly accountId: number | null;
  readonly name: string;
}

/** Most writes committed in one transaction. */
const MAX_GROUP = 256;

/** What a write returns: an HTTP status and a JSON body (stored for idempotent replays). */
export interface WriteResult {
  readonly status: number;
  readonly body: unknown;
  /** Replaced by this in the stored copy (e.g. without a freshly issued API key). */
  readonly stored?: unknown;
}

/**
 * `bme ledger`: the whitepaper's economy run on real events (issue 14). One writer per database:
 * writes run one at a time, each with its idempotency record, committed in groups (`write`), so a
 * write is either acknowledged and committed whole, or absent. State the scheduler needs is held
 * in memory and rebuilt from the database on open and after any failed write.
 */
export class Ledger {
  private c!: Counters;
  private dispatcher!: Dispatcher;
  openDay = 0;
  phase: 1 | 2 = 1;
  onchain!: OnchainValues;
  priceSource: PriceSource = "model";

  /** The hot statements, compiled once (src/ledger/compiled.ts). */
  private readonly statements: CompiledStatements;

  /**
   * The database's one-writer lock (src/ledger/serveLock.ts): taken by `bme ledger serve` before
   * it serves, and by any other ledger on its first write (a library session), released by close().
   */
  private lock: ServeLock | null = null;
  private locking: Promise<void> | null = null;

  private constructor(
    private readonly handle: OpenedDb,
    readonly economy: Economy,
    private readonly url: string,
    /** false: writes don't take the lock (`bme ledger keys`: keys use no id, safe beside a server). */
    private readonly writeLock = true,
  ) {
    this.statements = new CompiledStatements(handle.db, handle.sqlite);
  }

  /** Run the compiled statement `key` (built by `build` the first time) with `values`. */
  private exec<R = Record<string, unknown>>(
    trx: Trx,
    key: string,
    build: (db: LedgerDb, p: Placeholder) => Compilable,
    values: readonly unknown[],
  ): Promise<R[]> {
    return this.statements.run<R>(trx, this.statements.prepare(key, build), values);
  }

  get db(): LedgerDb {
    return this.handle.db;
  }

  get dbKind(): "sqlite" | "postgres" {
    return this.handle.kind;
  }

  /**
   * Create a ledger in an empty database from a scenario object (its consumer types, supplier
   * classes, price matrix, tokens, phase one and on-chain block). Posts the genesis balances and
   * returns an operator API key (shown once).
   */
  static async init(
    url: string,
    scenarioRaw: unknown,
    options: { priceSource?: PriceSource; source?: string } = {},
  ): Promise<{ ledger: Ledger; operatorKey: string }> {
    const { scenario } = prepareScenario(scenarioRaw, { source: options.source });
    const economy = economyOf(scenario);
    const handle = await openDb(url, { create: true });
    try {
      const existing = await handle.db
        .selectFrom("meta")
        .select("value")
        .where("key", "=", "scenario")
        .executeTakeFirst();
      if (existing) throw badInput("db", `${url} already holds a ledger`);
      const at = new Date().toISOString();
      const operatorKey = newKey("operator");
      await handle.db.transaction().execute(async (trx) => {
        await trx
          .insertInto("meta")
          .values([
            { key: "scenario", value: JSON.stringify(scenario) },
            { key: "priceSource", value: options.priceSource ?? "model" },
            { key: "createdAt", value: at },
          ])
          .execute();
        await trx
          .insertInto("api_keys")
          .values({
            hash: hashKey(operatorKey),
            role: "operator",
            account_id: null,
            name: "operator",
            created_at: at,
          })
          .execute();
        const c = economy.compiled;
        const j = new Journal(1, 1, at);
        j.post(0, "genesis", "tokens", [
          ...fanOut("genesis", "tokens", [
            ["market", c.initialSupply],
            ["tokenReserve", c.initialTokenReserve],
            ["locked", c.initialLocked],
          ]),
          ...transfer("genesis", "dollarReserve", "usd", c.initialDollarReserve),
        ]);
        await j.flush(trx, new CompiledStatements(handle.db, handle.sqlite));
      });
      const ledger = new Ledger(handle, economy, url);
      await ledger.hydrate();
      return { ledger, operatorKey };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /**
   * Open an existing ledger. Reading takes no lock; the first write takes the database's
   * one-writer lock (LedgerError 409 naming the holder while a server or another writer holds
   * it) unless `writeLock` is false.
   */
  static async open(url: string, options: { writeLock?: boolean } = {}): Promise<Ledger> {
    const handle = await openDb(url);
    try {
      const row = await handle.db
        .selectFrom("meta")
        .select("value")
        .where("key", "=", "scenario")
        .executeTakeFirst();
      if (!row) throw badInput("db", `${url} holds no ledger yet: create one with bme ledger init`);
      const { scenario } = prepareScenario(JSON.parse(row.value));
      const ledger = new Ledger(handle, economyOf(scenario), url, options.writeLock ?? true);
      await ledger.hydrate();
      return ledger;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    while (this.draining) await this.draining;
    await this.locking?.catch(() => undefined);
    await this.lock?.release();
    this.lock = null;
    await this.handle.close();
  }

  /**
   * Take the database's one-writer lock as its server (`bme ledger serve`), before serving;
   * LedgerError 409 naming the holder if a server or a library writer holds it.
   */
  async holdServeLock(): Promise<void> {
    if (this.lock === null) this.lock = await holdServeLock(this.url, this.db, "server");
  }

  /**
   * A writer that is not the server takes the lock on its first write, then reloads the
   * counters: a server may have written since this ledger was opened.
   */
  private takeWriteLock(): Promise<void> {
    this.locking ??= (async () => {
      this.lock = await holdServeLock(this.url, this.db, "library");
      await this.hydrate();
    })().finally(() => {
      this.locking = null;
    });
    return this.locking;
  }

  /** Rebuild the in-memory state (counters, open day, phase, on-chain values, scheduler). */
  async hydrate(db: LedgerDb = this.db): Promise<void> {
    const max = async (table: keyof Tables, col = "id") =>
      num(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.max(col as never).as("m"))
            .executeTakeFirst()
        )?.m,
      );
    this.c = {
      consumer: (await max("consumers")) + 1,
      supplier: (await max("suppliers")) + 1,
      validator: (await max("validators")) + 1,
      job: (await max("jobs")) + 1,
      task: (await max("tasks")) + 1,
      attempt: (await max("attempts")) + 1,
      vote: (await max("votes")) + 1,
      txn: (await max("txns")) + 1,
      posting: (await max("postings")) + 1,
      outcome: (await max("attempts", "outcome_seq")) + 1,
    };
    const ps = await db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", "priceSource")
      .executeTakeFirst();
    this.priceSource = (ps?.value as PriceSource) ?? "model";
    const last = await db
      .selectFrom("days")
      .select(["day", "state"])
      .orderBy("day", "desc")
      .limit(1)
      .executeTakeFirst();
    const state = last ? (JSON.parse(last.state) as DayState) : null;
    this.openDay = last ? last.day + 1 : 0;
    this.phase = state?.phase ?? 1;
    this.onchain = state ? { ...state.onchain } : { ...this.economy.onchain0 };

    const d = new Dispatcher(this.onchain.reputationWindowJobs);
    const suppliers = await db.selectFrom("suppliers").selectAll().orderBy("id").execute();
    const busy = await db
      .selectFrom("attempts")
      .select(["supplier_id", (eb) => eb.fn.countAll().as("n")])
      .where("outcome", "=", "open")
      .where("completed_day", "is", null)
      .groupBy("supplier_id")
      .execute();
    const busyOf = new Map(busy.map((b) => [b.supplier_id, num(b.n)]));
    const outcomes = await db
      .selectFrom("attempts")
      .select(["supplier_id", "outcome"])
      .where("outcome_seq", "is not", null)
      .orderBy("outcome_seq")
      .execute();
    const outcomesOf = new Map<number, boolean[]>();
    for (const o of outcomes) {
      const list = outcomesOf.get(o.supplier_id) ?? [];
      list.push(o.outcome === "passed");
      outcomesOf.set(o.supplier_id, list);
    }
    const departed = new Set(
      (await db.selectFrom("departures").select("supplier_id").execute()).map((r) => r.supplier_id),
    );
    for (const s of suppliers) {
      if (departed.has(s.id)) continue; // left: no more work (src/ledger/departures.ts)
      const list = outcomesOf.get(s.id) ?? [];
      d.addSupplier({
        id: s.id,
        supplierClass: s.supplier_class,
        resource: s.resource,
        region: s.region,
        capacity: s.capacity,
        certified: s.certified === 1,
        busy: busyOf.get(s.id) ?? 0,
        outcomes: list,
        completed: list.length,
      });
    }
    const queued = await db
      .selectFrom("tasks")
      .selectAll()
      .where("status", "=", "queued")
      .orderBy("id")
      .execute();
    for (const t of queued) d.enqueue(taskForDispatch(t));
    this.dispatcher = d;
  }

  // ---- writes ----

  /**
   * Run one write with its idempotency record: a retry with the same key and the same request
   * returns the stored response and changes nothing; the same key with another request is refused.
   *
   * Writes run one at a time, in arrival order. Writes that arrive while a commit is under way are
   * committed together (group commit): each runs inside its own savepoint of one transaction, so
   * a refused write is rolled back alone, and every write of the group is acknowledged (its
   * promise settles) only after the transaction commits — one fsync for the group, none of its
   * writes acknowledged before it is durable (docs/decisions.md).
   */
  write(
    principal: Principal,
    idempotencyKey: string,
    request: unknown,
    fn: (trx: Trx, j: Journal) => Promise<WriteResult>,
  ): Promise<WriteResult> {
    if (this.lock === null && this.writeLock)
      return this.takeWriteLock().then(() => this.write(principal, idempotencyKey, request, fn));
    return new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ principal, idempotencyKey, request, fn, resolve, reject });
      if (!this.draining) this.draining = this.drain();
    });
  }

  /** Writes waiting for the next group commit, and the loop that commits them. */
  private readonly pending: PendingWrite[] = [];
  private draining: Promise<void> | null = null;

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      // let the requests already received reach the queue first (the SQLite driver is
      // synchronous: without this yield every group would hold one write)
      await new Promise((resolve) => setImmediate(resolve));
      await this.commitGroup(this.pending.splice(0, MAX_GROUP));
    }
    this.draining = null;
  }

  /** One transaction for the group; each write in a savepoint unless it is alone. */
  private async commitGroup(group: PendingWrite[]): Promise<void> {
    const alone = group.length === 1;
    const outcomes: ({ ok: true; result: WriteResult } | { ok: false; error: unknown })[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const w of group) {
          if (alone) {
            outcomes.push({ ok: true, result: await this.runWrite(trx, w) });
            continue;
          }
          await this.statements.raw(trx, "savepoint bme_write");
          try {
            const result = await this.runWrite(trx, w);
            await this.statements.raw(trx, "release savepoint bme_write");
            outcomes.push({ ok: true, result });
          } catch (error) {
            await this.statements.raw(trx, "rollback to savepoint bme_write");
            await this.statements.raw(trx, "release savepoint bme_write");
            await this.hydrate(trx); // the memory follows the database back to the savepoint
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // nothing of the group was committed (its one write was refused, or the commit failed)
      await this.hydrate().catch(() => undefined);
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const o = outcomes[i];
      if (o.ok) w.resolve(o.result);
      else w.reject(o.error);
    });
  }

  private async runWrite(trx: Trx, w: PendingWrite): Promise<WriteResult> {
    const { principal, idempotencyKey } = w;
    const hash = createHash("sha256").update(JSON.stringify(w.request)).digest("hex");
    const at = new Date().toISOString();
    const [seen] = await this.exec<Tables["idempotency"]>(
      trx,
      "idempotency.get",
      (db, p) =>
        db
          .selectFrom("idempotency")
          .selectAll()
          .where("principal", "=", p(0))
          .where("key", "=", p(1)),
      [principal.id, idempotencyKey],
    );
    if (seen) {
      if (seen.request_hash !== hash)
        throw conflict(
          "Idempotency-Key",
          `the key "${idempotencyKey}" was already used for another request`,
        );
      const stored = JSON.parse(seen.response);
      if (stored && typeof stored === "object" && REISSUE in stored)
        return this.replayWithNewKey(trx, seen, stored);
      return { status: seen.status, body: stored };
    }
    const j = new Journal(this.c.txn, this.c.posting, at);
    const result = await w.fn(trx, j);
    await j.flush(trx, this.statements);
    this.c.txn = j.next.txn;
    this.c.posting = j.next.posting;
    await this.statements.insert(trx, "idempotency", [
      {
        principal: principal.id,
        key: idempotencyKey,
        request_hash: hash,
        status: result.status,
        response: JSON.stringify(result.stored ?? result.body),
        at,
      },
    ]);
    return result;
  }

  /**
   * The replay of a write that issued a key (an account or an operator/governance key): keys are
   * stored hashed, so the lost one cannot be shown again. A new key is issued, the old one
   * revoked (its hash deleted), the stored answer updated so that a further retry revokes this
   * one in turn, and the answer says so (docs/ledger.md, "Lost answers").
   */
  private async replayWithNewKey(
    trx: Trx,
    seen: Tables["idempotency"],
    stored: Record<string, unknown>,
  ): Promise<WriteResult> {
    const { [REISSUE]: r, ...body } = stored as Record<string, unknown> & { [REISSUE]: Reissue };
    await trx.deleteFrom("api_keys").where("hash", "=", r.hash).execute();
    this.keysRevoked++;
    const apiKey = await this.issueKey(trx, r.role, r.accountId, r.name);
    await trx
      .updateTable("idempotency")
      .set({ response: JSON.stringify({ ...body, [REISSUE]: { ...r, hash: hashKey(apiKey) } }) })
      .where("principal", "=", seen.principal)
      .where("key", "=", seen.key)
      .execute();
    return {
      status: seen.status,
      body: {
        ...body,
        apiKey,
        note: "a retried answer: keys are stored hashed, so this is a new key; the key of the earlier answer is revoked",
      },
    };
  }

  /** How many keys replays have revoked: a cache of principals is stale when it moves. */
  keysRevoked = 0;

  /** Look up the principal of an API key (null if unknown). */
  async authenticate(key: string): Promise<Principal | null> {
    const hash = hashKey(key);
    const row = await this.db
      .selectFrom("api_keys")
      .selectAll()
      .where("hash", "=", hash)
      .executeTakeFirst();
    if (!row) return null;
    return {
      role: row.role as Role,
      accountId: row.account_id,
      name: row.name,
      id: hash.slice(0, 16),
    };
  }

  /** The stored answer of a write that issued `key`: its replay re-issues it (`replayWithNewKey`). */
  private storedWithKey(
    body: object,
    key: string,
    role: Role,
    accountId: number | null,
    name: string,
  ) {
    const reissue: Reissue = { hash: hashKey(key), role, accountId, name };
    return { ...body, apiKey: null, [REISSUE]: reissue };
  }

  private async issueKey(trx: Trx, role: Role, accountId: number | null, name: string) {
    const key = newKey(role);
    await trx
      .insertInto("api_keys")
      .values({
        hash: hashKey(key),
        role,
        account_id: accountId,
        name,
        created_at: new Date().toISOString(),
      })
      .execute();
    return key;
  }

  /** An operator or governance key (operator only). */
  async createKey(trx: Trx, role: Role, name: string): Promise<WriteResult> {
    if (role !== "operator" && role !== "governance")
      throw badInput(
        "role",
        `keys of role ${role} come with their account (POST /v1/${role}s); here: operator or governance`,
      );
    const apiKey = await this.issueKey(trx, role, null, name);
    return {
      status: 201,
      body: { role, name, apiKey },
      stored: this.storedWithKey({ role, name }, apiKey, role, null, name),
    };
  }

  /**
   * A new key for an existing account (a consumer, supplier or validator that lost its key):
   * 201 `{ role, id, name, apiKey, revoked }`. Unless `keepOld`, the account's earlier keys are
   * revoked (deleted), since a lost key may be in someone else's hands. 404 if no such account.
   */
  async reissueAccountKey(
    trx: Trx,
    role: "consumer" | "supplier" | "validator",
    id: number,
    keepOld = false,
  ): Promise<WriteResult> {
    const table = `${role}s` as "consumers" | "suppliers" | "validators";
    const account = await trx
      .selectFrom(table)
      .select("name")
      .where("id", "=", id)
      .executeTakeFirst();
    if (!account) throw notFound("account", `no ${role} ${id}`);
    let revoked = 0;
    if (!keepOld) {
      const r = await trx
        .deleteFrom("api_keys")
        .where("role", "=", role)
        .where("account_id", "=", id)
        .executeTakeFirst();
      revoked = Number(r.numDeletedRows);
      if (revoked > 0) this.keysRevoked++;
    }
    const apiKey = await this.issueKey(trx, role, id, account.name);
    const body = { role, id, name: account.name, revoked };
    return {
      status: 201,
      body: { ...body, apiKey },
      stored: this.storedWithKey(body, apiKey, role, id, account.name),
    };
  }

  async createConsumer(trx: Trx, name: string, consumerType: string): Promise<WriteResult> {
    if (consumerIndex(this.economy, consumerType) < 0)
      throw badInput(
        "consumerType",
        `unknown consumer type "${consumerType}"; this ledger has ${this.economy.consumerTypes.join(", ")}`,
      );
    const id = this.c.consumer++;
    await trx
      .insertInto("consumers")
      .values({ id, name, consumer_type: consumerType, joined_day: this.openDay })
      .execute();
    const apiKey = await this.issueKey(trx, "consumer", id, name);
    const body = { id, name, consumerType, joinedDay: this.openDay };
    return {
      status: 201,
      body: { ...body, apiKey },
      stored: this.storedWithKey(body, apiKey, "consumer", id, name),
    };
  }

  async createSupplier(
    trx: Trx,
    s: {
      name: string;
      supplierClass: string;
      resource: string;
      region: string;
      capacity: number;
      certified: boolean;
      stake: number;
    },
  ): Promise<WriteResult> {
    if (!this.economy.supplierClasses.includes(s.supplierClass))
      throw badInput(
        "supplierClass",
        `unknown supplier class "${s.supplierClass}"; this ledger has ${this.economy.supplierClasses.join(", ")}`,
      );
    checkRegion(this.economy.scenario, "region", s.region);
    const id = this.c.supplier++;
    await trx
      .insertInto("suppliers")
      .values({
        id,
        name: s.name,
        supplier_class: s.supplierClass,
        resource: s.resource,
        region: s.region,
        capacity: s.capacity,
        certified: s.certified ? 1 : 0,
        stake: s.stake,
        joined_day: this.openDay,
      })
      .execute();
    const apiKey = await this.issueKey(trx, "supplier", id, s.name);
    this.dispatcher.addSupplier({
      id,
      supplierClass: s.supplierClass,
      resource: s.resource,
      region: s.region,
      capacity: s.capacity,
      certified: s.certified,
      busy: 0,
      outcomes: [],
      completed: 0,
    });
    await this.dispatch(trx);
    const body = { id, ...s, joinedDay: this.openDay };
    return {
      status: 201,
      body: { ...body, apiKey },
      stored: this.storedWithKey(body, apiKey, "supplier", id, s.name),
    };
  }

  async createValidator(trx: Trx, name: string): Promise<WriteResult> {
    const id = this.c.validator++;
    await trx.insertInto("validators").values({ id, name, joined_day: this.openDay }).execute();
    const apiKey = await this.issueKey(trx, "validator", id, name);
    const body = { id, name, joinedDay: this.openDay };
    return {
      status: 201,
      body: { ...body, apiKey },
      stored: this.storedWithKey(body, apiKey, "validator", id, name),
    };
  }

  /**
   * A consumer submits a job and pays its price (E1) in USD; the job becomes one task per supplier
   * class with a non-zero share of its price-matrix row, priced at that share (§9), queued and
   * dispatched.
   */
  async submitJob(
    trx: Trx,
    consumerId: number,
    j: Journal,
    job: {
      consumerType?: string;
      units?: number;
      incentive?: number;
      resource?: string;
      regions?: string[];
      origin?: string;
      latencySlaMs?: number;
      deadlineDay: number;
    },
  ): Promise<WriteResult> {
    const [consumer] = await this.exec<Tables["consumers"]>(
      trx,
      "consumers.get",
      (db, p) => db.selectFrom("consumers").selectAll().where("id", "=", p(0)),
      [consumerId],
    );
    if (!consumer) throw notFound("consumerId", `no consumer ${consumerId}`);
    const type = job.consumerType ?? consumer.consumer_type;
    const i = consumerIndex(this.economy, type);
    if (i < 0)
      throw badInput(
        "consumerType",
        `unknown consumer type "${type}"; this ledger has ${this.economy.consumerTypes.join(", ")}`,
      );
    if (job.deadlineDay < this.openDay)
      throw badInput(
        "deadlineDay",
        `the deadline (day ${job.deadlineDay}) is before the open day ${this.openDay}`,
      );
    const ct = this.economy.scenario.consumers[i];
    const units = job.units ?? ct.unitsPerJob;
    const incentive = job.incentive ?? ct.incentive;
    const price = priceOfJob(this.economy, i, units, incentive);
    const id = this.c.job++;
    const regions = job.regions ? JSON.stringify(job.regions) : null;
    await this.statements.insert(trx, "jobs", [
      {
        id,
        consumer_id: consumerId,
        consumer_type: type,
        units,
        incentive,
        price,
        resource: job.resource ?? null,
        regions,
        origin: job.origin ?? null,
        latency_sla_ms: job.latencySlaMs ?? null,
        deadline_day: job.deadlineDay,
        day: this.openDay,
      },
    ]);
    const row = rowOf(this.economy, i);
    const tasks: Tables["tasks"][] = [];
    this.economy.supplierClasses.forEach((k, kk) => {
      if (row[kk] === 0) return;
      tasks.push({
        id: this.c.task++,
        job_id: id,
        consumer_id: consumerId,
        supplier_class: k,
        share: row[kk],
        price: price * row[kk],
        incentive,
        day: this.openDay,
        deadline_day: job.deadlineDay,
        resource: job.resource ?? null,
        regions,
        status: "queued",
        excluded: -1,
        attempt_id: null,
        closed_day: null,
      });
    });
    await this.statements.insert(trx, "tasks", tasks);
    j.post(
      this.openDay,
      "payment",
      `job:${id}`,
      transfer(`consumer:${consumerId}`, "incomePending", "usd", price),
    );
    for (const t of tasks) this.dispatcher.enqueue(taskForDispatch(t));
    const assigned = await this.dispatch(trx);
    return {
      status: 201,
      body: {
        id,
        consumerId,
        consumerType: type,
        units,
        incentive,
        price,
        resource: job.resource ?? null,
        regions: job.regions ?? null,
        origin: job.origin ?? null,
        latencySlaMs: job.latencySlaMs ?? null,
        day: this.openDay,
        deadlineDay: job.deadlineDay,
        tasks: tasks.map((t) => ({
          id: t.id,
          supplierClass: t.supplier_class,
          share: t.share,
          price: t.price,
          supplierId: assigned.get(t.id) ?? null,
        })),
      },
    };
  }

  /** Serve the queue; persist each assignment as an open attempt. Returns task → supplier. */
  private async dispatch(trx: Trx): Promise<Map<number, number>> {
    const pairs = this.dispatcher.assign(this.phase);
    const out = new Map<number, number>();
    for (const { taskId, supplierId } of pairs) {
      const attempt = this.c.attempt++;
      await this.statements.insert(trx, "attempts", [
        {
          id: attempt,
          task_id: taskId,
          supplier_id: supplierId,
          assigned_day: this.openDay,
          bond_day: null,
          bond_modulation: null,
          completed_day: null,
          validated_day: null,
          validator_id: null,
          outcome: "open",
          outcome_seq: null,
        },
      ]);
      await this.exec(
        trx,
        "tasks.assign",
        (db, p) =>
          db
            .updateTable("tasks")
            .set({ status: "assigned", attempt_id: p(0) })
            .where("id", "=", p(1)),
        [attempt, taskId],
      );
      out.set(taskId, supplierId);
    }
    return out;
  }

  private async attemptOf(trx: Trx, taskId: number) {
    const [task] = await this.exec<Tables["tasks"]>(
      trx,
      "tasks.get",
      (db, p) => db.selectFrom("tasks").selectAll().where("id", "=", p(0)),
      [taskId],
    );
    if (!task) throw notFound("taskId", `no task ${taskId}`);
    const attempt =
      task.attempt_id === null
        ? undefined
        : (
            await this.exec<Tables["attempts"]>(
              trx,
              "attempts.get",
              (db, p) => db.selectFrom("attempts").selectAll().where("id", "=", p(0)),
              [task.attempt_id],
            )
          )[0];
    return { task, attempt };
  }

  private async ownAttempt(trx: Trx, supplierId: number, taskId: number) {
    const { task, attempt } = await this.attemptOf(trx, taskId);
    if (task.status !== "assigned" || !attempt || attempt.supplier_id !== supplierId)
      throw forbidden("taskId", `task ${taskId} is not assigned to you`);
    return { task, attempt };
  }

  /** E22: the supplier posts its bond; its tokens are bought at the day's price at the close. */
  async postBond(trx: Trx, supplierId: number, taskId: number): Promise<WriteResult> {
    const { task, attempt } = await this.ownAttempt(trx, supplierId, taskId);
    if (attempt.bond_day !== null)
      throw conflict(
        "taskId",
        `the bond of task ${taskId} was already posted on day ${attempt.bond_day}`,
      );
    // the bond quoted is the bond charged: its USD is fixed now (a later vote on bondModulation
    // does not reach it; docs/ledger.md)
    const bondModulation = this.onchain.bondModulation;
    const bondUsd = supplierBondUsd(bondModulation, task.price);
    await this.exec(
      trx,
      "attempts.bond",
      (db, p) =>
        db
          .updateTable("attempts")
          .set({ bond_day: p(0), bond_modulation: p(1) })
          .where("id", "=", p(2)),
      [this.openDay, bondModulation, attempt.id],
    );
    return {
      status: 200,
      body: {
        taskId,
        supplierId,
        bondDay: this.openDay,
        bondUsd,
        note: "the bond charged is this bondUsd (fixed now, whatever later votes say); its tokens = bondUsd / priceOfToken of the day (E22), bought at the day's close",
      },
    };
  }

  async complete(trx: Trx, supplierId: number, taskId: number): Promise<WriteResult> {
    const { attempt } = await this.ownAttempt(trx, supplierId, taskId);
    if (attempt.bond_day === null)
      throw conflict("taskId", `post the bond of task ${taskId} before reporting its completion`);
    if (attempt.completed_day !== null)
      throw conflict("taskId", `task ${taskId} was already reported complete`);
    await this.exec(
      trx,
      "attempts.complete",
      (db, p) =>
        db
          .updateTable("attempts")
          .set({ completed_day: p(0) })
          .where("id", "=", p(1)),
      [this.openDay, attempt.id],
    );
    const s = this.dispatcher.supplier(supplierId);
    if (s) s.busy--;
    await this.dispatch(trx);
    return { status: 200, body: { taskId, supplierId, completedDay: this.openDay } };
  }

  /**
   * A validator reports the validation of completed work. Passed: the task is done (paid at the
   * close). Failed: the bond is lost (at the close) and the task is re-queued for another supplier.
   */
  async validate(
    trx: Trx,
    validatorId: number,
    taskId: number,
    passed: boolean,
  ): Promise<WriteResult> {
    const { task, attempt } = await this.attemptOf(trx, taskId);
    if (task.status !== "assigned" || !attempt || attempt.completed_day === null)
      throw conflict("taskId", `task ${taskId} has no completed work waiting for validation`);
    const seq = this.c.outcome++;
    await this.exec(
      trx,
      "attempts.validate",
      (db, p) =>
        db
          .updateTable("attempts")
          .set({ validated_day: p(0), validator_id: p(1), outcome: p(2), outcome_seq: p(3) })
          .where("id", "=", p(4)),
      [this.openDay, validatorId, passed ? "passed" : "failed", seq, attempt.id],
    );
    this.dispatcher.record(attempt.supplier_id, passed);
    if (passed) {
      await this.exec(
        trx,
        "tasks.validated",
        (db, p) =>
          db
            .updateTable("tasks")
            .set({ status: "validated", closed_day: p(0) })
            .where("id", "=", p(1)),
        [this.openDay, taskId],
      );
    } else {
      await this.exec(
        trx,
        "tasks.requeue",
        (db, p) =>
          db
            .updateTable("tasks")
            .set({ status: "queued", attempt_id: null, excluded: p(0) })
            .where("id", "=", p(1)),
        [attempt.supplier_id, taskId],
      );
      this.dispatcher.enqueue(taskForDispatch({ ...task, excluded: attempt.supplier_id }));
      await this.dispatch(trx);
    }
    return {
      status: 200,
      body: { taskId, supplierId: attempt.supplier_id, validatorId, passed, day: this.openDay },
    };
  }

  /** The open day's exchange demand and governance value (E10), or a price from a feed. */
  async postMarketInputs(
    trx: Trx,
    who: string,
    m: { consumerSentiment: number; governanceValue: number; priceOfToken?: number },
  ): Promise<WriteResult> {
    if (this.priceSource === "feed" && m.priceOfToken === undefined)
      throw badInput("priceOfToken", "this ledger's priceSource is feed: post the day's price");
    if (this.priceSource === "model" && m.priceOfToken !== undefined)
      throw badInput(
        "priceOfToken",
        "this ledger's priceSource is model (E10): the price is computed, not posted",
      );
    const row = {
      day: this.openDay,
      consumer_sentiment: m.consumerSentiment,
      governance_value: m.governanceValue,
      price_of_token: m.priceOfToken ?? null,
      posted_by: who,
      posted_at: new Date().toISOString(),
    };
    await trx.deleteFrom("inputs").where("day", "=", this.openDay).execute();
    await trx.insertInto("inputs").values(row).execute();
    return { status: 200, body: { day: this.openDay, ...m } };
  }

  /**
   * A governance vote: on-chain variables with the scenario's names and ranges, checked together
   * with every value in force (and every vote already cast today); effective from the open day's
   * close (the simulator's schedule entry of that day).
   */
  async vote(trx: Trx, voter: string, set: Record<string, number>): Promise<WriteResult> {
    const today = await trx
      .selectFrom("votes")
      .selectAll()
      .where("day", "=", this.openDay)
      .orderBy("id")
      .execute();
    const values: Record<string, number> = { ...this.onchain };
    for (const v of today) values[v.variable] = v.value;
    const names = Object.keys(set);
    if (names.length === 0) throw badInput("set", "name at least one on-chain variable");
    const unknown = names.find((n) => !ONCHAIN_NAMES.includes(n as OnchainName));
    if (unknown !== undefined)
      throw badInput(
        `set.${unknown}`,
        `not an on-chain variable; the variables are ${ONCHAIN_NAMES.join(", ")}`,
      );
    const candidate = { ...this.economy.scenario, onchain: { ...values, ...set }, schedule: [] };
    try {
      prepareScenario(candidate);
    } catch (e) {
      if (e instanceof ScenarioError) {
        const issue = e.issues[0];
        const field = issue.path.replace(/^onchain\./, "set.");
        throw badInput(field, issue.message);
      }
      throw e;
    }
    const castAt = new Date().toISOString();
    for (const n of names)
      await trx
        .insertInto("votes")
        .values({
          id: this.c.vote++,
          day: this.openDay,
          variable: n,
          value: set[n],
          voter,
          cast_at: castAt,
        })
        .execute();
    return {
      status: 201,
      body: { day: this.openDay, effectiveFromCloseOfDay: this.openDay, set, voter, castAt },
    };
  }

  /** Close the open day (docs/model.md §6 on what happened); one transaction, refused whole on I1–I3. */
  async closeDay(trx: Trx, j: Journal, day: number): Promise<WriteResult> {
    if (day < this.openDay) throw conflict("day", `day ${day} is already closed`);
    if (day > this.openDay)
      throw conflict("day", `day ${day} is not open yet; the open day is ${this.openDay}`);
    const record: DayRecord = await closeDay(this, trx, j, day);
    // the memory follows only once the transaction commits (write() rehydrates on failure)
    this.openDay = day + 1;
    this.phase = record.state.phase;
    this.onchain = { ...record.state.onchain };
    this.dispatcher.setWindow(this.onchain.reputationWindowJobs);
    for (const { supplierId, wasBusy } of record.expiredAttempts) {
      const s = this.dispatcher.supplier(supplierId);
      if (s && wasBusy) s.busy--;
      this.dispatcher.record(supplierId, false);
    }
    for (const taskId of record.expiredTasks) this.dispatcher.dequeue(taskId);
    this.c.outcome = record.nextOutcomeSeq;
    await this.dispatch(trx);
    return { status: 200, body: record.row };
  }

  nextOutcomeSeq(): number {
    return this.c.outcome;
  }

  /** A supplier leaves on the open day (src/ledger/departures.ts, docs/ledger.md). */
  departSupplier(trx: Trx, supplierId: number, by: string, reason: string | null) {
    return departSupplier(
      {
        openDay: this.openDay,
        dispatcher: this.dispatcher,
        takeOutcomeSeq: () => this.c.outcome++,
        dispatch: (t) => this.dispatch(t),
        taskForDispatch,
      },
      trx,
      supplierId,
      by,
      reason,
    );
  }
}

export function taskForDispatch(t: Tables["tasks"]) {
  return {
    id: t.id,
    supplierClass: t.supplier_class,
    incentive: t.incentive,
    day: t.day,
    resource: t.resource,
    regions: t.regions ? (JSON.parse(t.regions) as string[]) : null,
    excluded: t.excluded,
  };
}

export { LedgerError };
