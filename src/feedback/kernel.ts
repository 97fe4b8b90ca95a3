import { type DayContext, ONCHAIN } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import { seriesValue, wholeSuppliers } from "../engine/inputs.js";
import {
  type KernelOutcome,
  NonFiniteValueError,
  NoPriceError,
  type SimulationFailure,
} from "../engine/outcome.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { income } from "../mechanisms/income.js";
import { type IncomeSplit, splitIncomeInto } from "../mechanisms/incomeSplit.js";
import { checkInvariants } from "../mechanisms/invariants.js";
import { jobReward } from "../mechanisms/jobReward.js";
import { newSuppliers, onboardingFeeUsd } from "../mechanisms/onboardingFee.js";
import type { Out } from "../mechanisms/out.js";
import { nextPhase } from "../mechanisms/phaseChange.js";
import { phaseOneEmission, phaseOneFill } from "../mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../mechanisms/phaseTwoEmission.js";
import { type ReserveTopUp, reserveTopUpInto } from "../mechanisms/reserveTopUp.js";
import { noPayments, payTokensInto, type TokenPayments } from "../mechanisms/supplierTokens.js";
import { type TokenPrice, tokenDemand, tokenPriceInto } from "../mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { seedStreams } from "../random/streams.js";
import { type GovernanceChange, governanceStep } from "../rules/step.js";
import type { Rule } from "../scenario/rules.js";
import { nextSupplyWithPool, topUpPool } from "./ammBalances.js";
import { ammReserveTopUpInto } from "./ammTopUp.js";
import { compileFeedback, type FeedbackPlan } from "./plan.js";
import { checkPoolInvariants } from "./poolInvariants.js";
import {
  capacityStep,
  churnStep,
  type DayOrders,
  economicsStep,
  elasticMultiplierTable,
  type FeedbackState,
  initialFeedbackState,
  marketStep,
  resetFeedbackState,
  writeFeedbackColumns,
} from "./steps.js";
import { crashDemand, NO_SHOCK, type ShockDays, sellWaveTokens } from "./stressShocks.js";
import { phaseOneSlotTokens, type SupplierPayDay } from "./supplierIncome.js";

/** What the fused feedback kernel runs besides the scenario's day. */
export interface FeedbackKernelOptions {
  /** The scenario's feedback plan (compiled once per scenario); default: compiled from `c`. */
  readonly plan?: FeedbackPlan;
  /** Governance rules (E38, E39), evaluated after the schedule every day; default none. */
  readonly rules?: readonly Rule[];
  /** Where the rules' changes and the schedule's votes go (as `simulate` keeps them). */
  readonly governanceLog?: GovernanceChange[];
  /** A stress battery shock (stressShocks.ts); default none. */
  readonly shock?: ShockDays;
}

const V = ONCHAIN;
type Mutable<T> = Out<T>;

/** One run's carried state and today's values: one object per run, nothing allocated per day by the kernel itself. */
class Run {
  t = 0;
  supply = 0;
  tokenReserve = 0;
  locked = 0;
  dollarReserve = 0;
  phase: 1 | 2 = 1;
  minted = 0;
  staked = 0;
  /** E3's stake released at step 4 today (the first phase-2 day), else 0: E43 queues it. */
  stakeReleased = 0;
  sentiment = 0;
  governance = 0;
  income = 0;
  opsRevenue = 0;
  usdBuybackCapital = 0;
  usdCapital = 0;
  arrivals = 0;
  onboardingUsd = 0;
  bondUsd = 0;
  demand = 0;
  price = 0;
  floored = false;
  buybackPrice = 0;
  buybackTokens = 0;
  onboardingTokens = 0;
  jobReward = 0;
  phaseTwoClaim = 0;
  phaseOneClaim = 0;
  validatorClaim = 0;
  readonly split: Out<IncomeSplit> = { opsRevenue: 0, usdBuybackCapital: 0, usdCapital: 0 };
  readonly tokenPrice: Out<TokenPrice> = { priceOfToken: 0, priceFloored: false, buybackPrice: 0 };
  readonly paid: Out<TokenPayments> = noPayments();
  readonly topUp: Out<ReserveTopUp> = { reserveBuybackTokens: 0, reserveBuybackUsd: 0 };
  vested = 0;
  dollarBefore = 0;
  supplyAtOpen = 0;
  poolUsdAtOpen = 0;
  /** Bounds of every income and supplier total so far (E8's shortcut, `onboardingUsd`). */
  lowestIncome = 0;
  highestIncome = 0;
  lowestTotal = 0;
  readonly streams: Int32Array;
  readonly onchain: Float64Array;
  readonly jobs: Float64Array;
  readonly counts: Float64Array;
  readonly yesterday: Float64Array;
  readonly demandForService: Float64Array;
  readonly incomeHistory: Float64Array;
  readonly supplierTotalHistory: Float64Array;
  readonly row: Float64Array;
  readonly totalTokens: number;
  readonly fb: FeedbackState;
  readonly pool: boolean;
  readonly dynamic: boolean;
  /** E50 on (a class with jobsPerSupplierPerDay): last before income, after every change to the day's demand. */
  readonly capacity: boolean;
  readonly orders: Mutable<DayOrders>;
  readonly pay: Mutable<SupplierPayDay>;
  /**
   * The price matrix's non-zero entries, class by class: `demandFrom[j]`, `demandWeight[j]` for
   * j in `demandStart[k] … demandStart[k+1]`, types in ascending order (E6's sum, its order kept).
   */
  readonly demandStart: Int32Array;
  readonly demandFrom: Int32Array;
  readonly demandWeight: Float64Array;
  /** E48's factors, `i·days + t` (elasticMultiplierTable); null without a consumer block. */
  readonly elastic: Float64Array | null;

  out: Float64Array = new Float64Array(0);
  shock: ShockDays = NO_SHOCK;

  constructor(
    readonly c: CompiledScenario,
    readonly plan: FeedbackPlan,
  ) {
    this.streams = new Int32Array(4 * c.nSeries);
    this.onchain = Float64Array.from(c.onchain0);
    this.jobs = new Float64Array(c.nC);
    this.counts = new Float64Array(c.nK);
    this.yesterday = new Float64Array(c.nK);
    this.demandForService = new Float64Array(c.nK);
    this.incomeHistory = new Float64Array(c.days);
    this.supplierTotalHistory = new Float64Array(c.days);
    this.fb = initialFeedbackState(plan, c.nK);
    this.row = new Float64Array(c.columns.length - this.fb.columnCount);
    this.totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
    this.pool = plan.amm !== null;
    this.dynamic = plan.suppliers?.dynamic.some((d) => d !== null) ?? false;
    this.capacity = (plan.suppliers?.jobsPerSupplierPerDay ?? null) !== null;
    this.elastic = elasticTable(plan, c.jobPrice);
    this.demandStart = new Int32Array(c.nK + 1);
    this.demandFrom = new Int32Array(c.nC * c.nK);
    this.demandWeight = new Float64Array(c.nC * c.nK);
    let n = 0;
    for (let k = 0; k < c.nK; k++) {
      this.demandStart[k] = n;
      for (let i = 0; i < c.nC; i++) {
        const w = c.priceMatrix[i * c.nK + k];
        if (w === 0) continue;
        this.demandFrom[n] = i;
        this.demandWeight[n++] = w;
      }
    }
    this.demandStart[c.nK] = n;
    this.orders = {
      consumerSentiment: 0,
      onboardingUsd: 0,
      supplierBondUsd: 0,
      usdBuybackCapital: 0,
      governanceValue: 0,
      buybackPremium: 0,
      supply: 0,
    };
    this.pay = {
      usdDemandForService: this.demandForService,
      income: 0,
      usdCapital: 0,
      buybackTokens: 0,
      phaseOneEmission: 0,
      phaseTwoEmission: 0,
      validatorTokensPaid: 0,
      priceOfToken: 0,
      supplierCount: this.counts,
      phaseOneTarget: c.phaseOneTarget,
      phaseOneSlotTokens: 0,
      validatorsAreSuppliers: plan.suppliers?.validatorsAreSuppliers ?? false,
      onchain: this.onchain,
    };
  }

  /** The start of a run: the day-0 balances, the schedule's first values, a fresh feedback state. */
  reset(out: Float64Array, shock: ShockDays): void {
    const { c, plan } = this;
    this.out = out;
    this.shock = shock;
    this.t = 0;
    this.supply = plan.amm ? c.initialSupply - plan.amm.poolTokens : c.initialSupply;
    this.tokenReserve = c.initialTokenReserve;
    this.locked = c.initialLocked;
    this.dollarReserve = c.initialDollarReserve;
    this.phase = 1;
    this.minted = 0;
    this.staked = 0;
    this.stakeReleased = 0;
    this.poolUsdAtOpen = plan.amm?.poolUsd ?? 0;
    this.lowestIncome = Number.POSITIVE_INFINITY;
    this.highestIncome = 0;
    this.lowestTotal = Number.POSITIVE_INFINITY;
    copy(c.onchain0, this.onchain);
    resetFeedbackState(this.fb);
  }
}

/** One Run per compiled scenario (and plan), reused from run to run: nothing allocated per run either. */
const runs = new WeakMap<CompiledScenario, Run>();

function runFor(c: CompiledScenario, plan: FeedbackPlan): Run {
  let r = runs.get(c);
  if (!r || r.plan !== plan) {
    r = new Run(c, plan);
    runs.set(c, r);
  }
  return r;
}

/**
 * The fused fast path of aggregate mode with feedback (docs/model-feedback.md, "one day, one
 * order"), governance rules (E38, E39) and stress shocks: the same day as `runFeedbackAggregate`
 * with the same insertions (docs/model.md §6's steps, E48, E42 and the shocks after
 * "inputs", E50 before "income", the pool forms of "price" … "invariants", E40–E43 after "payouts", the feedback
 * columns after "record"), calling the same law functions (src/mechanisms/, src/feedback/) in
 * the same order, so its table is byte-identical (tested on every shipped scenario and on
 * generated ones) — but on typed arrays held by one object per run, with no step list, no
 * closures and no row array per day. Column-major table `out[col·days + t]`; stochastic inputs
 * (E23–E30) come already generated in `c` (`compiledForRun`).
 *
 * Stops as the step engine does: no price (E10), a non-finite value (the row is not kept, or,
 * in a feedback column, kept), an invariant I1–I3 (with the pool as an account) broken.
 */
export function runFeedbackKernel(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  options: FeedbackKernelOptions = {},
): KernelOutcome {
  const plan = options.plan ?? compileFeedback(c.scenario) ?? emptyPlan(c.days);
  const r = runFor(c, plan);
  r.reset(out, options.shock ?? NO_SHOCK);
  seedStreams(r.streams, c.nSeries, seed, run);
  const rules = options.rules ?? [];
  const governance =
    rules.length > 0 ? governanceStep(c, rules, options.governanceLog ?? []).step : null;
  // the governance step reads only these fields of a day context
  const view = { c, t: 0, onchain: r.onchain, out } as unknown as DayContext;
  const { eventDay, eventVar, eventValue } = c;
  let event = 0;
  for (let t = 0; t < c.days; t++) {
    r.t = t;
    // 1. schedule, then the rules (E38, E39)
    while (event < eventDay.length && eventDay[event] < t) event++;
    for (let e = event; e < eventDay.length && eventDay[e] === t; e++)
      r.onchain[eventVar[e]] = eventValue[e];
    if (governance) {
      view.t = t;
      governance.run(view);
    }
    inputs(r);
    const noPrice = dayToPrice(r);
    if (noPrice) return { daysCompleted: t, error: noPrice };
    dayFromBurn(r);
    const bad = record(r);
    if (bad) return { daysCompleted: t, error: bad };
    const badFeedback = recordFeedback(r);
    if (badFeedback) return { daysCompleted: t + 1, error: badFeedback };
    const broken = endOfDayInvariants(r);
    if (broken) return { daysCompleted: t + 1, error: broken };
  }
  return { daysCompleted: c.days, error: null };
}

const elasticTables = new WeakMap<FeedbackPlan, { jobPrice: Float64Array; table: Float64Array }>();

/** E48's table for this plan and these job prices, built once and kept with the plan. */
function elasticTable(plan: FeedbackPlan, jobPrice: Float64Array): Float64Array | null {
  if (!plan.consumers) return null;
  const kept = elasticTables.get(plan);
  if (kept?.jobPrice.every((p, i) => Object.is(p, jobPrice[i]))) return kept.table;
  const table = elasticMultiplierTable(plan, jobPrice) as Float64Array;
  elasticTables.set(plan, { jobPrice: Float64Array.from(jobPrice), table });
  return table;
}

function emptyPlan(days: number): FeedbackPlan {
  return { days, suppliers: null, sales: null, speculators: null, amm: null, consumers: null };
}

/**
 * Inputs (§3), then E48, E42, the stress shocks and E50, in the step engine's order (feedbackDay).
 * In parts taking the run only, each small enough for the compiler to inline its laws (a law
 * left as a call would box its numbers: an allocation per call).
 */
function inputs(r: Run): void {
  draw(r);
  feedbackInputs(r);
  if (r.capacity) capacityStep(r.fb, r.jobs, r.c.jobPrice, r.c.priceMatrix, r.counts);
}

/** Inputs (§3): the day's series. */
function draw(r: Run): void {
  const { c, t, jobs, counts, streams } = r;
  const { nC, nK } = c;
  for (let i = 0; i < nC; i++) jobs[i] = seriesValue(c, i, t, streams);
  for (let k = 0; k < nK; k++) counts[k] = wholeSuppliers(seriesValue(c, nC + k, t, streams));
  r.sentiment = seriesValue(c, nC + nK, t, streams);
  r.governance = seriesValue(c, nC + nK + 1, t, streams);
  if (t === 0) copy(counts, r.yesterday);
}

/** E48, E42, the stress shocks (E50 follows, last). */
function feedbackInputs(r: Run): void {
  const { c, t, jobs, counts, fb, shock } = r;
  const nC = c.nC;
  const elastic = r.elastic;
  if (elastic) for (let i = 0, at = t; i < nC; i++, at += c.days) jobs[i] = jobs[i] * elastic[at];
  if (r.dynamic) {
    churnStep(fb, t, counts);
    if (t === 0) copy(counts, r.yesterday);
  }
  if (t >= shock.crashFrom) crashDemand(jobs, shock.crashShare);
  if (t >= shock.collapseFrom) {
    r.sentiment = 0;
    r.governance = 0;
  }
}

/**
 * Steps 2–7: income (E5, E6), split (E7), suppliers and phase (E4), E8, E9, the price (E10 or
 * E43–E45). Each part takes the run only and is small, so the compiler inlines the laws into
 * it (a law called with numbers but not inlined would box each of them).
 */
function dayToPrice(r: Run): SimulationFailure | null {
  incomeAndSplit(r);
  suppliersAndPhase(r);
  onboardingUsd(r);
  r.bondUsd = supplierBondUsd(r.onchain[V.bondModulation], r.income);
  if (r.pool) {
    poolPrice(r);
    return null;
  }
  return price(r);
}

/**
 * Steps 2–3: E5, E6 (usdDemandForService's sum in its order over the matrix's non-zero entries:
 * a zero entry adds ±0 to a sum that is never −0, which changes nothing unless a job count or
 * price is not finite — and then income, an earlier column, is not finite and stops the run
 * before the row is kept, as in src/engine/kernel.ts), E7.
 */
function incomeAndSplit(r: Run): void {
  const { c, jobs, onchain: oc, demandForService: dfs, demandStart, demandFrom, demandWeight } = r;
  const { nK, jobPrice } = c;
  r.income = income(jobs, jobPrice);
  for (let k = 0; k < nK; k++) {
    let sum = 0;
    for (let j = demandStart[k]; j < demandStart[k + 1]; j++) {
      const i = demandFrom[j];
      sum += jobs[i] * jobPrice[i] * demandWeight[j];
    }
    dfs[k] = sum;
  }
  const s = r.split;
  splitIncomeInto(s, r.income, oc[V.fiatOperationsFraction], oc[V.buybackModulation]);
  r.opsRevenue = s.opsRevenue;
  r.usdBuybackCapital = s.usdBuybackCapital;
  r.usdCapital = s.usdCapital;
}

/** Step 4: arrivals (E8), the histories E8 reads, the phase (E4). */
function suppliersAndPhase(r: Run): void {
  const { c, t, counts } = r;
  r.arrivals = newSuppliers(counts, r.yesterday);
  copy(counts, r.yesterday);
  r.incomeHistory[t] = r.income;
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k];
  r.supplierTotalHistory[t] = total;
  const was = r.phase;
  r.phase = nextPhase(r.phase, t, c, counts, c.phaseOneTarget, r.income);
  r.stakeReleased = 0;
  if (r.phase === 2 && was === 1) {
    r.stakeReleased = r.staked;
    r.staked = 0;
  }
  if (r.income < r.lowestIncome) r.lowestIncome = r.income;
  if (!(r.income <= r.highestIncome)) r.highestIncome = r.income;
  if (total < r.lowestTotal) r.lowestTotal = total;
}

/** Step 7 without a pool: E10. */
function price(r: Run): SimulationFailure | null {
  const oc = r.onchain;
  r.demand = tokenDemand(
    r.sentiment,
    r.onboardingUsd,
    r.bondUsd,
    r.usdBuybackCapital,
    r.governance,
  );
  const p = r.tokenPrice;
  if (!tokenPriceInto(p, r.demand, r.supply, oc[V.priceFloor], oc[V.buybackPremium]))
    return new NoPriceError(r.t, r.demand);
  r.price = p.priceOfToken;
  r.floored = p.priceFloored;
  r.buybackPrice = p.buybackPrice;
  return null;
}

/**
 * Step 5, E8 × arrivals (phase 2; 0 in phase 1). With no arrival the product is +0 whenever
 * the fee is finite and ≥ 0, which holds when every income and supplier total so far is ≥ 0,
 * the modulation is +0 or > 0 and the window's sum cannot overflow (≤ t + 1 incomes, each ≤ the
 * largest so far; a non-zero total is a whole number ≥ 1): then the window is not summed.
 * Otherwise E8 is evaluated as the step engine does, so the product (−0, NaN) is the same.
 */
function onboardingUsd(r: Run): void {
  const { t, onchain: oc } = r;
  const modulation = oc[V.onboardingModulation];
  if (
    r.phase === 1 ||
    (r.arrivals === 0 &&
      r.lowestIncome >= 0 &&
      r.lowestTotal >= 0 &&
      (modulation > 0 || Object.is(modulation, 0)) &&
      modulation * r.highestIncome * (t + 1) < 1e300)
  ) {
    r.onboardingUsd = 0;
    return;
  }
  r.onboardingUsd =
    onboardingFeeUsd(
      t,
      oc[V.onboardingWindowDays],
      modulation,
      r.incomeHistory,
      r.supplierTotalHistory,
    ) * r.arrivals;
}

/** Step 7 with a pool (E43–E45), after the sell wave inserted before it. */
function poolPrice(r: Run): void {
  const { t, fb, orders } = r;
  if (t === r.shock.sellWaveDay) fb.extraSell = sellWaveTokens(r.supply, r.shock.sellWaveShare);
  r.supplyAtOpen = r.supply;
  r.poolUsdAtOpen = fb.poolUsd;
  r.demand = tokenDemand(
    r.sentiment,
    r.onboardingUsd,
    r.bondUsd,
    r.usdBuybackCapital,
    r.governance,
  );
  const premium = r.onchain[V.buybackPremium];
  orders.consumerSentiment = r.sentiment;
  orders.onboardingUsd = r.onboardingUsd;
  orders.supplierBondUsd = r.bondUsd;
  orders.usdBuybackCapital = r.usdBuybackCapital;
  orders.governanceValue = r.governance;
  orders.buybackPremium = premium;
  // holders cannot sell the staked phase-one emission (E3, E43)
  orders.supply = r.supply - r.staked;
  const m = marketStep(fb, t, orders);
  r.price = m.priceOfToken;
  r.floored = false;
  r.buybackPrice = m.priceOfToken * (1 + premium);
}

/** Steps 8–14: burn (E11), E12, E13/E3, E14, payouts (E15), E40–E43, top-up (E16/E46), update. */
function dayFromBurn(r: Run): void {
  burn(r);
  if (r.phase === 2) phaseTwoClaims(r);
  else phaseOneClaim(r);
  validatorClaim(r);
  pay(r);
  economics(r);
  topUp(r, r.paid);
  update(r, r.paid);
}

/** Step 8: E11a, E11b (from the pool, or a withdrawal from circulation). */
function burn(r: Run): void {
  r.buybackTokens = buybackTokens(r.usdBuybackCapital, r.buybackPrice);
  const burned = onboardingTokens(r.onboardingUsd, r.price);
  r.onboardingTokens = r.pool ? burned : withdrawal(r.supply, burned);
}

/** Steps 9–10 on a phase-2 day: E12, E13. */
function phaseTwoClaims(r: Run): void {
  const oc = r.onchain;
  r.jobReward = jobReward(r.jobs, r.c.jobPrice, r.price, oc[V.jobRewardModulation]);
  r.phaseTwoClaim = phaseTwoEmission(
    oc[V.phaseTwoMintAmount],
    r.minted,
    r.jobReward,
    oc[V.phase2Modulation],
  );
  r.phaseOneClaim = 0;
}

/** Step 10 on a phase-1 day: E3. */
function phaseOneClaim(r: Run): void {
  const c = r.c;
  r.jobReward = 0;
  r.phaseTwoClaim = 0;
  r.phaseOneClaim = phaseOneEmission(
    c.phaseOneTokensForProject,
    c.phaseOneDays,
    phaseOneFill(r.counts, c.phaseOneTarget),
  );
}

/** Step 11: E14. */
function validatorClaim(r: Run): void {
  const { jobs, onchain: oc } = r;
  let jobsTotal = 0;
  for (let i = 0; i < jobs.length; i++) jobsTotal += jobs[i];
  r.validatorClaim = validatorTokens(
    oc[V.validationModulator],
    validationsCompleted(oc[V.validationsPerJob], jobsTotal),
  );
}

/** Step 12: E15 into `r.paid`. */
function pay(r: Run): void {
  const paid = r.paid;
  payTokensInto(
    paid,
    r.tokenReserve,
    r.buybackTokens,
    r.onboardingTokens,
    r.validatorClaim,
    r.phaseTwoClaim,
    r.phaseOneClaim,
  );
}

/** After step 12: E40–E41 and E43's queue (inserted after "payouts"). */
function economics(r: Run): void {
  const paid = r.paid;
  const day = r.pay;
  day.income = r.income;
  day.usdCapital = r.usdCapital;
  day.buybackTokens = r.buybackTokens;
  day.phaseOneEmission = paid.phaseOneEmission;
  day.phaseTwoEmission = paid.phaseTwoEmission;
  day.validatorTokensPaid = paid.validatorTokensPaid;
  day.priceOfToken = r.price;
  const c = r.c;
  day.phaseOneSlotTokens = phaseOneSlotTokens(
    c.phaseOneTokensForProject,
    c.phaseOneDays,
    c.phaseOneTarget,
    r.phase,
  );
  economicsStep(r.fb, r.t, day, paid.supplierTokensPaid, r.stakeReleased);
}

/** Step 13: E16, or E46 with a pool, into `r.topUp`. */
function topUp(r: Run, paid: TokenPayments): void {
  const { c, onchain: oc, fb } = r;
  const reserveAfterPay =
    r.tokenReserve +
    r.onboardingTokens -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission;
  const cash = r.dollarReserve + r.opsRevenue;
  const lower = oc[V.lowerTokenReserveLimit];
  const restore = oc[V.tokenReserveRestoreLevel];
  if (r.pool) {
    ammReserveTopUpInto(
      r.topUp,
      reserveAfterPay,
      c.initialTokenReserve,
      lower,
      restore,
      fb.poolTokens,
      fb.poolUsd,
      cash,
    );
    return;
  }
  const circulating =
    r.supply +
    paid.validatorTokensPaid +
    paid.phaseOneEmission +
    paid.phaseTwoEmission -
    r.onboardingTokens;
  reserveTopUpInto(
    r.topUp,
    reserveAfterPay,
    c.initialTokenReserve,
    lower,
    restore,
    r.buybackPrice,
    cash,
    circulating,
  );
}

/** Step 14: E17 (E47 with a pool), E18, E19, E17b; the pool after the top-up. */
function update(r: Run, paid: TokenPayments): void {
  const { c, t, fb, topUp: up } = r;
  r.vested = withdrawal(r.locked, c.vested[t]);
  r.dollarBefore = r.dollarReserve;
  const supply = r.pool
    ? nextSupplyWithPool(
        r.supplyAtOpen,
        paid.validatorTokensPaid,
        paid.phaseOneEmission,
        paid.phaseTwoEmission,
        r.buybackTokens,
        fb.market.tokensBoughtByHolders,
        fb.market.tokensSold,
        r.vested,
      )
    : nextSupply(
        r.supply,
        paid.validatorTokensPaid,
        paid.phaseOneEmission,
        paid.phaseTwoEmission,
        r.onboardingTokens,
        up.reserveBuybackTokens,
        r.vested,
      );
  r.tokenReserve = nextTokenReserve(
    r.tokenReserve,
    r.onboardingTokens,
    paid.validatorTokensPaid,
    paid.phaseTwoEmission,
    paid.phaseOneEmission,
    up.reserveBuybackTokens,
  );
  r.supply = supply;
  r.dollarReserve = nextDollarReserve(r.dollarReserve, r.opsRevenue, up.reserveBuybackUsd);
  r.locked = r.locked - r.vested;
  r.minted += paid.phaseTwoEmission;
  r.staked += paid.phaseOneEmission;
  if (r.pool) topUpPool(fb, up.reserveBuybackTokens, up.reserveBuybackUsd);
}

/** The §7 row (the "record" step's order and checks): the first non-finite value stops the run, the row not kept. */
function record(r: Run): NonFiniteValueError | null {
  const { c, t, out } = r;
  const paid = r.paid;
  const up = r.topUp;
  const { jobs, demandForService: dfs, counts } = r;
  const days = c.days;
  const buyBacksUsd = r.usdBuybackCapital + up.reserveBuybackUsd;
  // v · 0 is 0 for every finite v and NaN otherwise (a sum that overflows only sends a finite
  // row down the exact path below): one test for the row, then the writes
  let chk =
    (r.income + r.opsRevenue + r.usdBuybackCapital + r.usdCapital + r.onboardingUsd) * 0 +
    (r.bondUsd + r.demand + r.price + r.buybackTokens + r.onboardingTokens + r.jobReward) * 0 +
    (paid.phaseOneEmission + paid.phaseTwoEmission + paid.validatorTokensPaid) * 0 +
    (paid.supplierTokensPaid + paid.tokensPaid + up.reserveBuybackUsd) * 0 +
    (up.reserveBuybackTokens + buyBacksUsd + paid.tokenShortfall + r.supply) * 0 +
    (r.tokenReserve + r.dollarReserve + r.locked + r.staked) * 0;
  for (let i = 0; i < jobs.length; i++) chk += jobs[i] * 0;
  for (let k = 0; k < counts.length; k++) chk += (dfs[k] + counts[k]) * 0;
  if (chk !== 0) return recordSlowly(r);
  out[t] = t;
  let at = t + days;
  out[at] = r.phase;
  out[(at += days)] = r.income;
  out[(at += days)] = r.opsRevenue;
  out[(at += days)] = r.usdBuybackCapital;
  out[(at += days)] = r.usdCapital;
  out[(at += days)] = r.onboardingUsd;
  out[(at += days)] = r.bondUsd;
  out[(at += days)] = r.demand;
  out[(at += days)] = r.price;
  out[(at += days)] = r.floored ? 1 : 0;
  out[(at += days)] = r.buybackTokens;
  out[(at += days)] = r.onboardingTokens;
  out[(at += days)] = r.jobReward;
  out[(at += days)] = paid.phaseOneEmission;
  out[(at += days)] = paid.phaseTwoEmission;
  out[(at += days)] = paid.validatorTokensPaid;
  out[(at += days)] = paid.supplierTokensPaid;
  out[(at += days)] = paid.tokensPaid;
  out[(at += days)] = up.reserveBuybackUsd;
  out[(at += days)] = up.reserveBuybackTokens;
  out[(at += days)] = buyBacksUsd;
  out[(at += days)] = paid.tokenShortfall;
  out[(at += days)] = r.supply;
  out[(at += days)] = r.tokenReserve;
  out[(at += days)] = r.dollarReserve;
  out[(at += days)] = r.locked;
  out[(at += days)] = r.staked;
  for (let i = 0; i < jobs.length; i++) out[(at += days)] = jobs[i];
  for (let k = 0; k < dfs.length; k++) out[(at += days)] = dfs[k];
  for (let k = 0; k < counts.length; k++) out[(at += days)] = counts[k];
  return null;
}

/** `record` when a value of the row is not finite: the record step's order, writing up to the first such column. */
function recordSlowly(r: Run): NonFiniteValueError | null {
  const { c, t, out, row } = r;
  const paid = r.paid;
  const up = r.topUp;
  row[0] = t;
  row[1] = r.phase;
  row[2] = r.income;
  row[3] = r.opsRevenue;
  row[4] = r.usdBuybackCapital;
  row[5] = r.usdCapital;
  row[6] = r.onboardingUsd;
  row[7] = r.bondUsd;
  row[8] = r.demand;
  row[9] = r.price;
  row[10] = r.floored ? 1 : 0;
  row[11] = r.buybackTokens;
  row[12] = r.onboardingTokens;
  row[13] = r.jobReward;
  row[14] = paid.phaseOneEmission;
  row[15] = paid.phaseTwoEmission;
  row[16] = paid.validatorTokensPaid;
  row[17] = paid.supplierTokensPaid;
  row[18] = paid.tokensPaid;
  row[19] = up.reserveBuybackUsd;
  row[20] = up.reserveBuybackTokens;
  row[21] = r.usdBuybackCapital + up.reserveBuybackUsd;
  row[22] = paid.tokenShortfall;
  row[23] = r.supply;
  row[24] = r.tokenReserve;
  row[25] = r.dollarReserve;
  row[26] = r.locked;
  row[27] = r.staked;
  copy(r.jobs, row, 28);
  copy(r.demandForService, row, 28 + c.nC);
  copy(r.counts, row, 28 + c.nC + c.nK);
  for (let col = 0; col < row.length; col++) {
    const v = row[col];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
    out[col * c.days + t] = v;
  }
  return null;
}

/** The feedback columns after the row ("recordFeedback"), every value finite. */
function recordFeedback(r: Run): NonFiniteValueError | null {
  const { c, t, out, fb } = r;
  if (fb.columnCount === 0) return null;
  const first = c.columns.length - fb.columnCount;
  if (writeFeedbackColumns(fb, t, first, out) === 0) return null;
  for (let col = first; col < c.columns.length; col++) {
    const v = out[col * c.days + t];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
  }
  return null;
}

/** I1–I3 (docs/model.md §2); with a pool, over the tokens outside it, then the pool's own accounts. */
function endOfDayInvariants(r: Run): SimulationFailure | null {
  const { t, fb } = r;
  const topUpUsd = r.topUp.reserveBuybackUsd;
  const outside = r.pool ? r.totalTokens - fb.poolTokens : r.totalTokens;
  const broken = checkInvariants(
    t,
    outside,
    r.supply,
    r.tokenReserve,
    r.locked,
    r.dollarBefore,
    r.dollarReserve,
    r.income,
    r.usdCapital,
    r.usdBuybackCapital,
    topUpUsd,
  );
  if (broken || !r.pool) return broken;
  return checkPoolInvariants(
    t,
    r.totalTokens,
    r.supply,
    r.tokenReserve,
    r.locked,
    fb.poolTokens,
    r.poolUsdAtOpen,
    fb.poolUsd,
    fb.market.buyUsd,
    fb.market.salesUsd,
    topUpUsd,
    fb.speculatorTokens,
  );
}

/** `to[at + i] = from[i]` (TypedArray.set is slow on arrays this small). */
function copy(from: Float64Array, to: Float64Array, at = 0): void {
  for (let i = 0; i < from.length; i++) to[at + i] = from[i];
}
