import { seriesValue, wholeSuppliers } from "../engine/inputs.js";
import { NonFiniteValueError, NoPriceError } from "../engine/outcome.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { income, usdDemandForService } from "../mechanisms/income.js";
import { splitIncome } from "../mechanisms/incomeSplit.js";
import { checkInvariants } from "../mechanisms/invariants.js";
import { jobReward } from "../mechanisms/jobReward.js";
import { newSuppliers, onboardingFeeUsd } from "../mechanisms/onboardingFee.js";
import { nextPhase } from "../mechanisms/phaseChange.js";
import { phaseOneEmission, phaseOneFill } from "../mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../mechanisms/phaseTwoEmission.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { payTokens } from "../mechanisms/supplierTokens.js";
import { tokenDemand, tokenPrice } from "../mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { type DayContext, type DayStep, type DayStepName, ONCHAIN } from "./sequence.js";

type Run = DayStep["run"];
const step = (name: DayStepName, run: Run): DayStep => ({ name, run });

/** Step 1: the on-chain schedule's entries for today (docs/model.md §4). */
export const schedule: Run = ({ c, t, onchain }) => {
  for (let e = 0; e < c.eventDay.length; e++)
    if (c.eventDay[e] === t) onchain[c.eventVar[e]] = c.eventValue[e];
  return undefined;
};

/**
 * Step 1: the day's inputs (§3): jobs per consumer type, whole active suppliers per class,
 * sentiment, governance value, each drawn from its own stream in series order.
 */
export const inputs: Run = ({ c, t, day, state, streams }) => {
  const { nC, nK } = c;
  for (let i = 0; i < nC; i++) day.jobs[i] = seriesValue(c, i, t, streams);
  for (let k = 0; k < nK; k++) day.counts[k] = wholeSuppliers(seriesValue(c, nC + k, t, streams));
  day.sentiment = seriesValue(c, nC + nK, t, streams);
  day.governance = seriesValue(c, nC + nK + 1, t, streams);
  if (t === 0) state.yesterdayCounts.set(day.counts);
  return undefined;
};

/** Step 2: income (E5) and USD demand per supplier class (E6). */
export const incomeStep: Run = ({ c, day }) => {
  day.income = income(day.jobs, c.jobPrice);
  day.demandForService.set(usdDemandForService(day.jobs, c.jobPrice, c.priceMatrix, c.nK));
  return undefined;
};

/** Step 3: the income split (E7). */
export const split: Run = ({ day, onchain }) => {
  day.split = splitIncome(
    day.income,
    onchain[ONCHAIN.fiatOperationsFraction],
    onchain[ONCHAIN.buybackModulation],
  );
  return undefined;
};

/** Step 4: arrivals (E8's newSuppliers), E8's histories, then the phase (E4); stake released on phase 2's first day. */
export const suppliers: Run = ({ c, t, day, state }) => {
  day.arrivals = newSuppliers(day.counts, state.yesterdayCounts);
  state.yesterdayCounts.set(day.counts);
  state.incomeHistory[t] = day.income;
  let total = 0;
  for (let k = 0; k < c.nK; k++) total += day.counts[k];
  state.supplierTotalHistory[t] = total;
  const was = state.phase;
  state.phase = nextPhase(state.phase, t, c, day.counts, c.phaseOneTarget, day.income);
  day.stakeReleased = 0;
  if (state.phase === 2 && was === 1) {
    day.stakeReleased = state.stakedTokens;
    state.stakedTokens = 0;
  }
  return undefined;
};

/** Step 5: the onboarding fee (E8) times today's arrivals, phase 2 only. */
export const onboarding: Run = ({ t, day, state, onchain }) => {
  const feeUsd =
    state.phase === 2
      ? onboardingFeeUsd(
          t,
          onchain[ONCHAIN.onboardingWindowDays],
          onchain[ONCHAIN.onboardingModulation],
          state.incomeHistory,
          state.supplierTotalHistory,
        )
      : 0;
  day.onboardingUsd = feeUsd * day.arrivals;
  return undefined;
};

/** Step 6: supplier bonds (E9). */
export const bonds: Run = ({ day, onchain }) => {
  day.supplierBondUsd = supplierBondUsd(onchain[ONCHAIN.bondModulation], day.income);
  return undefined;
};

/** Step 7: token demand and price (E10) on the start-of-day supply; no price stops the run. */
export const price: Run = ({ t, day, state, onchain }) => {
  day.demand = tokenDemand(
    day.sentiment,
    day.onboardingUsd,
    day.supplierBondUsd,
    day.split.usdBuybackCapital,
    day.governance,
  );
  const p = tokenPrice(
    day.demand,
    state.supply,
    onchain[ONCHAIN.priceFloor],
    onchain[ONCHAIN.buybackPremium],
  );
  if (p === null) return new NoPriceError(t, day.demand);
  day.price = p;
  return undefined;
};

/** Step 8: buyback (E11a) and onboarding burn (E11b), the latter taken from supply (withdrawal). */
export const burn: Run = ({ day, state }) => {
  day.buybackTokens = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
  day.onboardingTokens = withdrawal(
    state.supply,
    onboardingTokens(day.onboardingUsd, day.price.priceOfToken),
  );
  return undefined;
};

/** Step 9: job rewards (E12), phase 2 only. */
export const rewards: Run = ({ c, day, state, onchain }) => {
  day.jobReward =
    state.phase === 2
      ? jobReward(
          day.jobs,
          c.jobPrice,
          day.price.priceOfToken,
          onchain[ONCHAIN.jobRewardModulation],
        )
      : 0;
  return undefined;
};

/** Step 10: phase-2 emission claim (E13) and phase-1 emission claim (E3). */
export const emissions: Run = ({ c, day, state, onchain }) => {
  day.phaseTwoClaim =
    state.phase === 2
      ? phaseTwoEmission(
          onchain[ONCHAIN.phaseTwoMintAmount],
          state.phaseTwoMinted,
          day.jobReward,
          onchain[ONCHAIN.phase2Modulation],
        )
      : 0;
  day.phaseOneClaim =
    state.phase === 1
      ? phaseOneEmission(
          c.phaseOneTokensForProject,
          c.phaseOneDays,
          phaseOneFill(day.counts, c.phaseOneTarget),
        )
      : 0;
  return undefined;
};

/** Step 11: validator pay claim (E14). */
export const validators: Run = ({ day, onchain }) => {
  let jobs = 0;
  for (let i = 0; i < day.jobs.length; i++) jobs += day.jobs[i];
  day.validatorClaim = validatorTokens(
    onchain[ONCHAIN.validationModulator],
    validationsCompleted(onchain[ONCHAIN.validationsPerJob], jobs),
  );
  return undefined;
};

/** Step 12: token payments from the reserve in claim order (E15). */
export const payouts: Run = ({ day, state }) => {
  day.paid = payTokens(
    state.tokenReserve,
    day.buybackTokens,
    day.onboardingTokens,
    day.validatorClaim,
    day.phaseTwoClaim,
    day.phaseOneClaim,
  );
  day.supplierTokensPaid = day.paid.supplierTokensPaid;
  day.tokensPaid = day.paid.tokensPaid;
  return undefined;
};

/**
 * Step 12 where the buyback was earmarked per task (marketplace mode, the ledger's close): E15
 * from `freeReserve` (the reserve less tokens still earmarked for tasks, plus what today
 * confiscated or freed), no buyback in the claims; the suppliers' tokens are the earmarks
 * `released` to them today plus the emissions. Fills `day.paid`, `supplierTokensPaid`,
 * `tokensPaid` (tokens).
 */
export function payoutsFromFreeReserve(
  day: DayContext["day"],
  freeReserve: number,
  released: number,
): DayContext["day"]["paid"] {
  const paid = payTokens(
    freeReserve,
    0,
    day.onboardingTokens,
    day.validatorClaim,
    day.phaseTwoClaim,
    day.phaseOneClaim,
  );
  day.paid = paid;
  day.supplierTokensPaid = released + paid.phaseOneEmission + paid.phaseTwoEmission;
  day.tokensPaid = day.supplierTokensPaid + paid.validatorTokensPaid;
  return paid;
}

/** Step 13: reserve top-up (E16) from the cash and the circulating supply after payments. */
export const topUp: Run = ({ c, day, state, onchain }) => {
  const { paid } = day;
  const reserveAfterPay =
    state.tokenReserve +
    day.onboardingTokens -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission;
  const circulating =
    state.supply +
    paid.validatorTokensPaid +
    paid.phaseOneEmission +
    paid.phaseTwoEmission -
    day.onboardingTokens;
  day.topUp = reserveTopUp(
    reserveAfterPay,
    c.initialTokenReserve,
    onchain[ONCHAIN.lowerTokenReserveLimit],
    onchain[ONCHAIN.tokenReserveRestoreLevel],
    day.price.buybackPrice,
    state.dollarReserve + day.split.opsRevenue,
    circulating,
  );
  return undefined;
};

/** Step 14: the balances (E17, E18, E19) and vesting (E17b, taken from the locked allocations). */
export const update: Run = ({ c, t, day, state }) => {
  const { paid, topUp } = day;
  day.vested = withdrawal(state.lockedAllocations, c.vested[t]);
  day.dollarBefore = state.dollarReserve;
  state.supply = nextSupply(
    state.supply,
    paid.validatorTokensPaid,
    paid.phaseOneEmission,
    paid.phaseTwoEmission,
    day.onboardingTokens,
    topUp.reserveBuybackTokens,
    day.vested,
  );
  state.tokenReserve = nextTokenReserve(
    state.tokenReserve,
    day.onboardingTokens,
    paid.validatorTokensPaid,
    paid.phaseTwoEmission,
    paid.phaseOneEmission,
    topUp.reserveBuybackTokens,
  );
  state.dollarReserve = nextDollarReserve(
    state.dollarReserve,
    day.split.opsRevenue,
    topUp.reserveBuybackUsd,
  );
  state.lockedAllocations = state.lockedAllocations - day.vested;
  state.phaseTwoMinted += paid.phaseTwoEmission;
  state.stakedTokens += paid.phaseOneEmission;
  return undefined;
};

/**
 * Today's §7 row, in column order: the fixed columns, then jobs, demand for service, suppliers
 * (the ledger's close writes its row with it too, from its end-of-day balances).
 */
export function rowValues({ t, day, state }: Pick<DayContext, "t" | "day" | "state">): number[] {
  const { paid, topUp, split: s, price: p } = day;
  return [
    t,
    state.phase,
    day.income,
    s.opsRevenue,
    s.usdBuybackCapital,
    s.usdCapital,
    day.onboardingUsd,
    day.supplierBondUsd,
    day.demand,
    p.priceOfToken,
    p.priceFloored ? 1 : 0,
    day.buybackTokens,
    day.onboardingTokens,
    day.jobReward,
    paid.phaseOneEmission,
    paid.phaseTwoEmission,
    paid.validatorTokensPaid,
    day.supplierTokensPaid,
    day.tokensPaid,
    topUp.reserveBuybackUsd,
    topUp.reserveBuybackTokens,
    s.usdBuybackCapital + topUp.reserveBuybackUsd,
    paid.tokenShortfall,
    state.supply,
    state.tokenReserve,
    state.dollarReserve,
    state.lockedAllocations,
    state.stakedTokens,
    ...day.jobs,
    ...day.demandForService,
    ...day.counts,
  ];
}

/**
 * Writes today's §7 row. Every value must be finite (issue 9 item 2): otherwise the run stops
 * with a NonFiniteValueError naming the day and the column, and the row is not kept.
 */
export const record: Run = (ctx) => {
  const { c, t, out } = ctx;
  const row = rowValues(ctx);
  for (let col = 0; col < row.length; col++) {
    if (!Number.isFinite(row[col])) return new NonFiniteValueError(t, c.columns[col], row[col]);
    out[col * c.days + t] = row[col];
  }
  ctx.rowWritten = true;
  return undefined;
};

/** I1–I3 at the end of the day (docs/model.md §2); `extraUsdOut` counts with reserveBuybackUsd in I2. */
export const invariants: Run = ({ t, day, state, totalTokens }) =>
  checkInvariants(
    t,
    totalTokens,
    state.supply,
    state.tokenReserve,
    state.lockedAllocations,
    day.dollarBefore,
    state.dollarReserve,
    day.income,
    day.split.usdCapital,
    day.split.usdBuybackCapital,
    day.extraUsdOut === 0
      ? day.topUp.reserveBuybackUsd
      : day.topUp.reserveBuybackUsd + day.extraUsdOut,
  ) ?? undefined;

/** Aggregate mode's day (docs/model.md §6), one step per name of DAY_STEP_NAMES. */
export const AGGREGATE_DAY: readonly DayStep[] = [
  step("schedule", schedule),
  step("inputs", inputs),
  step("income", incomeStep),
  step("split", split),
  step("suppliers", suppliers),
  step("onboarding", onboarding),
  step("bonds", bonds),
  step("price", price),
  step("burn", burn),
  step("rewards", rewards),
  step("emissions", emissions),
  step("validators", validators),
  step("payouts", payouts),
  step("topUp", topUp),
  step("update", update),
  step("record", record),
  step("invariants", invariants),
];
