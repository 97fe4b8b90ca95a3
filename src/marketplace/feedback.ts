import { composeDay, type DayStep, ONCHAIN, runDays, type StepInsertion } from "../day/sequence.js";
import type { CompiledScenario } from "../engine/compile.js";
import { NonFiniteValueError } from "../engine/outcome.js";
import { nextSupplyWithPool, poolAfterTopUp } from "../feedback/ammBalances.js";
import { ammReserveTopUp } from "../feedback/ammTopUp.js";
import { marketEntrantServiceUsd } from "../feedback/capacity.js";
import { supplierChurn } from "../feedback/churn.js";
import { invariantsWithPool, priceOnPool, supplierPayDay } from "../feedback/day.js";
import { elasticJobs, queueLossJobs } from "../feedback/demandElasticity.js";
import { queueSales, sellableTokensPaid } from "../feedback/holderSales.js";
import { laggedMargin, supplierMargin } from "../feedback/margin.js";
import type { FeedbackPlan } from "../feedback/plan.js";
import { feedbackPlanOf } from "../feedback/run.js";
import {
  type FeedbackState,
  initialFeedbackState,
  writeFeedbackColumns,
} from "../feedback/steps.js";
import { incomePerSupplier, loneEntrantIncomeOf } from "../feedback/supplierIncome.js";
import { leastProfitableFirst, supplierDayIncome } from "../feedback/supplierMarket.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { drained } from "../mechanisms/withdrawal.js";
import { createMarketContext, type MarketContext } from "./context.js";
import { MARKET_DAY, type MarketOptions, type MarketOutcome } from "./day.js";
import { grow } from "./grow.js";
import { escrowInvariants, marketplaceResult } from "./record.js";
import { earmarkBuybacks, postBonds } from "./scheduling.js";
import { marketUpdate, refund } from "./settlement.js";
import { activateSuppliers, drawInputs } from "./submission.js";

/**
 * Marketplace mode with the scenario's feedback block (issue 13, docs/model-feedback.md,
 * "Marketplace mode"): the same laws (src/feedback/) on individual suppliers, tasks and queues.
 */
export interface MarketFeedbackContext extends MarketContext {
  readonly fb: FeedbackState;
  supplyAtOpen: number;
  poolUsdAtOpen: number;
  readonly mf: MarketFeedbackState;
}

/** What marketplace feedback keeps beyond the aggregate FeedbackState. */
export interface MarketFeedbackState {
  /** Per supplier: cumulative usd, tokens and work value at the last economics step. */
  lastUsd: Float64Array;
  lastTokens: Float64Array;
  lastWork: Float64Array;
  /** Per supplier: income of the last lagDays days, `s·lag + (day mod lag)` (E40m, usd/day). */
  incomeRing: Float64Array;
  readonly lag: number;
  /** Per consumer type: share of its tasks expired yesterday (E49). */
  readonly expiredShare: Float64Array;
  /** Jobs kept away today by E49 (fractional, jobs/day). */
  jobsLostToQueues: number;
  /** Per consumer type: today's draw after E48, before E49 (jobs/day), for E50e. */
  readonly demandJobs: Float64Array;
  /** Whether the table has the jobsLostToQueues column. */
  readonly queueColumn: boolean;
}

type Run = (m: MarketFeedbackContext) => ReturnType<DayStep["run"]>;
const step = (name: string, run: Run): DayStep<MarketFeedbackContext> => ({ name, run });

/** One supplier's lagged margin (E41) over its own closed days in the window, for who leaves first. */
function ownLaggedMargin(m: MarketFeedbackContext, s: number, cost: number): number {
  const { t, mf, supplierTable: st } = m;
  const from = Math.max(st.joinDay[s], t - mf.lag);
  if (from >= t) return supplierMargin(0, cost);
  let sum = 0;
  for (let d = from; d < t; d++) sum += mf.incomeRing[s * mf.lag + (d % mf.lag)];
  return supplierMargin(sum / (t - from), cost);
}

/**
 * Inputs with feedback (replaces "inputs"): each consumer type's draw responds to price (E48)
 * and to yesterday's expiries (E49) before it is made whole; each dynamic class moves by E42 on
 * its lagged class margin, the least profitable members leaving first and entrants joining as
 * new suppliers; then the active suppliers are set as in plain marketplace mode.
 */
const feedbackInputs = step("inputs", (m) => {
  const { c, t, fb, mf, day, state } = m;
  const consumers = fb.plan.consumers;
  const days = fb.plan.days;
  mf.jobsLostToQueues = 0;
  drawInputs(
    m,
    consumers
      ? (i, drawn) => {
          const priced = elasticJobs(
            drawn,
            c.jobPrice[i],
            consumers.referencePrice[i * days + t],
            consumers.elasticity[i],
            consumers.maxMultiplier[i],
          );
          mf.demandJobs[i] = priced;
          const kept = queueLossJobs(priced, mf.expiredShare[i], consumers.queueLossSensitivity[i]);
          mf.jobsLostToQueues += priced - kept;
          return kept;
        }
      : (i, drawn) => {
          mf.demandJobs[i] = drawn;
          return drawn;
        },
  );
  churn(m);
  if (t === 0) state.yesterdayCounts.set(day.counts);
  activateSuppliers(m);
  return undefined;
});

/** E41–E42 per dynamic class; the whole count falls by departures of the least profitable. */
function churn(m: MarketFeedbackContext): void {
  const { t, fb, day, supplierTable: st, sched } = m;
  const p = fb.plan.suppliers;
  if (!p) return;
  const days = fb.plan.days;
  p.dynamic.forEach((d, k) => {
    if (!d) return;
    const mean = t === 0 ? null : laggedMargin(fb.marginHistory, t, p.lagDays, k * days);
    const ch = supplierChurn(fb.realCount[k], mean, d.churn);
    fb.entries[k] = ch.entries;
    fb.exits[k] = ch.exits;
    fb.realCount[k] = ch.count;
    day.counts[k] = Math.floor(ch.count + 1e-9);
    const leaving = st.active[k] - day.counts[k];
    if (leaving <= 0) return;
    const cost = p.costPerDay[k];
    const out = leastProfitableFirst(
      st.members[k].subarray(0, st.active[k]),
      (s) => ownLaggedMargin(m, s, cost),
      leaving,
    );
    st.depart(k, out, t, sched);
  });
}

/**
 * After "payouts": E43's sell queue; each supplier's income of the day (E40m) from what it was
 * paid; each class's income over its active members, per supplier and margin (E40, E41); the
 * share of each consumer type's tasks that expired today, for tomorrow's E49.
 */
const economics = step("economics", (m) => {
  const { t, fb, day } = m;
  fb.priceHistory[t] = day.price.priceOfToken;
  const s = fb.plan.sales;
  if (s)
    queueSales(
      fb.sellQueue,
      t,
      sellableTokensPaid(
        day.supplierTokensPaid,
        day.paid.phaseOneEmission,
        day.paid.validatorTokensPaid,
        s.validatorsSell,
        day.stakeReleased,
      ),
      s.sellShare,
      s.sellOverDays,
    );
  if (fb.plan.suppliers) supplierIncomes(m, fb.plan.suppliers);
  expiredShares(m);
  return undefined;
});

function supplierIncomes(m: MarketFeedbackContext, p: NonNullable<FeedbackPlan["suppliers"]>) {
  const { t, fb, mf, day, supplierTable: st } = m;
  const n = st.n;
  if (mf.lastUsd.length < n) {
    mf.lastUsd = grow(mf.lastUsd, n);
    mf.lastTokens = grow(mf.lastTokens, n);
    mf.lastWork = grow(mf.lastWork, n);
  }
  mf.incomeRing = grow(mf.incomeRing, n * mf.lag);
  let totalWork = 0;
  for (let s = 0; s < n; s++) totalWork += st.workUsd[s] - mf.lastWork[s];
  const validator = p.validatorsAreSuppliers ? day.paid.validatorTokensPaid : 0;
  const price = day.price.priceOfToken;
  for (let s = 0; s < n; s++) {
    const income = supplierDayIncome(
      st.usd[s] - mf.lastUsd[s],
      st.tokens[s] - mf.lastTokens[s],
      price,
      st.workUsd[s] - mf.lastWork[s],
      totalWork,
      validator,
    );
    mf.incomeRing[s * mf.lag + (t % mf.lag)] = income;
    mf.lastUsd[s] = st.usd[s];
    mf.lastTokens[s] = st.tokens[s];
    mf.lastWork[s] = st.workUsd[s];
  }
  const days = fb.plan.days;
  for (const k of p.classes) {
    let classIncome = 0;
    for (let j = 0; j < st.active[k]; j++)
      classIncome += mf.incomeRing[st.members[k][j] * mf.lag + (t % mf.lag)];
    fb.classIncome[k] = classIncome;
    const perSupplier =
      day.counts[k] === 0
        ? loneEntrantIncomeOf(supplierPayDay(m, p.validatorsAreSuppliers), k, entrantService(m, k))
        : incomePerSupplier(classIncome, day.counts[k]);
    fb.incomePerSupplier[k] = perSupplier;
    fb.marginHistory[k * days + t] = supplierMargin(perSupplier, p.costPerDay[k]);
  }
}

/** E50e in marketplace mode for empty class k: one entrant's capacity against today's draw. */
function entrantService({ c, mf, mk }: MarketFeedbackContext, k: number): number {
  return marketEntrantServiceUsd(
    mf.demandJobs,
    c.jobPrice,
    c.priceMatrix,
    c.nK,
    k,
    mk.capacity[k],
    mk.durationDays,
  );
}

/** E49's input: per consumer type, tasks expired today / (tasks validated + expired today). */
function expiredShares({ c, mf, tasks: tk, today }: MarketFeedbackContext): void {
  const expired = mf.expiredShare;
  expired.fill(0);
  for (let e = 0; e < today.nExpired; e++) expired[tk.consumer[today.expired[e]]]++;
  for (let i = 0; i < c.nC; i++) {
    let validated = 0;
    for (let k = 0; k < c.nK; k++) validated += today.validatedTasks[i * c.nK + k];
    const settled = expired[i] + validated;
    expired[i] = settled > 0 ? expired[i] / settled : 0;
  }
}

/** Price with a pool (replaces "price"): E43–E45 as aggregate mode; bonds outstanding are not for sale. */
const priceWithBonds = step("price", (m) =>
  priceOnPool(m, m.state.supply - m.state.stakedTokens - m.bondedTokens),
);

/**
 * Burn with a pool (replaces "burn"): bonds posted from the free circulating tokens (the supply
 * at open less today's sales and the bonds outstanding), earmarks as plain marketplace mode;
 * E11a/E11b's tokens come from the pool.
 */
const burnFromPool = step("burn", (m) => {
  const { day, fb } = m;
  postBonds(m, m.supplyAtOpen - fb.market.tokensSold - m.bondedTokens);
  day.buybackTokens = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
  day.onboardingTokens = onboardingTokens(day.onboardingUsd, day.price.priceOfToken);
  earmarkBuybacks(m, day.buybackTokens);
  return undefined;
});

/** Refunds, then E46 (replaces "topUp"): the reserve's top-up bought from the pool. */
const topUpFromPool = step("topUp", (m) => {
  const { c, fb, day, today, onchain } = m;
  const freeAfterPay = refund(m);
  day.topUp = ammReserveTopUp(
    freeAfterPay,
    c.initialTokenReserve,
    onchain[ONCHAIN.lowerTokenReserveLimit],
    onchain[ONCHAIN.tokenReserveRestoreLevel],
    fb.poolTokens,
    fb.poolUsd,
    today.cashLeft,
  );
  // marketUpdate's supply is replaced by E47 below; the top-up's tokens come from the pool
  today.circulating = day.topUp.reserveBuybackTokens;
  return undefined;
});

/**
 * Update with a pool (replaces "update"): the reserves and escrows as plain marketplace mode;
 * supply by E47, where the tokens that reach holders from the reserve are the released earmarks
 * net of confiscated bonds; the pool after the top-up.
 */
const updateWithPool = step("update", (m) => {
  const { fb, day, state, today } = m;
  marketUpdate(m);
  const { paid } = day;
  state.supply = drained(
    nextSupplyWithPool(
      m.supplyAtOpen,
      paid.validatorTokensPaid,
      paid.phaseOneEmission,
      paid.phaseTwoEmission,
      today.released - today.confiscated,
      fb.market.tokensBoughtByHolders,
      fb.market.tokensSold,
      day.vested,
    ),
    m.totalTokens,
  );
  const pool = poolAfterTopUp(
    fb.poolTokens,
    fb.poolUsd,
    day.topUp.reserveBuybackTokens,
    day.topUp.reserveBuybackUsd,
  );
  fb.poolTokens = pool.poolTokens;
  fb.poolUsd = pool.poolUsd;
  return undefined;
});

/** I1–I3 with the pool as an account, and the escrows (replaces "invariants"). */
const invariantsWithPoolAndEscrows = step(
  "invariants",
  (m) => invariantsWithPool.run(m) ?? escrowInvariants(m),
);

/** After "record": the feedback columns (plan.ts order), then jobsLostToQueues; every value finite. */
const recordFeedback = step("recordFeedback", ({ fb, mf, t, c, out }) => {
  const extra = mf.queueColumn ? 1 : 0;
  const first = c.columns.length - fb.columnCount - extra;
  writeFeedbackColumns(fb, t, first, out);
  if (mf.queueColumn) out[(c.columns.length - 1) * c.days + t] = mf.jobsLostToQueues;
  for (let col = first; col < c.columns.length; col++) {
    const v = out[col * c.days + t];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
  }
  return undefined;
});

/**
 * Marketplace mode's day with the scenario's feedback: "inputs" with E48, E49 and E42; after
 * "payouts" E40m–E41 and E43's queue; after "record" the feedback columns; with a pool, "price"
 * (E43–E45, the aggregate step itself), "burn", "topUp", "update" and "invariants" in their pool
 * forms (E45–E47). `extensions` are inserted after these.
 */
export function marketFeedbackDay(
  plan: FeedbackPlan,
  extensions: readonly StepInsertion[] = [],
): DayStep<MarketFeedbackContext>[] {
  const replaced: Record<string, DayStep<MarketFeedbackContext>> = {
    inputs: feedbackInputs,
    ...(plan.amm
      ? {
          price: priceWithBonds,
          burn: burnFromPool,
          topUp: topUpFromPool,
          update: updateWithPool,
          invariants: invariantsWithPoolAndEscrows,
        }
      : {}),
  };
  const base = MARKET_DAY.map((s) => replaced[s.name] ?? (s as DayStep<MarketFeedbackContext>));
  const asStep = (s: DayStep<MarketFeedbackContext>) => s as unknown as DayStep;
  return composeDay(base, [
    { after: "payouts", step: asStep(economics) },
    { after: "record", step: asStep(recordFeedback) },
    ...extensions,
  ]);
}

/** Run marketplace mode with the scenario's feedback block. */
export function runMarketFeedback(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  options: MarketOptions = {},
): MarketOutcome {
  const plan = feedbackPlanOf(c);
  const base = createMarketContext(c, seed, run, out, options.referenceScheduler ?? false);
  if (plan.amm) base.state.supply = c.initialSupply - plan.amm.poolTokens;
  const lag = plan.suppliers?.lagDays ?? 1;
  const m: MarketFeedbackContext = {
    ...base,
    fb: initialFeedbackState(plan, c.nK),
    supplyAtOpen: base.state.supply,
    poolUsdAtOpen: plan.amm?.poolUsd ?? 0,
    mf: {
      lastUsd: new Float64Array(16),
      lastTokens: new Float64Array(16),
      lastWork: new Float64Array(16),
      incomeRing: new Float64Array(16 * lag),
      lag,
      expiredShare: new Float64Array(c.nC),
      jobsLostToQueues: 0,
      demandJobs: new Float64Array(c.nC),
      queueColumn: c.columns[c.columns.length - 1] === "jobsLostToQueues",
    },
  };
  const { daysCompleted, error } = runDays(m, marketFeedbackDay(plan, options.extensions));
  return { daysCompleted, error, marketplace: marketplaceResult(m, daysCompleted) };
}
