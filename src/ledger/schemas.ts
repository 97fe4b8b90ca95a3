import { z } from "@hono/zod-openapi";
import { LIMITS } from "../scenario/limits.js";
import { WHOLE_NUMBER } from "../scenario/numberText.js";
import { ONCHAIN_NAMES } from "../scenario/onchain.js";
import { LedgerError } from "./errors.js";

/**
 * The ledger's request schemas (zod, with their OpenAPI descriptions): the HTTP API validates
 * every request with them and the library (`bme-sim/ledger`, src/ledger/session.ts) every call,
 * so both refuse the same input with the same message naming the field.
 */
export const Name = z.string().min(1).max(200);
/**
 * Every number a request carries is finite and held to the scenario schema's limits
 * (src/scenario/limits.ts, docs/limits.md), so every product a close computes stays finite.
 */
const amount = (max: number = LIMITS.maxAmount) => z.number().min(0).max(max);
/**
 * The largest whole number an id or day column holds: the ledger's integer columns are
 * PostgreSQL `integer` (4 bytes), so every id and day a request binds into a query is held to
 * it (a larger one is a 422 naming the field, not the database's out-of-range error, a 500).
 */
export const MAX_INTEGER_COLUMN = 2_147_483_647;
/** A day number: whole, 0 … MAX_INTEGER_COLUMN (≈ 5.9 million years of days). */
const Day = z.number().int().min(0).max(MAX_INTEGER_COLUMN);
/**
 * A whole number 0 … MAX_INTEGER_COLUMN written in a URL (path or query) in decimal digits: an
 * empty value, `0x10`, `1e1` or `+1` is a 422 (a coercing `Number()` would read them as 0, 16,
 * 10 and 1).
 */
const urlWhole = () =>
  z
    .string()
    .regex(WHOLE_NUMBER, "must be a whole number in decimal digits")
    .transform(Number)
    .pipe(z.number().int().min(0).max(MAX_INTEGER_COLUMN));
/** An account, job or task id in a path: whole, 0 … MAX_INTEGER_COLUMN; required (OpenAPI 3). */
export const Id = urlWhole().openapi({ type: "integer", param: { required: true } });
/** A day in a query string (`?from=`, `?to=`). */
const QueryDay = urlWhole();

export const ConsumerIn = z
  .object({
    name: Name,
    consumerType: Name.openapi({ description: "A consumer type of the ledger's scenario." }),
  })
  .strict()
  .openapi("NewConsumer");
export const SupplierIn = z
  .object({
    name: Name,
    supplierClass: Name.openapi({ description: "A supplier class (price-matrix column)." }),
    resource: Name.default("any").openapi({ description: "Resource type (TPU, GPU-1x, …)." }),
    region: Name.default("global").openapi({
      description:
        "One of the scenario's marketplace.regions (default global, the one region of a scenario without them).",
    }),
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
    stake: amount()
      .default(0)
      .openapi({ description: "Stake declared at certification, tokens (recorded)." }),
  })
  .strict()
  .openapi("NewSupplier");
export const ValidatorIn = z.object({ name: Name }).strict().openapi("NewValidator");
export const KeyIn = z.object({ role: z.enum(["operator", "governance"]), name: Name }).strict();
export const JobIn = z
  .object({
    consumerType: Name.optional().openapi({ description: "Default: the consumer's own type." }),
    units: z
      .number()
      .gt(0)
      .max(LIMITS.maxUnitsPerJob)
      .optional()
      .openapi({
        description: `Units of service (E1), > 0 … ${LIMITS.maxUnitsPerJob}. Default: the type's unitsPerJob.`,
      }),
    incentive: amount(LIMITS.maxIncentive)
      .optional()
      .openapi({
        description: `Incentive bid, fraction of price (E1), 0 … ${LIMITS.maxIncentive}. Default: the type's.`,
      }),
    resource: Name.optional().openapi({ description: "Required resource type." }),
    regions: z.array(Name).min(1).optional().openapi({ description: "Allowed regions." }),
    origin: Name.optional().openapi({
      description: "Region the job comes from; required with latencySlaMs.",
    }),
    latencySlaMs: amount().optional().openapi({
      description:
        "Latency SLA, ms: only regions within it of origin (the scenario's marketplace.latencyMs) may serve; intersected with regions.",
    }),
    deadlineDay: Day.openapi({ description: "Last day the work may be validated." }),
  })
  .strict()
  .openapi("NewJob");
export const ValidationIn = z.object({ passed: z.boolean() }).strict();
export const InputsIn = z
  .object({
    consumerSentiment: amount().openapi({
      description: `Exchange demand of the day, usd (E10), 0 … ${LIMITS.maxAmount}.`,
    }),
    governanceValue: amount()
      .default(0)
      .openapi({ description: `Governance demand, usd (E10), 0 … ${LIMITS.maxAmount}.` }),
    priceOfToken: z
      .number()
      .min(LIMITS.minPriceFloor)
      .max(LIMITS.maxAmount)
      .optional()
      .openapi({
        description: `usd/token, when priceSource is feed, ${LIMITS.minPriceFloor} … ${LIMITS.maxAmount}.`,
      }),
  })
  .strict()
  .openapi("MarketInputs");
export const VoteIn = z
  .object({
    set: z.record(z.string(), z.number()).openapi({
      description: `On-chain variables and their new values, each held to the scenario schema's range (422 naming set.<variable>): ${ONCHAIN_NAMES.join(", ")}.`,
    }),
  })
  .strict()
  .openapi("Vote");
export const CloseIn = z.object({ day: Day }).strict();
export const Format = z.object({ format: z.enum(["json", "csv"]).default("json") });
/** `GET /v1/days`: the format and the closed days wanted (default: all). */
export const DaysQuery = Format.extend({
  from: QueryDay.optional().openapi({ type: "integer", description: "First day (default 0)." }),
  to: QueryDay.optional().openapi({
    type: "integer",
    description: "Last day (default the last closed day).",
  }),
});
export const IdParam = z.object({ id: Id });

/**
 * A zod issue as the API states it: the field at fault (a path, or the unknown key itself) and a
 * message saying what is wrong with it — "required" for a missing value rather than zod's
 * "expected string, received undefined".
 */
export function issueText(issue: z.core.$ZodIssue): { field: string; message: string } {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return {
      field: [...path, keys[0]].join("."),
      message: `unknown field${keys.length > 1 ? `s ${keys.map((k) => `"${k}"`).join(", ")}` : ""}; leave it out (see the API reference, docs/ledger-api.md)`,
    };
  }
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message))
    return { field: path.join("."), message: `required (${issue.expected})` };
  return { field: path.join("."), message: issue.message };
}

/** Parse `value` with `schema`, or throw a 422 naming the first field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, message } = issueText(result.error.issues[0]);
  throw new LedgerError(422, field, message);
}
