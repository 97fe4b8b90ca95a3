import { type DayContext, initialContext } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import { seedStreams } from "../random/streams.js";
import { type CompiledMarket, compileMarket } from "./compile.js";
import { ReferenceScheduler } from "./referenceScheduler.js";
import { QUEUE_COLUMNS } from "./result.js";
import { Scheduler } from "./scheduler.js";
import { SupplierTable, TaskTable } from "./tables.js";
import type { MarketScheduler } from "./types.js";

/**
 * The day's marketplace quantities, set by the step that computes them and read by later
 * steps and by "record" (the queue metrics).
 */
export interface MarketToday {
  /** Tasks submitted today; their slots are `submitted[0 … nSubmitted)`. */
  nSubmitted: number;
  submitted: Int32Array;
  /** USD shares of today's tasks put in escrow (E7 per task), usd. */
  escrowIn: number;
  /** Tasks that expired (unserved past their latest start, or failed past it): `expired[0 … nExpired)`. */
  nExpired: number;
  expired: Int32Array;
  /** Tasks accepted today: task `assignedTasks[a]` by supplier `assignedSuppliers[a]`. */
  nAssigned: number;
  assignedTasks: Int32Array;
  assignedSuppliers: Int32Array;
  /** Price of the tasks accepted today (E9's income as E22 sums it), usd. */
  acceptedUsd: number;
  /** Bond tokens posted on today's acceptances (E22), cut to the free circulating tokens. */
  bondsPosted: number;
  /** Bond tokens of validated work, returned to their suppliers. */
  bondsReturned: number;
  /** Earmarked tokens paid to suppliers for validated work. */
  released: number;
  /** USD shares paid to suppliers for validated work. */
  usdPaid: number;
  /** Σ of the per-task E12 rewards, for sharing out E13. */
  taskRewards: number;
  /** Bond tokens of failed work, moved to the reserve. */
  confiscated: number;
  nValidated: number;
  nFailed: number;
  nRequeued: number;
  /** Per-task E12 rewards: supplier `rewardSupplier[j]` earned `rewardTokens[j]`, j < nRewards. */
  nRewards: number;
  rewardSupplier: Int32Array;
  rewardTokens: Float64Array;
  /** Prices of expired tasks owed back to consumers, usd. */
  refundDue: number;
  /** USD shares of expired tasks leaving escrow. */
  escrowBack: number;
  /** Earmarked tokens of expired tasks, freed in the reserve. */
  freed: number;
  /** Validations completed today (pass or fail) in job equivalents (E14). */
  attemptedJobs: number;
  /** The token reserve minus the earmarked tokens, plus today's confiscations and freed tokens. */
  freeReserve: number;
  /** Refunds actually paid (cut when the dollar reserve cannot pay). */
  refunded: number;
  /** E17 before the top-up plus the marketplace's token flows (see settlement.ts). */
  circulating: number;
  /** Cash left for the top-up after refunds, usd. */
  cashLeft: number;
  /** Per (consumer, class): validations today, and validated tasks. */
  readonly attempted: Float64Array;
  readonly validatedTasks: Float64Array;
  /** Per consumer type with drawn incentives: USD of validated tasks. */
  readonly variableUsd: Float64Array;
  /** E12's inputs per consumer type: jobs and their price. */
  readonly rewardJobs: Float64Array;
  readonly rewardPrice: Float64Array;
  /** Accepted tasks by whole days waited. */
  readonly waitHist: Float64Array;
}

/** Marketplace mode's context: the shared day's, plus the market, its agents and escrows. */
export interface MarketContext extends DayContext {
  readonly mk: CompiledMarket;
  readonly sched: MarketScheduler;
  /** Offsets in `streams` of the validation draws and the incentive draws. */
  readonly validationStream: number;
  readonly incentiveStream: number;
  /** Per consumer type: 1 when its incentive is fixed (low = high), so E1's price is exact. */
  readonly fixedIncentive: Float64Array;
  /** Tokens bought back for tasks not yet validated: in the reserve, owed to suppliers. */
  pendingTokens: number;
  /** USD shares of tasks not yet validated, held outside the dollar reserve. */
  usdEscrow: number;
  /**
   * The largest USD amount that has gone through the escrow in a day (in, paid out, returned)
   * or been held in it: the scale of the rounding in `usdEscrow`, summed from per-task flows.
   */
  usdEscrowScale: number;
  /**
   * Bond tokens posted and not yet returned or confiscated (E22): circulating (part of `supply`)
   * but not free, so no withdrawal from circulation (bonds, buybacks, sales, top-up) takes them.
   */
  bondedTokens: number;
  /** Tasks accepted and not yet validated. */
  inFlight: number;
  /** Jobs drawn so far per consumer type (fractional), and whole jobs submitted so far. */
  readonly cumulativeJobs: Float64Array;
  readonly submittedJobs: Float64Array;
  readonly supplierTable: SupplierTable;
  readonly tasks: TaskTable;
  /** Per-day queue metrics, `queue[QCOL.name][t]`. */
  readonly queue: Float64Array[];
  readonly today: MarketToday;
}

function emptyToday(nC: number, nK: number, longestDeadline: number): MarketToday {
  return {
    nSubmitted: 0,
    submitted: new Int32Array(16),
    escrowIn: 0,
    nExpired: 0,
    expired: new Int32Array(16),
    nAssigned: 0,
    assignedTasks: new Int32Array(16),
    assignedSuppliers: new Int32Array(16),
    acceptedUsd: 0,
    bondsPosted: 0,
    bondsReturned: 0,
    released: 0,
    usdPaid: 0,
    taskRewards: 0,
    confiscated: 0,
    nValidated: 0,
    nFailed: 0,
    nRequeued: 0,
    nRewards: 0,
    rewardSupplier: new Int32Array(16),
    rewardTokens: new Float64Array(16),
    refundDue: 0,
    escrowBack: 0,
    freed: 0,
    attemptedJobs: 0,
    freeReserve: 0,
    refunded: 0,
    circulating: 0,
    cashLeft: 0,
    attempted: new Float64Array(nC * nK),
    validatedTasks: new Float64Array(nC * nK),
    variableUsd: new Float64Array(nC),
    rewardJobs: new Float64Array(nC),
    rewardPrice: new Float64Array(nC),
    waitHist: new Float64Array(longestDeadline + 1),
  };
}

/**
 * A marketplace run's context on day 0: the shared day's state, the scheduler (the fast one,
 * or the readable reference one), and streams for the series plus two of the market's own
 * (validation outcomes, incentive bids).
 */
export function createMarketContext(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  referenceScheduler: boolean,
): MarketContext {
  const mk = compileMarket(c);
  const streams = new Int32Array(4 * (c.nSeries + 2));
  seedStreams(streams, c.nSeries + 2, seed, run);
  return {
    ...initialContext(c, streams, out),
    mk,
    sched: referenceScheduler ? new ReferenceScheduler(mk.setup) : new Scheduler(mk.setup),
    validationStream: 4 * c.nSeries,
    incentiveStream: 4 * (c.nSeries + 1),
    fixedIncentive: Float64Array.from(
      c.scenario.consumers,
      (_, i) => +(mk.incentiveLow[i] === mk.incentiveHigh[i]),
    ),
    pendingTokens: 0,
    usdEscrow: 0,
    usdEscrowScale: 0,
    bondedTokens: 0,
    inFlight: 0,
    cumulativeJobs: new Float64Array(c.nC),
    submittedJobs: new Float64Array(c.nC),
    supplierTable: new SupplierTable(c.nK, mk.regions.length),
    tasks: new TaskTable(c.days),
    queue: QUEUE_COLUMNS.map(() => new Float64Array(c.days)),
    today: emptyToday(c.nC, c.nK, mk.longestDeadline),
  };
}
