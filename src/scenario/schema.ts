import { z } from "zod";
import { FeedbackSchema } from "./feedback.js";
import { MarketplaceSchema } from "./marketplace.js";
import { OnchainSchema } from "./onchain.js";
import { SeriesSchema } from "./series.js";

/** Names of consumer types, supplier classes, price-matrix rows (MODEL.md §7). */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const Name = z.string().regex(NAME_PATTERN, "must match [A-Za-z0-9_-]+");

const VestingSchema = z
  .strictObject({
    cliffDays: z
      .int()
      .min(0)
      .default(0)
      .describe("Days before the first tranche vests. Whole ≥ 0. Default 0."),
    linearDays: z.int().min(1).describe("Number of daily tranches after the cliff. Whole ≥ 1."),
  })
  .describe(
    "Cliff, then linear daily vesting; a vesting allocation is locked until it vests (E17b).",
  );

const AllocationSchema = z.strictObject({
  fraction: z.number().min(0).max(1).describe("Share of maxTokenSupply, in [0, 1]."),
  vesting: VestingSchema.optional(),
});

export const TokensSchema = z
  .strictObject({
    initialSupply: z
      .number()
      .gt(0)
      .optional()
      .describe(
        "Tokens in circulation on day 0 (> 0). Give it, or the allocation table, not both.",
      ),
    initialTokenReserve: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Tokens in the ops-fund reserve on day 0 (≥ 0). Default 0 when initialSupply is given.",
      ),
    lockedAllocations: z
      .number()
      .min(0)
      .optional()
      .describe("Tokens locked on day 0 that never vest (≥ 0). Default 0."),
    initialDollarReserve: z
      .number()
      .min(0)
      .default(0)
      .describe("USD in the dollar reserve on day 0. Default 0."),
    maxTokenSupply: z
      .number()
      .gt(0)
      .default(1_000_000_000)
      .describe(
        "Total token supply the allocation table divides, in tokens. Default 1,000,000,000.",
      ),
    allocation: z
      .record(Name, AllocationSchema)
      .optional()
      .describe(
        "Allocation table (fractions of maxTokenSupply, summing to 1, with `opsFund` = the token reserve [R5]). " +
          "Replaces the default table (investors 0.10, team 0.20, advisors 0.05, opsFund 0.50, " +
          "externalBusinessDevelopment 0.15) whole. Used when initialSupply is not given.",
      ),
  })
  .describe("Token amounts on day 0 (MODEL.md §2, §5).");

export const PhaseOneSchema = z
  .strictObject({
    phaseOneDays: z
      .int()
      .min(0)
      .default(30)
      .describe("Phase 1 lasts at most this many days (E4). Whole ≥ 0. Default 30."),
    fracPhaseOneTokens: z
      .number()
      .min(0)
      .max(1)
      .default(0.6)
      .describe("Share of the ops fund emitted in phase 1 (E2), in [0, 1]. Default 0.60."),
    nProject: z
      .int()
      .min(1)
      .default(1)
      .describe("Projects sharing the phase-1 budget (E2). Whole ≥ 1. Default 1."),
    endPhaseOneOnTargets: z
      .boolean()
      .default(false)
      .describe("End phase 1 early once every class meets its phaseOneTarget (E4). Default false."),
    endPhaseOneOnDemand: z
      .boolean()
      .default(false)
      .describe("End phase 1 early on the first day with income > 0 (E4). Default false."),
  })
  .describe("Phase-one settings (MODEL.md §5).");

export const SupplierClassSchema = z.strictObject({
  name: Name.describe("Supplier class: a column of the price matrix."),
  count: SeriesSchema.describe(
    "Active suppliers of the class per day (suppliers); floor(x + 1e-9) is used.",
  ),
  phaseOneTarget: z
    .int()
    .min(0)
    .default(0)
    .describe(
      "Suppliers of the class the project targets in phase 1 (E3, E4). Whole ≥ 0. Default 0.",
    ),
});

export const ConsumerTypeSchema = z.strictObject({
  name: Name.describe("Consumer type; the output's jobCreated.<name> column."),
  row: Name.optional().describe(
    "Price-matrix row the type pays through. Default: the type's own name.",
  ),
  unitPrice: z.number().min(0).describe("Price per unit of service, usd/unit (E1)."),
  unitsPerJob: z.number().min(0).describe("Units of service per job (E1), e.g. hours or images."),
  incentive: z
    .number()
    .min(0)
    .default(0)
    .describe("Extra bid as a fraction of price (E1) [R2]. ≥ 0. Default 0."),
  jobsPerDay: SeriesSchema.describe("Jobs created per day (jobs/day)."),
});

export const ScheduleEntrySchema = z
  .strictObject({
    day: z.int().min(0).describe("Day (0-based) the vote takes effect, at step 1 of that day."),
    set: OnchainSchema.describe(
      "On-chain variables to change; values in force afterwards are validated.",
    ),
  })
  .describe("A governance vote (MODEL.md §4).");

export const ScenarioObjectSchema = z
  .strictObject({
    name: Name.default("scenario").describe("Scenario name, recorded in every output."),
    description: z.string().optional().describe("Free text."),
    mode: z
      .enum(["aggregate", "marketplace"])
      .default("aggregate")
      .describe(
        "Simulation mode: aggregate (daily totals) or marketplace (individual suppliers and jobs, MODEL.md §9). Default aggregate.",
      ),
    days: z
      .int()
      .min(1)
      .max(36_500)
      .default(180)
      .describe("Days to simulate, 1 … 36,500. Default 180."),
    tokens: TokensSchema.prefault({}),
    phaseOne: PhaseOneSchema.prefault({}),
    onchain: OnchainSchema.prefault({}),
    suppliers: z
      .array(SupplierClassSchema)
      .default([])
      .describe("Supplier classes, in output order."),
    consumers: z.array(ConsumerTypeSchema).default([]).describe("Consumer types, in output order."),
    priceMatrix: z
      .record(Name, z.record(Name, z.number().min(0)))
      .default({})
      .describe(
        "Rows to add to, or replace in, the whitepaper's price matrix, by name: { row: { supplierClass: share } }. " +
          "Each row's shares are ≥ 0 and sum to 1.",
      ),
    consumerSentiment: SeriesSchema.default(0).describe(
      "Exogenous (exchange) token demand, usd/day. Default 0.",
    ),
    governanceValue: SeriesSchema.default(0).describe(
      "Token demand from governance participation, usd/day. Default 0.",
    ),
    schedule: z
      .array(ScheduleEntrySchema)
      .default([])
      .describe("Governance votes changing on-chain variables."),
    marketplace: MarketplaceSchema.optional().describe(
      "Suppliers and job attributes of marketplace mode (MODEL.md §9); defaults apply when absent.",
    ),
    feedback: FeedbackSchema.optional().describe(
      "Suppliers, holders and consumers that respond to the economy (E40–E49, docs/model-feedback.md). Opt-in.",
    ),
  })
  .describe("A BME scenario (MODEL.md). Every amount carries its unit in its description.");

export type ScenarioInput = z.input<typeof ScenarioObjectSchema>;
export type Scenario = z.output<typeof ScenarioObjectSchema>;
export type SupplierClass = z.output<typeof SupplierClassSchema>;
export type ConsumerType = z.output<typeof ConsumerTypeSchema>;
