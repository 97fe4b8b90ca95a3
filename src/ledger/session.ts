import { z } from "@hono/zod-openapi";
import { LedgerError } from "./errors.js";
import { Ledger, type PriceSource, type Principal, type Role, type WriteResult } from "./ledger.js";
import { jobRegions } from "./scheduler.js";
import {
  CloseIn,
  ConsumerIn,
  InputsIn,
  JobIn,
  KeyIn,
  parseInput,
  SupplierIn,
  ValidationIn,
  ValidatorIn,
  VoteIn,
} from "./schemas.js";
import {
  balancesOf,
  consumerStatement,
  dayTable,
  supplierStatement,
  validatorStatement,
} from "./statements.js";

const IdParamNumber = z.object({ id: z.number().int().min(0) });

/** A JSON answer of the ledger (the same body the HTTP API returns). */
export type LedgerAnswer = Record<string, unknown>;

/**
 * Create a ledger in an empty database (`postgres://…` or an SQLite file path) from a scenario
 * object; returns the ledger and its first operator API key (shown once). Throws `LedgerError`
 * (field `db`) if the database already holds a ledger, `ScenarioError` for a bad scenario.
 */
export function createLedger(
  url: string,
  scenario: unknown,
  options: { priceSource?: PriceSource } = {},
): Promise<{ ledger: Ledger; operatorKey: string }> {
  return Ledger.init(url, scenario, options);
}

/** Open an existing ledger (`postgres://…` or an SQLite file path). Close it with `close()`. */
export function openLedger(url: string): Promise<Ledger> {
  return Ledger.open(url);
}

/**
 * The ledger embedded without HTTP, acting as the holder of one API key: the same roles, input
 * schemas, idempotency keys and answers as the HTTP API (docs/ledger-api.md), so a call refused
 * over HTTP is refused here with the same `LedgerError` (status, field, message), and a write
 * retried with its idempotency key — here or over HTTP — is not repeated.
 */
export class LedgerSession {
  private constructor(
    readonly ledger: Ledger,
    readonly principal: Principal,
  ) {}

  /** A session for `apiKey`; `LedgerError` 401 if the key is unknown. */
  static async of(ledger: Ledger, apiKey: string): Promise<LedgerSession> {
    const p = await ledger.authenticate(apiKey);
    if (!p) throw new LedgerError(401, "apiKey", "unknown API key");
    return new LedgerSession(ledger, p);
  }

  private need(roles: readonly Role[]): void {
    if (!roles.includes(this.principal.role))
      throw new LedgerError(
        403,
        "",
        `this needs a key of role ${roles.join(" or ")}; yours is ${this.principal.role}`,
      );
  }

  private me(): number {
    return this.principal.accountId as number;
  }

  /** One idempotent write, recorded as the HTTP API records it (`{ path, request }`). */
  private async write<S extends z.ZodType>(
    roles: readonly Role[],
    path: string,
    schema: S | null,
    input: unknown,
    idempotencyKey: string,
    act: (body: z.infer<S>) => Parameters<Ledger["write"]>[3],
    id?: number,
  ): Promise<LedgerAnswer> {
    this.need(roles);
    if (typeof idempotencyKey !== "string" || idempotencyKey.length === 0)
      throw new LedgerError(400, "Idempotency-Key", "every write needs an idempotency key");
    const body = schema ? parseInput(schema, input) : undefined;
    const request = id === undefined ? body : { id, ...(body ?? {}) };
    const r: WriteResult = await this.ledger.write(
      this.principal,
      idempotencyKey,
      { path, request },
      act(body as z.infer<S>),
    );
    return r.body as LedgerAnswer;
  }

  private taskId(id: number): number {
    return parseInput(IdParamNumber, { id }).id;
  }

  /** Create an operator or governance key (operator): `{ role, name, apiKey }`. */
  createKey(input: z.input<typeof KeyIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/keys",
      KeyIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.createKey(trx, b.role, b.name),
    );
  }

  /** Create a consumer and its key (operator): `{ id, name, consumerType, joinedDay, apiKey }`. */
  createConsumer(input: z.input<typeof ConsumerIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/consumers",
      ConsumerIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.createConsumer(trx, b.name, b.consumerType),
    );
  }

  /** Create a supplier and its key (operator); it joins on the open day. */
  createSupplier(input: z.input<typeof SupplierIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/suppliers",
      SupplierIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.createSupplier(trx, b),
    );
  }

  /** Create a validator and its key (operator). */
  createValidator(input: z.input<typeof ValidatorIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/validators",
      ValidatorIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.createValidator(trx, b.name),
    );
  }

  /** Submit a job and pay its price (E1) in USD (consumer): the job, its tasks and suppliers. */
  submitJob(input: z.input<typeof JobIn>, idempotencyKey: string) {
    return this.write(
      ["consumer"],
      "/v1/jobs",
      JobIn,
      input,
      idempotencyKey,
      (b) => (trx, j) =>
        this.ledger.submitJob(trx, this.me(), j, {
          ...b,
          regions: jobRegions(this.ledger.economy.scenario, b) ?? undefined,
        }),
    );
  }

  /** Post the bond of an assigned task (E22) (supplier). */
  postBond(taskId: number, idempotencyKey: string) {
    const id = this.taskId(taskId);
    return this.write(
      ["supplier"],
      `/v1/tasks/${id}/bond`,
      null,
      undefined,
      idempotencyKey,
      () => (trx) => this.ledger.postBond(trx, this.me(), id),
      id,
    );
  }

  /** Report a task complete (supplier). */
  complete(taskId: number, idempotencyKey: string) {
    const id = this.taskId(taskId);
    return this.write(
      ["supplier"],
      `/v1/tasks/${id}/complete`,
      null,
      undefined,
      idempotencyKey,
      () => (trx) => this.ledger.complete(trx, this.me(), id),
      id,
    );
  }

  /** Report the validation of completed work (validator). */
  validate(taskId: number, input: z.input<typeof ValidationIn>, idempotencyKey: string) {
    const id = this.taskId(taskId);
    return this.write(
      ["validator"],
      `/v1/tasks/${id}/validation`,
      ValidationIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.validate(trx, this.me(), id, b.passed),
      id,
    );
  }

  /** Post the open day's market inputs (E10) (operator). */
  postMarketInputs(input: z.input<typeof InputsIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/market-inputs",
      InputsIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.postMarketInputs(trx, this.principal.name, b),
    );
  }

  /** Cast a governance vote, effective from the open day's close (governance). */
  vote(input: z.input<typeof VoteIn>, idempotencyKey: string) {
    return this.write(
      ["governance"],
      "/v1/votes",
      VoteIn,
      input,
      idempotencyKey,
      (b) => (trx) => this.ledger.vote(trx, this.principal.name, b.set),
    );
  }

  /** Close the open day (operator): its §7 row (docs/model.md), committed as one transaction. */
  closeDay(input: z.input<typeof CloseIn>, idempotencyKey: string) {
    return this.write(
      ["operator"],
      "/v1/days/close",
      CloseIn,
      input,
      idempotencyKey,
      (b) => (trx, j) => this.ledger.closeDay(trx, j, b.day),
    );
  }

  /** Open day, phase, price source, on-chain values in force. */
  status() {
    const l = this.ledger;
    return { openDay: l.openDay, phase: l.phase, priceSource: l.priceSource, onchain: l.onchain };
  }

  /** A statement: the caller's own, or anyone's for the operator. */
  async statement(kind: "supplier" | "consumer" | "validator", id: number) {
    this.need(["operator", kind]);
    if (this.principal.role !== "operator" && this.principal.accountId !== id)
      throw new LedgerError(403, "id", "you may read only your own statement");
    if (kind === "supplier") return supplierStatement(this.ledger, id);
    if (kind === "consumer") return consumerStatement(this.ledger, id);
    return validatorStatement(this.ledger, id);
  }

  /** The economy's daily table (docs/model.md §7, with the ledger's figures) (operator, governance). */
  days() {
    this.need(["operator", "governance"]);
    return dayTable(this.ledger);
  }

  /** Every account's balance, from its postings (operator). */
  balances() {
    this.need(["operator"]);
    return balancesOf(this.ledger.db);
  }
}
