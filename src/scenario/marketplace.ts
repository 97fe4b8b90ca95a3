import { z } from "zod";
import { knownNames } from "./suggest.js";

/**
 * The `marketplace` block of a scenario (docs/model.md §9, docs/marketplace.md): who the individual
 * suppliers are and what each consumer type's jobs require. Read only when `mode: marketplace`.
 */

const Name = z.string().regex(/^[A-Za-z0-9_-]+$/, "must match [A-Za-z0-9_-]+");
const Weights = z.record(Name, z.number().gt(0));

export const HonestySchema = z
  .strictObject({
    dishonestShare: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        "Share of the class's suppliers that are dishonest, in [0, 1], spread evenly over supplier indices. Default 0.",
      ),
    honest: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe("Probability that an honest supplier's work passes validation. Default 1."),
    dishonest: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("Probability that a dishonest supplier's work passes validation. Default 0."),
  })
  .describe("Honesty distribution: two groups, each with its pass probability.");

export const SupplierPopulationSchema = z
  .strictObject({
    resources: Weights.default({ standard: 1 }).describe(
      "Resource types of the class's suppliers with their weights (e.g. { TPU: 2, GPU: 1 }); " +
        "supplier n gets a type by an evenly spread (golden-ratio) sequence. Default { standard: 1 }.",
    ),
    regions: Weights.optional().describe(
      "Regions of the class's suppliers with their weights, spread like resources. Default: every region, equal weights.",
    ),
    capacity: z
      .int()
      .min(1)
      .default(1)
      .describe("Tasks one supplier works on at once (whole ≥ 1). Default 1."),
    honesty: HonestySchema.prefault({}),
  })
  .describe(
    "Individual suppliers of one class. The class's count series says how many are active each day: supplier n " +
      "(0-based, in joining order) is active on day t when n < count[t]; its join day is the first such day.",
  );

export const IncentiveRangeSchema = z
  .strictObject({
    low: z.number().min(0).describe("Lowest incentive bid, a fraction of price (E1) [R2]."),
    high: z.number().min(0).describe("Highest incentive bid, ≥ low."),
  })
  .describe("Each job draws its incentive uniformly in [low, high).");

export const JobAttributesSchema = z
  .strictObject({
    resource: z
      .union([Name, z.record(Name, Name)])
      .optional()
      .describe(
        "Resource type a task needs: one name for every task of the job, or { supplierClass: type }. " +
          "Default: any resource of the class.",
      ),
    regions: z
      .array(Name)
      .min(1)
      .optional()
      .describe(
        "Regions allowed to serve the job. Default: every region (unless latencySlaMs is given).",
      ),
    origin: Name.optional().describe("Region the job comes from; required with latencySlaMs."),
    latencySlaMs: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Latency SLA in ms: regions r with latencyMs[origin][r] ≤ SLA may serve. Combined with regions by intersection.",
      ),
    durationDays: z
      .int()
      .min(1)
      .default(1)
      .describe("Days of work from acceptance to validation (whole ≥ 1). Default 1."),
    deadlineDays: z
      .int()
      .min(1)
      .default(7)
      .describe(
        "The work must be validated by the end of day submit + deadlineDays − 1 (whole ≥ durationDays). Default 7.",
      ),
    incentive: IncentiveRangeSchema.optional().describe(
      "Distribution of the per-job incentive bid. Default: the consumer type's fixed incentive.",
    ),
  })
  .describe("Attributes of one consumer type's jobs.");

export const OutageSchema = z
  .strictObject({
    region: Name.describe("Region whose suppliers are unavailable."),
    fromDay: z.int().min(0).describe("First day of the outage (0-based)."),
    toDay: z.int().min(0).describe("Last day of the outage (inclusive, ≥ fromDay)."),
  })
  .describe("A regional outage: the region's suppliers accept no new task on these days.");

export const MarketplaceSchema = z
  .strictObject({
    regions: z
      .array(Name)
      .min(1)
      .max(30)
      .default(["global"])
      .describe("Region names (1 … 30). Default [global]."),
    latencyMs: z
      .record(Name, z.record(Name, z.number().min(0)))
      .default({})
      .describe(
        "Latency between regions, ms: { from: { to: ms } }. A missing pair is 0 within a region, else unreachable.",
      ),
    reputationPrior: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe("Reputation of a supplier with no completed task yet (E20). Default 1."),
    suppliers: z
      .record(Name, SupplierPopulationSchema)
      .default({})
      .describe(
        "Per supplier class (by name): its individual suppliers. Default: one standard supplier kind.",
      ),
    jobs: z
      .record(Name, JobAttributesSchema)
      .default({})
      .describe(
        "Per consumer type (by name): its jobs' attributes. Default: any supplier of the class.",
      ),
    outages: z.array(OutageSchema).default([]).describe("Regional outages."),
  })
  .describe("Marketplace (agent) mode: individual suppliers and jobs (docs/model.md §9).");

export type MarketplaceConfig = z.output<typeof MarketplaceSchema>;
export type SupplierPopulation = z.output<typeof SupplierPopulationSchema>;
export type JobAttributes = z.output<typeof JobAttributesSchema>;

/** The block's settings for a class or consumer type not named in it. */
export const DEFAULT_POPULATION: SupplierPopulation = SupplierPopulationSchema.parse({});
export const DEFAULT_JOB: JobAttributes = JobAttributesSchema.parse({});

type Issue = (path: (string | number)[], message: string) => void;

interface NamedScenario {
  readonly marketplace?: MarketplaceConfig;
  readonly suppliers: readonly { readonly name: string }[];
  readonly consumers: readonly { readonly name: string }[];
}

/** Cross-field rules of the marketplace block; `fail` records an issue at a scenario path. */
export function checkMarketplace(s: NamedScenario, fail: Issue): void {
  const m = s.marketplace;
  if (m === undefined) return;
  const regions = new Set(m.regions);
  if (regions.size !== m.regions.length)
    fail(["marketplace", "regions"], "region names must be unique");
  const region = (path: (string | number)[], r: string) => {
    if (!regions.has(r))
      fail(path, `unknown region "${r}" (marketplace.regions: ${knownNames(r, m.regions)})`);
  };
  for (const [from, row] of Object.entries(m.latencyMs)) {
    region(["marketplace", "latencyMs", from], from);
    for (const to of Object.keys(row)) region(["marketplace", "latencyMs", from, to], to);
  }
  const classNames = s.suppliers.map((k) => k.name);
  const classes = new Set(classNames);
  for (const [k, pop] of Object.entries(m.suppliers)) {
    const path = ["marketplace", "suppliers", k];
    if (!classes.has(k))
      fail(
        path,
        `unknown supplier class "${k}" (declare it in suppliers; supplier classes: ${knownNames(k, classNames)})`,
      );
    for (const r of Object.keys(pop.regions ?? {})) region([...path, "regions", r], r);
  }
  const consumerNames = s.consumers.map((c) => c.name);
  const consumers = new Set(consumerNames);
  for (const [i, job] of Object.entries(m.jobs)) {
    const path = ["marketplace", "jobs", i];
    if (!consumers.has(i))
      fail(
        path,
        `unknown consumer type "${i}" (declare it in consumers; consumer types: ${knownNames(i, consumerNames)})`,
      );
    job.regions?.forEach((r, n) => {
      region([...path, "regions", n], r);
    });
    if (job.origin !== undefined) region([...path, "origin"], job.origin);
    if (job.latencySlaMs !== undefined && job.origin === undefined)
      fail([...path, "origin"], "required when latencySlaMs is given");
    if (job.deadlineDays < job.durationDays)
      fail(
        [...path, "deadlineDays"],
        `must be ≥ durationDays (${job.durationDays}), got ${job.deadlineDays}`,
      );
    if (job.incentive !== undefined && job.incentive.high < job.incentive.low)
      fail([...path, "incentive", "high"], `must be ≥ low (${job.incentive.low})`);
    if (typeof job.resource === "object")
      for (const k of Object.keys(job.resource))
        if (!classes.has(k))
          fail(
            [...path, "resource", k],
            `unknown supplier class "${k}" (supplier classes: ${knownNames(k, classNames)})`,
          );
  }
  m.outages.forEach((o, n) => {
    region(["marketplace", "outages", n, "region"], o.region);
    if (o.toDay < o.fromDay)
      fail(["marketplace", "outages", n, "toDay"], `must be ≥ fromDay (${o.fromDay})`);
  });
}
