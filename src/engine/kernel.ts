import { INVARIANT_TOLERANCE, InvariantViolation } from "../mechanisms/invariants.js";
import { nextNormal } from "../random/normal.js";
import { seedStreams } from "../random/streams.js";
import { COL } from "./columns.js";
import type { CompiledScenario } from "./compile.js";
import { type KernelOutcome, NoPriceError } from "./outcome.js";

/** Reusable buffers of one kernel: allocate once per worker, run many times. */
export interface KernelScratch {
  readonly streams: Int32Array;
  readonly onchain: Float64Array;
  readonly jobs: Float64Array;
  readonly counts: Float64Array;
  readonly yesterday: Float64Array;
  readonly supplierTotal: Float64Array;
}

export function kernelScratch(c: CompiledScenario): KernelScratch {
  return {
    streams: new Int32Array(4 * c.nSeries),
    onchain: new Float64Array(c.onchain0.length),
    jobs: new Float64Array(c.nC),
    counts: new Float64Array(c.nK),
    yesterday: new Float64Array(c.nK),
    supplierTotal: new Float64Array(c.days),
  };
}

// On-chain variable indices, in ONCHAIN_NAMES order.
const BM = 0,
  F = 1,
  JRM = 2,
  A = 3,
  P2M = 4,
  BOND = 5,
  ONB = 6,
  W = 7;
const VMOD = 9,
  VPJ = 10,
  PREM = 11,
  LOWER = 12,
  RESTORE = 13,
  FLOOR = 14;

/**
 * The fast path of docs/model.md §6: the same day as `runReference`, step by step and with the same
 * floating-point operations in the same order, on typed arrays with nothing allocated per day.
 * Writes the column-major table `out[col·days + t]`; checks I1–I3 at the end of every day.
 */
export function runKernel(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch = kernelScratch(c),
): KernelOutcome {
  const { days, nC, nK } = c;
  const { streams, onchain: oc, jobs, counts, yesterday, supplierTotal } = scratch;
  seedStreams(streams, c.nSeries, seed, run);
  oc.set(c.onchain0);
  const base = c.seriesBase,
    sStart = c.seriesStartDay,
    sNoise = c.seriesNoise,
    sMin = c.seriesMin;
  const jobPrice = c.jobPrice,
    pm = c.priceMatrix,
    target = c.phaseOneTarget;
  const nEvents = c.eventDay.length;
  const colJobs = (COL.stakedTokens + 1) * days;
  const colDemand = colJobs + nC * days;
  const colCounts = colDemand + nK * days;
  const totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  const tokTol = INVARIANT_TOLERANCE * totalTokens;

  let supply = c.initialSupply;
  let tokenReserve = c.initialTokenReserve;
  let locked = c.initialLocked;
  let dollarReserve = c.initialDollarReserve;
  let phase = 1;
  let phaseTwoMinted = 0;
  let staked = 0;
  let event = 0;

  for (let t = 0; t < days; t++) {
    // 1. schedule and inputs (§3)
    while (event < nEvents && c.eventDay[event] === t) {
      oc[c.eventVar[event]] = c.eventValue[event];
      event++;
    }
    let income = 0;
    let jobsTotal = 0;
    for (let i = 0; i < nC; i++) {
      let v = 0;
      if (t >= sStart[i]) {
        v = base[i * days + t];
        if (sNoise[i] > 0) v += sNoise[i] * nextNormal(streams, 4 * i);
        v = Math.max(sMin[i], v);
      }
      jobs[i] = v;
      out[colJobs + i * days + t] = v;
      income += v * jobPrice[i];
      jobsTotal += v;
    }
    for (let k = 0; k < nK; k++) {
      let d = 0;
      for (let i = 0; i < nC; i++) d += jobs[i] * jobPrice[i] * pm[i * nK + k];
      out[colDemand + k * days + t] = d;
    }
    let arrivals = 0;
    let supplierSum = 0;
    let filled = 0;
    let targets = 0;
    let targetsMet = true;
    for (let k = 0; k < nK; k++) {
      const s = nC + k;
      let v = 0;
      if (t >= sStart[s]) {
        v = base[s * days + t];
        if (sNoise[s] > 0) v += sNoise[s] * nextNormal(streams, 4 * s);
        v = Math.max(sMin[s], v);
      }
      const n = Math.floor(v + 1e-9);
      counts[k] = n;
      out[colCounts + k * days + t] = n;
      if (t === 0) yesterday[k] = n;
      arrivals += Math.max(0, n - yesterday[k]);
      yesterday[k] = n;
      supplierSum += n;
      filled += Math.min(n, target[k]);
      targets += target[k];
      if (n < target[k]) targetsMet = false;
    }
    supplierTotal[t] = supplierSum;
    const sS = nC + nK;
    let sentiment = 0;
    if (t >= sStart[sS]) {
      sentiment = base[sS * days + t];
      if (sNoise[sS] > 0) sentiment += sNoise[sS] * nextNormal(streams, 4 * sS);
      sentiment = Math.max(sMin[sS], sentiment);
    }
    const sG = sS + 1;
    let governance = 0;
    if (t >= sStart[sG]) {
      governance = base[sG * days + t];
      if (sNoise[sG] > 0) governance += sNoise[sG] * nextNormal(streams, 4 * sG);
      governance = Math.max(sMin[sG], governance);
    }
    // 3. split (E7)
    const f = oc[F];
    const bm = oc[BM];
    const supplierPool = (1 - f) * income;
    const opsRevenue = f * income;
    const usdBuybackCapital = bm * supplierPool;
    const usdCapital = (1 - bm) * supplierPool;
    // 4. phase (E4); stake released on the first phase-2 day
    if (
      phase === 1 &&
      (t >= c.phaseOneDays ||
        (c.endPhaseOneOnTargets && targetsMet) ||
        (c.endPhaseOneOnDemand && income > 0))
    ) {
      phase = 2;
      staked = 0;
    }
    // 5. onboarding fee (E8)
    let onboardingUsd = 0;
    if (phase === 2 && arrivals > 0) {
      let incomeSum = 0;
      let supSum = 0;
      for (let s = Math.max(0, t - oc[W] + 1); s <= t; s++) {
        incomeSum += s === t ? income : out[COL.income * days + s];
        supSum += supplierTotal[s];
      }
      onboardingUsd = (supSum === 0 ? 0 : (oc[ONB] * incomeSum) / supSum) * arrivals;
    }
    // 6–7. bonds (E9), demand and price (E10)
    const bondUsd = oc[BOND] * income;
    const demand = sentiment + onboardingUsd + bondUsd + usdBuybackCapital + governance;
    if (supply === 0 && demand > 0) return { daysCompleted: t, error: new NoPriceError(t, demand) };
    const raw = supply === 0 ? 0 : demand / supply;
    const floored = raw < oc[FLOOR];
    const price = floored ? oc[FLOOR] : raw;
    const buybackPrice = price * (1 + oc[PREM]);
    // 8. burn (E11a, E11b)
    const bought = usdBuybackCapital / buybackPrice;
    const onboarded = onboardingUsd / price;
    // 9–11. E12, E13, E14
    let reward = 0;
    let phaseTwoClaim = 0;
    let phaseOneClaim = 0;
    if (phase === 2) {
      for (let i = 0; i < nC; i++) reward += jobs[i] * (jobPrice[i] / price);
      reward = reward / oc[JRM];
      phaseTwoClaim = Math.max(0, oc[A] - phaseTwoMinted) * -Math.expm1(-reward / oc[P2M]);
    } else {
      phaseOneClaim =
        (c.phaseOneTokensForProject / c.phaseOneDays) * (targets === 0 ? 0 : filled / targets);
    }
    const validatorClaim = oc[VMOD] * (oc[VPJ] * jobsTotal);
    // 12. payments in claim order (E15)
    let available = tokenReserve + onboarded;
    const validatorPaid = Math.min(validatorClaim, available);
    available = available - validatorPaid;
    const e2 = Math.min(phaseTwoClaim, available);
    available = available - e2;
    const e1 = Math.min(phaseOneClaim, available);
    const supplierPaid = bought + e1 + e2;
    const shortfall = validatorClaim - validatorPaid + (phaseTwoClaim - e2) + (phaseOneClaim - e1);
    // 13. reserve top-up (E16)
    const reserveAfterPay = tokenReserve + onboarded - validatorPaid - e2 - e1;
    let topUpTokens = 0;
    let topUpUsd = 0;
    if (reserveAfterPay < oc[LOWER] * c.initialTokenReserve) {
      const cash = dollarReserve + opsRevenue;
      const circulating = supply + validatorPaid + e1 + e2 - onboarded;
      topUpTokens = oc[RESTORE] * c.initialTokenReserve - reserveAfterPay;
      topUpUsd = topUpTokens * buybackPrice;
      if (topUpUsd > cash) {
        topUpTokens = cash / buybackPrice;
        topUpUsd = cash;
      }
      if (topUpTokens > circulating) {
        topUpTokens = circulating;
        topUpUsd = Math.min(circulating * buybackPrice, cash);
      }
    }
    // 14. update (E17, E18, E19, E17b)
    const vested = c.vested[t];
    const dollarBefore = dollarReserve;
    supply = supply + validatorPaid + e1 + e2 - onboarded - topUpTokens + vested;
    tokenReserve = tokenReserve + onboarded - validatorPaid - e2 - e1 + topUpTokens;
    dollarReserve = dollarReserve + opsRevenue - topUpUsd;
    locked = locked - vested;
    phaseTwoMinted += e2;
    staked += e1;

    out[COL.day * days + t] = t;
    out[COL.phase * days + t] = phase;
    out[COL.income * days + t] = income;
    out[COL.opsRevenue * days + t] = opsRevenue;
    out[COL.usdBuybackCapital * days + t] = usdBuybackCapital;
    out[COL.usdCapital * days + t] = usdCapital;
    out[COL.onboardingUsd * days + t] = onboardingUsd;
    out[COL.supplierBondUsd * days + t] = bondUsd;
    out[COL.demand * days + t] = demand;
    out[COL.priceOfToken * days + t] = price;
    out[COL.priceFloored * days + t] = floored ? 1 : 0;
    out[COL.buybackTokens * days + t] = bought;
    out[COL.onboardingTokens * days + t] = onboarded;
    out[COL.jobReward * days + t] = reward;
    out[COL.phaseOneEmission * days + t] = e1;
    out[COL.phaseTwoEmission * days + t] = e2;
    out[COL.validatorTokensPaid * days + t] = validatorPaid;
    out[COL.supplierTokensPaid * days + t] = supplierPaid;
    out[COL.tokensPaid * days + t] = supplierPaid + validatorPaid;
    out[COL.reserveBuybackUsd * days + t] = topUpUsd;
    out[COL.reserveBuybackTokens * days + t] = topUpTokens;
    out[COL.buyBacksUsd * days + t] = usdBuybackCapital + topUpUsd;
    out[COL.tokenShortfall * days + t] = shortfall;
    out[COL.supply * days + t] = supply;
    out[COL.tokenReserve * days + t] = tokenReserve;
    out[COL.dollarReserve * days + t] = dollarReserve;
    out[COL.lockedAllocations * days + t] = locked;
    out[COL.stakedTokens * days + t] = staked;

    // I1–I3 (the same tests as checkInvariants, inlined)
    const sum = supply + tokenReserve + locked;
    const usdMove = dollarReserve - dollarBefore;
    const usdExpected = income - usdCapital - usdBuybackCapital - topUpUsd;
    const usdTol = INVARIANT_TOLERANCE * Math.max(income, dollarBefore, dollarReserve, topUpUsd, 1);
    if (
      !(Math.abs(sum - totalTokens) <= tokTol) ||
      !(Math.abs(usdMove - usdExpected) <= usdTol) ||
      supply < -tokTol ||
      tokenReserve < -tokTol ||
      dollarReserve < -usdTol
    ) {
      return {
        daysCompleted: t + 1,
        error: invariantError(
          t,
          totalTokens,
          supply,
          tokenReserve,
          locked,
          dollarBefore,
          dollarReserve,
          income,
          usdCapital,
          usdBuybackCapital,
          topUpUsd,
        ),
      };
    }
  }
  return { daysCompleted: days, error: null };
}

function invariantError(
  t: number,
  total: number,
  supply: number,
  reserve: number,
  locked: number,
  before: number,
  after: number,
  income: number,
  usdCapital: number,
  buyback: number,
  topUpUsd: number,
): InvariantViolation {
  const sum = supply + reserve + locked;
  if (!(Math.abs(sum - total) <= INVARIANT_TOLERANCE * total))
    return new InvariantViolation(
      t,
      "I1",
      `supply ${supply} + tokenReserve ${reserve} + lockedAllocations ${locked} = ${sum}, expected ${total}`,
    );
  const expected = income - usdCapital - buyback - topUpUsd;
  if (
    !(
      Math.abs(after - before - expected) <=
      INVARIANT_TOLERANCE * Math.max(income, before, after, topUpUsd, 1)
    )
  )
    return new InvariantViolation(
      t,
      "I2",
      `dollarReserve moved by ${after - before}, expected ${expected}`,
    );
  return new InvariantViolation(
    t,
    "I3",
    `a balance is negative: supply ${supply}, tokenReserve ${reserve}, dollarReserve ${after}`,
  );
}
