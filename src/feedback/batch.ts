import { ONCHAIN } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import { expm1 as expm1Export } from "../engine/expm1.js";
import { FIXED_COLUMNS } from "../engine/fixedColumns.js";
import type { KernelOutcome, SimulationFailure } from "../engine/outcome.js";
import {
  nextDollarReserve as nextDollarReserveExport,
  nextSupply as nextSupplyExport,
  nextTokenReserve as nextTokenReserveExport,
} from "../mechanisms/balances.js";
import { supplierBondUsd as supplierBondUsdExport } from "../mechanisms/bonds.js";
import {
  buybackTokens as buybackTokensExport,
  onboardingTokens as onboardingTokensExport,
} from "../mechanisms/burn.js";
import {
  type IncomeSplit,
  splitIncomeInto as splitIncomeIntoExport,
} from "../mechanisms/incomeSplit.js";
import { checkInvariants as checkInvariantsExport } from "../mechanisms/invariants.js";
import type { Out } from "../mechanisms/out.js";
import { phaseOneEmission as phaseOneEmissionExport } from "../mechanisms/phaseOneEmission.js";
import {
  type ReserveTopUp,
  reserveTopUpInto as reserveTopUpIntoExport,
} from "../mechanisms/reserveTopUp.js";
import {
  noPayments,
  payTokensInto as payTokensIntoExport,
  type TokenPayments,
} from "../mechanisms/supplierTokens.js";
import {
  type TokenPrice,
  tokenDemand as tokenDemandExport,
  tokenPriceInto as tokenPriceIntoExport,
} from "../mechanisms/tokenPrice.js";
import {
  validationsCompleted as validationsCompletedExport,
  validatorTokens as validatorTokensExport,
} from "../mechanisms/validatorPay.js";
import { withdrawal as withdrawalExport } from "../mechanisms/withdrawal.js";
import {
  KN as KNExport,
  normalTail as normalTailExport,
  WN as WNExport,
} from "../random/normal.js";
import { runSeedMix, seedStream } from "../random/streams.js";
import { nextSupplyWithPool as nextSupplyWithPoolExport } from "./ammBalances.js";
import { type AmmBatch, ammBatchInto as ammBatchIntoExport, noAmmBatch } from "./ammBatch.js";
import { ammReserveTopUpInto as ammReserveTopUpIntoExport } from "./ammTopUp.js";
import { entrantShareUsd as entrantShareUsdExport } from "./capacity.js";
import { type Churn, supplierChurnOf as supplierChurnOfExport } from "./churn.js";
import {
  sellableTokensPaid as sellableTokensPaidExport,
  tokensSold as tokensSoldExport,
} from "./holderSales.js";
import { runFeedbackKernel } from "./kernel.js";
import { supplierMargin as supplierMarginExport } from "./margin.js";
import { compileFeedback, type FeedbackPlan, feedbackColumnCount } from "./plan.js";
import { checkPoolInvariants as checkPoolInvariantsExport } from "./poolInvariants.js";
import {
  type SpeculatorOrder,
  speculatorOrderInto as speculatorOrderIntoExport,
} from "./speculators.js";
import { elasticMultiplierTable } from "./steps.js";
import {
  NO_SHOCK,
  type ShockDays,
  sellWaveTokens as sellWaveTokensExport,
} from "./stressShocks.js";
import {
  incomePerSupplier as incomePerSupplierExport,
  loneEntrantIncome as loneEntrantIncomeExport,
  loneSlotUsd as loneSlotUsdExport,
  phaseOneSlotTokens,
  splitPayPerUsd as splitPayPerUsdExport,
} from "./supplierIncome.js";

const V = ONCHAIN;

// What the lane loops read from other modules, as this module's constants: an imported binding
// is read through its module's export cell with a hole check (and, for a function, an identity
// check before it is inlined) on every loop iteration; a module-level const is folded into the
// optimized code (docs/benchmarks.md, helper kernel5).
const nextDollarReserve = nextDollarReserveExport;
const nextSupply = nextSupplyExport;
const nextTokenReserve = nextTokenReserveExport;
const supplierBondUsd = supplierBondUsdExport;
const buybackTokens = buybackTokensExport;
const onboardingTokens = onboardingTokensExport;
const splitIncomeInto = splitIncomeIntoExport;
const checkInvariants = checkInvariantsExport;
const phaseOneEmission = phaseOneEmissionExport;
const expm1 = expm1Export;
const reserveTopUpInto = reserveTopUpIntoExport;
const payTokensInto = payTokensIntoExport;
const tokenDemand = tokenDemandExport;
const tokenPriceInto = tokenPriceIntoExport;
const validationsCompleted = validationsCompletedExport;
const validatorTokens = validatorTokensExport;
const withdrawal = withdrawalExport;
const KN = KNExport;
const WN = WNExport;
const normalTail = normalTailExport;
const nextSupplyWithPool = nextSupplyWithPoolExport;
const ammBatchInto = ammBatchIntoExport;
const ammReserveTopUpInto = ammReserveTopUpIntoExport;
const supplierChurnOf = supplierChurnOfExport;
const supplierMargin = supplierMarginExport;
const checkPoolInvariants = checkPoolInvariantsExport;
const speculatorOrderInto = speculatorOrderIntoExport;
const tokensSold = tokensSoldExport;
const sellableTokensPaid = sellableTokensPaidExport;
const sellWaveTokens = sellWaveTokensExport;
const incomePerSupplier = incomePerSupplierExport;
const entrantShareUsd = entrantShareUsdExport;
const loneEntrantIncome = loneEntrantIncomeExport;
const splitPayPerUsd = splitPayPerUsdExport;
const loneSlotUsd = loneSlotUsdExport;

/** What the lockstep feedback kernel runs besides the scenario's day (no governance rules: see `runFeedbackBatch`). */
export interface FeedbackBatchOptions {
  readonly plan?: FeedbackPlan;
  readonly shock?: ShockDays;
}

// The state of the pass being advanced, struct of arrays in module-level constants (as the
// plain kernel's, src/engine/kernel.ts): V8's optimizing compiler folds a constant typed
// array's address and length into the code, where an array reached through an object or a
// parameter is re-checked on every loop iteration (docs/benchmarks.md, helpers kernel4 and
// feedback). Run b of the pass holds a per-run value at `[b]`, a value of class k or consumer
// type i at `[k·P + b]`, of day t at `[t·P + b]` (P: the pass's runs). A thread advances one
// pass at a time (the kernel is synchronous), so one set per thread serves every batch; a
// batch larger than a pass holds runs in consecutive passes, and a scenario whose shape does
// not fit (`passRuns` 0) runs each run alone on the per-run kernel, the same cells.
//
// The arrays are named `…Pass` here, and each loop function (`hoistDay`, `inputs`, the chains)
// takes the ones it uses into locals of the short name first (decision 168): TurboFan folds an
// access into a fixed address and length only where the array reaches it as a constant while
// the access is specialized, and a module-level name read again after an inner loop (each read
// is a fresh context-slot load) reaches it too late there, so every such access checked the
// array's map and loaded its data pointer and length (measured: 7,004 → 5,020 instructions per
// day-step on the whitepaper with all feedback on).

/** Most runs in one pass. */
const MAX_LANES = 256;
/** Capacities of the arrays of several values per run (values × runs). */
const CAP_TYPES = 1 << 14;
const CAP_CLASSES = 1 << 14;
const CAP_DAYS = 1 << 17;
const CAP_MARGINS = 1 << 18;
const CAP_QUEUE = 1 << 14;
const CAP_STREAMS = 1 << 16;
/** Capacity of the scenario's per-type and per-class constants (price matrix entries). */
const CAP_MATRIX = 1 << 14;

const lanes = () => new Float64Array(MAX_LANES);
// carried balances
const supplyOfPass = lanes();
const tokenReserveOfPass = lanes();
const lockedOfPass = lanes();
const dollarReserveOfPass = lanes();
const phaseOfPass = lanes();
const mintedOfPass = lanes();
const stakedOfPass = lanes();
/** E3's stake released at step 4 of the first phase-2 day, until E43 queues it that day (chainPay). */
const stakeReleasedOfPass = lanes();
const lowestIncomeOfPass = lanes();
const highestIncomeOfPass = lanes();
const lowestTotalOfPass = lanes();
const poolTokensOfPass = lanes();
const poolUsdOfPass = lanes();
/** The speculators' tokens (E44's book), updated by `chainPrice`. */
const speculatorTokensOfPass = lanes();
// the day's inputs, handed from `inputs` to `settle`
const sentimentOfPass = lanes();
const governanceOfPass = lanes();
const jobsLostOfPass = lanes();
// handed from `chainPrice` to `chainPay` and `chainSettle`
const incomeOfPass = lanes();
const priceOfPass = lanes();
const buybackPriceOfPass = lanes();
const poolUsdAtOpenOfPass = lanes();
const tokensSoldOfPass = lanes();
const salesUsdOfPass = lanes();
const boughtByHoldersOfPass = lanes();
const buyUsdOfPass = lanes();
/** Σ_k min(count_k, target_k): E3's phaseOneFill and E40's slots (the same sum in the same order). */
const filledOfPass = lanes();
/** Σ_i jobs_i, E14's jobs created. */
const jobsTotalOfPass = lanes();
/** E6's demand of class k at `[k·P + b]`. */
const dfsOfPass = new Float64Array(CAP_CLASSES);
/** E40's shared USD and the phase-one slots' USD of the run's day (`chainPay` → `supplierPass`). */
const sharedUsdOfPass = lanes();
const slotUsdOfPass = lanes();
// the row's cells of the day that the chains hand on (E7's split, E8, E9, E11–E16) are read
// back from the stage (`dayCells`, decision 281), not from lanes of their own
/** 1 once a run of the pass has stopped (no price, a non-finite value, an invariant). */
const failedOfPass = new Uint8Array(MAX_LANES);
/** Random streams, `4·nSeries` words per run at `[b·4·nSeries]`. */
const streamsOfPass = new Int32Array(CAP_STREAMS);
/** Today's jobs of consumer type i at `[i·P + b]`. */
const jobsOfPass = new Float64Array(CAP_TYPES);
/** Per class k at `[k·P + b]`: today's supplier count, yesterday's, the dynamic count (E42's entries and exits go straight to the row's cells). */
const countsOfPass = new Float64Array(CAP_CLASSES);
const yesterdayOfPass = new Float64Array(CAP_CLASSES);
const realCountOfPass = new Float64Array(CAP_CLASSES);
/** Per day t at `[t·P + b]`: income and suppliers (E8's window), the price (E44's momentum). */
const incomeHistoryOfPass = new Float64Array(CAP_DAYS);
const totalHistoryOfPass = new Float64Array(CAP_DAYS);
/**
 * Per day t at `[t·P + b]`: Σ suppliers of days 0 … t (`totalHistoryOfPass`'s running sum). The
 * counts are whole numbers, so while they are ≥ 0 and this sum is below 2^53 every partial sum
 * is exact and E8's window sum of suppliers is a difference of two of these, the same number as
 * the window summed day by day (`chainPrice`).
 */
const suppliersToDateOfPass = new Float64Array(CAP_DAYS);
/** 2^53: below it a sum of whole numbers ≥ 0 is exact. */
const EXACT_INTEGERS = 2 ** 53;
const priceHistoryOfPass = new Float64Array(CAP_DAYS);
/** Margin of class k on day t at `(k·days + t)·P + b`. */
const marginHistoryOfPass = new Float64Array(CAP_MARGINS);
/**
 * `marginHistoryOfPass` from cell 0, 1, 2 and 3 on, views of one length: E41's window reads runs
 * b … b+3 of a day at one index h through them (`inputs`), one bounds check for the four loads
 * where each index h + 1, h + 2, h + 3 had a check of its own (the same cells; decision 321).
 */
const MARGIN_VIEW = CAP_MARGINS - 3;
const [margins0, margins1, margins2, margins3] = [0, 1, 2, 3].map((k) =>
  marginHistoryOfPass.subarray(k, k + MARGIN_VIEW),
);
/** E43's tokens due on day t at `[(t mod queueLength)·P + b]`. */
const sellQueueOfPass = new Float64Array(CAP_QUEUE);
/** `chainPay`'s day: the queue's offset of day t + 1 + d at `[d]`. */
const queueSlotOfPass = new Int32Array(CAP_QUEUE);
/** E50's served share of class k for run b at `[k·P + b]` (`capacityPass`). */
const ratioOfRunPass = new Float64Array(CAP_CLASSES);
/**
 * 1 for a class k with a capacity whose served share is below 1 for some run of the pass today
 * (`capacityPass`, decision 320): a type whose served classes all have 0 here cuts no run's jobs.
 */
const cutOfPass = new Uint8Array(CAP_MATRIX);
/** E50's load of the class `capacityPass` is on, per run. */
const loadOfPass = lanes();
/** E41's lagged mean margin of each run of the pass for the class `inputs` is on. */
const meanOfRunPass = lanes();
/** `meanOfRunPass` from lane 0, 1, 2 and 3 on, views of one length (as `margins0`, decision 321). */
const [means0, means1, means2, means3] = [0, 1, 2, 3].map((k) =>
  meanOfRunPass.subarray(k, k + MAX_LANES - 3),
);
/** E50e of an empty class k with a capacity at `[k·P + b]`, written by `inputs` and read by `chainPay` the same day. */
const entrantOfPass = new Float64Array(CAP_CLASSES);
// the scenario's and plan's constants, copied in per batch
const jobPriceOfPass = new Float64Array(CAP_MATRIX);
/**
 * Type i's job price at `[i·S + b]` for every run b (`setStride`): E14's jobs' reward in
 * `chainPay` reads it at the index of the day's jobs, one bounds check for both (decision 325).
 */
const jobPriceRunOfPass = new Float64Array(CAP_TYPES);
/** Per consumer type i, the classes k with a positive price-matrix weight and a capacity (E50's min): `servedClassOfPass[servedStartOfPass[i] …]`. */
const servedStartOfPass = new Int32Array(CAP_MATRIX + 1);
const servedClassOfPass = new Int32Array(CAP_MATRIX);
/** `servedClassOfPass[e]·S` (`setStride`): the class's offset in `ratioOfRunPass` at the runs' stride S. */
const servedRowOfPass = new Int32Array(CAP_MATRIX);
const demandStartOfPass = new Int32Array(CAP_MATRIX + 1);
const demandFromOfPass = new Int32Array(CAP_MATRIX);
/** `demandFromOfPass[e]·S`, the entry's type's offset in `jobsOfPass` at the runs' stride S (`setStride`). */
const demandRowOfPass = new Int32Array(CAP_MATRIX);
const demandWeightOfPass = new Float64Array(CAP_MATRIX);
const targetOfPass = new Float64Array(CAP_MATRIX);
/**
 * Class k's target at `[k·S + b]` for every run b (`setStride`): `chainPrice`'s counts loop reads
 * it at the index of the counts, so one bounds check serves both (decision 325).
 */
const targetRunOfPass = new Float64Array(CAP_CLASSES);
const capacityOfPass = new Float64Array(CAP_MATRIX);
const costOfPass = new Float64Array(CAP_MATRIX);
/** The plan's supplier classes (E40–E41), in its order, then its dynamic classes (E42). */
const classesOfPass = new Int32Array(CAP_MATRIX);
const dynamicOfPass = new Int32Array(CAP_MATRIX);
/** E42's parameters of class k at `[k·CHURN + 0 … 4]`: entry and exit elasticities, largest entry and exit rates, largest count. */
const CHURN = 5;
const churnOfPass = new Float64Array(CAP_MATRIX);
// the day's values that are the same for every run (`hoistDay`): per input series s, how it
// is drawn (0 not drawn, 1 the value `seriesValueOfPass`, 2 noise around `seriesBaseOfPass`), and E48's multiplier per type
const seriesModeOfPass = new Uint8Array(CAP_MATRIX);
const seriesValueOfPass = new Float64Array(CAP_MATRIX);
const seriesBaseOfPass = new Float64Array(CAP_MATRIX);
const seriesNoiseOfPass = new Float64Array(CAP_MATRIX);
const seriesMinOfPass = new Float64Array(CAP_MATRIX);
/** Where today's gaussian of a noisy series s is in its run's block: `normalsOfPass[(s·P + b)·NORMAL_BLOCK + seriesDayOfPass[s]]`. */
const seriesDayOfPass = new Int32Array(CAP_MATRIX);
/**
 * A constant series' value (mode 1, or 0 from the sentiment collapse) that `drawSeries` last
 * filled into its lanes, when `seriesFilledOfPass[s]` is 1: a day with the same value (the same
 * bits, `Object.is`) leaves the lanes as they are (decision 288). 0 after `reset` and `setStride`
 * (the lanes re-laid) and after a day with noise.
 */
const seriesFilledOfPass = new Uint8Array(CAP_MATRIX);
const seriesFilledValueOfPass = new Float64Array(CAP_MATRIX);
/**
 * Days of a noisy series' gaussians drawn ahead per run in one call (`drawNormals`, the
 * stream's state in registers; the same values in the same order as one draw a day). 32, not
 * 16: half the calls and their loads and stores of the state, ≈ 9 instructions a day-step
 * (decision 289); at most 31 draws a run and series past the last day, as 15 before.
 */
const NORMAL_BLOCK = 32;
const CAP_NORMALS = 1 << 17;
const normalsOfPass = new Float64Array(CAP_NORMALS);
const elasticOfPass = new Float64Array(CAP_MATRIX);
/**
 * The rows' cells of a block of days before they go into the caller's table (`flushStage`):
 * column col, day t0 + d, run b at `col·STEP + d·S + b` (the pool's columns at `POOL_STAGE`'s;
 * S the chains' runs stride, T the
 * block's days, `stageDays`: T·S ≤ STAGE_CELLS). A store into the caller's table (a parameter)
 * re-checked the array's map and reloaded its length and data pointer after every other store
 * (≈ 7 instructions a cell, 62 cells a run-day with all feedback on); into this module constant
 * it is a bounds check and the store, and the table gets one block copy per column (as
 * kernel.ts's `fixedOf`, decision 166). The 8 cells between columns keep one run's cells of a day
 * out of a single L1 set. The columns' stride is a constant, so the chains step from one cell of
 * a run to the next with `(at + STEP) | 0`: an add folded into the code, without an overflow
 * check (decision 199). A block is 1,024 cells (16 days at 64 runs): at 256 the copies were a
 * `set` a column every 4 days, 2,790 calls a batch of 64, whose fixed cost was most of
 * `flushStage`'s instructions (decision 250); the stage is ≈ 8 KB a column (0.5 MB, L2's size,
 * at the whitepaper's 62 columns), and its capacity 508 columns (496 before).
 */
const CAP_STAGE = 1 << 19;
const stageOfPass = new Float64Array(CAP_STAGE);
/** Cells of one column's block, at most (at least one day of a pass). */
const STAGE_CELLS = 1024;
/** Cells from a column's block to the next's. */
const STEP = STAGE_CELLS + 8;
/**
 * The stage's column of the pool's first column (`poolTokens`; the table's 7th column from the
 * end, or 8th with speculators): the stage's last 8 columns are the pool's 7 and
 * `speculatorTokens`, so that their cells have blocks at fixed places (`poolTokensCells` …,
 * decision 280; `speculatorTokensCells`, decision 303). Every other column c of the table is the
 * stage's column c, below this one for every shape `passRuns` accepts.
 */
const POOL_STAGE = Math.floor(CAP_STAGE / STEP) - 8;
/** Stage column col's block as a view of `STAGE_CELLS` cells. */
const stageBlock = (col: number) => stageOfPass.subarray(col * STEP, col * STEP + STAGE_CELLS);
/**
 * The blocks of the row's fixed columns (`FIXED_COLUMNS`) and the pool's, each a module constant
 * view of one length, indexed by the day's offset plus the run (`base + b`): the chains store a
 * run's cells through them with one bounds check a run (TurboFan folds the checks of one index
 * against one constant length), where a store at `col·STEP + base + b` into `stageOfPass` was a
 * check of its own (`cmp`, `jnc` and the `lea` of the next offset, decision 280). A chain takes
 * them as locals before its loops (read in a loop, a module variable is not a constant and each
 * store re-checks the view's map and reloads its length and data pointer). The same cells of the
 * same buffer as before.
 */
const [
  dayCells,
  phaseCells,
  incomeCells,
  opsRevenueCells,
  usdBuybackCapitalCells,
  usdCapitalCells,
  onboardingUsdCells,
  bondUsdCells,
  demandCells,
  priceCells,
  flooredCells,
  boughtCells,
  onboardedCells,
  jobRewardCells,
  phaseOnePaidCells,
  phaseTwoPaidCells,
  validatorPaidCells,
  supplierTokensPaidCells,
  tokensPaidCells,
  topUpUsdCells,
  topUpTokensCells,
  buybackUsdCells,
  shortfallCells,
  supplyCells,
  tokenReserveCells,
  dollarReserveCells,
  lockedCells,
  stakedCells,
] = FIXED_COLUMNS.map((_, col) => stageBlock(col));
const [
  poolTokensCells,
  poolUsdCells,
  slippageCells,
  soldCells,
  salesUsdCells,
  specBuyCells,
  boughtByHoldersCells,
  speculatorTokensCells,
] = Array.from({ length: 8 }, (_, k) => stageBlock(POOL_STAGE + k));

/** The scenario's and plan's shape for the lockstep (`FeedbackBatchScratch.lanes`), built once. */
class Lanes {
  readonly elastic: Float64Array | null;
  readonly pool: boolean;
  readonly capacity: boolean;
  readonly queueLength: number;
  readonly feedbackColumns: number;
  /**
   * 1 for each input series the day draws; 0 for a dynamic class's count series, which E42
   * replaces before anything reads it (its stream is its own, so not drawing it changes nothing else).
   */
  readonly drawn: Uint8Array;
  /** The price matrix's non-zero entries per class (E6's sum in its order), as kernel.ts. */
  readonly demandEntries: { start: Int32Array; from: Int32Array; weight: Float64Array };
  /** Runs of one pass (0: the shape does not fit the module's arrays; each run runs alone). */
  readonly passRuns: number;
  /** 1 for a run of the batch that stopped. */
  readonly failed: Uint8Array;
  /** The on-chain variables of the pass's day (the schedule applied). */
  readonly onchain: Float64Array;
  /** Days 0 … sameDays−1, before any drawn series draws noise: the same for every run of a pass. */
  readonly sameDays: number;

  constructor(
    readonly c: CompiledScenario,
    readonly plan: FeedbackPlan,
    readonly size: number,
  ) {
    this.pool = plan.amm !== null;
    this.capacity = (plan.suppliers?.jobsPerSupplierPerDay ?? null) !== null;
    this.elastic = plan.consumers ? elasticMultiplierTable(plan, c.jobPrice) : null;
    this.feedbackColumns = feedbackColumnCount(plan);
    this.queueLength = (plan.sales?.sellOverDays ?? 0) + 1;
    this.drawn = drawnSeries(c, plan);
    this.demandEntries = nonZeroEntries(c);
    this.failed = new Uint8Array(size);
    this.onchain = Float64Array.from(c.onchain0);
    this.passRuns = passRuns(c, this.queueLength, size, poolColumns(plan));
    this.sameDays = sameDays(c, this.drawn);
  }
}

/** The table's last columns that the stage keeps at `POOL_STAGE`: the pool's 7 and E44's book (0 without a pool). */
function poolColumns(plan: FeedbackPlan): number {
  if (!plan.amm) return 0;
  return plan.speculators ? 8 : 7;
}

/** Runs of one pass for `c` (at most `size`), 0 when its constants or one run's state do not fit. */
function passRuns(
  c: CompiledScenario,
  queueLength: number,
  size: number,
  poolBlock: number,
): number {
  const { nC, nK, days, nSeries } = c;
  if (nC * nK > CAP_MATRIX || nC + nK + 2 > CAP_MATRIX || nSeries > CAP_MATRIX) return 0;
  if (c.columns.length * STEP > CAP_STAGE || nK * CHURN > CAP_MATRIX) return 0;
  // the columns before the pool's (the table's last 7 or 8, `poolBlock`) below `POOL_STAGE`
  if (c.columns.length - poolBlock > POOL_STAGE) return 0;
  const per = (cap: number, n: number) => (n === 0 ? MAX_LANES : Math.floor(cap / n));
  return Math.max(
    0,
    Math.min(
      size,
      MAX_LANES,
      per(CAP_TYPES, nC),
      per(CAP_CLASSES, nK),
      per(CAP_DAYS, days),
      per(CAP_MARGINS, nK * days),
      per(CAP_QUEUE, queueLength),
      per(CAP_STREAMS, 4 * nSeries),
      per(CAP_NORMALS, NORMAL_BLOCK * nSeries),
    ),
  );
}

/** The earliest start day of a drawn series with noise (or the run's length): before it no run draws a gaussian. */
function sameDays(c: CompiledScenario, drawn: Uint8Array): number {
  let d = c.days;
  for (let s = 0; s < c.nSeries; s++)
    if (drawn[s] !== 0 && c.seriesNoise[s] > 0) d = Math.min(d, c.seriesStartDay[s]);
  return Math.max(0, d);
}

/** 1 for each input series the lockstep draws, 0 for the count series of a dynamic class (`Lanes.drawn`). */
function drawnSeries(c: CompiledScenario, plan: FeedbackPlan): Uint8Array {
  const drawn = new Uint8Array(c.nSeries).fill(1);
  plan.suppliers?.dynamic.forEach((d, k) => {
    if (d) drawn[c.nC + k] = 0;
  });
  return drawn;
}

/** The price matrix's non-zero entries, class by class (kernel.ts `Run`): types j in `start[k] … start[k+1]`. */
function nonZeroEntries(c: CompiledScenario) {
  const { nC, nK } = c;
  const start = new Int32Array(nK + 1);
  const from = new Int32Array(nC * nK);
  const weight = new Float64Array(nC * nK);
  let n = 0;
  for (let k = 0; k < nK; k++) {
    start[k] = n;
    for (let i = 0; i < nC; i++) {
      const w = c.priceMatrix[i * nK + k];
      if (w === 0) continue;
      from[n] = i;
      weight[n++] = w;
    }
  }
  start[nK] = n;
  return { start, from, weight };
}

/**
 * Runs advanced together by the stress battery: 64, the lockstep's best width in bench/feedback.ts
 * (16 / 32 / 64), and in the battery too (`bme stress scenarios/feedback/death-spiral.yaml --runs
 * 2000 --workers 1`: 1.16–1.20 CPU-s at 16, 0.91–0.92 at 64; decision 179).
 */
export const FEEDBACK_BATCH = 64;

/** Reusable state of the lockstep feedback kernel for `batch` runs of `c` with `plan`. */
export interface FeedbackBatchScratch {
  readonly batch: number;
  /** Per run of the last batch: rows filled (days completed). */
  readonly daysCompleted: Int32Array;
  /** Per run of the last batch: why it stopped, or null. */
  readonly errors: (SimulationFailure | null)[];
  readonly lanes: Lanes;
  /** One run's table, for a run that stopped (run again alone). */
  readonly alone: Float64Array;
}

export function feedbackBatchScratch(
  c: CompiledScenario,
  plan: FeedbackPlan,
  batch: number,
): FeedbackBatchScratch {
  const B = Math.max(1, batch | 0);
  return {
    batch: B,
    daysCompleted: new Int32Array(B),
    errors: new Array(B).fill(null),
    lanes: new Lanes(c, plan, B),
    alone: new Float64Array(c.columns.length * c.days),
  };
}

/**
 * The fused feedback kernel in lockstep (docs/model-feedback.md, "Fast path"): runs
 * `run0 … run0+count−1` of `c` (no stochastic processes: `c` is every run's compiled scenario)
 * with the feedback plan and a stress shock, advanced together day by day in two loops over the
 * runs per day (`inputs`, `settle`), each carrying one run's values through its stages and
 * writing its cells as it goes (into a stage copied into `out` a block of days per column,
 * `flushStage`), on struct-of-arrays state. The same floating-point operations in
 * the same order per run as `runFeedbackKernel` (tested cell for cell on every shipped scenario
 * and on generated ones). Output cell-major with the runs innermost, `out[(col·days + t)·count + b]`
 * (the layout of `runKernelBatch`; `runTable` takes one run's column-major table out of it):
 * run b's cells are byte-identical to `runFeedbackKernel(c, seed, run0 + b, table, …)` on a
 * zeroed table.
 *
 * A run that stops (no price, a non-finite value, an invariant broken) is only marked in the
 * lockstep (its later days are skipped); after the batch it is run again alone by
 * `runFeedbackKernel` on its zeroed table, so its cells, days completed and error are exactly the
 * per-run kernel's, and the other runs of the batch are untouched. Results in
 * `scratch.daysCompleted[b]` and `scratch.errors[b]`. `count` ≤ `scratch.batch`; `scratch`
 * built for the same `c` and plan.
 */
export function runFeedbackBatch(
  c: CompiledScenario,
  seed: number,
  run0: number,
  count: number,
  out: Float64Array,
  scratch: FeedbackBatchScratch,
  options: FeedbackBatchOptions = {},
): void {
  const L = scratch.lanes;
  const plan = options.plan ?? L.plan;
  if (L.c !== c || L.plan !== plan || !(count >= 1 && count <= L.size))
    throw new Error(
      `runFeedbackBatch: scratch for another scenario or plan, or ${count} runs for ${L.size}`,
    );
  const shock = options.shock ?? NO_SHOCK;
  const failed = L.failed;
  if (L.passRuns === 0) failed.fill(1, 0, count);
  else {
    loadConstants(L);
    for (let b0 = 0; b0 < count; b0 += L.passRuns) {
      const P = Math.min(L.passRuns, count - b0);
      // Until the first day a series draws noise every run of the pass has the same state and
      // the same row (decision 168): those days run for index 0 alone (`n` = 1, its per-run
      // arrays laid out with stride 1), then `spreadPass` hands its state and rows to every run.
      const same = P > 1 ? L.sameDays : 0;
      reset(L, seed, run0 + b0, P, same > 0 ? 1 : P);
      const { eventDay, eventVar, eventValue } = c;
      let event = 0;
      // the rows go through `stageOfPass` a block of T days at a time, from day t0
      let t0 = 0;
      let T = 1;
      for (let t = 0; t < c.days; t++) {
        if (t === same && t > 0) spreadPass(L, t, P, b0, count, out);
        const n = t < same ? 1 : P;
        if (t === t0) T = stageDays(n);
        if (t === 0 || t === same) setStride(L, n);
        while (event < eventDay.length && eventDay[event] < t) event++;
        for (let e = event; e < eventDay.length && eventDay[e] === t; e++)
          L.onchain[eventVar[e]] = eventValue[e];
        hoistDay(L, t, n);
        const base = (t - t0) * n;
        inputs(L, t, n, base, shock);
        jobsPass(n, base, c.nC, c.nK);
        chainPrice(L, t, n, base, shock);
        chainPay(L, t, n, base);
        if (L.plan.suppliers !== null) supplierPass(L, t, n, base);
        chainSettle(L, t, n, base);
        if (t + 1 - t0 === T || t + 1 === c.days || t + 1 === same) {
          flushStage(L, t0, t + 1 - t0, n, b0, count, out);
          t0 = t + 1;
        }
      }
      if (same === c.days && same > 0) spreadPass(L, same, P, b0, count, out);
      for (let b = 0; b < P; b++) failed[b0 + b] = failedOfPass[b];
    }
  }
  const { daysCompleted, errors } = scratch;
  for (let b = 0; b < count; b++) {
    if (!failed[b]) {
      daysCompleted[b] = c.days;
      errors[b] = null;
      continue;
    }
    const alone = scratch.alone;
    alone.fill(0);
    const o: KernelOutcome = runFeedbackKernel(c, seed, run0 + b, alone, { plan, shock });
    for (let j = 0; j < alone.length; j++) out[j * count + b] = alone[j];
    daysCompleted[b] = o.daysCompleted;
    errors[b] = o.error;
  }
}

/** The offsets that depend on the runs' stride S (1 on the days run for one run, then P). */
function setStride(L: Lanes, S: number): void {
  const { nC, nK } = L.c;
  seriesFilledOfPass.fill(0, 0, L.c.nSeries);
  for (let e = 0; e < demandStartOfPass[nK]; e++) demandRowOfPass[e] = demandFromOfPass[e] * S;
  for (let e = 0; e < servedStartOfPass[nC]; e++) servedRowOfPass[e] = servedClassOfPass[e] * S;
  for (let k = 0; k < nK; k++) targetRunOfPass.fill(targetOfPass[k], k * S, (k + 1) * S);
  for (let i = 0; i < nC; i++) jobPriceRunOfPass.fill(jobPriceOfPass[i], i * S, (i + 1) * S);
}

/** Days of a block of the stage for a stride of S ≤ MAX_LANES runs (≥ 1, T·S ≤ STAGE_CELLS). */
function stageDays(S: number): number {
  return Math.max(1, Math.floor(STAGE_CELLS / S));
}

/**
 * Days t0 … t0+nDays−1 of the stage (runs stride S, columns STEP apart) into the table at
 * `out[(col·days + t)·count + b0 + b]`: one block copy per column when the pass is the whole
 * batch (its days are then consecutive in the table), else a day at a time. A run that stopped
 * gets stale cells here; it is run again alone afterwards and all its cells rewritten.
 */
function flushStage(
  L: Lanes,
  t0: number,
  nDays: number,
  S: number,
  b0: number,
  count: number,
  out: Float64Array,
): void {
  const { columns, days } = L.c;
  const stage = stageOfPass;
  const cells = nDays * S;
  // the pool's columns and E44's book (the table's last 7 or 8) are the stage's from `POOL_STAGE`
  const poolFrom = columns.length - poolColumns(L.plan);
  const fromOf = (col: number) => (col < poolFrom ? col : POOL_STAGE + col - poolFrom) * STEP;
  if (
    S === count &&
    (cells !== stageViewCells ||
      stageViews.length !== columns.length ||
      poolFrom !== stageViewPoolFrom)
  ) {
    stageViews.length = 0;
    for (let col = 0; col < columns.length; col++)
      stageViews.push(stage.subarray(fromOf(col), fromOf(col) + cells));
    stageViewCells = cells;
    stageViewPoolFrom = poolFrom;
  }
  for (let col = 0; col < columns.length; col++) {
    const from = fromOf(col);
    const to = (col * days + t0) * count + b0;
    if (S === count) out.set(stageViews[col], to);
    else
      for (let d = 0; d < nDays; d++)
        for (let b = 0; b < S; b++) out[to + d * count + b] = stage[from + d * S + b];
  }
}

/**
 * Each column's block of the stage as a view of `stageViewCells` cells (`flushStage`), made again
 * only when the block's size or the number of columns changes (a view per column and block was ≈ 110 instructions a
 * day-step in TypedArray builtins, and garbage).
 */
const stageViews: Float64Array[] = [];
let stageViewCells = -1;
let stageViewPoolFrom = -1;

/** Run b's column-major table (`table[col·days + t]`) out of a batch's table of `count` runs. */
export function runTable(out: Float64Array, count: number, b: number, table: Float64Array): void {
  for (let j = 0, at = b; j < table.length; j++, at += count) table[j] = out[at];
}

/** Compile the plan as `runFeedbackKernel` does when none is given. */
export function feedbackPlanFor(c: CompiledScenario): FeedbackPlan {
  return (
    compileFeedback(c.scenario) ?? {
      days: c.days,
      suppliers: null,
      sales: null,
      speculators: null,
      amm: null,
      consumers: null,
    }
  );
}

/** The scenario's and plan's constants into the module's arrays (`passRuns` > 0: they fit). */
function loadConstants(L: Lanes): void {
  const { c, plan } = L;
  const { nC, nK } = c;
  jobPriceOfPass.set(c.jobPrice.subarray(0, nC));
  // E50's minimum over a type's classes leaves out a class without a capacity: its served share
  // is 1, and min(served, 1) is `served` for any served ≤ 1 or NaN (decision 262)
  const cap = plan.suppliers?.jobsPerSupplierPerDay ?? null;
  let n = 0;
  for (let i = 0; i < nC; i++) {
    servedStartOfPass[i] = n;
    for (let k = 0; k < nK; k++)
      if (c.priceMatrix[i * nK + k] > 0 && cap !== null && !Number.isNaN(cap[k]))
        servedClassOfPass[n++] = k;
  }
  servedStartOfPass[nC] = n;
  const { start, from, weight } = L.demandEntries;
  demandStartOfPass.set(start);
  demandFromOfPass.set(from.subarray(0, start[nK]));
  demandWeightOfPass.set(weight.subarray(0, start[nK]));
  for (let k = 0; k < nK; k++) targetOfPass[k] = c.phaseOneTarget[k];
  const s = plan.suppliers;
  if (!s) return;
  for (let k = 0; k < nK; k++) {
    capacityOfPass[k] = cap ? cap[k] : Number.NaN;
    costOfPass[k] = s.costPerDay[k];
    const d = s.dynamic[k];
    if (d) {
      const p = d.churn;
      churnOfPass.set(
        [p.entryElasticity, p.exitElasticity, p.maxEntryRate, p.maxExitRate, p.maxCount],
        k * CHURN,
      );
    }
  }
  s.classes.forEach((k, j) => {
    classesOfPass[j] = k;
  });
  s.dynamicClasses.forEach((k, j) => {
    dynamicOfPass[j] = k;
  });
}

/**
 * Runs run0 … run0+P−1 at their start (kernel.ts `Run.reset` and `resetFeedbackState`, per
 * lane), the per-class values laid out for `S` runs (1 while index 0 runs alone).
 */
function reset(L: Lanes, seed: number, run0: number, P: number, S: number): void {
  const { c, plan } = L;
  const { nC, nK, days } = c;
  const so = 4 * c.nSeries;
  // only the streams `hoistDay` draws from (a drawn series with noise): each stream's words are
  // `seedStreams`' for its index, and no other stream is read (decision 285)
  for (let b = 0; b < P; b++) {
    const mix = runSeedMix(seed, run0 + b);
    for (let s = 0; s < c.nSeries; s++)
      if (L.drawn[s] === 1 && c.seriesNoise[s] > 0)
        seedStream(streamsOfPass, b * so + 4 * s, mix, s);
  }
  L.onchain.set(c.onchain0);
  seriesFilledOfPass.fill(0, 0, c.nSeries);
  supplyOfPass.fill(plan.amm ? c.initialSupply - plan.amm.poolTokens : c.initialSupply, 0, P);
  tokenReserveOfPass.fill(c.initialTokenReserve, 0, P);
  lockedOfPass.fill(c.initialLocked, 0, P);
  dollarReserveOfPass.fill(c.initialDollarReserve, 0, P);
  phaseOfPass.fill(1, 0, P);
  mintedOfPass.fill(0, 0, P);
  stakedOfPass.fill(0, 0, P);
  stakeReleasedOfPass.fill(0, 0, P);
  lowestIncomeOfPass.fill(Number.POSITIVE_INFINITY, 0, P);
  highestIncomeOfPass.fill(0, 0, P);
  lowestTotalOfPass.fill(Number.POSITIVE_INFINITY, 0, P);
  poolTokensOfPass.fill(plan.amm?.poolTokens ?? 0, 0, P);
  poolUsdOfPass.fill(plan.amm?.poolUsd ?? 0, 0, P);
  speculatorTokensOfPass.fill(plan.speculators?.startingTokens ?? 0, 0, P);
  jobsLostOfPass.fill(0, 0, P);
  failedOfPass.fill(0, 0, P);
  jobsOfPass.fill(0, 0, nC * P);
  countsOfPass.fill(0, 0, nK * P);
  yesterdayOfPass.fill(0, 0, nK * P);
  realCountOfPass.fill(0, 0, nK * P);
  plan.suppliers?.dynamic.forEach((d, k) => {
    if (d) realCountOfPass.fill(d.start, k * S, (k + 1) * S);
  });
  // no zeroing of the margins' history: E41 reads only days that E40–E41 wrote before (each
  // class's day t is written on day t, read from day t + 1), and `spreadPass` moves those
  sellQueueOfPass.fill(0, 0, L.queueLength * P);
  priceHistoryOfPass.fill(0, 0, days * P);
}

/** The per-run values of the pass (`[b]`), spread by `spreadPass`. */
const perRunOf = [
  supplyOfPass,
  tokenReserveOfPass,
  lockedOfPass,
  dollarReserveOfPass,
  phaseOfPass,
  mintedOfPass,
  stakedOfPass,
  stakeReleasedOfPass,
  lowestIncomeOfPass,
  highestIncomeOfPass,
  lowestTotalOfPass,
  poolTokensOfPass,
  poolUsdOfPass,
  speculatorTokensOfPass,
  sentimentOfPass,
  governanceOfPass,
  jobsLostOfPass,
];
/**
 * The per-class values (`[k·P + b]`) and per-day values (`[t·P + b]`), spread by `spreadPass`
 * (the day's jobs and E6's demand are each day's own, written before they are read).
 */
const perClassOf = [countsOfPass, yesterdayOfPass, realCountOfPass];
const perDayOf = [
  incomeHistoryOfPass,
  totalHistoryOfPass,
  suppliersToDateOfPass,
  priceHistoryOfPass,
];

/**
 * Index 0's value `x·1 + 0` of the stride-1 layout to `x·P + b` for every run b, for x < n:
 * from the last x down (a value is read before any write reaches its index, as x·P ≥ x).
 */
function spreadLayout(a: Float64Array, n: number, P: number): void {
  for (let x = n - 1; x >= 0; x--) a.fill(a[x], x * P, x * P + P);
}

/**
 * After days 0 … t−1 advanced for index 0 alone (no series drew noise, so every run of the pass
 * has computed the same values): index 0's carried state to every run of the pass, its
 * per-class, per-type and per-day values re-laid from stride 1 to stride P, and its rows' cells
 * copied to every run's cells. A run that stopped on those days stopped every run the same way.
 */
function spreadPass(
  L: Lanes,
  t: number,
  P: number,
  b0: number,
  count: number,
  out: Float64Array,
): void {
  const { c } = L;
  const { nK, days } = c;
  for (const a of perRunOf) a.fill(a[0], 1, P);
  failedOfPass.fill(failedOfPass[0], 1, P);
  for (const a of perClassOf) spreadLayout(a, nK, P);
  for (const a of perDayOf) spreadLayout(a, t, P);
  // the margins of days 0 … t−1 only (class k's day x at k·days + x), the last first as
  // spreadLayout; the later days are written before E41 reads them
  const margins = marginHistoryOfPass;
  for (let k = nK - 1; k >= 0; k--)
    for (let x = k * days + t - 1; x >= k * days; x--) margins.fill(margins[x], x * P, x * P + P);
  spreadLayout(sellQueueOfPass, L.queueLength, P);
  const step = days * count;
  for (let col = 0, at = b0; col < c.columns.length; col++, at += step) {
    if (P !== count) {
      for (let d = 0, p = at; d < t; d++, p += count) out.fill(out[p], p + 1, p + P);
      continue;
    }
    // the pass is the batch, so its cells of consecutive days are adjacent: days of one value
    // (the same bits) as one fill (whitepaper, all feedback on: 654 fills instead of 1,860)
    for (let d = 0; d < t; ) {
      const v = out[at + d * count];
      let e = d + 1;
      while (e < t && Object.is(out[at + e * count], v)) e++;
      out.fill(v, at + d * count, at + e * count);
      d = e;
    }
  }
}

/** Day t's values that are the same for every run: each input series' noise-free value (§3), E48's multipliers; every NORMAL_BLOCK days of a noisy series, its runs' next gaussians. */
function hoistDay(L: Lanes, t: number, P: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const seriesModeOf = seriesModeOfPass;
  const seriesValueOf = seriesValueOfPass;
  const seriesBaseOf = seriesBaseOfPass;
  const seriesNoiseOf = seriesNoiseOfPass;
  const seriesMinOf = seriesMinOfPass;
  const seriesDayOf = seriesDayOfPass;
  const elasticOf = elasticOfPass;
  const { c, drawn, elastic } = L;
  const { nC, nK, days } = c;
  const so = 4 * c.nSeries;
  for (let s = 0; s < nC + nK + 2; s++) {
    const whole = s >= nC && s < nC + nK;
    if (drawn[s] === 0) seriesModeOf[s] = 0;
    else if (t < c.seriesStartDay[s]) {
      seriesModeOf[s] = 1;
      seriesValueOf[s] = whole ? Math.floor(0 + 1e-9) : 0;
    } else {
      const base = c.seriesBase[s * days + t];
      const noise = c.seriesNoise[s];
      const min = c.seriesMin[s];
      if (noise > 0) {
        seriesModeOf[s] = 2;
        // a noisy series draws one gaussian a day from its start: NORMAL_BLOCK days at a time
        const d = (t - c.seriesStartDay[s]) % NORMAL_BLOCK;
        seriesDayOf[s] = d;
        if (d === 0)
          for (let b = 0, st = 4 * s; b < P; b++, st += so)
            drawNormals(st, (s * P + b) * NORMAL_BLOCK, NORMAL_BLOCK);
        seriesBaseOf[s] = base;
        seriesNoiseOf[s] = noise;
        seriesMinOf[s] = min;
      } else {
        const v = Math.max(min, base);
        seriesModeOf[s] = 1;
        seriesValueOf[s] = whole ? Math.floor(v + 1e-9) : v;
      }
    }
  }
  if (elastic) for (let i = 0; i < nC; i++) elasticOf[i] = elastic[i * days + t];
}

/**
 * `n` successive N(0, 1) draws of the stream at `o` of the pass's streams into its normals
 * `p … p+n−1`: `fillNormals`'s values (src/random/normal.ts: the same operations in the same
 * order), its fast path in a loop of its own on this module's constant arrays (as kernel.ts's
 * `drawNormals`); a draw the ziggurat's first test rejects (≈ 1.2%) is finished by `normalTail`.
 */
function drawNormals(o: number, p: number, n: number): void {
  const e = p + n;
  let j = drawFast(o, p, e);
  while (j < e) {
    const hz = rejectedOf[0];
    normalsOfPass[j] = normalTail(streamsOfPass, o, hz, hz & 127);
    j = drawFast(o, j + 1, e);
  }
}

/** The 32-bit draw `drawFast` stopped at (the ziggurat rejected it). */
const rejectedOf = new Int32Array(1);

/**
 * Draws of the stream at `o` into the normals `j … e−1` while the ziggurat's first test accepts
 * them; returns e, or the index of the first draw it rejected (its 32 bits in `rejectedOf[0]`,
 * the stream already past it, as `normalTail` expects).
 */
function drawFast(o: number, j: number, e: number): number {
  const st = streamsOfPass;
  const dst = normalsOfPass;
  let s0 = st[o];
  let s1 = st[o + 1];
  let s2 = st[o + 2];
  let s3 = st[o + 3];
  for (; j < e; j = (j + 1) | 0) {
    // xoshiro128** (as nextInt32), the rotations written out
    const m = Math.imul(s1, 5);
    const hz = Math.imul((m << 7) | (m >>> 25), 9);
    s2 ^= s0;
    s3 ^= s1;
    s0 ^= s3;
    const u = s1 << 9;
    s1 ^= s2;
    s2 ^= u;
    s3 = (s3 << 11) | (s3 >>> 21);
    const iz = hz & 127;
    // |hz| < k as −k < hz < k (k = KN[iz] > 0; hz and −k exact): the same test without the
    // absolute value's six integer instructions and a second conversion of hz (decision 326)
    const k = KN[iz];
    if (!(hz < k && hz > -k)) {
      rejectedOf[0] = hz;
      break;
    }
    dst[j] = hz * WN[iz];
  }
  st[o] = s0;
  st[o + 1] = s1;
  st[o + 2] = s2;
  st[o + 3] = s3;
  return j;
}

/**
 * Day t's input series for the pass's P runs (§3, `hoistDay`'s modes), a series at a time with
 * the runs innermost (each value is its run's own: the same operations as one run at a time):
 * consumer type i's jobs (× E48's multiplier, × the demand crash) into `jobsOf[i·P + b]`, class
 * k's count into `countsOf[k·P + b]` (floored), the sentiment and governance purchases (0 from
 * the collapse on). A run that stopped gets values too; nothing reads them.
 */
function drawSeries(
  P: number,
  elastic: boolean,
  crash: boolean,
  crashShare: number,
  collapse: boolean,
  nC: number,
  nK: number,
): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const jobsOf = jobsOfPass;
  const countsOf = countsOfPass;
  const sentimentOf = sentimentOfPass;
  const governanceOf = governanceOfPass;
  const seriesModeOf = seriesModeOfPass;
  const seriesValueOf = seriesValueOfPass;
  const seriesBaseOf = seriesBaseOfPass;
  const seriesNoiseOf = seriesNoiseOfPass;
  const seriesMinOf = seriesMinOfPass;
  const seriesDayOf = seriesDayOfPass;
  const normalsOf = normalsOfPass;
  const elasticOf = elasticOfPass;
  // indices as `(x + y) | 0`: int32 adds without an overflow check (every index is < 2^17;
  // decision 263)
  for (let i = 0, j = 0; i < nC; i++, j = (j + P) | 0) {
    const mode = seriesModeOf[i];
    if (mode === 0) continue;
    // E48's multiplier and the crash's share as factors, 1 when off: v · 1 is v for every v (NaN
    // and −0 included), so the same values without two tests a run (decision 287)
    const e = elastic ? elasticOf[i] : 1;
    const cut = crash ? crashShare : 1;
    if (mode === 1) {
      const x = seriesValueOf[i];
      for (let b = 0; b < P; b++) jobsOf[(j + b) | 0] = x * e * cut;
      continue;
    }
    const min = seriesMinOf[i];
    const base = seriesBaseOf[i];
    const noise = seriesNoiseOf[i];
    for (
      let b = 0, g = j * NORMAL_BLOCK + seriesDayOf[i];
      b < P;
      b = (b + 1) | 0, g = (g + NORMAL_BLOCK) | 0
    ) {
      // max(min, x) as `x > min ? x : Math.max(min, x)`: the same value for every x (decision 287)
      const x = base + noise * normalsOf[g];
      jobsOf[(j + b) | 0] = (x > min ? x : Math.max(min, x)) * e * cut;
    }
  }
  for (let k = 0, x = nC, j = 0; k < nK; k++, x++, j = (j + P) | 0) {
    const mode = seriesModeOf[x];
    if (mode === 0) continue;
    if (mode === 1) {
      fillConstant(countsOf, j, P, x, seriesValueOf[x]);
      continue;
    }
    seriesFilledOfPass[x] = 0;
    const min = seriesMinOf[x];
    const base = seriesBaseOf[x];
    const noise = seriesNoiseOf[x];
    for (
      let b = 0, g = x * P * NORMAL_BLOCK + seriesDayOf[x];
      b < P;
      b = (b + 1) | 0, g = (g + NORMAL_BLOCK) | 0
    ) {
      const v = base + noise * normalsOf[g];
      countsOf[(j + b) | 0] = Math.floor((v > min ? v : Math.max(min, v)) + 1e-9);
    }
  }
  // the sentiment (series nC + nK) and governance (nC + nK + 1) purchases
  for (let s = nC + nK; s < nC + nK + 2; s++) {
    const dst = s === nC + nK ? sentimentOf : governanceOf;
    const mode = seriesModeOf[s];
    if (collapse) fillConstant(dst, 0, P, s, 0);
    else if (mode === 1) fillConstant(dst, 0, P, s, seriesValueOf[s]);
    else if (mode === 2) {
      seriesFilledOfPass[s] = 0;
      const min = seriesMinOf[s];
      const base = seriesBaseOf[s];
      const noise = seriesNoiseOf[s];
      for (
        let b = 0, g = s * P * NORMAL_BLOCK + seriesDayOf[s];
        b < P;
        b = (b + 1) | 0, g = (g + NORMAL_BLOCK) | 0
      ) {
        const v = base + noise * normalsOf[g];
        dst[b] = v > min ? v : Math.max(min, v);
      }
    }
  }
}

/**
 * Series s's constant value v into lanes `j … j+P−1` of `dst`, unless they hold it already from
 * the day before (`seriesFilledOfPass`): the same cells without a `fill` a day (a call into the
 * runtime of ≈ 400 instructions; decision 288).
 */
function fillConstant(dst: Float64Array, j: number, P: number, s: number, v: number): void {
  if (seriesFilledOfPass[s] === 1 && Object.is(seriesFilledValueOfPass[s], v)) return;
  dst.fill(v, j, j + P);
  seriesFilledOfPass[s] = 1;
  seriesFilledValueOfPass[s] = v;
}

/**
 * E41's lagged mean margin of every run of the pass for one class (margin.ts closedDaysMargin on
 * run b's history: days at h0 + b, h0 + b + P, … < h1, `closed` of them) into `meanOfRunPass`.
 * A function of its own (`inputs` would pass 120 lines), called once a class and day; TurboFan
 * does not inline it there, so its parameters are made int32s first (decision 321).
 */
function windowMeans(runs: number, from: number, to: number, closed: number): void {
  // the parameters as int32s (a parameter is re-checked in the loop)
  const P = runs | 0;
  const h0 = from | 0;
  const h1 = to | 0;
  // the module's arrays as locals (see `jobsOfPass`)
  const marginHistoryOf = marginHistoryOfPass;
  const meanOfRun = meanOfRunPass;
  const mh0 = margins0;
  const mh1 = margins1;
  const mh2 = margins2;
  const mh3 = margins3;
  const mean0 = means0;
  const mean1 = means1;
  const mean2 = means2;
  const mean3 = means3;
  // the windows' sums four runs at a time, then two, then one: independent chains of
  // additions, each run's days in order (a run that stopped gets a sum too; nothing reads it;
  // decisions 217 and 264); runs b2 … b2+3 of a day read at one index through the four views
  // (decision 321)
  let b2 = 0;
  for (; b2 + 3 < P; b2 += 4) {
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    // two days a step (each run's days added in order, as E8's window: decision 276), then the
    // odd day: half the loop's compares, branches and stack checks (decision 286)
    let h = (h0 + b2) | 0;
    for (; ((h + P) | 0) < h1; h = (h + P + P) | 0) {
      m0 += mh0[h];
      m1 += mh1[h];
      m2 += mh2[h];
      m3 += mh3[h];
      const g = (h + P) | 0;
      m0 += mh0[g];
      m1 += mh1[g];
      m2 += mh2[g];
      m3 += mh3[g];
    }
    if (h < h1) {
      m0 += mh0[h];
      m1 += mh1[h];
      m2 += mh2[h];
      m3 += mh3[h];
    }
    mean0[b2] = m0 / closed;
    mean1[b2] = m1 / closed;
    mean2[b2] = m2 / closed;
    mean3[b2] = m3 / closed;
  }
  for (; b2 + 1 < P; b2 += 2) {
    let m0 = 0;
    let m1 = 0;
    for (let h = h0 + b2; h < h1; h = (h + P) | 0) {
      m0 += marginHistoryOf[h];
      m1 += marginHistoryOf[(h + 1) | 0];
    }
    meanOfRun[b2] = m0 / closed;
    meanOfRun[b2 + 1] = m1 / closed;
  }
  if (b2 < P) {
    let m = 0;
    for (let h = h0 + b2; h < h1; h = (h + P) | 0) m += marginHistoryOf[h];
    meanOfRun[b2] = m / closed;
  }
}

/**
 * Day t's inputs, one run at a time: the series (§3, noise drawn per run), E48, E41's lagged
 * margin and E42 (steps.ts `churnStep`), the demand crash and the sentiment collapse, E50
 * (capacity.ts `capacityServedJobs`, per run).
 */
function inputs(L: Lanes, t: number, P: number, base: number, shock: ShockDays): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const failedOf = failedOfPass;
  const countsOf = countsOfPass;
  const yesterdayOf = yesterdayOfPass;
  const realCountOf = realCountOfPass;
  const meanOfRun = meanOfRunPass;
  const dynamicOf = dynamicOfPass;
  const churnOf = churnOfPass;
  const { c, plan } = L;
  const { nC, nK, days } = c;
  const elastic = L.elastic !== null;
  const crash = t >= shock.crashFrom;
  const collapse = t >= shock.collapseFrom;
  const s = plan.suppliers;
  const nDynamic = s ? s.dynamicClasses.length : 0;
  const lag = s ? s.lagDays : 0;
  const from = Math.max(0, t - lag);
  // the law's scratch record made here, not a module constant: once the law is inlined its
  // fields are registers (escape analysis), not stores and loads of boxed numbers (decision 213)
  const churned: Out<Churn> = { entries: 0, exits: 0, count: 0 };
  drawSeries(P, elastic, crash, shock.crashShare, collapse, nC, nK);
  // the row's entries' and exits' cells of dynamic class d (`at`, d columns after the first
  // entries' column; the exits' nDynamic columns further), stored and checked here where they are
  // worked out (decision 322): after the income per supplier's and the margins' columns (nClasses
  // each). Nothing else reads them, so they are kept in no per-run array
  const out = stageOfPass;
  const nClasses = s ? s.classes.length : 0;
  const exitsFrom = nDynamic * STEP;
  // E41–E42 per dynamic class, the runs innermost: the class's parameters and offsets are
  // loaded once a day, not once per run (each run's values are its own, as one run at a time)
  for (
    let d = 0, at = ((c.columns.length - L.feedbackColumns + 2 * nClasses) * STEP + base) | 0;
    d < nDynamic;
    d++, at = (at + STEP) | 0
  ) {
    const k = dynamicOf[d];
    const j0 = k * P;
    const atExits = (at + exitsFrom) | 0;
    if (t === 0) {
      for (let b = 0, j = j0; b < P; b++, j++) {
        if (failedOf[b] !== 0) continue;
        out[(at + b) | 0] = 0;
        out[(atExits + b) | 0] = 0;
        countsOf[j] = Math.floor(realCountOf[j] + 1e-9);
      }
      continue;
    }
    const q = k * CHURN;
    const entryElasticity = churnOf[q];
    const exitElasticity = churnOf[q + 1];
    const maxEntryRate = churnOf[q + 2];
    const maxExitRate = churnOf[q + 3];
    const maxCount = churnOf[q + 4];
    // margin.ts closedDaysMargin on run b's history: days from … t−1 at h0 + b, h0 + b + P, … < h1
    const h0 = (k * days + from) * P;
    const h1 = (k * days + t) * P;
    const closed = t - from;
    windowMeans(P, h0, h1, closed);
    for (let b = 0, j = j0; b < P; b = (b + 1) | 0, j = (j + 1) | 0) {
      if (failedOf[b] !== 0) continue;
      supplierChurnOf(
        churned,
        realCountOf[j],
        meanOfRun[b],
        entryElasticity,
        exitElasticity,
        maxEntryRate,
        maxExitRate,
        maxCount,
      );
      const entries = churned.entries;
      const exits = churned.exits;
      out[(at + b) | 0] = entries;
      out[(atExits + b) | 0] = exits;
      const chk = entries + exits;
      if (chk - chk !== 0) failedOf[b] = 1;
      realCountOf[j] = churned.count;
      countsOf[j] = Math.floor(churned.count + 1e-9);
    }
  }
  if (t === 0)
    for (let b = 0; b < P; b++) {
      if (failedOf[b] !== 0) continue;
      for (let k = 0, j = b; k < nK; k++, j += P) yesterdayOf[j] = countsOf[j];
    }
  if (L.capacity === true) capacityPass(P, nC, nK);
}

/**
 * Day t's E5 income, jobs total and E6 demand per class for every run of the pass, a type or an
 * entry at a time with the runs innermost (the day's jobs are final after `inputs`' E50): run b's
 * income is `Σ_i jobs_i · price_i` and its class k's demand `Σ_e jobs · price · weight` over the
 * matrix's non-zero entries, each added from 0 in the same order as one run at a time (kernel.ts
 * `Run`, the chain's former loops), so the same values. Writes the row's jobs and E6's demand
 * cells into the stage (`col·STEP + base + b`); a run with a demand that is not finite is marked
 * failed (its jobs are checked by `chainPrice` through their total). The constants of a type or an
 * entry are loaded once a day, not once per run, and each run's additions are independent of the
 * others' (decision 234).
 */
function jobsPass(P: number, base: number, nC: number, nK: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const jobsOf = jobsOfPass;
  const incomeOf = incomeOfPass;
  const jobsTotalOf = jobsTotalOfPass;
  const dfsOf = dfsOfPass;
  const failedOf = failedOfPass;
  const jobPriceOf = jobPriceOfPass;
  const demandStartOf = demandStartOfPass;
  const demandFromOf = demandFromOfPass;
  const demandRowOf = demandRowOfPass;
  const demandWeightOf = demandWeightOfPass;
  const out = stageOfPass;
  const at0 = base | 0;
  // indices as `(x + b) | 0`: int32 adds without an overflow check (every index is < 2^17).
  // Each sum starts as `0 + term` in its first loop instead of a `fill(0)` before it (the same
  // value, −0 included: 0 + −0 is 0; a `fill` is a call into the runtime of ≈ 400 instructions;
  // decision 261)
  if (nC === 0) {
    incomeOf.fill(0, 0, P);
    jobsTotalOf.fill(0, 0, P);
  }
  for (let i = 0, j = 0, at = (FIXED_COLUMNS.length * STEP + at0) | 0; i < nC; i++) {
    const price = jobPriceOf[i];
    if (i === 0)
      for (let b = 0; b < P; b++) {
        const jobs = jobsOf[b];
        out[(at + b) | 0] = jobs;
        incomeOf[b] = 0 + jobs * price;
        jobsTotalOf[b] = 0 + jobs;
      }
    else
      for (let b = 0; b < P; b++) {
        const jobs = jobsOf[(j + b) | 0];
        out[(at + b) | 0] = jobs;
        incomeOf[b] += jobs * price;
        jobsTotalOf[b] += jobs;
      }
    j = (j + P) | 0;
    at = (at + STEP) | 0;
  }
  // each class's sum from 0 over its entries (the first entry's term added to 0 in its own loop)
  // but the last, then the last entry's term added, stored and checked in one loop
  for (let k = 0, j = 0, at = ((FIXED_COLUMNS.length + nC) * STEP + at0) | 0; k < nK; k++) {
    const e0 = demandStartOf[k];
    const e1 = demandStartOf[k + 1];
    if (e0 === e1 && at0 === 0) {
      // a class without entries: a demand of 0 (finite), every day: its lanes and its column's
      // block of the stage (≤ STAGE_CELLS cells) filled once, on a block's first day (base 0,
      // the runs' stride then the block's), and written by nothing else (decision 278)
      dfsOf.fill(0, j, j + P);
      out.fill(0, at, at + STAGE_CELLS);
    }
    for (let e = e0; e < e1; e++) {
      const row = demandRowOf[e];
      const price = jobPriceOf[demandFromOf[e]];
      const weight = demandWeightOf[e];
      // the sum so far: 0 for the first entry (a constant the loop folds), else the stored sum
      const first = e === e0;
      if (e + 1 < e1) {
        if (first)
          for (let b = 0; b < P; b = (b + 1) | 0)
            dfsOf[(j + b) | 0] = 0 + jobsOf[(row + b) | 0] * price * weight;
        else
          for (let b = 0; b < P; b = (b + 1) | 0)
            dfsOf[(j + b) | 0] += jobsOf[(row + b) | 0] * price * weight;
      } else if (first)
        for (let b = 0; b < P; b = (b + 1) | 0) {
          const d = 0 + jobsOf[(row + b) | 0] * price * weight;
          dfsOf[(j + b) | 0] = d;
          out[(at + b) | 0] = d;
          if (d - d !== 0) failedOf[b] = 1;
        }
      else
        for (let b = 0; b < P; b = (b + 1) | 0) {
          const d = dfsOf[(j + b) | 0] + jobsOf[(row + b) | 0] * price * weight;
          dfsOf[(j + b) | 0] = d;
          out[(at + b) | 0] = d;
          if (d - d !== 0) failedOf[b] = 1;
        }
    }
    j = (j + P) | 0;
    at = (at + STEP) | 0;
  }
}

/**
 * Day t's E50 (capacity.ts capacityServedJobs, E50e's entrant service) for every run of the pass,
 * a class, an entry or a type at a time with the runs innermost: each run's load, served share,
 * entrant USD, cut jobs and lost jobs are the same operations in the same order as one run at a
 * time (the loads and USD from 0 over the matrix's non-zero entries, the served share a minimum
 * from 1 over the type's classes in order, the lost jobs from 0 over the types), so the same
 * bits; the class's capacity and entries are loaded once a day, not once per run. A run that
 * stopped gets values too; nothing reads them (decision 236).
 */
function capacityPass(P: number, nC: number, nK: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const jobsLostOf = jobsLostOfPass;
  const jobsOf = jobsOfPass;
  const countsOf = countsOfPass;
  const ratioOf = ratioOfRunPass;
  const loadOf = loadOfPass;
  const entrantOf = entrantOfPass;
  const servedStartOf = servedStartOfPass;
  const servedRowOf = servedRowOfPass;
  const demandStartOf = demandStartOfPass;
  const demandFromOf = demandFromOfPass;
  const demandRowOf = demandRowOfPass;
  const demandWeightOf = demandWeightOfPass;
  const capacityOf = capacityOfPass;
  const jobPriceOf = jobPriceOfPass;
  const servedClassOf = servedClassOfPass;
  const cutOf = cutOfPass;
  for (let k = 0, j = 0; k < nK; k++, j = (j + P) | 0) {
    const cap = capacityOf[k];
    // a class without a capacity serves every job (a share of 1): `servedRowOfPass` leaves it
    // out of the types' minimums, so its shares are not written
    if (Number.isNaN(cap)) continue;
    // over the matrix's non-zero entries: a zero weight adds ±0, which changes no sum of a run
    // with finite jobs (a run with a job count that is not finite stops anyway); the first
    // entry's term added to 0 in its own loop, not a `fill(0)` before (decision 261)
    const e0 = demandStartOf[k];
    const e1 = demandStartOf[k + 1];
    if (e0 === e1) {
      // no entries: a load of 0 and E50e's value 0 on every run
      cutOf[k] = 0;
      for (let b = 0; b < P; b++) {
        ratioOf[(j + b) | 0] = 1;
        if (countsOf[(j + b) | 0] === 0) entrantOf[(j + b) | 0] = entrantShareUsd(0, 0, cap);
      }
      continue;
    }
    // every entry's term but the last summed into `loadOf`, the last one's added in the shares'
    // loop below (`0 +` it for a class of one entry): the same additions in the same order
    // without a loop and a lane array's store and load for the last (decision 286)
    for (let e = e0; e + 1 < e1; e++) {
      const row = demandRowOf[e];
      const weight = demandWeightOf[e];
      if (e === e0) for (let b = 0; b < P; b++) loadOf[b] = 0 + jobsOf[(row + b) | 0] * weight;
      else for (let b = 0; b < P; b++) loadOf[b] += jobsOf[(row + b) | 0] * weight;
    }
    const lone = e1 - e0 === 1;
    const rowLast = demandRowOf[e1 - 1];
    const weightLast = demandWeightOf[e1 - 1];
    // whether some run's share is below 1 (decision 320)
    let cut = 0;
    for (let b = 0; b < P; b++) {
      const load = (lone ? 0 : loadOf[b]) + jobsOf[(rowLast + b) | 0] * weightLast;
      const n = countsOf[(j + b) | 0];
      // min(1, q) as `q > 1 ? 1 : q`: the same value for every q, NaN and −0 included (decision 286)
      const q = (n * cap) / load;
      // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.min (decision 286)
      const ratio = load > 0 ? (q > 1 ? 1 : q) : 1;
      ratioOf[(j + b) | 0] = ratio;
      if (ratio < 1) cut = 1;
      if (n === 0) {
        // E50e: capacity.ts entrantServiceUsd's sums on this run, before the jobs are cut
        let usd = 0;
        for (let e = e0; e < e1; e++)
          usd += jobsOf[demandRowOf[e] + b] * jobPriceOf[demandFromOf[e]] * demandWeightOf[e];
        entrantOf[(j + b) | 0] = entrantShareUsd(load, usd, cap);
      }
    }
    cutOf[k] = cut;
  }
  jobsLostOf.fill(0, 0, P);
  for (let i = 0, j = 0; i < nC; i++, j = (j + P) | 0) {
    const e0 = servedStartOf[i];
    const e1 = servedStartOf[i + 1];
    // a type none of whose served classes has a share below 1 on any run cuts nothing: each run's
    // minimum of shares that are all 1 or NaN is not below 1 (decision 320)
    let cut = 0;
    for (let e = e0; e < e1; e++) cut |= cutOf[servedClassOf[e]];
    if (cut === 0) continue;
    // the minimum from 1 starts at the first class's share: min(1, r) is r for every share r (1,
    // or `q > 1 ? 1 : q`, so ≤ 1 or NaN; decision 286)
    const row0 = servedRowOf[e0];
    for (let b = 0; b < P; b = (b + 1) | 0) {
      let served = ratioOf[(row0 + b) | 0];
      for (let e = e0 + 1; e < e1; e++)
        served = Math.min(served, ratioOf[(servedRowOf[e] + b) | 0]);
      if (served < 1) {
        const jobs = jobsOf[(j + b) | 0];
        jobsLostOf[b] += jobs * (1 - served);
        jobsOf[(j + b) | 0] = jobs * served;
      }
    }
  }
}

/**
 * Day t's steps 2–7 one run at a time, its values in registers: E5–E7, E8's arrivals and the
 * phase (E4), E8 × arrivals, E10 (or with a pool steps.ts `marketStep`: E43's sales due, E44,
 * E45). Writes the row's cells that are final here (t, phase, income … floored, jobs, E6's
 * demand, counts; with a pool its slippage … boughtByHolders) into the stage at `col·STEP + base
 * + b` (`stageOfPass`, base = the day's offset in the block); a run without a price or with a
 * value that is not finite is marked failed.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a chain keeps one run's values in registers through its stages (as kernel.ts's)
function chainPrice(L: Lanes, t: number, P: number, base: number, shock: ShockDays): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const supplyOf = supplyOfPass;
  const phaseOf = phaseOfPass;
  const stakedOf = stakedOfPass;
  const stakeReleasedOf = stakeReleasedOfPass;
  const lowestIncomeOf = lowestIncomeOfPass;
  const highestIncomeOf = highestIncomeOfPass;
  const lowestTotalOf = lowestTotalOfPass;
  const poolTokensOf = poolTokensOfPass;
  const poolUsdOf = poolUsdOfPass;
  const speculatorTokensOf = speculatorTokensOfPass;
  const sentimentOf = sentimentOfPass;
  const governanceOf = governanceOfPass;
  const incomeOf = incomeOfPass;
  const priceOf = priceOfPass;
  const buybackPriceOf = buybackPriceOfPass;
  const poolUsdAtOpenOf = poolUsdAtOpenOfPass;
  const tokensSoldOf = tokensSoldOfPass;
  const salesUsdOf = salesUsdOfPass;
  const boughtByHoldersOf = boughtByHoldersOfPass;
  const buyUsdOf = buyUsdOfPass;
  const filledOf = filledOfPass;
  const jobsTotalOf = jobsTotalOfPass;
  const failedOf = failedOfPass;
  const countsOf = countsOfPass;
  const yesterdayOf = yesterdayOfPass;
  const incomeHistoryOf = incomeHistoryOfPass;
  const totalHistoryOf = totalHistoryOfPass;
  const suppliersToDateOf = suppliersToDateOfPass;
  const priceHistoryOf = priceHistoryOfPass;
  const sellQueueOf = sellQueueOfPass;
  const targetOf = targetOfPass;
  const targetRunOf = targetRunOfPass;
  const { c, plan, onchain: oc } = L;
  const { nC, nK } = c;
  // booleans as `=== true` and numbers as `· 1` before the loops: a value loaded from an object
  // is tagged, and a test or an arithmetic use of it in the loop is a generic ToBoolean or a
  // number check each time (decision 200)
  const pool = L.pool === true;
  const F = oc[V.fiatOperationsFraction];
  const BM = oc[V.buybackModulation];
  const bond = oc[V.bondModulation];
  const modulation = oc[V.onboardingModulation];
  const W = oc[V.onboardingWindowDays];
  const zeroOk = modulation > 0 || Object.is(modulation, 0);
  const floor = oc[V.priceFloor];
  const premium = oc[V.buybackPremium];
  const endOnTargets = c.endPhaseOneOnTargets === true;
  const endOnDemand = c.endPhaseOneOnDemand === true;
  const onTime = t >= c.phaseOneDays;
  const windowFrom = Math.max(0, t - W + 1);
  const sellWave = t === shock.sellWaveDay;
  const slot = ((t % L.queueLength) * P) | 0;
  const sales = plan.sales !== null;
  const sp = plan.speculators;
  const speculators = sp !== null;
  const momentum = sp !== null && t - 1 - sp.momentumDays >= 0;
  const yesterday = ((t - 1) * P) | 0;
  const past = sp ? ((t - 1 - sp.momentumDays) * P) | 0 : 0;
  const sensitivity = sp ? sp.sensitivity * 1 : 0;
  const capitalUsd = sp ? sp.capitalUsd * 1 : 0;
  const out = stageOfPass;
  // the row's fixed columns' and the pool's blocks as locals (`dayCells`, decision 280)
  const dayCol = dayCells;
  const phaseCol = phaseCells;
  const incomeCol = incomeCells;
  const opsRevenueCol = opsRevenueCells;
  const usdBuybackCapitalCol = usdBuybackCapitalCells;
  const usdCapitalCol = usdCapitalCells;
  const onboardingUsdCol = onboardingUsdCells;
  const bondUsdCol = bondUsdCells;
  const demandCol = demandCells;
  const priceCol = priceCells;
  const flooredCol = flooredCells;
  const slippageCol = slippageCells;
  const soldCol = soldCells;
  const salesUsdCol = salesUsdCells;
  const specBuyCol = specBuyCells;
  const boughtByHoldersCol = boughtByHoldersCells;
  const speculatorTokensCol = speculatorTokensCells;
  // the row's counts columns (after FIXED_COLUMNS, the jobs and E6's demand: `jobsPass`)
  const countsAt = (FIXED_COLUMNS.length + nC + nK) * STEP;
  // the day's offset in the stage as an int32 (a parameter is re-checked in the loop)
  const at0 = base | 0;
  // the per-day arrays' offsets as int32 adds without an overflow check (every one < 2^17,
  // decision 283)
  const tP = (t * P) | 0;
  // the laws' scratch records made here, not module constants: once the laws are inlined their
  // fields are registers (escape analysis), not stores and loads of boxed numbers (decision 213)
  const split: Out<IncomeSplit> = { opsRevenue: 0, usdBuybackCapital: 0, usdCapital: 0 };
  const tokenPrice: Out<TokenPrice> = { priceOfToken: 0, priceFloored: false, buybackPrice: 0 };
  const speculator: Out<SpeculatorOrder> = { buyUsd: 0, sellTokens: 0 };
  const amm: Out<AmmBatch> = noAmmBatch();
  for (let b = 0; b < P; b++) {
    if (failedOf[b] !== 0) continue;
    // the day's and run's cell in each column's block: the row's cells are stored as they are
    // worked out and read back from there by the later loops and chains (decision 281)
    const cell = (at0 + b) | 0;
    // steps 2–3: E5's income and the jobs' total (`jobsPass`), E7
    const income = incomeOf[b];
    splitIncomeInto(split, income, F, BM);
    const ubc = split.usdBuybackCapital;
    const bondUsd = supplierBondUsd(bond, income);
    opsRevenueCol[cell] = split.opsRevenue;
    usdBuybackCapitalCol[cell] = ubc;
    usdCapitalCol[cell] = split.usdCapital;
    // step 4: arrivals (E8's newSuppliers), the histories E8 reads, the phase (E4's nextPhase)
    // the row's counts cells stored in the same loop (checked finite through their total)
    // arrivals and filled start at −0, not 0, and end `+ 0` (decision 260): the counts are whole
    // numbers, so from a 0 the interpreter's feedback is small integers and TurboFan added them as
    // int32, each term converted and checked (≈ 7 instructions a term); from −0 the sums are
    // doubles. The same values: a sum from +0 is never −0, and from −0 it differs from the one
    // from +0 only in the zero's sign while every term so far is −0, which `+ 0` makes +0.
    let arrivals = -0;
    let suppliers = 0;
    let filled = -0;
    for (
      let k = 0, j = b, at = (countsAt + at0 + b) | 0;
      k < nK;
      k++, j = (j + P) | 0, at = (at + STEP) | 0
    ) {
      const n = countsOf[j];
      out[at] = n;
      // E8's max(0, n − y) and E3's min(n, target) as comparisons (decision 275): the same value
      // but for a NaN count (the run's total is then NaN and the run fails and is run again
      // alone) and the zero's sign (an arrivals or filled term of ±0 leaves the sums' values
      // the same after the `+ 0` below); V8's `Math.max`/`Math.min` test NaN and −0 each time
      const d = n - yesterdayOf[j];
      // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.max (decision 275)
      arrivals += d > 0 ? d : 0;
      yesterdayOf[j] = n;
      suppliers += n;
      const target = targetRunOf[j];
      // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.min (decision 275)
      filled += n < target ? n : target;
    }
    arrivals += 0;
    filledOf[b] = filled + 0;
    incomeHistoryOf[(tP + b) | 0] = income;
    totalHistoryOf[(tP + b) | 0] = suppliers;
    const toDate = (t === 0 ? 0 : suppliersToDateOf[(tP - P + b) | 0]) + suppliers;
    suppliersToDateOf[(tP + b) | 0] = toDate;
    let phase = phaseOf[b];
    if (phase === 1) {
      let next = onTime;
      if (!next && endOnTargets) {
        let met = true;
        for (let k = 0, j = b; k < nK; k++, j += P) if (countsOf[j] < targetOf[k]) met = false;
        next = met;
      }
      if (!next && endOnDemand && income > 0) next = true;
      if (next) {
        phase = 2;
        phaseOf[b] = 2;
        stakeReleasedOf[b] = stakedOf[b];
        stakedOf[b] = 0;
      }
    }
    if (income < lowestIncomeOf[b]) lowestIncomeOf[b] = income;
    if (!(income <= highestIncomeOf[b])) highestIncomeOf[b] = income;
    if (suppliers < lowestTotalOf[b]) lowestTotalOf[b] = suppliers;
    // step 5: E8 × arrivals, with kernel.ts `onboardingUsd`'s shortcut on days without arrivals
    let onboardingUsd = 0;
    if (
      !(
        phase === 1 ||
        (arrivals === 0 &&
          lowestIncomeOf[b] >= 0 &&
          lowestTotalOf[b] >= 0 &&
          zeroOk &&
          modulation * highestIncomeOf[b] * (t + 1) < 1e300)
      )
    ) {
      // onboardingFee.ts onboardingFeeUsd on this run's histories
      // one induction variable, stepped as an int32 add without an overflow check (h ≤ t·P + b,
      // below 2^17; decision 260)
      // two days a step, each added in order (decision 276): half the loop's compares and
      // stack checks
      let incomeSum = 0;
      const end = (tP + b) | 0;
      let h = (windowFrom * P + b) | 0;
      for (const P2 = (P + P) | 0; h < end; h = (h + P2) | 0) {
        incomeSum += incomeHistoryOf[h];
        incomeSum += incomeHistoryOf[(h + P) | 0];
      }
      if (h === end) incomeSum += incomeHistoryOf[h];
      // Σ suppliers over the window: exact from the running sums while every count so far is
      // ≥ 0 (and not NaN: the sum would be NaN) and their sum below 2^53, else day by day
      let supplierSum = 0;
      if (windowFrom <= t && lowestTotalOf[b] >= 0 && toDate < EXACT_INTEGERS)
        supplierSum =
          windowFrom === 0 ? toDate : toDate - suppliersToDateOf[(windowFrom - 1) * P + b];
      else
        for (let x = windowFrom, h = windowFrom * P + b; x <= t; x++, h += P)
          supplierSum += totalHistoryOf[h];
      const fee = supplierSum === 0 ? 0 : (modulation * incomeSum) / supplierSum;
      onboardingUsd = fee * arrivals;
    }
    onboardingUsdCol[cell] = onboardingUsd;
    bondUsdCol[cell] = bondUsd;
  }
  // step 7 and the row's cells in a loop of their own: the chain above and E10/E45 below each
  // run a shorter body per run, so the processor overlaps more runs' long divisions and square
  // roots (the values are reloaded as the loop above stored them: the same bits; decision 237)
  for (let b = 0; b < P; b++) {
    if (failedOf[b] !== 0) continue;
    // the day's and run's cell in each column's block
    const cell = (at0 + b) | 0;
    const income = incomeOf[b];
    const jobsTotal = jobsTotalOf[b];
    const ubc = usdBuybackCapitalCol[cell];
    const bondUsd = bondUsdCol[cell];
    const onboardingUsd = onboardingUsdCol[cell];
    const phase = phaseOf[b];
    const suppliers = totalHistoryOf[(tP + b) | 0];
    const supply = supplyOf[b];
    const sentiment = sentimentOf[b];
    const governance = governanceOf[b];
    const demand = tokenDemand(sentiment, onboardingUsd, bondUsd, ubc, governance);
    let price: number;
    let floored: number;
    let chk = 0;
    // step 7: E10, or with a pool E43's sales due, E44, E45
    if (pool) {
      const extraSell = sellWave ? sellWaveTokens(supply, shock.sellWaveShare) : 0;
      const poolUsdAtOpen = poolUsdOf[b];
      poolUsdAtOpenOf[b] = poolUsdAtOpen;
      let due = 0;
      if (sales) {
        due = sellQueueOf[(slot + b) | 0];
        sellQueueOf[(slot + b) | 0] = 0;
      }
      if (momentum)
        speculatorOrderInto(
          speculator,
          priceHistoryOf[(yesterday + b) | 0],
          priceHistoryOf[(past + b) | 0],
          sensitivity,
          capitalUsd,
          speculatorTokensOf[b],
        );
      else {
        speculator.buyUsd = 0;
        speculator.sellTokens = 0;
      }
      // holders cannot sell the staked phase-one emission (E3, E43: today's stake, after step 4)
      const sold = tokensSold(
        supply - stakedOf[b],
        due,
        speculator.sellTokens,
        extraSell,
        speculatorTokensOf[b],
      );
      // the speculators' tokens first when the supply binds (holderSales.ts `tokensSold`)
      const specSold = Math.min(speculator.sellTokens, sold);
      const holdersUsd = sentiment + governance + speculator.buyUsd;
      const buyUsd = holdersUsd + onboardingUsd + ubc;
      const claimUsd = holdersUsd + onboardingUsd + ubc / (1 + premium);
      ammBatchInto(amm, poolTokensOf[b], poolUsdAtOpen, buyUsd, claimUsd, sold);
      price = amm.price;
      poolTokensOf[b] = amm.poolTokens;
      poolUsdOf[b] = amm.poolUsd;
      const salesUsd = amm.usdToSellers;
      const boughtByHolders = holdersUsd / price;
      tokensSoldOf[b] = sold;
      salesUsdOf[b] = salesUsd;
      boughtByHoldersOf[b] = boughtByHolders;
      buyUsdOf[b] = buyUsd;
      floored = 0;
      buybackPriceOf[b] = price * (1 + premium);
      // the pool's columns slippage … boughtByHolders (poolTokens and poolUsd: chainSettle)
      const slippage = amm.slippage;
      slippageCol[cell] = slippage;
      chk += slippage;
      soldCol[cell] = sold;
      chk += sold;
      salesUsdCol[cell] = salesUsd;
      chk += salesUsd;
      const specBuy = speculator.buyUsd;
      specBuyCol[cell] = specBuy;
      chk += specBuy;
      boughtByHoldersCol[cell] = boughtByHolders;
      chk += boughtByHolders;
      if (speculators) {
        // E44's book: the buy at the batch's price, less what was sold
        const held = speculatorTokensOf[b] + (specBuy / price - specSold);
        speculatorTokensOf[b] = held;
        speculatorTokensCol[cell] = held;
        chk += held;
      }
    } else {
      if (!tokenPriceInto(tokenPrice, demand, supply, floor, premium)) {
        failedOf[b] = 1;
        continue;
      }
      price = tokenPrice.priceOfToken;
      floored = tokenPrice.priceFloored ? 1 : 0;
      buybackPriceOf[b] = tokenPrice.buybackPrice;
    }
    priceOf[b] = price;
    // the row's t, phase, income … floored (each but t and phase checked finite)
    dayCol[cell] = t;
    phaseCol[cell] = phase;
    incomeCol[cell] = income;
    chk += income;
    // opsRevenue … supplierBondUsd stored by the loop above
    chk += opsRevenueCol[cell];
    chk += ubc;
    chk += usdCapitalCol[cell];
    chk += onboardingUsd;
    chk += bondUsd;
    demandCol[cell] = demand;
    chk += demand;
    priceCol[cell] = price;
    chk += price;
    flooredCol[cell] = floored;
    // the jobs and counts cells (`jobsPass`, above), checked here through their totals; E6's
    // demand cells by `jobsPass`
    chk += jobsTotal;
    chk += suppliers;
    if (chk - chk !== 0) failedOf[b] = 1;
  }
}

/**
 * Day t's steps 8–13 one run at a time: E11a/b, E12–E13 or E3 (phaseOneFill), E14, E15, E43's
 * queue (holderSales.ts `queueSales`), E40–E41 (steps.ts `economicsStep`), E16 or E46 with a
 * pool. Writes the row's cells buybackTokens … topUpTokens, usdBuybackCapital + topUpUsd and the
 * shortfall, and the supplier feedback columns (income per supplier, margin, entries, exits,
 * jobs lost); a run with a value that is not finite is marked failed.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a chain keeps one run's values in registers through its stages (as kernel.ts's)
function chainPay(L: Lanes, t: number, P: number, base: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const supplyOf = supplyOfPass;
  const tokenReserveOf = tokenReserveOfPass;
  const dollarReserveOf = dollarReserveOfPass;
  const phaseOf = phaseOfPass;
  const mintedOf = mintedOfPass;
  const poolTokensOf = poolTokensOfPass;
  const poolUsdOf = poolUsdOfPass;
  const jobsLostOf = jobsLostOfPass;
  const priceOf = priceOfPass;
  const buybackPriceOf = buybackPriceOfPass;
  const filledOf = filledOfPass;
  const jobsTotalOf = jobsTotalOfPass;
  const failedOf = failedOfPass;
  const sharedUsdOf = sharedUsdOfPass;
  const slotUsdOf = slotUsdOfPass;
  const jobsOf = jobsOfPass;
  const priceHistoryOf = priceHistoryOfPass;
  const sellQueueOf = sellQueueOfPass;
  const stakeReleasedOf = stakeReleasedOfPass;
  const jobPriceRunOf = jobPriceRunOfPass;
  const targetOf = targetOfPass;
  const { c, plan, onchain: oc } = L;
  const { nC, nK } = c;
  // booleans as `=== true` and numbers as `· 1` before the loops: a value loaded from an object
  // is tagged, and a test or an arithmetic use of it in the loop is a generic ToBoolean or a
  // number check each time (decision 200)
  const pool = L.pool === true;
  const jrm = oc[V.jobRewardModulation];
  const mint = oc[V.phaseTwoMintAmount];
  const p2m = oc[V.phase2Modulation];
  const vmod = oc[V.validationModulator];
  const vpj = oc[V.validationsPerJob];
  const lower = oc[V.lowerTokenReserveLimit];
  const restore = oc[V.tokenReserveRestoreLevel];
  const initialTokenReserve = c.initialTokenReserve;
  const phaseOneTokens = c.phaseOneTokensForProject;
  const phaseOneDays = c.phaseOneDays;
  let targets = 0;
  for (let k = 0; k < nK; k++) targets += targetOf[k];
  const sales = plan.sales;
  const sellShare = sales ? sales.sellShare * 1 : 0;
  const sellOverDays = sales ? sales.sellOverDays * 1 : 0;
  const validatorsSell = sales ? sales.validatorsSell === true : false;
  // E43's slots of days t+1 … t+sellOverDays (`[((t + d) mod queueLength)·P]`), once a day
  const queueLength = L.queueLength;
  const queueSlotOf = queueSlotOfPass;
  for (let d = 0; d < sellOverDays; d++) queueSlotOf[d] = ((t + d + 1) % queueLength) * P;
  const s = plan.suppliers;
  const nClasses = s ? s.classes.length : 0;
  const nDynamic = s ? s.dynamicClasses.length : 0;
  const validatorsAreSuppliers = s ? s.validatorsAreSuppliers === true : false;
  // the plan's parts as booleans before the loop (a test of an object or null in the loop is a
  // generic ToBoolean each time)
  const hasSales = sales !== null;
  const hasSuppliers = s !== null;
  const capacity = L.capacity === true;
  const out = stageOfPass;
  // the row's fixed columns' blocks as locals (`dayCells`, decision 280)
  const opsRevenueCol = opsRevenueCells;
  const usdBuybackCapitalCol = usdBuybackCapitalCells;
  const usdCapitalCol = usdCapitalCells;
  const onboardingUsdCol = onboardingUsdCells;
  const boughtCol = boughtCells;
  const onboardedCol = onboardedCells;
  const jobRewardCol = jobRewardCells;
  const phaseOnePaidCol = phaseOnePaidCells;
  const phaseTwoPaidCol = phaseTwoPaidCells;
  const validatorPaidCol = validatorPaidCells;
  const supplierTokensPaidCol = supplierTokensPaidCells;
  const tokensPaidCol = tokensPaidCells;
  const topUpUsdCol = topUpUsdCells;
  const topUpTokensCol = topUpTokensCells;
  const buybackUsdCol = buybackUsdCells;
  const shortfallCol = shortfallCells;
  // the day's offset in the stage as an int32 (a parameter is re-checked in the loop)
  const at0 = base | 0;
  // the jobs lost's cells of the day, after the income per supplier's and the margins' (nClasses
  // columns each), the entries' and the exits' (nDynamic each)
  const jobsLostAt =
    ((c.columns.length - L.feedbackColumns + 2 * nClasses + 2 * nDynamic) * STEP + at0) | 0;
  // the per-day arrays' offsets as int32 adds without an overflow check (every one < 2^17,
  // decision 283)
  const tP = (t * P) | 0;
  // the laws' scratch records made here (see chainPrice's)
  const paid: Out<TokenPayments> = noPayments();
  const up: Out<ReserveTopUp> = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };
  for (let b = 0; b < P; b++) {
    if (failedOf[b] !== 0) continue;
    // the day's and run's cell in each column's block (chainPrice's)
    const cell = (at0 + b) | 0;
    const price = priceOf[b];
    const ubc = usdBuybackCapitalCol[cell];
    // steps 8–11: E11a/b, E12–E13 or E3, E14
    const bought = buybackTokens(ubc, buybackPriceOf[b]);
    const burned = onboardingTokens(onboardingUsdCol[cell], price);
    const onboarded = pool ? burned : withdrawal(supplyOf[b], burned);
    let jobReward = 0;
    let phaseTwoClaim = 0;
    let phaseOneClaim = 0;
    if (phaseOf[b] === 2) {
      // jobReward.ts on this run's jobs
      let r = 0;
      for (let i = 0, j = b; i < nC; i++, j = (j + P) | 0)
        r += jobsOf[j] * (jobPriceRunOf[j] / price);
      jobReward = r / jrm;
      // phaseTwoEmission.ts with kernel.ts's expm1 (Math.expm1's bits without the call into C)
      phaseTwoClaim = Math.max(0, mint - mintedOf[b]) * -expm1(-jobReward / p2m);
    } else {
      // phaseOneEmission.ts phaseOneFill on this run's counts (chainPrice's sum)
      phaseOneClaim = phaseOneEmission(
        phaseOneTokens,
        phaseOneDays,
        targets === 0 ? 0 : filledOf[b] / targets,
      );
    }
    // E14 on the jobs' total (chainPrice's sum)
    const validatorClaim = validatorTokens(vmod, validationsCompleted(vpj, jobsTotalOf[b]));
    // step 12: E15
    const reserve = tokenReserveOf[b];
    payTokensInto(paid, reserve, bought, onboarded, validatorClaim, phaseTwoClaim, phaseOneClaim);
    const validatorPaid = paid.validatorTokensPaid;
    const phaseTwoPaid = paid.phaseTwoEmission;
    const phaseOnePaid = paid.phaseOneEmission;
    const supplierTokensPaid = paid.supplierTokensPaid;
    // E43's queue
    priceHistoryOf[(tP + b) | 0] = price;
    if (hasSales) {
      // holderSales.ts sellableTokensPaid: the staked phase-one emission is not sold; the stake
      // released today (step 4, chainPrice) is, once
      const released = stakeReleasedOf[b];
      if (released !== 0) stakeReleasedOf[b] = 0;
      const sellable = sellableTokensPaid(
        supplierTokensPaid,
        phaseOnePaid,
        validatorPaid,
        validatorsSell,
        released,
      );
      const part = (sellShare * sellable) / sellOverDays;
      if (part !== 0)
        for (let d = 0; d < sellOverDays; d++) sellQueueOf[(queueSlotOf[d] + b) | 0] += part;
    }
    // step 13: E16, or E46 with a pool
    const reserveAfterPay = reserve + onboarded - validatorPaid - phaseTwoPaid - phaseOnePaid;
    const cash = dollarReserveOf[b] + opsRevenueCol[cell];
    if (pool)
      ammReserveTopUpInto(
        up,
        reserveAfterPay,
        initialTokenReserve,
        lower,
        restore,
        poolTokensOf[b],
        poolUsdOf[b],
        cash,
      );
    else
      reserveTopUpInto(
        up,
        reserveAfterPay,
        initialTokenReserve,
        lower,
        restore,
        buybackPriceOf[b],
        cash,
        supplyOf[b] + validatorPaid + phaseOnePaid + phaseTwoPaid - onboarded,
      );
    const topUpTokens = up.reserveBuybackTokens;
    const topUpUsd = up.reserveBuybackUsd;
    // the row's buybackTokens … reserveBuybackTokens and shortfall
    boughtCol[cell] = bought;
    onboardedCol[cell] = onboarded;
    jobRewardCol[cell] = jobReward;
    phaseOnePaidCol[cell] = phaseOnePaid;
    phaseTwoPaidCol[cell] = phaseTwoPaid;
    validatorPaidCol[cell] = validatorPaid;
    supplierTokensPaidCol[cell] = paid.supplierTokensPaid;
    tokensPaidCol[cell] = paid.tokensPaid;
    topUpUsdCol[cell] = topUpUsd;
    topUpTokensCol[cell] = topUpTokens;
    shortfallCol[cell] = paid.tokenShortfall;
  }
  // the row's checks and the cells that need every run's E15 in a loop of their own (as
  // chainPrice's, decision 237): the values read back from the row's cells (decision 281)
  for (let b = 0; b < P; b++) {
    if (failedOf[b] !== 0) continue;
    const cell = (at0 + b) | 0;
    const price = priceOf[b];
    const ubc = usdBuybackCapitalCol[cell];
    const bought = boughtCol[cell];
    const phaseOnePaid = phaseOnePaidCol[cell];
    const phaseTwoPaid = phaseTwoPaidCol[cell];
    const validatorPaid = validatorPaidCol[cell];
    const topUpUsd = topUpUsdCol[cell];
    let chk = bought;
    chk += onboardedCol[cell];
    chk += jobRewardCol[cell];
    chk += phaseOnePaid;
    chk += phaseTwoPaid;
    chk += validatorPaid;
    chk += supplierTokensPaidCol[cell];
    chk += tokensPaidCol[cell];
    chk += topUpUsd;
    chk += topUpTokensCol[cell];
    const buybackUsd = ubc + topUpUsd;
    buybackUsdCol[cell] = buybackUsd;
    chk += buybackUsd;
    chk += shortfallCol[cell];
    if (hasSuppliers) {
      // E40 and E41's margin per class: `supplierPass`, from these two per-run values
      sharedUsdOf[b] =
        usdCapitalCol[cell] +
        (bought + phaseTwoPaid + (validatorsAreSuppliers ? validatorPaid : 0)) * price;
      slotUsdOf[b] = phaseOnePaid * price;
      // the entries' and exits' cells are stored and checked by `inputs` (decision 322)
      if (capacity) {
        const v = jobsLostOf[b];
        out[(jobsLostAt + b) | 0] = v;
        chk += v;
      }
    }
    if (chk - chk !== 0) failedOf[b] = 1;
  }
}

/**
 * Day t's E40 (supplierIncome.ts supplierClassIncome; E40e for an empty class) and E41's margin
 * for every run of the pass, a supplier class at a time with the runs innermost: the class, its
 * target, cost and capacity and the cells' offsets are loaded once a day per class, not once per
 * run and class. Each run's values are the operations `chainPay` did per run (its shared USD and
 * slots' USD from `chainPay`, `slotUsd = phaseOnePaid · price`), so the same bits. Writes the
 * income per supplier and margin cells and the margins' history; a run with a value that is not
 * finite is marked failed; a run that stopped gets values too, which nothing reads (decision 235).
 */
function supplierPass(L: Lanes, t: number, P: number, base: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const failedOf = failedOfPass;
  const countsOf = countsOfPass;
  const dfsOf = dfsOfPass;
  const incomeOf = incomeOfPass;
  const filledOf = filledOfPass;
  const sharedUsdOf = sharedUsdOfPass;
  const slotUsdOf = slotUsdOfPass;
  const marginHistoryOf = marginHistoryOfPass;
  const targetOf = targetOfPass;
  const costOf = costOfPass;
  const classesOf = classesOfPass;
  const { c, plan } = L;
  const { days } = c;
  const nClasses = plan.suppliers ? plan.suppliers.classes.length : 0;
  // E3's tokens for one slot on a phase-1 day (E40e of an empty class when no slot is filled)
  const oneSlotTokens = phaseOneSlotTokens(
    c.phaseOneTokensForProject,
    c.phaseOneDays,
    c.phaseOneTarget,
    1,
  );
  const out = stageOfPass;
  const at0 = base | 0;
  const marginsFrom = nClasses * STEP;
  for (
    let x = 0, at = ((c.columns.length - L.feedbackColumns) * STEP + at0) | 0;
    x < nClasses;
    x++
  ) {
    const k = classesOf[x];
    const j = (k * P) | 0;
    const h = ((k * days + t) * P) | 0;
    const target = targetOf[k];
    const cost = costOf[k];
    // the margins' cells, an int32 offset (an add with an overflow check per run otherwise)
    const atMargin = (at + marginsFrom) | 0;
    for (let b = 0; b < P; b++) {
      const n = countsOf[(j + b) | 0];
      const income = incomeOf[b];
      const slots = filledOf[b];
      const sharedUsd = sharedUsdOf[b];
      const share = income > 0 ? dfsOf[(j + b) | 0] / income : 0;
      // E40's min(n, target) as a comparison (decision 282): the value differs from Math.min's only
      // for a NaN count (the income per supplier is then NaN whatever the slot, and the run fails)
      // and the zero's sign for n = ±0 (the lone entrant's branch below, where the slot is unused)
      // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.min (decision 282)
      const slot = slots > 0 ? (n < target ? n : target) / slots : 0;
      const classIncome = share * sharedUsd + slot * slotUsdOf[b];
      // an empty class: E40e (supplierIncome.ts loneEntrantIncomeOf), steps.ts economicsStep's
      // choice of service (the class's capacity tested here, on the rare empty day: as a boolean
      // before the loop TurboFan worked it out again for every run, decision 282)
      const perSupplier =
        n === 0
          ? loneEntrantOf(L, k, (j + b) | 0, b, target, oneSlotTokens)
          : incomePerSupplier(classIncome, n);
      const margin = supplierMargin(perSupplier, cost);
      marginHistoryOf[(h + b) | 0] = margin;
      out[(at + b) | 0] = perSupplier;
      out[(atMargin + b) | 0] = margin;
      const chk = perSupplier + margin;
      if (chk - chk !== 0) failedOf[b] = 1;
    }
    at = (at + STEP) | 0;
  }
}

/**
 * E40e of empty class k for run b (`supplierPass`; class and run at `j`): supplierIncome.ts
 * loneEntrantIncomeOf, steps.ts economicsStep's choice of service (the class's capacity tested
 * here, on the rare empty day: as a boolean before the loop TurboFan worked it out again for every
 * run, decision 282). It reads the run's values from the lanes itself, so that the values of the
 * common path are not kept for it across the branch (spilled to the stack on every run and class;
 * the same values; decision 324).
 */
function loneEntrantOf(
  L: Lanes,
  k: number,
  j: number,
  b: number,
  target: number,
  oneSlotTokens: number,
): number {
  const oc = L.onchain;
  return loneEntrantIncome(
    Number.isNaN(capacityOfPass[k]) ? dfsOfPass[j] : entrantOfPass[j],
    incomeOfPass[b],
    sharedUsdOfPass[b],
    splitPayPerUsd(oc[V.fiatOperationsFraction], oc[V.buybackModulation], oc[V.buybackPremium]),
    loneSlotUsd(
      target,
      filledOfPass[b],
      slotUsdOfPass[b],
      (phaseOfPass[b] === 1 ? oneSlotTokens : 0) * priceOfPass[b],
    ),
  );
}

/**
 * Day t's step 14 one run at a time: E17 (E47 with a pool), E18, E19, E17b, the pool after the
 * top-up; writes the row's balances shortfall … staked and the pool's balances, then checks
 * I1–I3 (kernel.ts `endOfDayInvariants`). A run with a balance that is not finite or that
 * breaks an invariant is marked failed.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: a chain keeps one run's values in registers through its stages (as kernel.ts's)
function chainSettle(L: Lanes, t: number, P: number, base: number): void {
  // the module's arrays as locals (see `jobsOfPass`)
  const supplyOf = supplyOfPass;
  const tokenReserveOf = tokenReserveOfPass;
  const lockedOf = lockedOfPass;
  const dollarReserveOf = dollarReserveOfPass;
  const mintedOf = mintedOfPass;
  const stakedOf = stakedOfPass;
  const poolTokensOf = poolTokensOfPass;
  const poolUsdOf = poolUsdOfPass;
  const speculatorTokensOf = speculatorTokensOfPass;
  const incomeOf = incomeOfPass;
  const poolUsdAtOpenOf = poolUsdAtOpenOfPass;
  const tokensSoldOf = tokensSoldOfPass;
  const salesUsdOf = salesUsdOfPass;
  const boughtByHoldersOf = boughtByHoldersOfPass;
  const buyUsdOf = buyUsdOfPass;
  const failedOf = failedOfPass;
  const { c } = L;
  // booleans as `=== true` and numbers as `· 1` before the loops: a value loaded from an object
  // is tagged, and a test or an arithmetic use of it in the loop is a generic ToBoolean or a
  // number check each time (decision 200)
  const pool = L.pool === true;
  const vest = c.vested[t];
  const total = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  // the row's fixed columns' and the pool's blocks as locals (`dayCells`, decision 280)
  const supplyCol = supplyCells;
  const tokenReserveCol = tokenReserveCells;
  const dollarReserveCol = dollarReserveCells;
  const lockedCol = lockedCells;
  const stakedCol = stakedCells;
  const poolTokensCol = poolTokensCells;
  const poolUsdCol = poolUsdCells;
  const opsRevenueCol = opsRevenueCells;
  const usdBuybackCapitalCol = usdBuybackCapitalCells;
  const usdCapitalCol = usdCapitalCells;
  const boughtCol = boughtCells;
  const onboardedCol = onboardedCells;
  const validatorPaidCol = validatorPaidCells;
  const phaseOnePaidCol = phaseOnePaidCells;
  const phaseTwoPaidCol = phaseTwoPaidCells;
  const topUpTokensCol = topUpTokensCells;
  const topUpUsdCol = topUpUsdCells;
  // the day's offset in the stage as an int32 (a parameter is re-checked in the loop)
  const at0 = base | 0;
  for (let b = 0; b < P; b++) {
    if (failedOf[b] !== 0) continue;
    // the day's and run's cell in each column's block (the chains' values read back from there)
    const cell = (at0 + b) | 0;
    const supply = supplyOf[b];
    const reserve = tokenReserveOf[b];
    const dollarBefore = dollarReserveOf[b];
    const validatorPaid = validatorPaidCol[cell];
    const phaseOnePaid = phaseOnePaidCol[cell];
    const phaseTwoPaid = phaseTwoPaidCol[cell];
    const onboarded = onboardedCol[cell];
    const topUpTokens = topUpTokensCol[cell];
    const topUpUsd = topUpUsdCol[cell];
    const locked = lockedOf[b];
    const vested = withdrawal(locked, vest);
    const supplyAfter = pool
      ? nextSupplyWithPool(
          supply,
          validatorPaid,
          phaseOnePaid,
          phaseTwoPaid,
          boughtCol[cell],
          boughtByHoldersOf[b],
          tokensSoldOf[b],
          vested,
        )
      : nextSupply(
          supply,
          validatorPaid,
          phaseOnePaid,
          phaseTwoPaid,
          onboarded,
          topUpTokens,
          vested,
        );
    const reserveAfter = nextTokenReserve(
      reserve,
      onboarded,
      validatorPaid,
      phaseTwoPaid,
      phaseOnePaid,
      topUpTokens,
    );
    const dollarAfter = nextDollarReserve(dollarBefore, opsRevenueCol[cell], topUpUsd);
    const lockedAfter = locked - vested;
    const staked = stakedOf[b] + phaseOnePaid;
    supplyOf[b] = supplyAfter;
    tokenReserveOf[b] = reserveAfter;
    dollarReserveOf[b] = dollarAfter;
    lockedOf[b] = lockedAfter;
    mintedOf[b] += phaseTwoPaid;
    stakedOf[b] = staked;
    // the row's supply … staked
    supplyCol[cell] = supplyAfter;
    let chk = supplyAfter;
    tokenReserveCol[cell] = reserveAfter;
    chk += reserveAfter;
    dollarReserveCol[cell] = dollarAfter;
    chk += dollarAfter;
    lockedCol[cell] = lockedAfter;
    chk += lockedAfter;
    stakedCol[cell] = staked;
    chk += staked;
    const income = incomeOf[b];
    const usdCapital = usdCapitalCol[cell];
    const ubc = usdBuybackCapitalCol[cell];
    let broken: boolean;
    if (pool) {
      const poolTokens = poolTokensOf[b] - topUpTokens;
      const poolUsd = poolUsdOf[b] + topUpUsd;
      poolTokensOf[b] = poolTokens;
      poolUsdOf[b] = poolUsd;
      poolTokensCol[cell] = poolTokens;
      chk += poolTokens;
      poolUsdCol[cell] = poolUsd;
      chk += poolUsd;
      if (chk - chk !== 0) {
        failedOf[b] = 1;
        continue;
      }
      // I1–I3, then the pool's
      broken =
        checkInvariants(
          t,
          total - poolTokens,
          supplyAfter,
          reserveAfter,
          lockedAfter,
          dollarBefore,
          dollarAfter,
          income,
          usdCapital,
          ubc,
          topUpUsd,
        ) !== null ||
        checkPoolInvariants(
          t,
          total,
          supplyAfter,
          reserveAfter,
          lockedAfter,
          poolTokens,
          poolUsdAtOpenOf[b],
          poolUsd,
          buyUsdOf[b],
          salesUsdOf[b],
          topUpUsd,
          speculatorTokensOf[b],
        ) !== null;
    } else {
      if (chk - chk !== 0) {
        failedOf[b] = 1;
        continue;
      }
      broken =
        checkInvariants(
          t,
          total,
          supplyAfter,
          reserveAfter,
          lockedAfter,
          dollarBefore,
          dollarAfter,
          income,
          usdCapital,
          ubc,
          topUpUsd,
        ) !== null;
    }
    if (broken) failedOf[b] = 1;
  }
}
