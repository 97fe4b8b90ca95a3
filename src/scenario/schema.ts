import { z } from "zod";
import { FeedbackSchema } from "./feedback.js";
import { amount, LIMITS, positiveAmount } from "./limits.js";
import { MarketplaceSchema } from "./marketplace.js";
import { OnchainSchema } from "./onchain.js";
import { RuleSchema } from "./rules.js";
import { SeriesSchema } from "./series.js";
import { StochasticSchema } from "./stochastic.js";

/** Names of consumer types, supplier classes, price-matrix rows (docs/model.md §7). */
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
    initialSupply: positiveAmount()
      .optional()
      .describe(
        "Tokens in circulation on day 0 (1e-12 … 1e15). Give it, or the allocation table, not both.",
      ),
    initialTokenReserve: amount()
      .optional()
      .describe(
        "Tokens in the ops-fund reserve on day 0 (≥ 0). Default 0 when initialSupply is given.",
      ),
    lockedAllocations: amount()
      .optional()
      .describe("Tokens locked on day 0 that never vest (≥ 0). Default 0."),
    initialDollarReserve: amount()
      .default(0)
      .describe("USD in the dollar reserve on day 0. Default 0."),
    maxTokenSupply: positiveAmount()
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
  .describe("Token amounts on day 0 (docs/model.md §2, §5).");

export const PhaseOneSchema = z
  .strictObject({
    phaseOneDays: z
      .int()
      .min(0)
      .max(LIMITS.maxDays)
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
      .max(LIMITS.maxAmount)
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
  .describe("Phase-one settings (docs/model.md §5).");

export const SupplierClassSchema = z.strictObject({
  name: Name.describe("Supplier class: a column of the price matrix."),
  count: SeriesSchema.describe(
    "Active suppliers of the class per day (suppliers); floor(x + 1e-9) is used.",
  ),
  phaseOneTarget: z
    .int()
    .min(0)
    .max(LIMITS.maxAmount)
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
  unitPrice: amount(LIMITS.maxUnitPrice).describe(
    "Price per unit of service, usd/unit (E1), 0 … 1e9.",
  ),
  unitsPerJob: amount(LIMITS.maxUnitsPerJob).describe(
    "Units of service per job (E1), e.g. hours or images, 0 … 1e9.",
  ),
  incentive: amount(LIMITS.maxIncentive)
    .default(0)
    .describe("Extra bid as a fraction of price (E1) [R2], 0 … 1,000. Default 0."),
  jobsPerDay: SeriesSchema.describe("Jobs created per day (jobs/day)."),
});

export const ScheduleEntrySchema = z
  .strictObject({
    day: z
      .int()
      .min(0)
      .max(LIMITS.maxAmount)
      .describe("Day (0-based) the vote takes effect, at step 1 of that day."),
    set: OnchainSchema.describe(
      "On-chain variables to change; values in force afterwards are validated.",
    ),
  })
  .describe("A governance vote (docs/model.md §4).");

export const ScenarioObjectSchema = z
  .strictObject({
    name: Name.default("scenario").describe("Scenario name, recorded in every output."),
    description: z.string().optional().describe("Free text."),
    mode: z
      .enum(["aggregate", "marketplace"])
      .default("aggregate")
      .describe(
        "Simulation mode: aggregate (daily totals) or marketplace (individual suppliers and jobs, docs/model.md §9). Default aggregate.",
      ),
    days: z
      .int()
      .min(1)
      .max(LIMITS.maxDays)
      .default(180)
      .describe("Days to simulate, 1 … 36,500. Default 180."),
    tokens: TokensSchema.prefault({}),
    phaseOne: PhaseOneSchema.prefault({}),
    onchain: OnchainSchema.prefault({}),
    suppliers: z
      .array(SupplierClassSchema)
      .max(LIMITS.maxSupplierClasses)
      .default([])
      .describe("Supplier classes, in output order."),
    consumers: z
      .array(ConsumerTypeSchema)
      .max(LIMITS.maxConsumerTypes)
      .default([])
      .describe("Consumer types, in output order."),
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
      .max(LIMITS.maxScheduleEntries)
      .default([])
      .describe("Governance votes changing on-chain variables."),
    rules: z
      .array(RuleSchema)
      .optional()
      .describe(
        "Governance rules evaluated at step 1 of each day from the previous day's row: thresholds with hysteresis (E38) and PI controllers (E39). Opt-in.",
      ),
    stochastic: StochasticSchema.optional().describe(
      "Stochastic input processes, regimes, shocks and correlation (issue 12, E23–E30). Opt-in.",
    ),
    outcomes: z
      .strictObject({
        priceThreshold: z
          .number()
          .min(0)
          .optional()
          .describe(
            "usd/token: daysBelowPrice counts days below it (E33). Default the day-0 price.",
          ),
        drawdownFromDay: z
          .int()
          .min(0)
          .optional()
          .describe("maxDrawdownAfter's first day (E31). Default the first phase-2 day."),
      })
      .optional()
      .describe("Parameters of the outcome metrics (issue 12). Optional."),
    marketplace: MarketplaceSchema.optional().describe(
      "Suppliers and job attributes of marketplace mode (docs/model.md §9); defaults apply when absent.",
    ),
    feedback: FeedbackSchema.optional().describe(
      "Suppliers, holders and consumers that respond to the economy (E40–E49, docs/model-feedback.md). Opt-in.",
    ),
  })
  .describe("A BME scenario (docs/model.md). Every amount carries its unit in its description.");

export type ScenarioInput = z.input<typeof ScenarioObjectSchema>;
export type Scenario = z.output<typeof ScenarioObjectSchema>;
export type SupplierClass = z.output<typeof SupplierClassSchema>;
export type ConsumerType = z.output<typeof ConsumerTypeSchema>;
