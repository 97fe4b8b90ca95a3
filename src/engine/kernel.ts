import { ONCHAIN } from "../day/sequence.js";
import { INVARIANT_TOLERANCE, InvariantViolation } from "../mechanisms/invariants.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { nextNormal } from "../random/normal.js";
import { seedStreams } from "../random/streams.js";
import { COL } from "./columns.js";
import type { CompiledScenario } from "./compile.js";
import {
  type KernelOutcome,
  NonFiniteValueError,
  NoPriceError,
  type SimulationFailure,
} from "./outcome.js";

/** Runs advanced together by the Monte Carlo (lockstep: independent runs overlap in the CPU). */
export const KERNEL_BATCH = 16;

/** Reusable buffers of one kernel: allocate once per worker, run many batches. */
export interface KernelScratch {
  /** Runs per batch this scratch holds. */
  readonly batch: number;
  readonly streams: Int32Array;
  readonly onchain: Float64Array;
  readonly jobs: Float64Array;
  readonly yesterday: Float64Array;
  readonly supplierTotal: Float64Array;
  readonly supply: Float64Array;
  readonly tokenReserve: Float64Array;
  readonly locked: Float64Array;
  readonly dollarReserve: Float64Array;
  readonly phase: Float64Array;
  readonly phaseTwoMinted: Float64Array;
  readonly staked: Float64Array;
  /** Per run of the batch: rows filled (days completed). */
  readonly daysCompleted: Int32Array;
  /** Per run of the batch: why it stopped, or null. */
  readonly errors: (SimulationFailure | null)[];
}

export function kernelScratch(c: CompiledScenario, batch = 1): KernelScratch {
  const B = Math.max(1, batch | 0);
  return {
    batch: B,
    streams: new Int32Array(4 * c.nSeries * B),
    onchain: new Float64Array(c.onchain0.length),
    jobs: new Float64Array(c.nC * B),
    yesterday: new Float64Array(c.nK * B),
    supplierTotal: new Float64Array(c.days * B),
    supply: new Float64Array(B),
    tokenReserve: new Float64Array(B),
    locked: new Float64Array(B),
    dollarReserve: new Float64Array(B),
    phase: new Float64Array(B),
    phaseTwoMinted: new Float64Array(B),
    staked: new Float64Array(B),
    daysCompleted: new Int32Array(B),
    errors: new Array(B).fill(null),
  };
}

// On-chain variables by index in the compiled `onchain0` and schedule: ONCHAIN, derived from
// ONCHAIN_NAMES (the same map the day sequence's steps use).
const V = ONCHAIN;
const BM = V.buybackModulation,
  F = V.fiatOperationsFraction,
  JRM = V.jobRewardModulation,
  A = V.phaseTwoMintAmount,
  P2M = V.phase2Modulation,
  BOND = V.bondModulation,
  ONB = V.onboardingModulation,
  W = V.onboardingWindowDays,
  VMOD = V.validationModulator,
  VPJ = V.validationsPerJob,
  PREM = V.buybackPremium,
  LOWER = V.lowerTokenReserveLimit,
  RESTORE = V.tokenReserveRestoreLevel,
  FLOOR = V.priceFloor;

/**
 * The fast path of docs/model.md §6: one run, column-major table `out[col·days + t]`. The same
 * computation as `runKernelBatch` with a batch of one (see there).
 */
export function runKernel(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  scratch: KernelScratch = kernelScratch(c),
): KernelOutcome {
  const s = scratch.batch === 1 ? scratch : kernelScratch(c);
  runKernelBatch(c, seed, run, 1, out, s);
  return { daysCompleted: s.daysCompleted[0], error: s.errors[0] };
}

/**
 * The fused fast twin of the reference engine (docs/model.md §6), for scenarios without extensions
 * (aggregate mode, no plugins or feedback blocks: those run the readable engine only). It does
 * the same day as `runReference`, step by step with the same floating-point operations in the
 * same order (tested bit for bit on every shipped scenario), but on typed arrays, nothing
 * allocated per day, and `count` ≤ `scratch.batch` runs `run0 … run0+count−1` advanced in
 * lockstep so the CPU overlaps their independent dependency chains.
 *
 * Output, cell-major with the runs of the batch innermost: `out[(col·days + t)·count + b]`
 * (for count = 1, the ordinary column-major table). Per run b, `scratch.daysCompleted[b]` rows
 * are filled and `scratch.errors[b]` says why it stopped early: an invariant I1–I3 broken at
 * the end of a day (that row is kept), no price (E10), or a non-finite value
 * (NonFiniteValueError naming the day and the first such column in table order, as the day
 * sequence's record step does; that row is not counted). Draining steps take their amounts
 * through `withdrawal()`, so a balance emptied lands on exactly 0.
 */
export function runKernelBatch(
  c: CompiledScenario,
  seed: number,
  run0: number,
  count: number,
  out: Float64Array,
  scratch: KernelScratch,
): void {
  const { days, nC, nK, nSeries } = c;
  const B = count;
  if (B > scratch.batch)
    throw new Error(`runKernelBatch: ${B} runs but scratch holds ${scratch.batch}`);
  const { streams, onchain: oc, jobs, yesterday, supplierTotal, daysCompleted, errors } = scratch;
  const S = scratch.supply,
    R = scratch.tokenReserve,
    L = scratch.locked,
    DR = scratch.dollarReserve,
    PH = scratch.phase,
    P2 = scratch.phaseTwoMinted,
    ST = scratch.staked;
  const so = 4 * nSeries;
  for (let b = 0; b < B; b++) {
    seedStreams(streams.subarray(b * so, (b + 1) * so), nSeries, seed, run0 + b);
    S[b] = c.initialSupply;
    R[b] = c.initialTokenReserve;
    L[b] = c.initialLocked;
    DR[b] = c.initialDollarReserve;
    PH[b] = 1;
    P2[b] = 0;
    ST[b] = 0;
    daysCompleted[b] = -1; // running
    errors[b] = null;
  }
  oc.set(c.onchain0);
  const base = c.seriesBase,
    sStart = c.seriesStartDay,
    sNoise = c.seriesNoise,
    sMin = c.seriesMin;
  const jobPrice = c.jobPrice,
    pm = c.priceMatrix,
    target = c.phaseOneTarget,
    vestedAt = c.vested;
  const eventDay = c.eventDay,
    eventVar = c.eventVar,
    eventValue = c.eventValue;
  const nEvents = eventDay.length;
  const initialTokenReserve = c.initialTokenReserve;
  const phaseOneDays = c.phaseOneDays,
    onTargets = c.endPhaseOneOnTargets,
    onDemand = c.endPhaseOneOnDemand;
  const phaseOneDaily = c.phaseOneTokensForProject / c.phaseOneDays;
  const D = days * B; // column stride
  const cJobs = (COL.stakedTokens + 1) * D;
  const cDemand = cJobs + nC * D;
  const cCounts = cDemand + nK * D;
  const cIncome = COL.income * D;
  const totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  const tokTol = INVARIANT_TOLERANCE * totalTokens;
  const sS = nC + nK;
  const sG = sS + 1;
  let alive = B;
  let event = 0;

  for (let t = 0; t < days && alive > 0; t++) {
    // 1. schedule (the same for every run of the batch)
    while (event < nEvents && eventDay[event] === t) {
      oc[eventVar[event]] = eventValue[event];
      event++;
    }
    const f = oc[F],
      bm = oc[BM],
      window = oc[W],
      onb = oc[ONB],
      bond = oc[BOND],
      floor = oc[FLOOR],
      prem = oc[PREM],
      jrm = oc[JRM],
      mintA = oc[A],
      p2m = oc[P2M],
      vmod = oc[VMOD],
      vpj = oc[VPJ],
      lower = oc[LOWER] * initialTokenReserve,
      restore = oc[RESTORE] * initialTokenReserve;
    const vestedToday = vestedAt[t];
    for (let b = 0; b < B; b++) {
      if (daysCompleted[b] >= 0) continue;
      const o = t * B + b;
      const st = b * so;
      let chk = 0; // stays 0 unless a written value is NaN or ±Infinity
      // inputs (§3)
      let income = 0;
      let jobsTotal = 0;
      for (let i = 0; i < nC; i++) {
        let v = 0;
        if (t >= sStart[i]) {
          v = base[i * days + t];
          if (sNoise[i] > 0) v += sNoise[i] * nextNormal(streams, st + 4 * i);
          v = Math.max(sMin[i], v);
        }
        jobs[b * nC + i] = v;
        out[cJobs + i * D + o] = v;
        chk += v * 0;
        income += v * jobPrice[i];
        jobsTotal += v;
      }
      for (let k = 0; k < nK; k++) {
        let d = 0;
        for (let i = 0; i < nC; i++) d += jobs[b * nC + i] * jobPrice[i] * pm[i * nK + k];
        out[cDemand + k * D + o] = d;
        chk += d * 0;
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
          if (sNoise[s] > 0) v += sNoise[s] * nextNormal(streams, st + 4 * s);
          v = Math.max(sMin[s], v);
        }
        const n = Math.floor(v + 1e-9);
        out[cCounts + k * D + o] = n;
        chk += n * 0;
        const y = b * nK + k;
        if (t === 0) yesterday[y] = n;
        arrivals += Math.max(0, n - yesterday[y]);
        yesterday[y] = n;
        supplierSum += n;
        filled += Math.min(n, target[k]);
        targets += target[k];
        if (n < target[k]) targetsMet = false;
      }
      supplierTotal[o] = supplierSum;
      let sentiment = 0;
      if (t >= sStart[sS]) {
        sentiment = base[sS * days + t];
        if (sNoise[sS] > 0) sentiment += sNoise[sS] * nextNormal(streams, st + 4 * sS);
        sentiment = Math.max(sMin[sS], sentiment);
      }
      let governance = 0;
      if (t >= sStart[sG]) {
        governance = base[sG * days + t];
        if (sNoise[sG] > 0) governance += sNoise[sG] * nextNormal(streams, st + 4 * sG);
        governance = Math.max(sMin[sG], governance);
      }
      // 3. split (E7)
      const supplierPool = (1 - f) * income;
      const opsRevenue = f * income;
      const usdBuybackCapital = bm * supplierPool;
      const usdCapital = (1 - bm) * supplierPool;
      // 4. phase (E4); stake released on the first phase-2 day
      let phase = PH[b];
      let staked = ST[b];
      if (
        phase === 1 &&
        (t >= phaseOneDays || (onTargets && targetsMet) || (onDemand && income > 0))
      ) {
        phase = 2;
        staked = 0;
      }
      // 5. onboarding fee (E8)
      let onboardingUsd = 0;
      if (phase === 2 && arrivals > 0) {
        let incomeSum = 0;
        let supSum = 0;
        for (let s = Math.max(0, t - window + 1); s <= t; s++) {
          incomeSum += s === t ? income : out[cIncome + s * B + b];
          supSum += supplierTotal[s * B + b];
        }
        onboardingUsd = (supSum === 0 ? 0 : (onb * incomeSum) / supSum) * arrivals;
      }
      // 6–7. bonds (E9), demand and price (E10)
      const supply = S[b];
      const bondUsd = bond * income;
      const demand = sentiment + onboardingUsd + bondUsd + usdBuybackCapital + governance;
      if (!(supply > 0) && demand > 0) {
        daysCompleted[b] = t;
        errors[b] = new NoPriceError(t, demand);
        alive--;
        continue;
      }
      const raw = supply > 0 ? demand / supply : 0;
      const floored = raw < floor;
      const price = floored ? floor : raw;
      const buybackPrice = price * (1 + prem);
      // 8. burn (E11a, E11b); the onboarding burn is taken from the supply
      const bought = usdBuybackCapital / buybackPrice;
      const onboarded = withdrawal(supply, onboardingUsd / price);
      // 9–11. E12, E13, E14
      let reward = 0;
      let phaseTwoClaim = 0;
      let phaseOneClaim = 0;
      const minted = P2[b];
      if (phase === 2) {
        for (let i = 0; i < nC; i++) reward += jobs[b * nC + i] * (jobPrice[i] / price);
        reward = reward / jrm;
        phaseTwoClaim = Math.max(0, mintA - minted) * -Math.expm1(-reward / p2m);
      } else {
        phaseOneClaim = phaseOneDaily * (targets === 0 ? 0 : filled / targets);
      }
      const validatorClaim = vmod * (vpj * jobsTotal);
      // 12. payments in claim order (E15), each taken from what is left
      const tokenReserve = R[b];
      let available = tokenReserve + onboarded;
      const validatorPaid = withdrawal(available, validatorClaim);
      available = available - validatorPaid;
      const e2 = withdrawal(available, phaseTwoClaim);
      available = available - e2;
      const e1 = withdrawal(available, phaseOneClaim);
      const supplierPaid = bought + e1 + e2;
      const shortfall =
        validatorClaim - validatorPaid + (phaseTwoClaim - e2) + (phaseOneClaim - e1);
      // 13. reserve top-up (E16): cash from the dollar reserve, tokens from the circulating supply
      const dollarBefore = DR[b];
      const reserveAfterPay = tokenReserve + onboarded - validatorPaid - e2 - e1;
      let topUpTokens = 0;
      let topUpUsd = 0;
      if (reserveAfterPay < lower) {
        const cash = dollarBefore + opsRevenue;
        const circulating = supply + validatorPaid + e1 + e2 - onboarded;
        topUpTokens = restore - reserveAfterPay;
        topUpUsd = topUpTokens * buybackPrice;
        const spent = withdrawal(cash, topUpUsd);
        if (spent !== topUpUsd) {
          topUpTokens = spent === 0 ? 0 : cash / buybackPrice;
          topUpUsd = spent;
        }
        const taken = withdrawal(circulating, topUpTokens);
        if (taken !== topUpTokens) {
          topUpTokens = taken;
          topUpUsd = taken === 0 ? 0 : Math.min(circulating * buybackPrice, cash);
        }
      }
      // 14. update (E17, E18, E19, E17b)
      const lockedBefore = L[b];
      const vested = withdrawal(lockedBefore, vestedToday);
      const supplyNext = supply + validatorPaid + e1 + e2 - onboarded - topUpTokens + vested;
      const reserveNext = tokenReserve + onboarded - validatorPaid - e2 - e1 + topUpTokens;
      const dollarNext = dollarBefore + opsRevenue - topUpUsd;
      const lockedNext = lockedBefore - vested;
      staked += e1;

      const buyBacksUsd = usdBuybackCapital + topUpUsd;
      const tokensPaid = supplierPaid + validatorPaid;
      out[COL.day * D + o] = t;
      out[COL.phase * D + o] = phase;
      out[COL.income * D + o] = income;
      out[COL.opsRevenue * D + o] = opsRevenue;
      out[COL.usdBuybackCapital * D + o] = usdBuybackCapital;
      out[COL.usdCapital * D + o] = usdCapital;
      out[COL.onboardingUsd * D + o] = onboardingUsd;
      out[COL.supplierBondUsd * D + o] = bondUsd;
      out[COL.demand * D + o] = demand;
      out[COL.priceOfToken * D + o] = price;
      out[COL.priceFloored * D + o] = floored ? 1 : 0;
      out[COL.buybackTokens * D + o] = bought;
      out[COL.onboardingTokens * D + o] = onboarded;
      out[COL.jobReward * D + o] = reward;
      out[COL.phaseOneEmission * D + o] = e1;
      out[COL.phaseTwoEmission * D + o] = e2;
      out[COL.validatorTokensPaid * D + o] = validatorPaid;
      out[COL.supplierTokensPaid * D + o] = supplierPaid;
      out[COL.tokensPaid * D + o] = tokensPaid;
      out[COL.reserveBuybackUsd * D + o] = topUpUsd;
      out[COL.reserveBuybackTokens * D + o] = topUpTokens;
      out[COL.buyBacksUsd * D + o] = buyBacksUsd;
      out[COL.tokenShortfall * D + o] = shortfall;
      out[COL.supply * D + o] = supplyNext;
      out[COL.tokenReserve * D + o] = reserveNext;
      out[COL.dollarReserve * D + o] = dollarNext;
      out[COL.lockedAllocations * D + o] = lockedNext;
      out[COL.stakedTokens * D + o] = staked;
      // the fixed columns above (day and phase are finite by construction)
      chk +=
        (income + opsRevenue + usdBuybackCapital + usdCapital + onboardingUsd + bondUsd) * 0 +
        (demand + price + bought + onboarded + reward + e1) * 0 +
        (e2 + validatorPaid + supplierPaid + tokensPaid + topUpUsd + topUpTokens) * 0 +
        (buyBacksUsd + shortfall + supplyNext + reserveNext + dollarNext + lockedNext) * 0 +
        staked * 0;
      if (chk !== 0) {
        daysCompleted[b] = t;
        errors[b] = nonFinite(c, out, D, o, t);
        alive--;
        continue;
      }
      S[b] = supplyNext;
      R[b] = reserveNext;
      DR[b] = dollarNext;
      L[b] = lockedNext;
      PH[b] = phase;
      P2[b] = minted + e2;
      ST[b] = staked;

      // I1–I3 (the same tests as checkInvariants, inlined)
      const usdMove = dollarNext - dollarBefore;
      const usdExpected = income - usdCapital - usdBuybackCapital - topUpUsd;
      const usdTol = INVARIANT_TOLERANCE * Math.max(income, dollarBefore, dollarNext, topUpUsd, 1);
      if (
        !(Math.abs(supplyNext + reserveNext + lockedNext - totalTokens) <= tokTol) ||
        !(Math.abs(usdMove - usdExpected) <= usdTol) ||
        supplyNext < -tokTol ||
        reserveNext < -tokTol ||
        dollarNext < -usdTol
      ) {
        daysCompleted[b] = t + 1;
        errors[b] = invariantError(
          t,
          totalTokens,
          supplyNext,
          reserveNext,
          lockedNext,
          dollarBefore,
          dollarNext,
          income,
          usdCapital,
          usdBuybackCapital,
          topUpUsd,
        );
        alive--;
      }
    }
  }
  for (let b = 0; b < B; b++) if (daysCompleted[b] < 0) daysCompleted[b] = days;
}

/** The first column of day t's row (run at offset o) holding a non-finite value, in table order. */
function nonFinite(
  c: CompiledScenario,
  out: Float64Array,
  D: number,
  o: number,
  t: number,
): NonFiniteValueError {
  for (let col = 0; col < c.columns.length; col++) {
    const v = out[col * D + o];
    if (!Number.isFinite(v)) return new NonFiniteValueError(t, c.columns[col], v);
  }
  return new NonFiniteValueError(t, "?", Number.NaN);
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
