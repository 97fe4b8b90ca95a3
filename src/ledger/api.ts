import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { Tables } from "./db.js";
import { departureRoutes } from "./departuresApi.js";
import { LedgerError } from "./errors.js";
import type { Ledger, Principal, Role, WriteResult } from "./ledger.js";
import { jobRegions } from "./scheduler.js";
import {
  CloseIn,
  ConsumerIn,
  DaysQuery,
  Format,
  IdParam,
  InputsIn,
  issueText,
  JobIn,
  KeyIn,
  SupplierIn,
  ValidationIn,
  ValidatorIn,
  VoteIn,
} from "./schemas.js";
import {
  balancesOf,
  consumerStatement,
  dayTable,
  dayTableCsv,
  statementCsv,
  supplierStatement,
  validatorStatement,
} from "./statements.js";

export interface ApiOptions {
  /** Largest request body, bytes (default 64 KiB). */
  readonly maxBodyBytes?: number;
  /** Requests per second per API key (token bucket, burst = one second's worth; default 5000). */
  readonly ratePerSecond?: number;
  /**
   * How long a looked-up API key is trusted without asking the database again, ms (default
   * 5000): a key revoked by another process (`bme ledger keys --account`) stops working within
   * this time.
   */
  readonly keyCacheMs?: number;
}

type Env = { Variables: { principal: Principal } };

const ErrorBody = z
  .object({
    error: z.string().openapi({ example: "units: must be > 0" }),
    field: z.string().openapi({ description: "The field at fault ('' for the request)." }),
  })
  .openapi("Error");

const idem = z.object({
  "idempotency-key": z.string().min(1).max(200).openapi({
    description: "Client-chosen key; a retry with the same key never repeats the write.",
  }),
});
const Created = z.object({ id: z.number().int(), apiKey: z.string().nullable() }).passthrough();
const Any = z.object({}).passthrough();

const errors = {
  400: { description: "Bad request", content: { "application/json": { schema: ErrorBody } } },
  401: {
    description: "No or unknown API key",
    content: { "application/json": { schema: ErrorBody } },
  },
  403: {
    description: "Not allowed for this key",
    content: { "application/json": { schema: ErrorBody } },
  },
  404: { description: "Not found", content: { "application/json": { schema: ErrorBody } } },
  409: {
    description: "Conflicts with the ledger's state",
    content: { "application/json": { schema: ErrorBody } },
  },
  422: {
    description: "Invalid input (the field is named)",
    content: { "application/json": { schema: ErrorBody } },
  },
};

function ok(schema: z.ZodType, description: string, status = 200) {
  return {
    [status]: { description, content: { "application/json": { schema } } },
    ...errors,
  };
}

function auth(...roles: Role[]): MiddlewareHandler<Env> {
  return async (c, next) => {
    const p = c.get("principal");
    if (!roles.includes(p.role))
      throw new LedgerError(
        403,
        "",
        `this needs a key of role ${roles.join(" or ")}; yours is ${p.role}`,
      );
    await next();
  };
}

/** The ledger's HTTP API (Hono, zod schemas, OpenAPI document at /openapi.json). */
export function ledgerApi(ledger: Ledger, options: ApiOptions = {}): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const { field, message } = issueText(result.error.issues[0]);
        if (field === "idempotency-key" && message.startsWith("required"))
          return c.json(
            {
              error: "Idempotency-Key: required: every write needs an Idempotency-Key header",
              field: "Idempotency-Key",
            },
            422,
          );
        return c.json({ error: `${field || "request"}: ${message}`, field }, 422);
      }
    },
  });
  guard(app, ledger, options);
  const kit = routeKit(app, ledger);
  accountRoutes(kit);
  marketRoutes(kit);
  readRoutes(kit);
  reportRoutes(kit);
  departureRoutes(app, ledger);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "bme ledger",
      version: "1",
      description:
        "The whitepaper's BME economy run on real events (issue 14). Every write needs an Idempotency-Key header; every request an API key (Authorization: Bearer).",
    },
  });
  app.get("/healthz", (c) => c.json({ ok: true }));
  return app;
}

// biome-ignore lint/suspicious/noExplicitAny: route contexts carry their own schema types
type AnyContext = Context<any, any, any>;

/** Errors as JSON, the body limit, and the API key and rate limit of every /v1 request. */
function guard(app: OpenAPIHono<Env>, ledger: Ledger, options: ApiOptions): void {
  const rate = options.ratePerSecond ?? 5000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const keyCacheMs = options.keyCacheMs ?? 5000;
  const principals = new Map<string, { p: Principal; at: number }>();
  let revokedSeen = ledger.keysRevoked;

  app.onError((e, c) => {
    if (e instanceof LedgerError)
      return c.json(
        { error: e.field ? `${e.field}: ${e.message}` : e.message, field: e.field },
        e.status,
      );
    if (e instanceof HTTPException && e.status === 415)
      return c.json(
        {
          error: contentTypeMessage(c.req.header("content-type")),
          field: "",
        },
        415,
      );
    if (e instanceof SyntaxError || (e instanceof HTTPException && e.status === 400))
      return c.json({ error: "the request body is not valid JSON", field: "" }, 400);
    process.stderr.write(`ledger: internal error: ${(e as Error).message}\n`);
    return c.json({ error: "internal error; nothing of this request was stored", field: "" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}`, field: "" }, 404));

  const maxSize = options.maxBodyBytes ?? 64 * 1024;
  const tooLarge = (c: Context) =>
    c.json({ error: "the request body is too large", field: "" }, 413);
  const streamed = bodyLimit({ maxSize, onError: tooLarge });
  // a declared length is checked without touching the body (hono's bodyLimit would build a full
  // web Request to look at it: ≈ 12% of an event's CPU); a streamed body is counted as it comes
  app.use("*", (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined)
      return Number(length) > maxSize ? Promise.resolve(tooLarge(c)) : next();
    return streamed(c, next);
  });
  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (key === "")
      throw new LedgerError(
        401,
        "Authorization",
        "send your API key as Authorization: Bearer <key>",
      );
    if (ledger.keysRevoked !== revokedSeen) {
      principals.clear(); // a replay re-issued a key (Ledger.replayWithNewKey): forget revoked ones
      revokedSeen = ledger.keysRevoked;
    }
    const now = Date.now();
    const cached = principals.get(key);
    let p = cached && now - cached.at < keyCacheMs ? cached.p : null;
    if (!p) {
      const found = await ledger.authenticate(key);
      if (!found) {
        principals.delete(key);
        throw new LedgerError(401, "Authorization", "unknown API key");
      }
      p = found;
      if (principals.size > 10_000) principals.clear();
      principals.set(key, { p, at: now });
    }
    const b = buckets.get(p.id) ?? { tokens: rate, at: now };
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens < 1) {
      buckets.set(p.id, b);
      throw new LedgerError(429, "", `rate limit: at most ${rate} requests per second per key`);
    }
    b.tokens -= 1;
    buckets.set(p.id, b);
    c.set("principal", p);
    await next();
  });
}

/** What the routes share: the caller, idempotent writes, and route builders with their roles. */
function routeKit(app: OpenAPIHono<Env>, ledger: Ledger) {
  const principal = (c: AnyContext) => c.get("principal") as Principal;
  const write = async (c: AnyContext, request: unknown, fn: Parameters<Ledger["write"]>[3]) => {
    const key = c.req.header("idempotency-key");
    if (!key)
      throw new LedgerError(400, "Idempotency-Key", "every write needs an Idempotency-Key header");
    const r: WriteResult = await ledger.write(principal(c), key, { path: c.req.path, request }, fn);
    return c.json(r.body as object, r.status as 200);
  };
  const me = (c: AnyContext) => principal(c).accountId as number;
  const security = [{ apiKey: [] }];

  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
  });

  const post = (
    path: string,
    summary: string,
    body: z.ZodType | null,
    roles: Role[],
    res: z.ZodType = Any,
    status = 200,
    params?: z.ZodObject,
  ) =>
    createRoute({
      method: "post",
      path,
      summary,
      security,
      middleware: [auth(...roles)],
      request: {
        headers: idem,
        ...(params ? { params } : {}),
        ...(body
          ? { body: { content: { "application/json": { schema: body } }, required: true } }
          : {}),
      },
      responses: ok(res, summary, status),
    });
  const get = (
    path: string,
    summary: string,
    roles: Role[],
    params?: z.ZodObject,
    query?: z.ZodObject,
  ) =>
    createRoute({
      method: "get",
      path,
      summary,
      security,
      middleware: [auth(...roles)],
      request: { ...(params ? { params } : {}), ...(query ? { query } : {}) },
      responses: ok(Any, summary),
    });
  return { app, ledger, principal, write, me, post, get };
}

type RouteKit = ReturnType<typeof routeKit>;

/** One idempotent write route: its path, summary, roles, body and answer schemas. */
interface WriteRoute<B extends z.ZodType | null> {
  readonly path: string;
  readonly summary: string;
  readonly body: B;
  readonly roles: Role[];
  readonly res?: z.ZodType;
  readonly status?: number;
  /** The path has a task `{id}`. */
  readonly byId?: boolean;
}

type WriteFn = Parameters<Ledger["write"]>[3];
type BodyOf<B> = B extends z.ZodType ? z.infer<B> : undefined;

/**
 * Register a write route: the request is validated by its schemas (422 naming the field), the
 * key's role checked, and `act` run as one idempotent write of the ledger (`Ledger.write`).
 */
function writeRoute<B extends z.ZodType | null>(
  kit: RouteKit,
  spec: WriteRoute<B>,
  act: (input: { body: BodyOf<B>; id: number; c: AnyContext }) => WriteFn,
): void {
  const route = kit.post(
    spec.path,
    spec.summary,
    spec.body,
    spec.roles,
    spec.res ?? Any,
    spec.status ?? 200,
    spec.byId ? IdParam : undefined,
  );
  kit.app.openapi(route, (c) => {
    const body = (spec.body ? c.req.valid("json" as never) : undefined) as BodyOf<B>;
    const id = spec.byId ? (c.req.valid("param" as never) as { id: number }).id : -1;
    const request = spec.byId ? { id, ...(body ?? {}) } : body;
    return kit.write(c, request, act({ body, id, c })) as never;
  });
}

/** Accounts and keys (operator). */
function accountRoutes(kit: RouteKit): void {
  const { ledger } = kit;
  const operator: Role[] = ["operator"];
  writeRoute(
    kit,
    {
      path: "/v1/keys",
      summary: "Create an operator or governance key (operator)",
      body: KeyIn,
      roles: operator,
      status: 201,
    },
    ({ body }) =>
      (trx) =>
        ledger.createKey(trx, body.role, body.name),
  );
  writeRoute(
    kit,
    {
      path: "/v1/consumers",
      summary: "Create a consumer account and its key (operator)",
      body: ConsumerIn,
      roles: operator,
      res: Created,
      status: 201,
    },
    ({ body }) =>
      (trx) =>
        ledger.createConsumer(trx, body.name, body.consumerType),
  );
  writeRoute(
    kit,
    {
      path: "/v1/suppliers",
      summary: "Create a supplier account and its key (operator); it joins on the open day",
      body: SupplierIn,
      roles: operator,
      res: Created,
      status: 201,
    },
    ({ body }) =>
      (trx) =>
        ledger.createSupplier(trx, body),
  );
  writeRoute(
    kit,
    {
      path: "/v1/validators",
      summary: "Create a validator account and its key (operator)",
      body: ValidatorIn,
      roles: operator,
      res: Created,
      status: 201,
    },
    ({ body }) =>
      (trx) =>
        ledger.createValidator(trx, body.name),
  );
}

/** The day's events: jobs, bonds, completions, validations, market inputs, votes, the close. */
function marketRoutes(kit: RouteKit): void {
  const { ledger, principal, me } = kit;
  writeRoute(
    kit,
    {
      path: "/v1/jobs",
      summary: "Submit a job and pay its price (E1) in USD (consumer)",
      body: JobIn,
      roles: ["consumer"],
      status: 201,
    },
    ({ body, c }) =>
      (trx, j) =>
        ledger.submitJob(trx, me(c), j, {
          ...body,
          regions: jobRegions(ledger.economy.scenario, body) ?? undefined,
        }),
  );
  writeRoute(
    kit,
    {
      path: "/v1/tasks/{id}/bond",
      summary: "Post the bond of an assigned task (E22) (supplier)",
      body: null,
      roles: ["supplier"],
      byId: true,
    },
    ({ id, c }) =>
      (trx) =>
        ledger.postBond(trx, me(c), id),
  );
  writeRoute(
    kit,
    {
      path: "/v1/tasks/{id}/complete",
      summary: "Report a task complete (supplier)",
      body: null,
      roles: ["supplier"],
      byId: true,
    },
    ({ id, c }) =>
      (trx) =>
        ledger.complete(trx, me(c), id),
  );
  writeRoute(
    kit,
    {
      path: "/v1/tasks/{id}/validation",
      summary: "Report the validation of completed work (validator)",
      body: ValidationIn,
      roles: ["validator"],
      byId: true,
    },
    ({ id, body, c }) =>
      (trx) =>
        ledger.validate(trx, me(c), id, body.passed),
  );
  writeRoute(
    kit,
    {
      path: "/v1/market-inputs",
      summary: "Post the open day's market inputs (operator)",
      body: InputsIn,
      roles: ["operator"],
    },
    ({ body, c }) =>
      (trx) =>
        ledger.postMarketInputs(trx, principal(c).name, body),
  );
  writeRoute(
    kit,
    {
      path: "/v1/votes",
      summary: "Cast a governance vote, effective from the open day's close (governance)",
      body: VoteIn,
      roles: ["governance"],
      status: 201,
    },
    ({ body, c }) =>
      (trx) =>
        ledger.vote(trx, principal(c).name, body.set),
  );
  writeRoute(
    kit,
    {
      path: "/v1/days/close",
      summary: "Close the open day: run model.md §6 on it, commit as one transaction (operator)",
      body: CloseIn,
      roles: ["operator"],
    },
    ({ body }) =>
      (trx, j) =>
        ledger.closeDay(trx, j, body.day),
  );
}

/** Reads: status, my tasks, work waiting for validation, a job. */
function readRoutes(kit: RouteKit): void {
  const { app, ledger, principal, me, get } = kit;
  app.openapi(
    get("/v1/status", "Open day, phase, on-chain values in force", [
      "operator",
      "consumer",
      "supplier",
      "validator",
      "governance",
    ]),
    (c) =>
      c.json({
        openDay: ledger.openDay,
        phase: ledger.phase,
        priceSource: ledger.priceSource,
        onchain: ledger.onchain,
        database: ledger.dbKind,
      }) as never,
  );
  app.openapi(
    get("/v1/suppliers/me/tasks", "My assigned tasks (supplier)", ["supplier"]),
    async (c) => c.json(await myTasks(ledger, me(c))) as never,
  );
  app.openapi(
    get("/v1/tasks/pending-validation", "Completed tasks waiting for validation (validator)", [
      "validator",
      "operator",
    ]),
    async (c) => c.json(await pendingValidation(ledger)) as never,
  );
  app.openapi(
    get(
      "/v1/jobs/{id}",
      "A job and its tasks (its consumer, operator)",
      ["consumer", "operator"],
      IdParam,
    ),
    async (c) => {
      const { id } = c.req.valid("param" as never) as { id: number };
      const job = await ledger.db
        .selectFrom("jobs")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      const p = principal(c);
      if (!job || (p.role === "consumer" && job.consumer_id !== p.accountId))
        throw new LedgerError(404, "id", `no job ${id} of yours`);
      const tasks = await ledger.db
        .selectFrom("tasks")
        .leftJoin("attempts", "attempts.id", "tasks.attempt_id")
        .selectAll("tasks")
        .select("attempts.supplier_id")
        .where("tasks.job_id", "=", id)
        .orderBy("tasks.id")
        .execute();
      return c.json(jobView(job, tasks)) as never;
    },
  );
}

/**
 * A stored job and its tasks with the field names of the API (camelCase, as `POST /v1/jobs`
 * answers): regions parsed; a task's `supplierId` is its current attempt's supplier (null when
 * queued), `excludedSupplierId` the supplier whose failed attempt it may not go back to (null: none).
 */
function jobView(
  job: Tables["jobs"],
  tasks: readonly (Tables["tasks"] & { supplier_id: number | null })[],
) {
  const regions = (r: string | null) => (r === null ? null : (JSON.parse(r) as string[]));
  return {
    id: job.id,
    consumerId: job.consumer_id,
    consumerType: job.consumer_type,
    units: job.units,
    incentive: job.incentive,
    price: job.price,
    resource: job.resource,
    regions: regions(job.regions),
    origin: job.origin,
    latencySlaMs: job.latency_sla_ms,
    day: job.day,
    deadlineDay: job.deadline_day,
    tasks: tasks.map((t) => ({
      id: t.id,
      supplierClass: t.supplier_class,
      share: t.share,
      price: t.price,
      incentive: t.incentive,
      status: t.status,
      supplierId: t.supplier_id,
      attemptId: t.attempt_id,
      excludedSupplierId: t.excluded < 0 ? null : t.excluded,
      closedDay: t.closed_day,
    })),
  };
}

/** Reports: statements, the daily table, votes, balances. */
function reportRoutes(kit: RouteKit): void {
  const { app, ledger, principal, get } = kit;
  const statement = (kind: "suppliers" | "consumers" | "validators") =>
    app.openapi(
      get(
        `/v1/statements/${kind}/{id}`,
        `Statement of a ${kind.slice(0, -1)} (itself or the operator), JSON or CSV`,
        ["operator", kind.slice(0, -1) as Role],
        IdParam,
        Format,
      ),
      async (c) => {
        const { id } = c.req.valid("param" as never) as { id: number };
        const { format } = c.req.valid("query" as never) as { format: "json" | "csv" };
        const p = principal(c);
        if (p.role !== "operator" && p.accountId !== id)
          throw new LedgerError(403, "id", "you may read only your own statement");
        const s =
          kind === "suppliers"
            ? await supplierStatement(ledger, id)
            : kind === "consumers"
              ? await consumerStatement(ledger, id)
              : await validatorStatement(ledger, id);
        if (format === "csv")
          return c.text(statementCsv(s.days), 200, { "content-type": "text/csv" }) as never;
        return c.json(s) as never;
      },
    );
  statement("suppliers");
  statement("consumers");
  statement("validators");
  app.openapi(
    get(
      "/v1/days",
      "The economy's daily table (model.md §7), JSON or CSV (operator, governance)",
      ["operator", "governance"],
      undefined,
      DaysQuery,
    ),
    async (c) => {
      const { format, from, to } = c.req.valid("query" as never) as {
        format: "json" | "csv";
        from?: number;
        to?: number;
      };
      const rows = await dayTable(ledger, from, to);
      if (format === "csv")
        return c.text(dayTableCsv(ledger, rows), 200, { "content-type": "text/csv" }) as never;
      return c.json(rows) as never;
    },
  );
  app.openapi(
    get("/v1/votes", "Every vote: day, variable, value, voter, time (operator, governance)", [
      "operator",
      "governance",
    ]),
    async (c) =>
      c.json(
        await ledger.db
          .selectFrom("votes")
          .select(["id", "day", "variable", "value", "voter", "cast_at as castAt"])
          .orderBy("id")
          .execute(),
      ) as never,
  );
  app.openapi(
    get("/v1/balances", "Every account's balance, from its postings (operator)", ["operator"]),
    async (c) => c.json(await balancesOf(ledger.db)) as never,
  );
}

async function myTasks(ledger: Ledger, supplierId: number) {
  return ledger.db
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select([
      "tasks.id as taskId",
      "tasks.job_id as jobId",
      "tasks.supplier_class as supplierClass",
      "tasks.price as price",
      "tasks.deadline_day as deadlineDay",
      "attempts.assigned_day as assignedDay",
      "attempts.bond_day as bondDay",
      "attempts.completed_day as completedDay",
    ])
    .where("attempts.supplier_id", "=", supplierId)
    .where("attempts.outcome", "=", "open")
    .orderBy("tasks.id")
    .execute();
}

async function pendingValidation(ledger: Ledger) {
  return ledger.db
    .selectFrom("attempts")
    .innerJoin("tasks", "tasks.id", "attempts.task_id")
    .select([
      "tasks.id as taskId",
      "attempts.supplier_id as supplierId",
      "attempts.completed_day as completedDay",
    ])
    .where("attempts.outcome", "=", "open")
    .where("attempts.completed_day", "is not", null)
    .orderBy("tasks.id")
    .execute();
}

/** The 415 answer's message: what was sent, or that no content type was given. */
export function contentTypeMessage(sent: string | undefined): string {
  const want = "the request body must be JSON (content-type: application/json)";
  return sent ? `${want}, not ${sent}` : `${want}; the request gave no content type`;
}
