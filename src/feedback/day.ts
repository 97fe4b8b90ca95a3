import {
  composeDay,
  type DayContext,
  type DayStep,
  initialContext,
  ONCHAIN,
  runDays,
  type StepInsertion,
} from "../day/sequence.js";
import { AGGREGATE_DAY, invariants, update } from "../day/steps.js";
import type { CompiledScenario } from "../engine/compile.js";
import { type KernelOutcome, NonFiniteValueError } from "../engine/outcome.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { tokenDemand } from "../mechanisms/tokenPrice.js";
import { seedStreams } from "../random/streams.js";
import { nextSupplyWithPool, poolAfterTopUp } from "./ammBalances.js";
import { ammReserveTopUp } from "./ammTopUp.js";
import { compileFeedback, type FeedbackPlan } from "./plan.js";
import { checkPoolInvariants } from "./poolInvariants.js";
import {
  capacityStep,
  churnStep,
  economicsStep,
  elasticDemandStep,
  type FeedbackState,
  initialFeedbackState,
  marketStep,
  writeFeedbackColumns,
} from "./steps.js";
import { phaseOneSlotTokens, type SupplierPayDay } from "./supplierIncome.js";

/** The day's context with the run's feedback state (issue 13). */
export interface FeedbackContext extends DayContext {
  readonly fb: FeedbackState;
  /** Supply and pool dollars at the start of the day (E47, pool I2). */
  supplyAtOpen: number;
  poolUsdAtOpen: number;
}

type Run = (ctx: FeedbackContext) => ReturnType<DayStep["run"]>;
const step = (name: string, run: Run): DayStep<FeedbackContext> => ({ name, run });

/** Inputs (after "inputs"): E48 price-elastic jobs. */
const elasticDemand = step("elasticDemand", ({ fb, t, day, c }) => {
  elasticDemandStep(fb, t, day.jobs, c.jobPrice);
  return undefined;
});

/** Suppliers (after "inputs", before "suppliers" reads the counts): E41–E42 churn of dynamic classes. */
const churn = step("churn", ({ fb, t, day, state }) => {
  churnStep(fb, t, day.counts);
  if (t === 0) state.yesterdayCounts.set(day.counts);
  return undefined;
});

/** Last before "income" (after churn and any inserted shock): E50 capacity. */
const capacity = step("capacity", ({ fb, day, c }) => {
  capacityStep(fb, day.jobs, c.jobPrice, c.priceMatrix, day.counts);
  return undefined;
});

/** Demand and price with a pool (replaces "price"): E10's demand items, sales and speculators clear on the pool (E43–E45). */
export const market = step("price", (ctx) =>
  priceOnPool(ctx, ctx.state.supply - ctx.state.stakedTokens),
);

/**
 * The "price" step with a pool, holders selling at most `sellable` tokens (the start-of-day
 * supply less the staked phase-one emission, E3; in marketplace mode less the bonds outstanding
 * too: neither is for sale).
 */
export function priceOnPool(ctx: FeedbackContext, sellable: number): undefined {
  const { fb, t, day, state, onchain } = ctx;
  ctx.supplyAtOpen = state.supply;
  ctx.poolUsdAtOpen = fb.poolUsd;
  day.demand = tokenDemand(
    day.sentiment,
    day.onboardingUsd,
    day.supplierBondUsd,
    day.split.usdBuybackCapital,
    day.governance,
  );
  const premium = onchain[ONCHAIN.buybackPremium];
  const m = marketStep(fb, t, {
    consumerSentiment: day.sentiment,
    onboardingUsd: day.onboardingUsd,
    supplierBondUsd: day.supplierBondUsd,
    usdBuybackCapital: day.split.usdBuybackCapital,
    governanceValue: day.governance,
    buybackPremium: premium,
    supply: sellable,
  });
  day.price = {
    priceOfToken: m.priceOfToken,
    priceFloored: false,
    buybackPrice: m.priceOfToken * (1 + premium),
  };
  return undefined;
}

/** Burn with a pool (replaces "burn"): E11a/E11b, the tokens come from the pool, not from circulation. */
const burnFromPool = step("burn", ({ day }) => {
  day.buybackTokens = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
  day.onboardingTokens = onboardingTokens(day.onboardingUsd, day.price.priceOfToken);
  return undefined;
});

/** Top-up with a pool (replaces "topUp"): E46. */
const topUpFromPool = step("topUp", ({ c, fb, day, state, onchain }) => {
  const { paid } = day;
  const reserveAfterPay =
    state.tokenReserve +
    day.onboardingTokens -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission;
  day.topUp = ammReserveTopUp(
    reserveAfterPay,
    c.initialTokenReserve,
    onchain[ONCHAIN.lowerTokenReserveLimit],
    onchain[ONCHAIN.tokenReserveRestoreLevel],
    fb.poolTokens,
    fb.poolUsd,
    state.dollarReserve + day.split.opsRevenue,
  );
  return undefined;
});

/** Update with a pool (replaces "update"): E18, E19, E17b as docs/model.md; supply by E47; the pool after the top-up. */
const updateWithPool = step("update", (ctx) => {
  const error = update(ctx);
  if (error) return error;
  const { fb, day, state } = ctx;
  const { paid } = day;
  state.supply = nextSupplyWithPool(
    ctx.supplyAtOpen,
    paid.validatorTokensPaid,
    paid.phaseOneEmission,
    paid.phaseTwoEmission,
    day.buybackTokens,
    fb.market.tokensBoughtByHolders,
    fb.market.tokensSold,
    day.vested,
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

/**
 * What the day paid suppliers, as E40 reads it (src/feedback/supplierIncome.ts), from the day's
 * state after "payouts": the aggregate day's, and the marketplace's (submission-day income,
 * split and buyback; the validation day's emissions and validator pay) for an empty class's E40e.
 */
export function supplierPayDay(
  { c, day, state, onchain }: Pick<DayContext, "c" | "day" | "state" | "onchain">,
  validatorsAreSuppliers: boolean,
): SupplierPayDay {
  return {
    usdDemandForService: day.demandForService,
    income: day.income,
    usdCapital: day.split.usdCapital,
    buybackTokens: day.buybackTokens,
    phaseOneEmission: day.paid.phaseOneEmission,
    phaseTwoEmission: day.paid.phaseTwoEmission,
    validatorTokensPaid: day.paid.validatorTokensPaid,
    priceOfToken: day.price.priceOfToken,
    supplierCount: day.counts,
    phaseOneTarget: c.phaseOneTarget,
    phaseOneSlotTokens: phaseOneSlotTokens(
      c.phaseOneTokensForProject,
      c.phaseOneDays,
      c.phaseOneTarget,
      state.phase,
    ),
    validatorsAreSuppliers,
    onchain,
  };
}

/** After "payouts": E40–E41 margins and E43's sell queue. */
const economics = step("economics", (ctx) => {
  economicsStep(
    ctx.fb,
    ctx.t,
    supplierPayDay(ctx, ctx.fb.plan.suppliers?.validatorsAreSuppliers ?? false),
    ctx.day.supplierTokensPaid,
    ctx.day.stakeReleased,
  );
  return undefined;
});

/** After "record": the feedback columns (plan.ts order), every value finite. */
const recordFeedback = step("recordFeedback", ({ fb, t, c, out }) => {
  const first = c.columns.length - fb.columnCount;
  writeFeedbackColumns(fb, t, first, out);
  for (let col = first; col < c.columns.length; col++) {
    const v = out[col * c.days + t];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
  }
  return undefined;
});

/** I1–I3 with the pool as an account (replaces "invariants"). */
export const invariantsWithPool = step("invariants", (ctx) => {
  const { fb, t, state, day } = ctx;
  // I1–I3 of the plain day over the tokens outside the pool, then the pool's own accounts
  const error = invariants({ ...ctx, totalTokens: ctx.totalTokens - fb.poolTokens });
  if (error) return error;
  return (
    checkPoolInvariants(
      t,
      ctx.totalTokens,
      state.supply,
      state.tokenReserve,
      state.lockedAllocations,
      fb.poolTokens,
      ctx.poolUsdAtOpen,
      fb.poolUsd,
      fb.market.buyUsd,
      fb.market.salesUsd,
      day.topUp.reserveBuybackUsd,
      fb.speculatorTokens,
    ) ?? undefined
  );
});

/**
 * Aggregate mode's day with the scenario's feedback (docs/model-feedback.md, "one day, one
 * order"): insertions after "inputs" (E48, then E42), after "payouts" (E40–E41, E43's queue),
 * after "record" (the feedback columns); with a pool, "price", "burn", "topUp", "update" and
 * "invariants" are their pool forms (E43–E47). `extensions` (other issues' steps, stress shocks)
 * come after the feedback steps at the same anchor, so a shock after "inputs" acts on E48's jobs
 * and E42's counts; E50 (capacity) is inserted last, just before "income", so it serves the
 * day's demand after every change to it — a demand crash included (docs/model-feedback.md).
 */
export function feedbackDay(
  plan: FeedbackPlan,
  extensions: readonly StepInsertion[] = [],
): DayStep<FeedbackContext>[] {
  const ins: StepInsertion[] = [];
  const asStep = (s: DayStep<FeedbackContext>) => s as unknown as DayStep;
  if (plan.consumers) ins.push({ after: "inputs", step: asStep(elasticDemand) });
  if (plan.suppliers?.dynamic.some((d) => d !== null))
    ins.push({ after: "inputs", step: asStep(churn) });
  ins.push({ after: "payouts", step: asStep(economics) });
  ins.push({ after: "record", step: asStep(recordFeedback) });
  // E50 last before "income": capacity serves the day's demand after every change to it
  const capacityLast: StepInsertion[] = plan.suppliers?.jobsPerSupplierPerDay
    ? [{ before: "income", step: asStep(capacity) }]
    : [];
  const replaced: Record<string, DayStep<FeedbackContext>> = plan.amm
    ? {
        price: market,
        burn: burnFromPool,
        topUp: topUpFromPool,
        update: updateWithPool,
        invariants: invariantsWithPool,
      }
    : {};
  const base = AGGREGATE_DAY.map((s) => (replaced[s.name] as DayStep | undefined) ?? s);
  return composeDay<FeedbackContext>(base as unknown as DayStep<FeedbackContext>[], [
    ...ins,
    ...extensions,
    ...capacityLast,
  ]);
}

/** Run aggregate mode with the scenario's feedback block (its compiled columns include the feedback ones). */
export function runFeedbackAggregate(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  plan: FeedbackPlan = compileFeedback(c.scenario) ?? noFeedback(c.days),
  extensions: readonly StepInsertion[] = [],
): KernelOutcome {
  const streams = new Int32Array(4 * c.nSeries);
  seedStreams(streams, c.nSeries, seed, run);
  const base = initialContext(c, streams, out);
  const state = base.state;
  if (plan.amm) state.supply = c.initialSupply - plan.amm.poolTokens;
  const ctx: FeedbackContext = {
    ...base,
    fb: initialFeedbackState(plan, c.nK),
    supplyAtOpen: state.supply,
    poolUsdAtOpen: plan.amm?.poolUsd ?? 0,
  };
  return runDays(ctx, feedbackDay(plan, extensions));
}

/** A plan with every feedback part off (the day is docs/model.md's, plus any extensions). */
export function noFeedback(days: number): FeedbackPlan {
  return { days, suppliers: null, sales: null, speculators: null, amm: null, consumers: null };
}
