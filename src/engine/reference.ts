import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { income as incomeOf, usdDemandForService } from "../mechanisms/income.js";
import { splitIncome } from "../mechanisms/incomeSplit.js";
import { checkInvariants } from "../mechanisms/invariants.js";
import { jobReward as jobRewardOf } from "../mechanisms/jobReward.js";
import { newSuppliers as newSuppliersOf, onboardingFeeUsd } from "../mechanisms/onboardingFee.js";
import { nextPhase } from "../mechanisms/phaseChange.js";
import { phaseOneEmission, phaseOneFill } from "../mechanisms/phaseOneEmission.js";
import { phaseTwoEmission } from "../mechanisms/phaseTwoEmission.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { payTokens } from "../mechanisms/supplierTokens.js";
import { tokenDemand, tokenPrice } from "../mechanisms/tokenPrice.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { seedStreams } from "../random/streams.js";
import { ONCHAIN_NAMES, type OnchainValues } from "../scenario/onchain.js";
import { COL } from "./columns.js";
import type { CompiledScenario } from "./compile.js";
import { seriesValue, wholeSuppliers } from "./inputs.js";
import { type KernelOutcome, NoPriceError } from "./outcome.js";

/** State carried from day to day (docs/model.md §2). */
interface State {
  supply: number;
  tokenReserve: number;
  lockedAllocations: number;
  dollarReserve: number;
  phase: 1 | 2;
  phaseTwoMinted: number;
  stakedTokens: number;
  yesterdayCounts: Float64Array;
  incomeHistory: number[];
  supplierTotalHistory: number[];
}

/**
 * The reference engine: docs/model.md §6 step by step, one mechanism function per equation, a plain
 * state object. It is the specification the fast kernel is tested against; it writes the same
 * column-major table (`out[col·days + t]`).
 */
export function runReference(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
): KernelOutcome {
  const { days, nC, nK } = c;
  const streams = new Int32Array(4 * c.nSeries);
  seedStreams(streams, c.nSeries, seed, run);
  const oc = Object.fromEntries(ONCHAIN_NAMES.map((n, v) => [n, c.onchain0[v]])) as OnchainValues;
  const totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  const s: State = {
    supply: c.initialSupply,
    tokenReserve: c.initialTokenReserve,
    lockedAllocations: c.initialLocked,
    dollarReserve: c.initialDollarReserve,
    phase: 1,
    phaseTwoMinted: 0,
    stakedTokens: 0,
    yesterdayCounts: new Float64Array(nK),
    incomeHistory: [],
    supplierTotalHistory: [],
  };
  let event = 0;
  const put = (col: number, t: number, v: number) => {
    out[col * days + t] = v;
  };
  for (let t = 0; t < days; t++) {
    // 1. schedule, then the day's inputs (§3)
    while (event < c.eventDay.length && c.eventDay[event] === t) {
      oc[ONCHAIN_NAMES[c.eventVar[event]]] = c.eventValue[event];
      event++;
    }
    const jobs = Float64Array.from({ length: nC }, (_, i) => seriesValue(c, i, t, streams));
    const counts = Float64Array.from({ length: nK }, (_, k) =>
      wholeSuppliers(seriesValue(c, nC + k, t, streams)),
    );
    const sentiment = seriesValue(c, nC + nK, t, streams);
    const governance = seriesValue(c, nC + nK + 1, t, streams);
    if (t === 0) s.yesterdayCounts.set(counts);
    // 2–3. income (E5, E6) and its split (E7)
    const income = incomeOf(jobs, c.jobPrice);
    const demandForService = usdDemandForService(jobs, c.jobPrice, c.priceMatrix, nK);
    const split = splitIncome(income, oc.fiatOperationsFraction, oc.buybackModulation);
    // 4. suppliers, then the phase (E4); the stake is released on the first phase-2 day
    const arrivals = newSuppliersOf(counts, s.yesterdayCounts);
    s.yesterdayCounts = counts;
    s.incomeHistory.push(income);
    s.supplierTotalHistory.push(counts.reduce((a, b) => a + b, 0));
    const wasPhase = s.phase;
    s.phase = nextPhase(s.phase, t, c, counts, c.phaseOneTarget, income);
    if (s.phase === 2 && wasPhase === 1) s.stakedTokens = 0;
    // 5. onboarding fee (E8), phase 2 only
    const feeUsd =
      s.phase === 2
        ? onboardingFeeUsd(
            t,
            oc.onboardingWindowDays,
            oc.onboardingModulation,
            s.incomeHistory,
            s.supplierTotalHistory,
          )
        : 0;
    const onboardingUsd = feeUsd * arrivals;
    // 6–7. bonds (E9), demand and price (E10)
    const bondUsd = supplierBondUsd(oc.bondModulation, income);
    const demand = tokenDemand(
      sentiment,
      onboardingUsd,
      bondUsd,
      split.usdBuybackCapital,
      governance,
    );
    const price = tokenPrice(demand, s.supply, oc.priceFloor, oc.buybackPremium);
    if (price === null) return { daysCompleted: t, error: new NoPriceError(t, demand) };
    // 8. burn (E11a, E11b)
    const bought = buybackTokens(split.usdBuybackCapital, price.buybackPrice);
    const onboarded = onboardingTokens(onboardingUsd, price.priceOfToken);
    // 9–11. job rewards (E12), phase-2 emission (E13), validator pay (E14)
    const reward =
      s.phase === 2 ? jobRewardOf(jobs, c.jobPrice, price.priceOfToken, oc.jobRewardModulation) : 0;
    const phaseTwoClaim =
      s.phase === 2
        ? phaseTwoEmission(oc.phaseTwoMintAmount, s.phaseTwoMinted, reward, oc.phase2Modulation)
        : 0;
    const phaseOneClaim =
      s.phase === 1
        ? phaseOneEmission(
            c.phaseOneTokensForProject,
            c.phaseOneDays,
            phaseOneFill(counts, c.phaseOneTarget),
          )
        : 0;
    const validatorClaim = validatorTokens(
      oc.validationModulator,
      validationsCompleted(
        oc.validationsPerJob,
        jobs.reduce((a, b) => a + b, 0),
      ),
    );
    // 12. token payments in claim order (E15)
    const paid = payTokens(
      s.tokenReserve,
      bought,
      onboarded,
      validatorClaim,
      phaseTwoClaim,
      phaseOneClaim,
    );
    // 13. reserve top-up (E16)
    const reserveAfterPay =
      s.tokenReserve +
      onboarded -
      paid.validatorTokensPaid -
      paid.phaseTwoEmission -
      paid.phaseOneEmission;
    const circulating =
      s.supply +
      paid.validatorTokensPaid +
      paid.phaseOneEmission +
      paid.phaseTwoEmission -
      onboarded;
    const topUp = reserveTopUp(
      reserveAfterPay,
      c.initialTokenReserve,
      oc.lowerTokenReserveLimit,
      oc.tokenReserveRestoreLevel,
      price.buybackPrice,
      s.dollarReserve + split.opsRevenue,
      circulating,
    );
    // 14. update (E17, E18, E19, E17b)
    const vested = c.vested[t];
    const dollarBefore = s.dollarReserve;
    s.supply = nextSupply(
      s.supply,
      paid.validatorTokensPaid,
      paid.phaseOneEmission,
      paid.phaseTwoEmission,
      onboarded,
      topUp.reserveBuybackTokens,
      vested,
    );
    s.tokenReserve = nextTokenReserve(
      s.tokenReserve,
      onboarded,
      paid.validatorTokensPaid,
      paid.phaseTwoEmission,
      paid.phaseOneEmission,
      topUp.reserveBuybackTokens,
    );
    s.dollarReserve = nextDollarReserve(s.dollarReserve, split.opsRevenue, topUp.reserveBuybackUsd);
    s.lockedAllocations = s.lockedAllocations - vested;
    s.phaseTwoMinted += paid.phaseTwoEmission;
    s.stakedTokens += paid.phaseOneEmission;

    const row: Record<number, number> = {
      [COL.day]: t,
      [COL.phase]: s.phase,
      [COL.income]: income,
      [COL.opsRevenue]: split.opsRevenue,
      [COL.usdBuybackCapital]: split.usdBuybackCapital,
      [COL.usdCapital]: split.usdCapital,
      [COL.onboardingUsd]: onboardingUsd,
      [COL.supplierBondUsd]: bondUsd,
      [COL.demand]: demand,
      [COL.priceOfToken]: price.priceOfToken,
      [COL.priceFloored]: price.priceFloored ? 1 : 0,
      [COL.buybackTokens]: bought,
      [COL.onboardingTokens]: onboarded,
      [COL.jobReward]: reward,
      [COL.phaseOneEmission]: paid.phaseOneEmission,
      [COL.phaseTwoEmission]: paid.phaseTwoEmission,
      [COL.validatorTokensPaid]: paid.validatorTokensPaid,
      [COL.supplierTokensPaid]: paid.supplierTokensPaid,
      [COL.tokensPaid]: paid.tokensPaid,
      [COL.reserveBuybackUsd]: topUp.reserveBuybackUsd,
      [COL.reserveBuybackTokens]: topUp.reserveBuybackTokens,
      [COL.buyBacksUsd]: split.usdBuybackCapital + topUp.reserveBuybackUsd,
      [COL.tokenShortfall]: paid.tokenShortfall,
      [COL.supply]: s.supply,
      [COL.tokenReserve]: s.tokenReserve,
      [COL.dollarReserve]: s.dollarReserve,
      [COL.lockedAllocations]: s.lockedAllocations,
      [COL.stakedTokens]: s.stakedTokens,
    };
    for (const [col, v] of Object.entries(row)) put(Number(col), t, v);
    const base = COL.stakedTokens + 1;
    for (let i = 0; i < nC; i++) put(base + i, t, jobs[i]);
    for (let k = 0; k < nK; k++) put(base + nC + k, t, demandForService[k]);
    for (let k = 0; k < nK; k++) put(base + nC + nK + k, t, counts[k]);

    const violation = checkInvariants(
      t,
      totalTokens,
      s.supply,
      s.tokenReserve,
      s.lockedAllocations,
      dollarBefore,
      s.dollarReserve,
      income,
      split.usdCapital,
      split.usdBuybackCapital,
      topUp.reserveBuybackUsd,
    );
    if (violation) return { daysCompleted: t + 1, error: violation };
  }
  return { daysCompleted: days, error: null };
}
