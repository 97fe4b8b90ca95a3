import { ONCHAIN } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import type { KernelOutcome, SimulationFailure } from "../engine/outcome.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { type IncomeSplit, splitIncomeInto } from "../mechanisms/incomeSplit.js";
import { checkInvariants } from "../mechanisms/invariants.js";
import type { Out } from "../mechanisms/out.js";
import { phaseOneEmission } from "../mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../mechanisms/phaseTwoEmission.js";
import { type ReserveTopUp, reserveTopUpInto } from "../mechanisms/reserveTopUp.js";
import { noPayments, payTokensInto, type TokenPayments } from "../mechanisms/supplierTokens.js";
import { type TokenPrice, tokenDemand, tokenPriceInto } from "../mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { nextNormal } from "../random/normal.js";
import { seedStreams } from "../random/streams.js";
import { nextSupplyWithPool } from "./ammBalances.js";
import { type AmmBatch, ammBatchInto } from "./ammBatch.js";
import { ammReserveTopUpInto } from "./ammTopUp.js";
import { type Churn, supplierChurnInto } from "./churn.js";
import { runFeedbackKernel } from "./kernel.js";
import { capacityServedLanes, closedDaysMarginLanes, supplierClassIncomeLanes } from "./lanes.js";
import { supplierMargin } from "./margin.js";
import { compileFeedback, type FeedbackPlan, feedbackColumnCount } from "./plan.js";
import { checkPoolInvariants } from "./poolInvariants.js";
import { type SpeculatorOrder, speculatorOrderInto } from "./speculators.js";
import { elasticMultiplierTable } from "./steps.js";
import { DEMAND_CRASH_FACTOR, NO_SHOCK, type ShockDays, sellWaveTokens } from "./stressShocks.js";
import { incomePerSupplier } from "./supplierIncome.js";

const V = ONCHAIN;

/** What the lockstep feedback kernel runs besides the scenario's day (no governance rules: see `runFeedbackBatch`). */
export interface FeedbackBatchOptions {
  readonly plan?: FeedbackPlan;
  readonly shock?: ShockDays;
}

/**
 * The state of `batch` runs of one compiled scenario and plan, struct of arrays: a per-run
 * value at `[b]`, a per-run value of class k or consumer type i at `[k·B + b]`, of day t at
 * `[t·B + b]`. Allocated once (`feedbackBatchScratch`), reused from batch to batch.
 */
class Lanes {
  /** Runs of the current batch (≤ `size`): every per-run array is indexed with this stride. */
  B: number;
  /** Runs the arrays hold. */
  readonly size: number;
  readonly streams: Int32Array;
  readonly onchain: Float64Array;
  readonly jobs: Float64Array;
  readonly counts: Float64Array;
  readonly yesterday: Float64Array;
  readonly dfs: Float64Array;
  readonly incomeHistory: Float64Array;
  readonly totalHistory: Float64Array;
  // carried balances
  readonly supply: Float64Array;
  readonly tokenReserve: Float64Array;
  readonly locked: Float64Array;
  readonly dollarReserve: Float64Array;
  readonly phase: Float64Array;
  readonly minted: Float64Array;
  readonly staked: Float64Array;
  readonly lowestIncome: Float64Array;
  readonly highestIncome: Float64Array;
  readonly lowestTotal: Float64Array;
  // the day's values
  readonly sentiment: Float64Array;
  readonly governance: Float64Array;
  readonly income: Float64Array;
  readonly opsRevenue: Float64Array;
  readonly usdBuybackCapital: Float64Array;
  readonly usdCapital: Float64Array;
  readonly arrivals: Float64Array;
  readonly onboardingUsd: Float64Array;
  readonly bondUsd: Float64Array;
  readonly demand: Float64Array;
  readonly price: Float64Array;
  readonly floored: Float64Array;
  readonly buybackPrice: Float64Array;
  readonly buybackTokens: Float64Array;
  readonly onboardingTokens: Float64Array;
  readonly jobReward: Float64Array;
  readonly phaseTwoClaim: Float64Array;
  readonly phaseOneClaim: Float64Array;
  readonly validatorClaim: Float64Array;
  readonly validatorPaid: Float64Array;
  readonly phaseTwoPaid: Float64Array;
  readonly phaseOnePaid: Float64Array;
  readonly supplierTokensPaid: Float64Array;
  readonly tokensPaid: Float64Array;
  readonly shortfall: Float64Array;
  readonly topUpTokens: Float64Array;
  readonly topUpUsd: Float64Array;
  readonly dollarBefore: Float64Array;
  readonly supplyAtOpen: Float64Array;
  readonly poolUsdAtOpen: Float64Array;
  readonly sum: Float64Array;
  readonly sum2: Float64Array;
  // feedback state (steps.ts FeedbackState, per lane)
  readonly realCount: Float64Array;
  readonly entries: Float64Array;
  readonly exits: Float64Array;
  /** Margin of class k on day t at `(k·days + t)·B + b`. */
  readonly marginHistory: Float64Array;
  readonly incomePerSupplier: Float64Array;
  /** E40's inputs (lanes.ts `supplierClassIncomeLanes`: the lane arrays above) and its class income `[k·B + b]`. */
  readonly pay: Parameters<typeof supplierClassIncomeLanes>[0] & { classIncome: Float64Array };
  readonly ratio: Float64Array;
  readonly jobsLost: Float64Array;
  readonly sellQueue: Float64Array;
  readonly priceHistory: Float64Array;
  readonly poolTokens: Float64Array;
  readonly poolUsd: Float64Array;
  readonly extraSell: Float64Array;
  readonly slippage: Float64Array;
  readonly tokensSold: Float64Array;
  readonly salesUsd: Float64Array;
  readonly speculatorBuyUsd: Float64Array;
  readonly boughtByHolders: Float64Array;
  readonly buyUsd: Float64Array;
  /** 1 once a run of the batch has stopped (no price, a non-finite value, an invariant). */
  readonly failed: Uint8Array;
  // scratch records of the allocation-free law forms, shared by the lanes
  readonly split: Out<IncomeSplit> = { opsRevenue: 0, usdBuybackCapital: 0, usdCapital: 0 };
  readonly tokenPrice: Out<TokenPrice> = { priceOfToken: 0, priceFloored: false, buybackPrice: 0 };
  readonly paid: Out<TokenPayments> = noPayments();
  readonly up: Out<ReserveTopUp> = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };
  readonly churn: Out<Churn> = { entries: 0, exits: 0, count: 0 };
  readonly speculator: Out<SpeculatorOrder> = { buyUsd: 0, sellTokens: 0 };
  readonly amm: Out<AmmBatch> = {
    price: 0,
    tokensToBuyers: 0,
    usdToSellers: 0,
    poolTokens: 0,
    poolUsd: 0,
    slippage: 0,
  };
  /** The price matrix's non-zero entries per class (E6's sum in its order), as kernel.ts. */
  readonly demandEntries: { start: Int32Array; from: Int32Array; weight: Float64Array };
  readonly elastic: Float64Array | null;
  readonly pool: boolean;
  readonly dynamic: boolean;
  readonly capacity: boolean;
  readonly queueLength: number;
  readonly feedbackColumns: number;
  /**
   * 1 for each input series the day draws; 0 for a dynamic class's count series, which E42
   * replaces before anything reads it (its stream is its own, so not drawing it changes nothing else).
   */
  readonly drawn: Uint8Array;
  /** The row's columns income … reserveBuybackTokens, shortfall … staked, and the pool's, in table order. */
  readonly rowColumns: readonly Float64Array[];
  readonly balanceColumns: readonly Float64Array[];
  readonly poolColumns: readonly Float64Array[];

  constructor(
    readonly c: CompiledScenario,
    readonly plan: FeedbackPlan,
    B: number,
  ) {
    const { nC, nK, days } = c;
    this.B = B;
    this.size = B;
    const f = (n = 1) => new Float64Array(n * B);
    this.streams = new Int32Array(4 * c.nSeries * B);
    this.onchain = Float64Array.from(c.onchain0);
    this.jobs = f(nC);
    this.counts = f(nK);
    this.yesterday = f(nK);
    this.dfs = f(nK);
    this.incomeHistory = f(days);
    this.totalHistory = f(days);
    this.supply = f();
    this.tokenReserve = f();
    this.locked = f();
    this.dollarReserve = f();
    this.phase = f();
    this.minted = f();
    this.staked = f();
    this.lowestIncome = f();
    this.highestIncome = f();
    this.lowestTotal = f();
    this.sentiment = f();
    this.governance = f();
    this.income = f();
    this.opsRevenue = f();
    this.usdBuybackCapital = f();
    this.usdCapital = f();
    this.arrivals = f();
    this.onboardingUsd = f();
    this.bondUsd = f();
    this.demand = f();
    this.price = f();
    this.floored = f();
    this.buybackPrice = f();
    this.buybackTokens = f();
    this.onboardingTokens = f();
    this.jobReward = f();
    this.phaseTwoClaim = f();
    this.phaseOneClaim = f();
    this.validatorClaim = f();
    this.validatorPaid = f();
    this.phaseTwoPaid = f();
    this.phaseOnePaid = f();
    this.supplierTokensPaid = f();
    this.tokensPaid = f();
    this.shortfall = f();
    this.topUpTokens = f();
    this.topUpUsd = f();
    this.dollarBefore = f();
    this.supplyAtOpen = f();
    this.poolUsdAtOpen = f();
    this.sum = f();
    this.sum2 = f();
    this.realCount = f(nK);
    this.entries = f(nK);
    this.exits = f(nK);
    this.marginHistory = f(nK * days);
    this.incomePerSupplier = f(nK);
    this.ratio = f(nK);
    this.jobsLost = f();
    this.queueLength = (plan.sales?.sellOverDays ?? 0) + 1;
    this.sellQueue = f(this.queueLength);
    this.priceHistory = f(days);
    this.poolTokens = f();
    this.poolUsd = f();
    this.extraSell = f();
    this.slippage = f();
    this.tokensSold = f();
    this.salesUsd = f();
    this.speculatorBuyUsd = f();
    this.boughtByHolders = f();
    this.buyUsd = f();
    this.failed = new Uint8Array(B);
    this.pool = plan.amm !== null;
    this.dynamic = plan.suppliers?.dynamic.some((d) => d !== null) ?? false;
    this.capacity = (plan.suppliers?.jobsPerSupplierPerDay ?? null) !== null;
    this.elastic = plan.consumers ? elasticMultiplierTable(plan, c.jobPrice) : null;
    this.feedbackColumns = feedbackColumnCount(plan);
    this.drawn = drawnSeries(c, plan);
    this.demandEntries = nonZeroEntries(c);
    this.pay = payInputs(this, c, plan);
    this.rowColumns = [
      this.income,
      this.opsRevenue,
      this.usdBuybackCapital,
      this.usdCapital,
      this.onboardingUsd,
      this.bondUsd,
      this.demand,
      this.price,
      this.floored,
      this.buybackTokens,
      this.onboardingTokens,
      this.jobReward,
      this.phaseOnePaid,
      this.phaseTwoPaid,
      this.validatorPaid,
      this.supplierTokensPaid,
      this.tokensPaid,
      this.topUpUsd,
      this.topUpTokens,
    ];
    this.balanceColumns = [
      this.shortfall,
      this.supply,
      this.tokenReserve,
      this.dollarReserve,
      this.locked,
      this.staked,
    ];
    this.poolColumns = [
      this.poolTokens,
      this.poolUsd,
      this.slippage,
      this.tokensSold,
      this.salesUsd,
      this.speculatorBuyUsd,
      this.boughtByHolders,
    ];
  }

  /** Runs run0 … run0+B−1 at their start (kernel.ts `Run.reset` and `resetFeedbackState`, per lane). */
  reset(seed: number, run0: number, count: number): void {
    this.B = count;
    const { c, plan, B } = this;
    const so = 4 * c.nSeries;
    for (let b = 0; b < B; b++)
      seedStreams(this.streams.subarray(b * so, (b + 1) * so), c.nSeries, seed, run0 + b);
    this.onchain.set(c.onchain0);
    this.supply.fill(plan.amm ? c.initialSupply - plan.amm.poolTokens : c.initialSupply);
    this.tokenReserve.fill(c.initialTokenReserve);
    this.locked.fill(c.initialLocked);
    this.dollarReserve.fill(c.initialDollarReserve);
    this.phase.fill(1);
    this.minted.fill(0);
    this.staked.fill(0);
    this.poolUsdAtOpen.fill(plan.amm?.poolUsd ?? 0);
    this.lowestIncome.fill(Number.POSITIVE_INFINITY);
    this.highestIncome.fill(0);
    this.lowestTotal.fill(Number.POSITIVE_INFINITY);
    this.realCount.fill(0);
    plan.suppliers?.dynamic.forEach((d, k) => {
      if (d) this.realCount.fill(d.start, k * B, (k + 1) * B);
    });
    for (const a of [this.entries, this.exits, this.marginHistory, this.incomePerSupplier])
      a.fill(0);
    this.ratio.fill(0);
    this.sellQueue.fill(0);
    this.priceHistory.fill(0);
    this.jobsLost.fill(0);
    this.poolTokens.fill(plan.amm?.poolTokens ?? 0);
    this.poolUsd.fill(plan.amm?.poolUsd ?? 0);
    this.extraSell.fill(0);
    for (const a of [this.slippage, this.tokensSold, this.salesUsd, this.speculatorBuyUsd])
      a.fill(0);
    this.pay.classIncome.fill(0);
    this.boughtByHolders.fill(0);
    this.buyUsd.fill(0);
    this.failed.fill(0);
  }
}

/** E40's inputs for `supplierClassIncomeLanes`: the lanes' arrays (`Lanes.pay`). */
function payInputs(L: Lanes, c: CompiledScenario, plan: FeedbackPlan): Lanes["pay"] {
  return {
    usdDemandForService: L.dfs,
    income: L.income,
    usdCapital: L.usdCapital,
    buybackTokens: L.buybackTokens,
    phaseOneEmission: L.phaseOnePaid,
    phaseTwoEmission: L.phaseTwoPaid,
    validatorTokensPaid: plan.suppliers?.validatorsAreSuppliers ? L.validatorPaid : null,
    priceOfToken: L.price,
    supplierCount: L.counts,
    phaseOneTarget: c.phaseOneTarget,
    classIncome: new Float64Array(c.nK * L.size),
  };
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

/** Runs advanced together by the stress battery (measured: bench/feedback.ts). */
export const FEEDBACK_BATCH = 16;

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
 * with the feedback plan and a stress shock, advanced together day by day, each stage of the day
 * a loop over the runs on struct-of-arrays state. The same floating-point operations in the same
 * order per run as `runFeedbackKernel` (tested cell for cell on every shipped scenario and on
 * generated ones). Output cell-major with the runs innermost, `out[(col·days + t)·count + b]`
 * (the layout of `runKernelBatch`; `runTable` takes one run's column-major table out of it):
 * run b's cells are byte-identical to `runFeedbackKernel(c, seed, run0 + b, table, …)` on a
 * zeroed table.
 *
 * A run that stops (no price, a non-finite value, an invariant broken) is only marked in the
 * lockstep; after the batch it is run again alone by `runFeedbackKernel` on its zeroed table, so
 * its cells, days completed and error are exactly the per-run kernel's, and the other runs of
 * the batch are untouched. Results in `scratch.daysCompleted[b]` and `scratch.errors[b]`.
 * `count` ≤ `scratch.batch`; `scratch` built for the same `c` and plan.
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
  L.reset(seed, run0, count);
  const { eventDay, eventVar, eventValue } = c;
  let event = 0;
  for (let t = 0; t < c.days; t++) {
    while (event < eventDay.length && eventDay[event] < t) event++;
    for (let e = event; e < eventDay.length && eventDay[e] === t; e++)
      L.onchain[eventVar[e]] = eventValue[e];
    draw(L, t);
    feedbackInputs(L, t, shock);
    if (L.capacity) capacity(L);
    incomeAndSplit(L);
    suppliersAndPhase(L, t);
    onboarding(L, t);
    if (L.pool) poolPrice(L, t, shock);
    else price(L);
    burnAndClaims(L);
    pay(L);
    economics(L, t);
    topUp(L);
    update(L, t);
    record(L, t, out);
    recordFeedback(L, t, out);
    invariants(L, t);
  }
  const { daysCompleted, errors } = scratch;
  for (let b = 0; b < count; b++) {
    if (!L.failed[b]) {
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

/** Inputs (§3, `seriesValue` per run): noise drawn per run, the noise-free value once for the batch. */
function draw(L: Lanes, t: number): void {
  const { c, B, jobs, counts, streams } = L;
  const { nC, nK } = c;
  const so = 4 * c.nSeries;
  for (let s = 0; s < nC + nK + 2; s++) {
    const dst = s < nC ? jobs : s < nC + nK ? counts : s === nC + nK ? L.sentiment : L.governance;
    const at = s < nC ? s * B : s < nC + nK ? (s - nC) * B : 0;
    const whole = s >= nC && s < nC + nK;
    if (L.drawn[s] === 0) continue;
    if (t < c.seriesStartDay[s]) {
      for (let b = 0; b < B; b++) dst[at + b] = whole ? Math.floor(0 + 1e-9) : 0;
      continue;
    }
    const base = c.seriesBase[s * c.days + t];
    const noise = c.seriesNoise[s];
    const min = c.seriesMin[s];
    if (noise > 0) {
      for (let b = 0; b < B; b++) {
        const v = Math.max(min, base + noise * nextNormal(streams, b * so + 4 * s));
        dst[at + b] = whole ? Math.floor(v + 1e-9) : v;
      }
    } else {
      const v = Math.max(min, base);
      const w = whole ? Math.floor(v + 1e-9) : v;
      for (let b = 0; b < B; b++) dst[at + b] = w;
    }
  }
  if (t === 0) L.yesterday.set(counts);
}

/** E48, E42 (E41's lagged margin), the demand crash and the sentiment collapse. */
function feedbackInputs(L: Lanes, t: number, shock: ShockDays): void {
  const { c, B, jobs } = L;
  const elastic = L.elastic;
  if (elastic)
    for (let i = 0; i < c.nC; i++) {
      const m = elastic[i * c.days + t];
      for (let b = i * B; b < (i + 1) * B; b++) jobs[b] = jobs[b] * m;
    }
  if (L.dynamic) {
    churn(L, t);
    if (t === 0) L.yesterday.set(L.counts);
  }
  if (t >= shock.crashFrom) for (let j = 0; j < jobs.length; j++) jobs[j] *= DEMAND_CRASH_FACTOR;
  if (t >= shock.collapseFrom) {
    L.sentiment.fill(0);
    L.governance.fill(0);
  }
}

/** E41–E42 per dynamic class (steps.ts `churnStep`): the window's mean, then E42. */
function churn(L: Lanes, t: number): void {
  const { entries: entriesOf, exits: exitsOf, marginHistory: marginHistoryOf } = L;
  const { c, B, counts, realCount, sum } = L;
  const p = L.plan.suppliers;
  if (!p) return;
  const days = c.days;
  const out = L.churn;
  for (let k = 0; k < c.nK; k++) {
    const d = p.dynamic[k];
    if (!d) continue;
    const kb = k * B;
    if (t === 0) {
      for (let b = 0; b < B; b++) {
        entriesOf[kb + b] = 0;
        exitsOf[kb + b] = 0;
        counts[kb + b] = Math.floor(realCount[kb + b] + 1e-9);
      }
      continue;
    }
    closedDaysMarginLanes(marginHistoryOf, k * days, t, p.lagDays, B, sum);
    for (let b = 0; b < B; b++) {
      supplierChurnInto(out, realCount[kb + b], sum[b], d.churn);
      entriesOf[kb + b] = out.entries;
      exitsOf[kb + b] = out.exits;
      realCount[kb + b] = out.count;
      counts[kb + b] = Math.floor(out.count + 1e-9);
    }
  }
}

/** E50 (capacity.ts `capacityServedJobs`, per lane: lanes.ts `capacityServedLanes`). */
function capacity(L: Lanes): void {
  const { c, B } = L;
  const cap = L.plan.suppliers?.jobsPerSupplierPerDay as Float64Array;
  capacityServedLanes(
    L.jobs,
    c.priceMatrix,
    L.counts,
    cap,
    c.nC,
    c.nK,
    B,
    L.ratio,
    L.jobsLost,
    L.sum,
    L.sum2,
  );
}

/** Steps 2–3: E5 (income.ts), E6 over the matrix's non-zero entries (as kernel.ts), E7. */
function incomeAndSplit(L: Lanes): void {
  const {
    bondUsd: bondUsdOf,
    opsRevenue: opsRevenueOf,
    usdBuybackCapital: usdBuybackCapitalOf,
    usdCapital: usdCapitalOf,
  } = L;
  const { c, B, jobs, income, dfs, onchain: oc } = L;
  const { nC, nK, jobPrice } = c;
  income.fill(0);
  for (let i = 0; i < nC; i++) {
    const p = jobPrice[i];
    for (let b = 0; b < B; b++) income[b] += jobs[i * B + b] * p;
  }
  const { start: demandStart, from: demandFrom, weight: demandWeight } = L.demandEntries;
  for (let k = 0; k < nK; k++) {
    const kb = k * B;
    dfs.fill(0, kb, kb + B);
    for (let j = demandStart[k]; j < demandStart[k + 1]; j++) {
      const i = demandFrom[j];
      const p = jobPrice[i];
      const w = demandWeight[j];
      for (let b = 0; b < B; b++) dfs[kb + b] += jobs[i * B + b] * p * w;
    }
  }
  const s = L.split;
  const F = oc[V.fiatOperationsFraction];
  const BM = oc[V.buybackModulation];
  const bond = oc[V.bondModulation];
  for (let b = 0; b < B; b++) {
    splitIncomeInto(s, income[b], F, BM);
    opsRevenueOf[b] = s.opsRevenue;
    usdBuybackCapitalOf[b] = s.usdBuybackCapital;
    usdCapitalOf[b] = s.usdCapital;
    bondUsdOf[b] = supplierBondUsd(bond, income[b]);
  }
}

/** Step 4: arrivals (E8's newSuppliers), the histories E8 reads, the phase (E4's nextPhase), per lane. */
function suppliersAndPhase(L: Lanes, t: number): void {
  const {
    highestIncome: highestIncomeOf,
    incomeHistory: incomeHistoryOf,
    lowestIncome: lowestIncomeOf,
    lowestTotal: lowestTotalOf,
    staked: stakedOf,
    totalHistory: totalHistoryOf,
  } = L;
  const { c, B, counts, yesterday, income, phase, sum, arrivals } = L;
  const { nK, phaseOneTarget } = c;
  arrivals.fill(0);
  sum.fill(0);
  for (let k = 0; k < nK; k++)
    for (let j = k * B, b = 0; b < B; b++, j++) {
      arrivals[b] += Math.max(0, counts[j] - yesterday[j]);
      yesterday[j] = counts[j];
      sum[b] += counts[j];
    }
  const onTime = t >= c.phaseOneDays;
  for (let b = 0; b < B; b++) {
    const total = sum[b];
    const x = income[b];
    incomeHistoryOf[t * B + b] = x;
    totalHistoryOf[t * B + b] = total;
    if (phase[b] === 1) {
      let next = onTime;
      if (!next && c.endPhaseOneOnTargets) {
        let met = true;
        for (let k = 0; k < nK; k++) if (counts[k * B + b] < phaseOneTarget[k]) met = false;
        next = met;
      }
      if (!next && c.endPhaseOneOnDemand && x > 0) next = true;
      if (next) {
        phase[b] = 2;
        stakedOf[b] = 0;
      }
    }
    if (x < lowestIncomeOf[b]) lowestIncomeOf[b] = x;
    if (!(x <= highestIncomeOf[b])) highestIncomeOf[b] = x;
    if (total < lowestTotalOf[b]) lowestTotalOf[b] = total;
  }
}

/** Step 5: E8 × arrivals, with kernel.ts `onboardingUsd`'s shortcut on days without arrivals. */
function onboarding(L: Lanes, t: number): void {
  const {
    arrivals: arrivalsOf,
    highestIncome: highestIncomeOf,
    incomeHistory: incomeHistoryOf,
    lowestIncome: lowestIncomeOf,
    lowestTotal: lowestTotalOf,
    phase: phaseOf,
    totalHistory: totalHistoryOf,
  } = L;
  const { B, onchain: oc, onboardingUsd } = L;
  const modulation = oc[V.onboardingModulation];
  const W = oc[V.onboardingWindowDays];
  const zeroOk = modulation > 0 || Object.is(modulation, 0);
  for (let b = 0; b < B; b++) {
    if (
      phaseOf[b] === 1 ||
      (arrivalsOf[b] === 0 &&
        lowestIncomeOf[b] >= 0 &&
        lowestTotalOf[b] >= 0 &&
        zeroOk &&
        modulation * highestIncomeOf[b] * (t + 1) < 1e300)
    ) {
      onboardingUsd[b] = 0;
      continue;
    }
    // onboardingFee.ts onboardingFeeUsd on this lane's histories
    let incomeSum = 0;
    let supplierSum = 0;
    for (let s = Math.max(0, t - W + 1); s <= t; s++) {
      incomeSum += incomeHistoryOf[s * B + b];
      supplierSum += totalHistoryOf[s * B + b];
    }
    const fee = supplierSum === 0 ? 0 : (modulation * incomeSum) / supplierSum;
    onboardingUsd[b] = fee * arrivalsOf[b];
  }
}

/** Step 7 without a pool: E10; a run without a price stops. */
function price(L: Lanes): void {
  const {
    bondUsd: bondUsdOf,
    buybackPrice: buybackPriceOf,
    demand: demandOf,
    failed: failedOf,
    floored: flooredOf,
    governance: governanceOf,
    onboardingUsd: onboardingUsdOf,
    price: priceOf,
    sentiment: sentimentOf,
    supply: supplyOf,
    usdBuybackCapital: usdBuybackCapitalOf,
  } = L;
  const { B, onchain: oc } = L;
  const p = L.tokenPrice;
  const floor = oc[V.priceFloor];
  const premium = oc[V.buybackPremium];
  for (let b = 0; b < B; b++) {
    const demand = tokenDemand(
      sentimentOf[b],
      onboardingUsdOf[b],
      bondUsdOf[b],
      usdBuybackCapitalOf[b],
      governanceOf[b],
    );
    demandOf[b] = demand;
    if (!tokenPriceInto(p, demand, supplyOf[b], floor, premium)) {
      failedOf[b] = 1;
      continue;
    }
    priceOf[b] = p.priceOfToken;
    flooredOf[b] = p.priceFloored ? 1 : 0;
    buybackPriceOf[b] = p.buybackPrice;
  }
}

/** Step 7 with a pool (steps.ts `marketStep`: E43's sales due, E44, E45), after the sell wave. */
function poolPrice(L: Lanes, t: number, shock: ShockDays): void {
  const {
    bondUsd: bondUsdOf,
    boughtByHolders: boughtByHoldersOf,
    buyUsd: buyUsdOf,
    buybackPrice: buybackPriceOf,
    demand: demandOf,
    extraSell: extraSellOf,
    floored: flooredOf,
    governance: governanceOf,
    onboardingUsd: onboardingUsdOf,
    poolTokens: poolTokensOf,
    poolUsd: poolUsdOf,
    poolUsdAtOpen: poolUsdAtOpenOf,
    price: priceOf,
    priceHistory: priceHistoryOf,
    salesUsd: salesUsdOf,
    sellQueue: sellQueueOf,
    sentiment: sentimentOf,
    slippage: slippageOf,
    speculatorBuyUsd: speculatorBuyUsdOf,
    supply: supplyOf,
    supplyAtOpen: supplyAtOpenOf,
    tokensSold: tokensSoldOf,
    usdBuybackCapital: usdBuybackCapitalOf,
  } = L;
  const { B, plan, onchain: oc } = L;
  const premium = oc[V.buybackPremium];
  const sp = plan.speculators;
  const spec = L.speculator;
  const m = L.amm;
  const slot = (t % L.queueLength) * B;
  for (let b = 0; b < B; b++) {
    const supply = supplyOf[b];
    if (t === shock.sellWaveDay) extraSellOf[b] = sellWaveTokens(supply);
    supplyAtOpenOf[b] = supply;
    poolUsdAtOpenOf[b] = poolUsdOf[b];
    demandOf[b] = tokenDemand(
      sentimentOf[b],
      onboardingUsdOf[b],
      bondUsdOf[b],
      usdBuybackCapitalOf[b],
      governanceOf[b],
    );
    let due = 0;
    if (plan.sales) {
      due = sellQueueOf[slot + b];
      sellQueueOf[slot + b] = 0;
    }
    if (sp && t - 1 - sp.momentumDays >= 0)
      speculatorOrderInto(
        spec,
        priceHistoryOf[(t - 1) * B + b],
        priceHistoryOf[(t - 1 - sp.momentumDays) * B + b],
        sp.sensitivity,
        sp.capitalUsd,
      );
    else {
      spec.buyUsd = 0;
      spec.sellTokens = 0;
    }
    const sold = withdrawal(supply, due + spec.sellTokens + extraSellOf[b]);
    extraSellOf[b] = 0;
    const holdersUsd = sentimentOf[b] + governanceOf[b] + spec.buyUsd;
    const onb = onboardingUsdOf[b];
    const ubc = usdBuybackCapitalOf[b];
    const buyUsd = holdersUsd + onb + ubc;
    const claimUsd = holdersUsd + onb + ubc / (1 + premium);
    ammBatchInto(m, poolTokensOf[b], poolUsdOf[b], buyUsd, claimUsd, sold);
    poolTokensOf[b] = m.poolTokens;
    poolUsdOf[b] = m.poolUsd;
    priceOf[b] = m.price;
    slippageOf[b] = m.slippage;
    tokensSoldOf[b] = sold;
    salesUsdOf[b] = m.usdToSellers;
    speculatorBuyUsdOf[b] = spec.buyUsd;
    boughtByHoldersOf[b] = holdersUsd / m.price;
    buyUsdOf[b] = buyUsd;
    flooredOf[b] = 0;
    buybackPriceOf[b] = m.price * (1 + premium);
  }
}

/** Steps 8–11: E11a/b, E12–E13 or E3 (phaseOneFill per lane), E14. */
function burnAndClaims(L: Lanes): void {
  const {
    buybackPrice: buybackPriceOf,
    buybackTokens: buybackTokensOf,
    counts: countsOf,
    jobReward: jobRewardOf,
    minted: mintedOf,
    onboardingTokens: onboardingTokensOf,
    onboardingUsd: onboardingUsdOf,
    phase: phaseOf,
    phaseOneClaim: phaseOneClaimOf,
    phaseTwoClaim: phaseTwoClaimOf,
    price: priceOf,
    supply: supplyOf,
    usdBuybackCapital: usdBuybackCapitalOf,
    validatorClaim: validatorClaimOf,
  } = L;
  const { c, B, onchain: oc, jobs } = L;
  const { nC, nK, jobPrice, phaseOneTarget } = c;
  const jrm = oc[V.jobRewardModulation];
  const mint = oc[V.phaseTwoMintAmount];
  const p2m = oc[V.phase2Modulation];
  const vmod = oc[V.validationModulator];
  const vpj = oc[V.validationsPerJob];
  let targets = 0;
  for (let k = 0; k < nK; k++) targets += phaseOneTarget[k];
  for (let b = 0; b < B; b++) {
    const p = priceOf[b];
    buybackTokensOf[b] = buybackTokens(usdBuybackCapitalOf[b], buybackPriceOf[b]);
    const burned = onboardingTokens(onboardingUsdOf[b], p);
    onboardingTokensOf[b] = L.pool ? burned : withdrawal(supplyOf[b], burned);
    let jobsTotal = 0;
    if (phaseOf[b] === 2) {
      // jobReward.ts on this lane's jobs
      let s = 0;
      for (let i = 0; i < nC; i++) s += jobs[i * B + b] * (jobPrice[i] / p);
      const reward = s / jrm;
      jobRewardOf[b] = reward;
      phaseTwoClaimOf[b] = phaseTwoEmission(mint, mintedOf[b], reward, p2m);
      phaseOneClaimOf[b] = 0;
    } else {
      // phaseOneEmission.ts phaseOneFill on this lane's counts
      let filled = 0;
      for (let k = 0; k < nK; k++) filled += Math.min(countsOf[k * B + b], phaseOneTarget[k]);
      jobRewardOf[b] = 0;
      phaseTwoClaimOf[b] = 0;
      phaseOneClaimOf[b] = phaseOneEmission(
        c.phaseOneTokensForProject,
        c.phaseOneDays,
        targets === 0 ? 0 : filled / targets,
      );
    }
    for (let i = 0; i < nC; i++) jobsTotal += jobs[i * B + b];
    validatorClaimOf[b] = validatorTokens(vmod, validationsCompleted(vpj, jobsTotal));
  }
}

/** Step 12: E15. */
function pay(L: Lanes): void {
  const {
    buybackTokens: buybackTokensOf,
    onboardingTokens: onboardingTokensOf,
    phaseOneClaim: phaseOneClaimOf,
    phaseOnePaid: phaseOnePaidOf,
    phaseTwoClaim: phaseTwoClaimOf,
    phaseTwoPaid: phaseTwoPaidOf,
    shortfall: shortfallOf,
    supplierTokensPaid: supplierTokensPaidOf,
    tokenReserve: tokenReserveOf,
    tokensPaid: tokensPaidOf,
    validatorClaim: validatorClaimOf,
    validatorPaid: validatorPaidOf,
  } = L;
  const paid = L.paid;
  for (let b = 0; b < L.B; b++) {
    payTokensInto(
      paid,
      tokenReserveOf[b],
      buybackTokensOf[b],
      onboardingTokensOf[b],
      validatorClaimOf[b],
      phaseTwoClaimOf[b],
      phaseOneClaimOf[b],
    );
    validatorPaidOf[b] = paid.validatorTokensPaid;
    phaseTwoPaidOf[b] = paid.phaseTwoEmission;
    phaseOnePaidOf[b] = paid.phaseOneEmission;
    supplierTokensPaidOf[b] = paid.supplierTokensPaid;
    tokensPaidOf[b] = paid.tokensPaid;
    shortfallOf[b] = paid.tokenShortfall;
  }
}

/** After step 12 (steps.ts `economicsStep`): E43's queue, E40 (lanes.ts `supplierClassIncomeLanes`), E41. */
function economics(L: Lanes, t: number): void {
  const {
    incomePerSupplier: incomePerSupplierOf,
    marginHistory: marginHistoryOf,
    price: priceOf,
    priceHistory: priceHistoryOf,
    sellQueue: sellQueueOf,
    supplierTokensPaid: supplierTokensPaidOf,
    validatorPaid: validatorPaidOf,
  } = L;
  const { c, B, plan } = L;
  const tb = t * B;
  for (let b = 0; b < B; b++) priceHistoryOf[tb + b] = priceOf[b];
  const s = plan.sales;
  if (s) {
    const n = L.queueLength;
    for (let b = 0; b < B; b++) {
      // holderSales.ts queueSales
      const paid = supplierTokensPaidOf[b] + (s.validatorsSell ? validatorPaidOf[b] : 0);
      const part = (s.sellShare * paid) / s.sellOverDays;
      if (part === 0) continue;
      for (let d = 1; d <= s.sellOverDays; d++) sellQueueOf[((t + d) % n) * B + b] += part;
    }
  }
  const p = plan.suppliers;
  if (!p) return;
  const counts = L.counts;
  const classIncome = L.pay.classIncome;
  supplierClassIncomeLanes(L.pay, p.classes, c.nK, B, classIncome, L.sum, L.sum2);
  const days = c.days;
  for (const k of p.classes) {
    const cost = p.costPerDay[k];
    const kb = k * B;
    const h = (k * days + t) * B;
    for (let b = 0; b < B; b++) {
      const perSupplier = incomePerSupplier(classIncome[kb + b], counts[kb + b]);
      incomePerSupplierOf[kb + b] = perSupplier;
      marginHistoryOf[h + b] = supplierMargin(perSupplier, cost);
    }
  }
}

/** Step 13: E16, or E46 with a pool. */
function topUp(L: Lanes): void {
  const {
    buybackPrice: buybackPriceOf,
    dollarReserve: dollarReserveOf,
    onboardingTokens: onboardingTokensOf,
    opsRevenue: opsRevenueOf,
    phaseOnePaid: phaseOnePaidOf,
    phaseTwoPaid: phaseTwoPaidOf,
    poolTokens: poolTokensOf,
    poolUsd: poolUsdOf,
    supply: supplyOf,
    tokenReserve: tokenReserveOf,
    topUpTokens: topUpTokensOf,
    topUpUsd: topUpUsdOf,
    validatorPaid: validatorPaidOf,
  } = L;
  const { c, B, onchain: oc } = L;
  const up = L.up;
  const lower = oc[V.lowerTokenReserveLimit];
  const restore = oc[V.tokenReserveRestoreLevel];
  for (let b = 0; b < B; b++) {
    const reserveAfterPay =
      tokenReserveOf[b] +
      onboardingTokensOf[b] -
      validatorPaidOf[b] -
      phaseTwoPaidOf[b] -
      phaseOnePaidOf[b];
    const cash = dollarReserveOf[b] + opsRevenueOf[b];
    if (L.pool)
      ammReserveTopUpInto(
        up,
        reserveAfterPay,
        c.initialTokenReserve,
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
        c.initialTokenReserve,
        lower,
        restore,
        buybackPriceOf[b],
        cash,
        supplyOf[b] +
          validatorPaidOf[b] +
          phaseOnePaidOf[b] +
          phaseTwoPaidOf[b] -
          onboardingTokensOf[b],
      );
    topUpTokensOf[b] = up.reserveBuybackTokens;
    topUpUsdOf[b] = up.reserveBuybackUsd;
  }
}

/** Step 14: E17 (E47 with a pool), E18, E19, E17b; the pool after the top-up. */
function update(L: Lanes, t: number): void {
  const {
    boughtByHolders: boughtByHoldersOf,
    buybackTokens: buybackTokensOf,
    dollarBefore: dollarBeforeOf,
    dollarReserve: dollarReserveOf,
    locked: lockedOf,
    minted: mintedOf,
    onboardingTokens: onboardingTokensOf,
    opsRevenue: opsRevenueOf,
    phaseOnePaid: phaseOnePaidOf,
    phaseTwoPaid: phaseTwoPaidOf,
    poolTokens: poolTokensOf,
    poolUsd: poolUsdOf,
    staked: stakedOf,
    supply: supplyOf,
    supplyAtOpen: supplyAtOpenOf,
    tokenReserve: tokenReserveOf,
    tokensSold: tokensSoldOf,
    topUpTokens: topUpTokensOf,
    topUpUsd: topUpUsdOf,
    validatorPaid: validatorPaidOf,
  } = L;
  const { c, B } = L;
  const vest = c.vested[t];
  for (let b = 0; b < B; b++) {
    const vested = withdrawal(lockedOf[b], vest);
    dollarBeforeOf[b] = dollarReserveOf[b];
    const supply = L.pool
      ? nextSupplyWithPool(
          supplyAtOpenOf[b],
          validatorPaidOf[b],
          phaseOnePaidOf[b],
          phaseTwoPaidOf[b],
          buybackTokensOf[b],
          boughtByHoldersOf[b],
          tokensSoldOf[b],
          vested,
        )
      : nextSupply(
          supplyOf[b],
          validatorPaidOf[b],
          phaseOnePaidOf[b],
          phaseTwoPaidOf[b],
          onboardingTokensOf[b],
          topUpTokensOf[b],
          vested,
        );
    tokenReserveOf[b] = nextTokenReserve(
      tokenReserveOf[b],
      onboardingTokensOf[b],
      validatorPaidOf[b],
      phaseTwoPaidOf[b],
      phaseOnePaidOf[b],
      topUpTokensOf[b],
    );
    supplyOf[b] = supply;
    dollarReserveOf[b] = nextDollarReserve(dollarReserveOf[b], opsRevenueOf[b], topUpUsdOf[b]);
    lockedOf[b] = lockedOf[b] - vested;
    mintedOf[b] += phaseTwoPaidOf[b];
    stakedOf[b] += phaseOnePaidOf[b];
    if (L.pool) {
      poolTokensOf[b] = poolTokensOf[b] - topUpTokensOf[b];
      poolUsdOf[b] = poolUsdOf[b] + topUpUsdOf[b];
    }
  }
}

/** One cell of day t for every run, `out[at + b] = v[from + b]`; adds `v · 0` to each run's check. */
function put(
  out: Float64Array,
  at: number,
  v: Float64Array,
  from: number,
  B: number,
  chk: Float64Array,
): void {
  for (let b = 0; b < B; b++) {
    const x = v[from + b];
    out[at + b] = x;
    chk[b] += x * 0;
  }
}

/**
 * The §7 row (kernel.ts `record`'s columns and order) at `out[(col·days + t)·B + b]`; a run
 * with a value that is not finite is marked failed (the per-run kernel then decides what of
 * the row it keeps).
 */
function record(L: Lanes, t: number, out: Float64Array): void {
  const {
    failed: failedOf,
    phase: phaseOf,
    topUpUsd: topUpUsdOf,
    usdBuybackCapital: usdBuybackCapitalOf,
  } = L;
  const { c, B, sum: chk } = L;
  const step = c.days * B;
  chk.fill(0);
  let at = t * B;
  for (let b = 0; b < B; b++) {
    out[at + b] = t;
    out[at + step + b] = phaseOf[b];
  }
  at += 2 * step;
  for (const v of L.rowColumns) {
    put(out, at, v, 0, B, chk);
    at += step;
  }
  for (let b = 0; b < B; b++) {
    const x = usdBuybackCapitalOf[b] + topUpUsdOf[b];
    out[at + b] = x;
    chk[b] += x * 0;
  }
  at += step;
  for (const v of L.balanceColumns) {
    put(out, at, v, 0, B, chk);
    at += step;
  }
  for (let i = 0; i < c.nC; i++, at += step) put(out, at, L.jobs, i * B, B, chk);
  for (let k = 0; k < c.nK; k++, at += step) put(out, at, L.dfs, k * B, B, chk);
  for (let k = 0; k < c.nK; k++, at += step) put(out, at, L.counts, k * B, B, chk);
  for (let b = 0; b < B; b++) if (chk[b] !== 0) failedOf[b] = 1;
}

/** The feedback columns (steps.ts `writeFeedbackColumns`' order); a run with a non-finite value is marked failed. */
function recordFeedback(L: Lanes, t: number, out: Float64Array): void {
  const { c, B, plan, sum: chk } = L;
  if (L.feedbackColumns === 0) return;
  const days = c.days;
  const step = days * B;
  chk.fill(0);
  let at = ((c.columns.length - L.feedbackColumns) * days + t) * B;
  const s = plan.suppliers;
  if (s) {
    for (const k of s.classes) {
      put(out, at, L.incomePerSupplier, k * B, B, chk);
      at += step;
    }
    for (const k of s.classes) {
      put(out, at, L.marginHistory, (k * days + t) * B, B, chk);
      at += step;
    }
    for (const k of s.dynamicClasses) {
      put(out, at, L.entries, k * B, B, chk);
      at += step;
    }
    for (const k of s.dynamicClasses) {
      put(out, at, L.exits, k * B, B, chk);
      at += step;
    }
    if (s.jobsPerSupplierPerDay) {
      put(out, at, L.jobsLost, 0, B, chk);
      at += step;
    }
  }
  if (plan.amm)
    for (const v of L.poolColumns) {
      put(out, at, v, 0, B, chk);
      at += step;
    }
  for (let b = 0; b < B; b++) if (chk[b] !== 0) L.failed[b] = 1;
}

/** I1–I3 (kernel.ts `endOfDayInvariants`), per lane; a lane that breaks one is marked failed. */
function invariants(L: Lanes, t: number): void {
  const {
    buyUsd: buyUsdOf,
    dollarBefore: dollarBeforeOf,
    dollarReserve: dollarReserveOf,
    failed: failedOf,
    income: incomeOf,
    locked: lockedOf,
    poolTokens: poolTokensOf,
    poolUsd: poolUsdOf,
    poolUsdAtOpen: poolUsdAtOpenOf,
    salesUsd: salesUsdOf,
    supply: supplyOf,
    tokenReserve: tokenReserveOf,
    topUpUsd: topUpUsdOf,
    usdBuybackCapital: usdBuybackCapitalOf,
    usdCapital: usdCapitalOf,
  } = L;
  const { c, B } = L;
  const total = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  for (let b = 0; b < B; b++) {
    if (failedOf[b]) continue;
    const topUpUsd = topUpUsdOf[b];
    const broken =
      checkInvariants(
        t,
        L.pool ? total - poolTokensOf[b] : total,
        supplyOf[b],
        tokenReserveOf[b],
        lockedOf[b],
        dollarBeforeOf[b],
        dollarReserveOf[b],
        incomeOf[b],
        usdCapitalOf[b],
        usdBuybackCapitalOf[b],
        topUpUsd,
      ) ??
      (L.pool
        ? checkPoolInvariants(
            t,
            total,
            supplyOf[b],
            tokenReserveOf[b],
            lockedOf[b],
            poolTokensOf[b],
            poolUsdAtOpenOf[b],
            poolUsdOf[b],
            buyUsdOf[b],
            salesUsdOf[b],
            topUpUsd,
          )
        : null);
    if (broken) failedOf[b] = 1;
  }
}
