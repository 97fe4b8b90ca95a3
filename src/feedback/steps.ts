import type { Out } from "../mechanisms/out.js";
import type { Tokens, Usd, UsdPerToken } from "../units.js";
import { type AmmBatch, ammBatchInto, noAmmBatch } from "./ammBatch.js";
import { capacityServedJobs, entrantServiceUsd } from "./capacity.js";
import { type Churn, supplierChurnInto } from "./churn.js";
import { elasticJobs, elasticMultiplier } from "./demandElasticity.js";
import { queueSales, sellableTokensPaid, takeDueSales, tokensSold } from "./holderSales.js";
import { closedDaysMargin, supplierMargin } from "./margin.js";
import { type FeedbackPlan, feedbackColumnCount } from "./plan.js";
import { type SpeculatorOrder, speculatorOrderInto } from "./speculators.js";
import {
  incomePerSupplier,
  loneEntrantIncomeOf,
  type SupplierPayDay,
  supplierClassIncome,
} from "./supplierIncome.js";

/**
 * The feedback laws as steps of the day (docs/model-feedback.md, "one day, one order"): each
 * step reads and writes one run's `FeedbackState`, calls the law functions, and is called by
 * the day at its named place:
 *
 * - inputs: `elasticDemandStep` (E48) after the day's jobs are drawn;
 * - suppliers: `churnStep` (E41, E42) replaces dynamic classes' counts before E3/E4/E8 read them;
 * - demand and price: `marketStep` (E43, E44, E45) clears the day's orders on the pool;
 * - after payments: `economicsStep` (E40, E41) records margins and queues sales (E43).
 */
export interface FeedbackState {
  readonly plan: FeedbackPlan;
  /** Columns the plan adds (feedbackColumnCount). */
  readonly columnCount: number;
  /** Real-valued count of each dynamic class (E42). */
  readonly realCount: Float64Array;
  readonly entries: Float64Array;
  readonly exits: Float64Array;
  /** Margin per class and day, `k·days + t` (E41). */
  readonly marginHistory: Float64Array;
  readonly incomePerSupplier: Float64Array;
  readonly classIncome: Float64Array;
  /** E50 scratch (served ratio per class) and the day's lost jobs. */
  readonly capacityRatio: Float64Array;
  /** E50e per class: what one entrant of an empty class with a capacity would serve today (usd/day); set when the class is empty. */
  readonly entrantServiceUsd: Float64Array;
  jobsLost: number;
  readonly sellQueue: Float64Array;
  /** Each closed day's price, for speculators (E44). */
  readonly priceHistory: Float64Array;
  poolTokens: Tokens;
  poolUsd: Usd;
  /** The speculators' tokens (E44's book): `startingTokens` on day 0, updated by marketStep. */
  speculatorTokens: Tokens;
  /** Tokens holders offer today beyond E43's queue (a stress test's sell wave), taken by marketStep. */
  extraSell: Tokens;
  /** The day's market (E45), written by marketStep (one record per run, reused every day). */
  readonly market: Out<MarketDay>;
  /** Scratch records of E42, E44, E45 (allocation-free law forms). */
  readonly churn: Out<Churn>;
  readonly speculator: Out<SpeculatorOrder>;
  readonly batch: Out<AmmBatch>;
}

export interface MarketDay {
  readonly priceOfToken: UsdPerToken;
  readonly slippage: number;
  readonly tokensSold: Tokens;
  readonly salesUsd: Usd;
  readonly speculatorBuyUsd: Usd;
  /** Tokens that exchange, governance and speculative buyers keep (E47). */
  readonly tokensBoughtByHolders: Tokens;
  /** All USD that entered the pool today (before any top-up). */
  readonly buyUsd: Usd;
}

export function initialFeedbackState(plan: FeedbackPlan, nK: number): FeedbackState {
  const realCount = new Float64Array(nK);
  plan.suppliers?.dynamic.forEach((d, k) => {
    if (d) realCount[k] = d.start;
  });
  return {
    plan,
    columnCount: feedbackColumnCount(plan),
    realCount,
    entries: new Float64Array(nK),
    exits: new Float64Array(nK),
    marginHistory: new Float64Array(nK * plan.days),
    incomePerSupplier: new Float64Array(nK),
    classIncome: new Float64Array(nK),
    capacityRatio: new Float64Array(nK),
    entrantServiceUsd: new Float64Array(nK),
    jobsLost: 0,
    sellQueue: new Float64Array((plan.sales?.sellOverDays ?? 0) + 1),
    priceHistory: new Float64Array(plan.days),
    poolTokens: plan.amm?.poolTokens ?? 0,
    poolUsd: plan.amm?.poolUsd ?? 0,
    speculatorTokens: plan.speculators?.startingTokens ?? 0,
    extraSell: 0,
    market: {
      priceOfToken: 0,
      slippage: 0,
      tokensSold: 0,
      salesUsd: 0,
      speculatorBuyUsd: 0,
      tokensBoughtByHolders: 0,
      buyUsd: 0,
    },
    churn: { entries: 0, exits: 0, count: 0 },
    speculator: { buyUsd: 0, sellTokens: 0 },
    batch: noAmmBatch(),
  };
}

/**
 * `fb` back to `initialFeedbackState(fb.plan, …)`'s values, its arrays reused (a fused kernel
 * keeps one state from run to run).
 */
export function resetFeedbackState(fb: FeedbackState): void {
  const plan = fb.plan;
  fb.realCount.fill(0);
  plan.suppliers?.dynamic.forEach((d, k) => {
    if (d) fb.realCount[k] = d.start;
  });
  for (const a of [fb.entries, fb.exits, fb.marginHistory, fb.incomePerSupplier, fb.classIncome])
    a.fill(0);
  fb.capacityRatio.fill(0);
  fb.entrantServiceUsd.fill(0);
  fb.sellQueue.fill(0);
  fb.priceHistory.fill(0);
  fb.jobsLost = 0;
  fb.poolTokens = plan.amm?.poolTokens ?? 0;
  fb.poolUsd = plan.amm?.poolUsd ?? 0;
  fb.speculatorTokens = plan.speculators?.startingTokens ?? 0;
  fb.extraSell = 0;
  const m = fb.market;
  m.priceOfToken = 0;
  m.slippage = 0;
  m.tokensSold = 0;
  m.salesUsd = 0;
  m.speculatorBuyUsd = 0;
  m.tokensBoughtByHolders = 0;
  m.buyUsd = 0;
}

/** Circulating supply on day 0 with a pool: its tokens come out of initialSupply (E45). */
export function supplyAfterPool(plan: FeedbackPlan | null, initialSupply: Tokens): Tokens {
  return plan?.amm ? initialSupply - plan.amm.poolTokens : initialSupply;
}

/** Inputs step, E48: each consumer type's jobs against its reference cloud price. */
export function elasticDemandStep(
  fb: FeedbackState,
  t: number,
  jobs: Float64Array,
  jobPrice: Float64Array,
): void {
  const c = fb.plan.consumers;
  if (!c) return;
  const days = fb.plan.days;
  for (let i = 0; i < jobs.length; i++)
    jobs[i] = elasticJobs(
      jobs[i],
      jobPrice[i],
      c.referencePrice[i * days + t],
      c.elasticity[i],
      c.maxMultiplier[i],
    );
}

/**
 * E48's factors tabulated, `table[i·days + t] = elasticMultiplier(jobPrice[i], referencePrice[i][t], …)`,
 * for a fused kernel: `jobs[i] · table[i·days + t]` is exactly `elasticJobs` (the factor depends
 * on nothing a run changes). Null when the plan has no consumer block.
 */
export function elasticMultiplierTable(
  plan: FeedbackPlan,
  jobPrice: Float64Array,
): Float64Array | null {
  const c = plan.consumers;
  if (!c) return null;
  const days = plan.days;
  const table = new Float64Array(jobPrice.length * days);
  for (let i = 0; i < jobPrice.length; i++)
    for (let t = 0; t < days; t++)
      table[i * days + t] = elasticMultiplier(
        jobPrice[i],
        c.referencePrice[i * days + t],
        c.elasticity[i],
        c.maxMultiplier[i],
      );
  return table;
}

/**
 * Suppliers step, E41–E42: each dynamic class moves by its churn on the lagged margin; today's
 * count of the class becomes `floor(realCount + 1e-9)`, which E3, E4 and E8 read (docs/model.md §3).
 */
export function churnStep(fb: FeedbackState, t: number, counts: Float64Array): void {
  const p = fb.plan.suppliers;
  if (!p) return;
  const days = fb.plan.days;
  for (let k = 0; k < counts.length; k++) {
    const d = p.dynamic[k];
    if (!d) continue;
    const c = fb.churn;
    // no closed day yet (t = 0; lagDays ≥ 1 by the schema): nothing moves (laggedMargin's null)
    if (t === 0) {
      c.entries = 0;
      c.exits = 0;
      c.count = fb.realCount[k];
    } else
      supplierChurnInto(
        c,
        fb.realCount[k],
        closedDaysMargin(fb.marginHistory, t, p.lagDays, k * days),
        d.churn,
      );
    fb.entries[k] = c.entries;
    fb.exits[k] = c.exits;
    fb.realCount[k] = c.count;
    counts[k] = Math.floor(c.count + 1e-9);
  }
}

/**
 * After churn, before income: E50, jobs beyond the classes' capacity are lost; first, for each
 * empty class with a capacity, E50e on the day's demand before it is cut.
 */
export function capacityStep(
  fb: FeedbackState,
  jobs: Float64Array,
  jobPrice: Float64Array,
  priceMatrix: Float64Array,
  counts: Float64Array,
): void {
  const cap = fb.plan.suppliers?.jobsPerSupplierPerDay;
  if (!cap) return;
  const nK = counts.length;
  for (let k = 0; k < nK; k++)
    if (counts[k] === 0 && !Number.isNaN(cap[k]))
      fb.entrantServiceUsd[k] = entrantServiceUsd(jobs, jobPrice, priceMatrix, nK, k, cap[k]);
  fb.jobsLost = capacityServedJobs(jobs, priceMatrix, counts, cap, fb.capacityRatio);
}

/** The USD orders of step 7 (E10's demand items) and what the pool needs to clear them. */
export interface DayOrders {
  readonly consumerSentiment: Usd;
  readonly onboardingUsd: Usd;
  readonly supplierBondUsd: Usd;
  readonly usdBuybackCapital: Usd;
  readonly governanceValue: Usd;
  readonly buybackPremium: number;
  /**
   * What holders can sell at most: the start-of-day circulating supply less the staked phase-one
   * emission (E3; in marketplace mode less the bonds outstanding too).
   */
  readonly supply: Tokens;
}

/**
 * Demand-and-price step with a pool, E43–E45: the sales due today (E43) and the speculators'
 * order (E44, a sale at most their tokens) join step 7's buys in one batch on the pool (E45);
 * its clearing price is the day's `priceOfToken`. Holders sell at most the start-of-day supply,
 * the speculators' tokens first when that binds; the speculators' book then gains their buy at
 * the clearing price and loses what they sold.
 */
export function marketStep(fb: FeedbackState, t: number, o: DayOrders): MarketDay {
  const p = fb.plan;
  const due = p.sales ? takeDueSales(fb.sellQueue, t) : 0;
  const spec = fb.speculator;
  const sp = p.speculators;
  if (sp && t - 1 - sp.momentumDays >= 0)
    speculatorOrderInto(
      spec,
      fb.priceHistory[t - 1],
      fb.priceHistory[t - 1 - sp.momentumDays],
      sp.sensitivity,
      sp.capitalUsd,
      fb.speculatorTokens,
    );
  else {
    spec.buyUsd = 0;
    spec.sellTokens = 0;
  }
  const sold = tokensSold(o.supply, due, spec.sellTokens, fb.extraSell, fb.speculatorTokens);
  // the speculators' tokens first when the supply binds (tokensSold)
  const specSold = Math.min(spec.sellTokens, sold);
  fb.extraSell = 0;
  // bonds (E9) are bought, escrowed and returned within the day in aggregate mode: their round
  // trip crosses itself in the batch, so they move neither the pool nor the price (E45)
  const holdersUsd = o.consumerSentiment + o.governanceValue + spec.buyUsd;
  const buyUsd = holdersUsd + o.onboardingUsd + o.usdBuybackCapital;
  const claimUsd = holdersUsd + o.onboardingUsd + o.usdBuybackCapital / (1 + o.buybackPremium);
  const b = fb.batch;
  ammBatchInto(b, fb.poolTokens, fb.poolUsd, buyUsd, claimUsd, sold);
  fb.poolTokens = b.poolTokens;
  fb.poolUsd = b.poolUsd;
  // their buy is part of C and takes tokens at the batch's one price (E45)
  if (sp) fb.speculatorTokens += spec.buyUsd / b.price - specSold;
  const m = fb.market;
  m.priceOfToken = b.price;
  m.slippage = b.slippage;
  m.tokensSold = sold;
  m.salesUsd = b.usdToSellers;
  m.speculatorBuyUsd = spec.buyUsd;
  m.tokensBoughtByHolders = holdersUsd / b.price;
  m.buyUsd = buyUsd;
  return m;
}

/**
 * After payments, E40–E41 and E43: each class's income and margin of the day (recorded for the
 * lag) and the day's paid tokens that holders can move queued for sale (`sellableTokensPaid`:
 * `supplierTokensPaid` less the staked phase-one emission, plus the stake released today). An
 * empty class (whole count 0) reports E40e, what one entrant would have earned: the work E50e
 * says it could serve when the class has a capacity, else the class's served demand (nothing
 * limits an entrant's service).
 */
export function economicsStep(
  fb: FeedbackState,
  t: number,
  pay: SupplierPayDay,
  supplierTokensPaid: Tokens,
  stakeReleased: Tokens,
): void {
  fb.priceHistory[t] = pay.priceOfToken;
  const s = fb.plan.sales;
  if (s)
    queueSales(
      fb.sellQueue,
      t,
      sellableTokensPaid(
        supplierTokensPaid,
        pay.phaseOneEmission,
        pay.validatorTokensPaid,
        s.validatorsSell,
        stakeReleased,
      ),
      s.sellShare,
      s.sellOverDays,
    );
  const p = fb.plan.suppliers;
  if (!p) return;
  supplierClassIncome(pay, fb.classIncome);
  const days = fb.plan.days;
  const cap = p.jobsPerSupplierPerDay;
  for (const k of p.classes) {
    const perSupplier =
      pay.supplierCount[k] === 0
        ? loneEntrantIncomeOf(
            pay,
            k,
            cap && !Number.isNaN(cap[k]) ? fb.entrantServiceUsd[k] : pay.usdDemandForService[k],
          )
        : incomePerSupplier(fb.classIncome[k], pay.supplierCount[k]);
    fb.incomePerSupplier[k] = perSupplier;
    fb.marginHistory[k * days + t] = supplierMargin(perSupplier, p.costPerDay[k]);
  }
}

/**
 * The day's feedback columns (plan.ts `feedbackColumnNames` order), written at `out[col·days + t]`.
 * Returns `Σ v · 0` over the values written: 0 when every one is finite, NaN otherwise (the
 * caller then looks for the first non-finite column).
 */
export function writeFeedbackColumns(
  fb: FeedbackState,
  t: number,
  firstColumn: number,
  out: Float64Array,
): number {
  let chk = 0;
  const p = fb.plan;
  const days = p.days;
  let at = firstColumn * days + t;
  const s = p.suppliers;
  if (s) {
    for (const k of s.classes) {
      const v = fb.incomePerSupplier[k];
      out[at] = v;
      chk += v * 0;
      at += days;
    }
    for (const k of s.classes) {
      const v = fb.marginHistory[k * days + t];
      out[at] = v;
      chk += v * 0;
      at += days;
    }
    for (const k of s.dynamicClasses) {
      const v = fb.entries[k];
      out[at] = v;
      chk += v * 0;
      at += days;
    }
    for (const k of s.dynamicClasses) {
      const v = fb.exits[k];
      out[at] = v;
      chk += v * 0;
      at += days;
    }
    if (s.jobsPerSupplierPerDay) {
      out[at] = fb.jobsLost;
      chk += fb.jobsLost * 0;
      at += days;
    }
  }
  if (p.amm) {
    const m = fb.market;
    out[at] = fb.poolTokens;
    out[at + days] = fb.poolUsd;
    out[at + 2 * days] = m.slippage;
    out[at + 3 * days] = m.tokensSold;
    out[at + 4 * days] = m.salesUsd;
    out[at + 5 * days] = m.speculatorBuyUsd;
    out[at + 6 * days] = m.tokensBoughtByHolders;
    chk +=
      (fb.poolTokens + fb.poolUsd + m.slippage + m.tokensSold + m.salesUsd) * 0 +
      (m.speculatorBuyUsd + m.tokensBoughtByHolders) * 0;
    if (p.speculators) {
      out[at + 7 * days] = fb.speculatorTokens;
      chk += fb.speculatorTokens * 0;
    }
  }
  return chk;
}
