import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ONCHAIN_NAMES } from "../scenario/onchain.js";
import { departureRoutes } from "./departuresApi.js";
import { LedgerError } from "./errors.js";
import type { Ledger, Principal, Role, WriteResult } from "./ledger.js";
import { jobRegions } from "./scheduler.js";
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
}

type Env = { Variables: { principal: Principal } };

const ErrorBody = z
  .object({
    error: z.string().openapi({ example: "units: must be > 0" }),
    field: z.string().openapi({ description: "The field at fault ('' for the request)." }),
  })
  .openapi("Error");

const Name = z.string().min(1).max(200);
const Id = z.coerce.number().int().min(0);
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

const ConsumerIn = z
  .object({
    name: Name,
    consumerType: Name.openapi({ description: "A consumer type of the ledger's scenario." }),
  })
  .strict()
  .openapi("NewConsumer");
const SupplierIn = z
  .object({
    name: Name,
    supplierClass: Name.openapi({ description: "A supplier class (price-matrix column)." }),
    resource: Name.default("any").openapi({ description: "Resource type (TPU, GPU-1x, …)." }),
    region: Name.default("global"),
    capacity: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(1)
      .openapi({ description: "Concurrent tasks." }),
    certified: z
      .boolean()
      .default(true)
      .openapi({ description: "Certified (phase 1 assigns only certified suppliers)." }),
    stake: z
      .number()
      .min(0)
      .default(0)
      .openapi({ description: "Stake declared at certification, tokens (recorded)." }),
  })
  .strict()
  .openapi("NewSupplier");
const ValidatorIn = z.object({ name: Name }).strict().openapi("NewValidator");
const KeyIn = z.object({ role: z.enum(["operator", "governance"]), name: Name }).strict();
const JobIn = z
  .object({
    consumerType: Name.optional().openapi({ description: "Default: the consumer's own type." }),
    units: z
      .number()
      .gt(0)
      .optional()
      .openapi({ description: "Units of service (E1). Default: the type's unitsPerJob." }),
    incentive: z
      .number()
      .min(0)
      .optional()
      .openapi({ description: "Incentive bid, fraction of price (E1). Default: the type's." }),
    resource: Name.optional().openapi({ description: "Required resource type." }),
    regions: z.array(Name).min(1).optional().openapi({ description: "Allowed regions." }),
    origin: Name.optional().openapi({
      description: "Region the job comes from; required with latencySlaMs.",
    }),
    latencySlaMs: z.number().min(0).optional().openapi({
      description:
        "Latency SLA, ms: only regions within it of origin (the scenario's marketplace.latencyMs) may serve; intersected with regions.",
    }),
    deadlineDay: z
      .number()
      .int()
      .min(0)
      .openapi({ description: "Last day the work may be validated." }),
  })
  .strict()
  .openapi("NewJob");
const ValidationIn = z.object({ passed: z.boolean() }).strict();
const InputsIn = z
  .object({
    consumerSentiment: z
      .number()
      .min(0)
      .openapi({ description: "Exchange demand of the day, usd (E10)." }),
    governanceValue: z
      .number()
      .min(0)
      .default(0)
      .openapi({ description: "Governance demand, usd (E10)." }),
    priceOfToken: z
      .number()
      .gt(0)
      .optional()
      .openapi({ description: "usd/token, when priceSource is feed." }),
  })
  .strict()
  .openapi("MarketInputs");
const VoteIn = z
  .object({
    set: z.record(z.string(), z.number()).openapi({
      description: `On-chain variables and their new values: ${ONCHAIN_NAMES.join(", ")}.`,
    }),
  })
  .strict()
  .openapi("Vote");
const CloseIn = z.object({ day: z.number().int().min(0) }).strict();
const Format = z.object({ format: z.enum(["json", "csv"]).default("json") });
const IdParam = z.object({ id: Id });

/** The ledger's HTTP API (Hono, zod schemas, OpenAPI document at /openapi.json). */
export function ledgerApi(ledger: Ledger, options: ApiOptions = {}): OpenAPIHono<Env> {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue.path.join(".");
        return c.json({ error: `${field || "request"}: ${issue.message}`, field }, 422);
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
  const principals = new Map<string, Principal>();

  app.onError((e, c) => {
    if (e instanceof LedgerError)
      return c.json(
        { error: e.field ? `${e.field}: ${e.message}` : e.message, field: e.field },
        e.status,
      );
    if (e instanceof SyntaxError)
      return c.json({ error: "the request body is not valid JSON", field: "" }, 400);
    process.stderr.write(`ledger: internal error: ${(e as Error).message}\n`);
    return c.json({ error: "internal error; nothing of this request was stored", field: "" }, 500);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}`, field: "" }, 404));

  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 64 * 1024,
      onError: (c) => c.json({ error: "the request body is too large", field: "" }, 413),
    }),
  );
  app.use("/v1/*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (key === "")
      throw new LedgerError(
        401,
        "Authorization",
        "send your API key as Authorization: Bearer <key>",
      );
    let p = principals.get(key);
    if (!p) {
      const found = await ledger.authenticate(key);
      if (!found) throw new LedgerError(401, "Authorization", "unknown API key");
      p = found;
      if (principals.size > 10_000) principals.clear();
      principals.set(key, p);
    }
    const now = Date.now();
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
    res = Any,
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

/** Accounts and keys (operator). */
function accountRoutes(kit: RouteKit): void {
  const { app, ledger, write, post } = kit;
  app.openapi(
    post(
      "/v1/keys",
      "Create an operator or governance key (operator)",
      KeyIn,
      ["operator"],
      Any,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof KeyIn>;
      return write(c, b, (trx) => ledger.createKey(trx, b.role, b.name)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/consumers",
      "Create a consumer account and its key (operator)",
      ConsumerIn,
      ["operator"],
      Created,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof ConsumerIn>;
      return write(c, b, (trx) => ledger.createConsumer(trx, b.name, b.consumerType)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/suppliers",
      "Create a supplier account and its key (operator); it joins on the open day",
      SupplierIn,
      ["operator"],
      Created,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof SupplierIn>;
      return write(c, b, (trx) => ledger.createSupplier(trx, b)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/validators",
      "Create a validator account and its key (operator)",
      ValidatorIn,
      ["operator"],
      Created,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof ValidatorIn>;
      return write(c, b, (trx) => ledger.createValidator(trx, b.name)) as never;
    },
  );
}

/** The day's events: jobs, bonds, completions, validations, market inputs, votes, the close. */
function marketRoutes(kit: RouteKit): void {
  const { app, ledger, principal, write, me, post } = kit;
  app.openapi(
    post(
      "/v1/jobs",
      "Submit a job and pay its price (E1) in USD (consumer)",
      JobIn,
      ["consumer"],
      Any,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof JobIn>;
      const job = { ...b, regions: jobRegions(ledger.economy.scenario, b) ?? undefined };
      return write(c, b, (trx, j) => ledger.submitJob(trx, me(c), j, job)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/tasks/{id}/bond",
      "Post the bond of an assigned task (E22) (supplier)",
      null,
      ["supplier"],
      Any,
      200,
      IdParam,
    ),
    (c) => {
      const { id } = c.req.valid("param" as never) as { id: number };
      return write(c, { id }, (trx) => ledger.postBond(trx, me(c), id)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/tasks/{id}/complete",
      "Report a task complete (supplier)",
      null,
      ["supplier"],
      Any,
      200,
      IdParam,
    ),
    (c) => {
      const { id } = c.req.valid("param" as never) as { id: number };
      return write(c, { id }, (trx) => ledger.complete(trx, me(c), id)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/tasks/{id}/validation",
      "Report the validation of completed work (validator)",
      ValidationIn,
      ["validator"],
      Any,
      200,
      IdParam,
    ),
    (c) => {
      const { id } = c.req.valid("param" as never) as { id: number };
      const b = c.req.valid("json" as never) as z.infer<typeof ValidationIn>;
      return write(c, { id, ...b }, (trx) => ledger.validate(trx, me(c), id, b.passed)) as never;
    },
  );
  app.openapi(
    post("/v1/market-inputs", "Post the open day's market inputs (operator)", InputsIn, [
      "operator",
    ]),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof InputsIn>;
      return write(c, b, (trx) => ledger.postMarketInputs(trx, principal(c).name, b)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/votes",
      "Cast a governance vote, effective from the open day's close (governance)",
      VoteIn,
      ["governance"],
      Any,
      201,
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof VoteIn>;
      return write(c, b, (trx) => ledger.vote(trx, principal(c).name, b.set)) as never;
    },
  );
  app.openapi(
    post(
      "/v1/days/close",
      "Close the open day: run model.md §6 on it, commit as one transaction (operator)",
      CloseIn,
      ["operator"],
    ),
    (c) => {
      const b = c.req.valid("json" as never) as z.infer<typeof CloseIn>;
      return write(c, b, (trx, j) => ledger.closeDay(trx, j, b.day)) as never;
    },
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
        .selectAll()
        .where("job_id", "=", id)
        .orderBy("id")
        .execute();
      return c.json({ ...job, tasks }) as never;
    },
  );
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
      Format,
    ),
    async (c) => {
      const { format } = c.req.valid("query" as never) as { format: "json" | "csv" };
      const rows = await dayTable(ledger);
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
      c.json(await ledger.db.selectFrom("votes").selectAll().orderBy("id").execute()) as never,
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
