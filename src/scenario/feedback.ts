import { z } from "zod";
import { amount, LIMITS, positiveAmount } from "./limits.js";
import { SeriesFormulaSchema, SeriesValuesSchema } from "./series.js";
import { knownNames } from "./suggest.js";

/**
 * The `feedback` block of a scenario (issue 13; laws E40–E49 in docs/model-feedback.md):
 * suppliers, token holders and consumers that respond to the economy. Every part is opt-in;
 * a scenario without the block runs exactly docs/model.md §2–§9.
 */

/**
 * Largest response coefficient (elasticities, sensitivities, the demand multiplier's cap): with
 * amounts at most 1e15, a day's products stay far below overflow (docs/limits.md).
 */
const MAX_RESPONSE = 1_000;

const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, "must match [A-Za-z0-9_-]+");

/**
 * E42's churn parameters when a dynamic class does not give them. Not zod defaults: on a class
 * without `dynamic` they would do nothing, and checkFeedback must see whether they were given.
 */
export const DEFAULT_CHURN = {
  entryElasticity: 0.05,
  exitElasticity: 0.1,
  maxEntryRate: 0.05,
  maxExitRate: 0.1,
} as const;

/** The churn fields of a class: E42's, used only when the class is `dynamic`. */
const CHURN_FIELDS = [
  "entryElasticity",
  "exitElasticity",
  "maxEntryRate",
  "maxExitRate",
  "maxCount",
] as const;

export const SupplierEconomicsSchema = z
  .strictObject({
    costPerDay: positiveAmount().describe(
      "Cost of one supplier of the class per day (hardware, power, labour), usd/supplier/day, 1e-12 … 1e15 (E41).",
    ),
    dynamic: z
      .strictObject({
        start: amount().describe(
          "Suppliers of the class on day 0 (real-valued, 0 … 1e15; E3/E4/E8 read floor).",
        ),
      })
      .optional()
      .describe(
        "Make the class's count respond to its margin (E42) from this start; the class's `count` series is then not used. " +
          "Absent: the count stays exogenous and only its margin is reported.",
      ),
    entryElasticity: z
      .number()
      .min(0)
      .max(MAX_RESPONSE)
      .optional()
      .describe(
        "Fraction of the class that joins per day per unit of positive lagged margin (1/day, 0 … 1,000, E42). Default 0.05. Only with dynamic.",
      ),
    exitElasticity: z
      .number()
      .min(0)
      .max(MAX_RESPONSE)
      .optional()
      .describe(
        "Fraction of the class that leaves per day per unit of negative lagged margin (1/day, 0 … 1,000, E42). Default 0.1: " +
          "at a −50% margin 5% leave a day. Only with dynamic.",
      ),
    maxEntryRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Largest daily entry, a fraction of the class in [0, 1]: at most doubling in a day (1/day, E42). Default 0.05. Only with dynamic.",
      ),
    maxExitRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        "Largest daily exit, a fraction of the class in [0, 1] (1/day, E42). Default 0.1. Only with dynamic.",
      ),
    maxCount: amount()
      .optional()
      .describe(
        "Ceiling on the class (suppliers, 0 … 1e15; at most 1,000,000 in marketplace mode); entry stops there. Default 1e15, the largest amount (docs/limits.md), or 1,000,000 in marketplace mode. Only with dynamic.",
      ),
    jobsPerSupplierPerDay: positiveAmount()
      .optional()
      .describe(
        "Capacity: job-equivalents one supplier serves per day (jobs/supplier/day, 1e-12 … 1e15); demand beyond the class's " +
          "capacity is lost (E50). Default none: every job is served (docs/model.md §6).",
      ),
  })
  .describe("Economics and churn of one supplier class (E40–E42).");

export const SuppliersFeedbackSchema = z
  .strictObject({
    lagDays: z
      .int()
      .min(1)
      .max(365)
      .default(7)
      .describe(
        "Suppliers act on the mean margin of the last lagDays closed days (E41), whole 1 … 365. Default 7.",
      ),
    validatorsAreSuppliers: z
      .boolean()
      .default(false)
      .describe(
        "Validator pay (E14) counts as supplier income, split like demand (E40). Default false: validators are outsiders.",
      ),
    classes: z
      .record(Name, SupplierEconomicsSchema)
      .describe("Per supplier class (by name): its cost and, if dynamic, its churn."),
  })
  .describe("Supplier economics and churn (E40–E42).");

export const SalesSchema = z
  .strictObject({
    sellShare: z
      .number()
      .min(0)
      .max(1)
      .describe("Share of the tokens paid to suppliers that is sold, in [0, 1] (E43)."),
    sellOverDays: z
      .int()
      .min(1)
      .max(365)
      .default(1)
      .describe(
        "Sold in equal parts over the next sellOverDays days, whole 1 … 365 (E43). Default 1: the next day's market.",
      ),
    validatorsSell: z
      .boolean()
      .default(true)
      .describe("Validators sell the same share of their pay (E43). Default true."),
  })
  .describe("Holders who sell what they are paid (E43). Needs `amm`: E10 has no order flow.");

export const SpeculatorsSchema = z
  .strictObject({
    momentumDays: z
      .int()
      .min(1)
      .max(365)
      .default(7)
      .describe("Trend window L in days (E44), whole 1 … 365. Default 7."),
    sensitivity: z
      .number()
      .min(0)
      .max(MAX_RESPONSE)
      .describe("Fraction of capital traded per unit of relative price trend (E44), 0 … 1,000."),
    capitalUsd: amount().describe(
      "Largest daily trade of the speculators, usd/day (E44), 0 … 1e15.",
    ),
    startingTokens: amount()
      .default(0)
      .describe(
        "Tokens the speculators hold on day 0 (E44), 0 … 1e15: part of the circulating supply (initialSupply less " +
          "the pool's tokens), so at most that. They sell at most what they hold. Default 0: they sell only what they bought.",
      ),
  })
  .describe("Trend-following speculators (E44). Needs `amm`.");

export const AmmSchema = z
  .strictObject({
    poolTokens: positiveAmount().describe(
      "Tokens in the constant-product pool on day 0 (1e-12 … 1e15), taken out of initialSupply (they were circulating), " +
        "so it must be below initialSupply (E45).",
    ),
    poolUsd: positiveAmount().describe(
      "USD in the pool on day 0 (1e-12 … 1e15), from its liquidity providers (E45).",
    ),
  })
  .describe(
    "A constant-product AMM pool is the token's market (E45–E47): the day's price is its clearing price " +
      "instead of E10's demand / supply.",
  );

/** E48's ε when a reference price is given without one. */
export const DEFAULT_ELASTICITY = 1;
/** E48's cap on the demand multiplier when a reference price is given without one. */
export const DEFAULT_MAX_MULTIPLIER = 2;

/**
 * Every form holds the same values as the constant: 0 … 1e15 usd/job (0: no alternative). A
 * negative `start` would be clamped to `min` (0) and silently mean "no alternative", so it is
 * refused as a negative constant is.
 */
const ReferencePriceSchema = z.union([
  amount().describe("A constant, usd/job, 0 … 1e15; 0 means no alternative."),
  SeriesFormulaSchema.extend({
    start: amount().describe(
      "Value on `startDay`, usd/job, 0 … 1e15 (0 means no alternative; a negative price is none).",
    ),
  }).refine((s) => s.noise === 0, "noise is not supported on a reference price"),
  SeriesValuesSchema,
]);

/**
 * E48's reference price on day t, usd/job: a constant, an explicit series (its last value held), or
 * a linear series `max(min, start + slope·(t − startDay))` from `startDay` (0 before it). 0 means
 * no alternative.
 */
export function referenceValue(
  r:
    | number
    | { values: number[] }
    | { start: number; slope: number; startDay: number; min: number },
  t: number,
): number {
  if (typeof r === "number") return r;
  if ("values" in r) return r.values[Math.min(t, r.values.length - 1)];
  if (t < r.startDay) return 0;
  return Math.max(r.min, r.start + r.slope * (t - r.startDay));
}

/**
 * What is wrong with a linear reference price over the run's days 0 … days − 1 (E48), besides
 * reading 0 before a positive start's `startDay` (checked on its own): falling to 0 ("no
 * alternative") after a positive day, rising from 0 to a price (demand would ignore the job's
 * price and then change at once: the jump decision 290 refuses), or passing 1e15 usd/job, the
 * range a reference price holds. A series 0 on every day is the constant 0 and allowed.
 */
function linearReferenceProblems(
  r: { start: number; slope: number; startDay: number; min: number },
  days: number,
): string[] {
  const out: string[] = [];
  let zero = -1; // the first day at 0, before any positive day
  let positive = -1; // the first positive day
  let fallen = -1; // the first day at 0 after a positive one
  let above = -1; // the first day above 1e15
  for (let t = 0; t < days; t++) {
    const v = referenceValue(r, t);
    if (v > 0) {
      if (positive < 0) positive = t;
    } else if (positive < 0) {
      if (zero < 0) zero = t;
    } else if (fallen < 0) fallen = t;
    if (above < 0 && v > LIMITS.maxAmount) above = t;
  }
  if (fallen >= 0)
    // a falling series that reaches 0 reads "no alternative" from that day on: demand would
    // jump back from its lowest to its level without price comparison
    out.push(
      `falls to 0 on day ${fallen}, which means no alternative (E48): from that day demand would ignore the job's price, however cheap the cloud had become; give a min above 0 or a slope that keeps it positive over the ${days} days`,
    );
  if (zero >= 0 && positive >= 0 && !(r.start > 0 && r.startDay > 0)) {
    const days0 = positive - 1 === zero ? `day ${zero}` : `days ${zero} … ${positive - 1}`;
    out.push(
      `reads 0 on ${days0}, which means no alternative (E48), and ${referenceValue(r, positive)} on day ${positive}: demand would ignore the job's price until then and change at once on day ${positive}; give a start above 0 (or a min above 0) or a values list for every day`,
    );
  }
  if (above >= 0)
    out.push(
      `reaches ${Number(referenceValue(r, above).toPrecision(15)).toExponential()} on day ${above}, above 1e15 usd/job, the largest reference price (docs/limits.md); give a slope that keeps it at most 1e15 over the ${days} days`,
    );
  return out;
}

export const ConsumerFeedbackSchema = z
  .strictObject({
    referencePrice: ReferencePriceSchema.optional().describe(
      "Price of the same job at a cloud provider (AWS, GCP), usd/job, per day (E48). Absent: no price elasticity.",
    ),
    // no zod default: given without a reference price they would do nothing, and the
    // cross-field check must see whether they were given (checkFeedback); the plan applies
    // DEFAULT_ELASTICITY and DEFAULT_MAX_MULTIPLIER
    elasticity: z
      .number()
      .min(0)
      .max(10)
      .optional()
      .describe(
        "Constant price elasticity ε of demand against the reference price, 0 … 10 (E48). Default 1. Needs referencePrice.",
      ),
    maxMultiplier: z
      .number()
      .min(1)
      .max(MAX_RESPONSE)
      .optional()
      .describe(
        "Cap on the demand multiplier when cheaper than the cloud, 1 … 1,000 (E48). Default 2. Needs referencePrice.",
      ),
    queueLossSensitivity: z
      .number()
      .min(0)
      .max(MAX_RESPONSE)
      .default(0)
      .describe(
        "Marketplace mode: jobs lost per job of the type that expired past its deadline yesterday (E49). Default 0.",
      ),
  })
  .describe("Consumers who compare prices and give up on slow service (E48, E49).");

export const FeedbackSchema = z
  .strictObject({
    suppliers: SuppliersFeedbackSchema.optional(),
    sales: SalesSchema.optional(),
    speculators: SpeculatorsSchema.optional(),
    amm: AmmSchema.optional(),
    consumers: z
      .record(Name, ConsumerFeedbackSchema)
      .optional()
      .describe("Per consumer type (by name): price elasticity and queue loss."),
  })
  .describe(
    "Feedback (issue 13): suppliers, holders and consumers that respond to the economy. Opt-in; absent, outputs are docs/model.md's.",
  );

export type Feedback = z.output<typeof FeedbackSchema>;

interface FeedbackHost {
  readonly mode: string;
  readonly days: number;
  readonly feedback?: Feedback;
  readonly suppliers: readonly { name: string }[];
  readonly consumers: readonly { name: string }[];
  readonly tokens: { initialSupply?: number };
}

/** Cross-field rules of the feedback block; `fail(path, message)` reports each. */
export function checkFeedback(
  s: FeedbackHost,
  initialSupply: number | undefined,
  fail: (path: (string | number)[], message: string) => void,
): void {
  const f = s.feedback;
  if (!f) return;
  for (const [name, k] of Object.entries(f.suppliers?.classes ?? {}))
    if (s.mode === "marketplace" && k.jobsPerSupplierPerDay !== undefined)
      fail(
        ["feedback", "suppliers", "classes", name, "jobsPerSupplierPerDay"],
        "aggregate mode only (E50): in marketplace mode the scheduler's capacity (marketplace.suppliers.<class>.capacity) and queues bound the jobs served; remove it (null in an extending file)",
      );
  for (const [name, c] of Object.entries(f.consumers ?? {})) {
    if (s.mode !== "marketplace" && c.queueLossSensitivity > 0)
      fail(
        ["feedback", "consumers", name, "queueLossSensitivity"],
        "marketplace mode only (E49): aggregate mode has no queue, so no job waits past its deadline",
      );
    const r = c.referencePrice;
    if (r !== undefined && typeof r === "object" && "slope" in r && r.start > 0 && r.startDay > 0)
      // before startDay a linear series reads 0, "no alternative" (E48): demand would ignore the
      // job's price on days 0 … startDay − 1 and then drop or jump on startDay
      fail(
        ["feedback", "consumers", name, "referencePrice"],
        `reads 0 before its startDay ${r.startDay}, which means no alternative (E48): on days 0 … ${Math.min(r.startDay, s.days) - 1} demand would ignore the job's price and then change at once on day ${r.startDay}; give startDay 0 (the start value is then day 0's) or a values list for every day`,
      );
    if (r !== undefined && typeof r === "object" && "slope" in r)
      for (const message of linearReferenceProblems(r, s.days))
        fail(["feedback", "consumers", name, "referencePrice"], message);
    if (c.referencePrice === undefined)
      for (const key of ["elasticity", "maxMultiplier"] as const)
        if (c[key] !== undefined)
          fail(
            ["feedback", "consumers", name, key],
            `needs referencePrice (E48): without a reference price demand does not respond to the job's price, so ${key} would do nothing; give feedback.consumers.${name}.referencePrice or remove ${key} (null in an extending file)`,
          );
  }
  for (const [name, k] of Object.entries(f.suppliers?.classes ?? {}))
    if (k.dynamic !== undefined && k.maxCount !== undefined && k.maxCount < k.dynamic.start)
      fail(
        ["feedback", "suppliers", "classes", name, "maxCount"],
        `below dynamic.start (${k.dynamic.start}): the class would start above its own ceiling (E42); raise maxCount to at least ${k.dynamic.start} or lower dynamic.start`,
      );
  for (const [name, k] of Object.entries(f.suppliers?.classes ?? {}))
    if (k.dynamic === undefined)
      for (const key of CHURN_FIELDS)
        if (k[key] !== undefined)
          fail(
            ["feedback", "suppliers", "classes", name, key],
            `needs dynamic (E42): without it the class's count is its own series and does not churn, so ${key} would do nothing; give feedback.suppliers.classes.${name}.dynamic: { start } or remove ${key} (null in an extending file)`,
          );
  const classes = s.suppliers.map((k) => k.name);
  for (const name of Object.keys(f.suppliers?.classes ?? {}))
    if (!classes.includes(name))
      fail(
        ["feedback", "suppliers", "classes", name],
        `no supplier class named "${name}" (supplier classes: ${knownNames(name, classes)})`,
      );
  const consumers = s.consumers.map((c) => c.name);
  for (const name of Object.keys(f.consumers ?? {}))
    if (!consumers.includes(name))
      fail(
        ["feedback", "consumers", name],
        `no consumer type named "${name}" (consumer types: ${knownNames(name, consumers)})`,
      );
  if (!f.amm) {
    const why =
      "needs feedback.amm: E10 (demand / supply) has no order flow, so a sale has no price to move (docs/model.md §10)";
    if (f.sales) fail(["feedback", "sales"], why);
    if (f.speculators) fail(["feedback", "speculators"], why);
  } else if (initialSupply !== undefined && !(f.amm.poolTokens < initialSupply))
    fail(
      ["feedback", "amm", "poolTokens"],
      `must be below the initial circulating supply (${initialSupply}): the pool's tokens come out of it`,
    );
  else if (
    initialSupply !== undefined &&
    f.speculators &&
    f.speculators.startingTokens > initialSupply - f.amm.poolTokens
  )
    fail(
      ["feedback", "speculators", "startingTokens"],
      `${f.speculators.startingTokens} is more than the tokens circulating on day 0 outside the pool, initialSupply ${initialSupply} − amm.poolTokens ${f.amm.poolTokens} = ${initialSupply - f.amm.poolTokens}: the speculators' tokens are some of those (E44)`,
    );
}
