import {
  composeDay,
  type DayContext,
  type DayStep,
  type DayStepName,
  emptyDay,
  initialState,
  ONCHAIN,
  runDays,
  type StepInsertion,
} from "../day/sequence.js";
import {
  emissions,
  invariants,
  onboarding,
  price,
  record,
  split,
  suppliers,
} from "../day/steps.js";
import type { CompiledScenario } from "../engine/compile.js";
import { seriesValue, wholeSuppliers } from "../engine/inputs.js";
import {
  type KernelOutcome,
  NonFiniteValueError,
  type SimulationFailure,
} from "../engine/outcome.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { supplierBondTokens, supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { INVARIANT_TOLERANCE, InvariantViolation } from "../mechanisms/invariants.js";
import { jobPrice } from "../mechanisms/jobPrice.js";
import { jobReward as jobRewardOf } from "../mechanisms/jobReward.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { payTokens } from "../mechanisms/supplierTokens.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import { nextUniform, seedStreams } from "../random/streams.js";
import { type CompiledMarket, compileMarket } from "./compile.js";
import { grow } from "./grow.js";
import { isDishonest, REGION_STEP, RESOURCE_STEP, spreadPick } from "./population.js";
import { ReferenceScheduler } from "./referenceScheduler.js";
import { type MarketplaceResult, QCOL, QUEUE_COLUMNS, type SupplierRecord } from "./result.js";
import { Scheduler } from "./scheduler.js";
import type { MarketScheduler } from "./types.js";
import { wholeJobs } from "./wholeJobs.js";

export interface MarketOutcome extends KernelOutcome {
  readonly marketplace: MarketplaceResult;
}

export interface MarketOptions {
  /** Use the readable reference scheduler (same results, slower; for checking). */
  readonly referenceScheduler?: boolean;
  /** Steps inserted into the day at their named places (src/day/sequence.ts). */
  readonly extensions?: readonly StepInsertion[];
}

const {
  buybackModulation: BM,
  fiatOperationsFraction: F,
  jobRewardModulation: JRM,
  bondModulation: BOND,
  reputationWindowJobs: REPW,
  validationModulator: VMOD,
  validationsPerJob: VPJ,
  lowerTokenReserveLimit: LOWER,
  tokenReserveRestoreLevel: RESTORE,
} = ONCHAIN;

/**
 * Marketplace (agent) mode, MODEL.md §9: the day of §6 driven by individual jobs, tasks and
 * suppliers. Burn at submission, mint at validation; bonds (E22) posted on acceptance, returned
 * on validation, confiscated into the token reserve on failure; expired tasks refunded from the
 * dollar reserve. Every choice §9 leaves open is documented in docs/marketplace.md. Writes the
 * same column-major §7 table as the aggregate engines and checks I1–I3 every day.
 */
export function runMarketplace(
  c: CompiledScenario,
  seed: number,
  run: number,
  out: Float64Array,
  options: MarketOptions = {},
): MarketOutcome {
  const mk: CompiledMarket = compileMarket(c);
  const { days, nC, nK } = c;
  const nR = mk.regions.length;
  const streams = new Int32Array(4 * (c.nSeries + 2));
  seedStreams(streams, c.nSeries + 2, seed, run);
  const VALIDATION = 4 * c.nSeries;
  const INCENTIVE = 4 * (c.nSeries + 1);
  const sched: MarketScheduler = options.referenceScheduler
    ? new ReferenceScheduler(mk.setup)
    : new Scheduler(mk.setup);
  const oc = Float64Array.from(c.onchain0);
  const consumers = c.scenario.consumers;
  const fixedIncentive = Float64Array.from(
    consumers,
    (_, i) => +(mk.incentiveLow[i] === mk.incentiveHigh[i]),
  );

  // state (MODEL.md §2) plus the marketplace's escrows
  /** Tokens bought back for tasks not yet validated: in the reserve, owed to suppliers. */
  let pendingTokens = 0;
  /** USD shares of tasks not yet validated, held outside the dollar reserve. */
  let usdEscrow = 0;
  let inFlight = 0;
  const totalTokens = c.initialSupply + c.initialTokenReserve + c.initialLocked;
  const cumulativeJobs = new Float64Array(nC);
  const submittedJobs = new Float64Array(nC);

  // suppliers (engine side: attributes and earnings)
  let sClass = new Int32Array(16);
  let sHonesty = new Float64Array(16);
  let sDishonest = new Uint8Array(16);
  let sJoin = new Int32Array(16);
  let sUsd = new Float64Array(16);
  let sTokens = new Float64Array(16);
  let sBondLost = new Float64Array(16);
  let sValidated = new Float64Array(16);
  let sFailed = new Float64Array(16);
  let nSup = 0;
  const members: Int32Array[] = Array.from({ length: nK }, () => new Int32Array(16));
  const created = new Int32Array(nK);
  const active = new Int32Array(nK);
  const regionOut = new Uint8Array(nR);

  // tasks (engine side, by the scheduler's slot)
  let tPrice = new Float64Array(16);
  let tShare = new Float64Array(16);
  let tConsumer = new Int32Array(16);
  let tUsd = new Float64Array(16);
  let tEarmark = new Float64Array(16);
  let tBond = new Float64Array(16);
  let tSupplier = new Int32Array(16);
  let tDay = new Int32Array(16);
  let tLatest = new Int32Array(16);
  let tDuration = new Int32Array(16);
  let tNext = new Int32Array(16);
  const dueHead = new Int32Array(days).fill(-1);
  let submittedToday = new Int32Array(16);
  let assignedT = new Int32Array(16);
  let assignedS = new Int32Array(16);
  let expired = new Int32Array(16);
  let rewardSupplier = new Int32Array(16);
  let rewardTokens = new Float64Array(16);
  const waitHist = new Float64Array(mk.longestDeadline + 1);
  // buyback tokens per submission day (cohort): bought, paid out so far, tasks still open. The
  // last task of a cohort takes what is left, so a cohort pays out exactly what it bought.
  const cohortBought = new Float64Array(days);
  const cohortPaid = new Float64Array(days);
  const cohortOpen = new Float64Array(days);
  const payOut = (slot: number): number => {
    const d = tDay[slot];
    const amount = cohortOpen[d] === 1 ? cohortBought[d] - cohortPaid[d] : tEarmark[slot];
    cohortPaid[d] += amount;
    cohortOpen[d]--;
    return amount;
  };

  const queue = QUEUE_COLUMNS.map(() => new Float64Array(days));

  const supplierRegion: number[] = [];
  const supplierResource: number[] = [];
  const addSupplier = (k: number, t: number) => {
    const n = created[k]++;
    const res =
      mk.classResources[k].index[spreadPick(n, RESOURCE_STEP, mk.classResources[k].cumulative)];
    const region =
      mk.classRegions[k].index[spreadPick(n, REGION_STEP, mk.classRegions[k].cumulative)];
    const s = sched.addSupplier(k, Math.max(0, res), region, mk.capacity[k]);
    nSup = s + 1;
    supplierRegion[s] = region;
    supplierResource[s] = res;
    sClass = grow(sClass, nSup);
    sHonesty = grow(sHonesty, nSup);
    sDishonest = grow(sDishonest, nSup);
    sJoin = grow(sJoin, nSup);
    sUsd = grow(sUsd, nSup);
    sTokens = grow(sTokens, nSup);
    sBondLost = grow(sBondLost, nSup);
    sValidated = grow(sValidated, nSup);
    sFailed = grow(sFailed, nSup);
    const bad = isDishonest(n, mk.dishonestShare[k]);
    sClass[s] = k;
    sDishonest[s] = bad ? 1 : 0;
    sHonesty[s] = bad ? mk.dishonestPass[k] : mk.honestPass[k];
    sJoin[s] = t;
    members[k] = grow(members[k], n + 1);
    members[k][n] = s;
  };

  // per day: validations (pass or fail) and validated tasks per (consumer, class); USD of
  // validated tasks of consumer types with drawn incentives
  const attempted = new Float64Array(nC * nK);
  const validatedTasks = new Float64Array(nC * nK);
  const variableUsd = new Float64Array(nC);
  const rewardJobs = new Float64Array(nC);
  const rewardPrice = new Float64Array(nC);
  let tClass = new Int32Array(16);
  const classOf = (slot: number) => tClass[slot];
  /** Whole jobs all of whose tasks are counted, plus the share-weighted rest. */
  const jobEquivalents = (counts: Float64Array, i: number): number => {
    let whole = Number.POSITIVE_INFINITY;
    for (let k = 0; k < nK; k++)
      if (mk.req[i * nK + k] >= 0) whole = Math.min(whole, counts[i * nK + k]);
    if (!(whole < Number.POSITIVE_INFINITY)) return 0;
    let rest = 0;
    for (let k = 0; k < nK; k++)
      if (mk.req[i * nK + k] >= 0) rest += (counts[i * nK + k] - whole) * c.priceMatrix[i * nK + k];
    return whole + rest;
  };

  const ctx: DayContext = {
    c,
    t: 0,
    state: initialState(c),
    day: emptyDay(nC, nK),
    onchain: oc,
    streams,
    totalTokens,
    out,
    rowWritten: false,
  };
  const { state, day } = ctx;
  const { jobs, counts, demandForService } = day;

  // the day's marketplace quantities, set by the step that computes them
  let nSubmitted = 0;
  let escrowIn = 0;
  let nExpired = 0;
  let nAssigned = 0;
  let acceptedUsd = 0;
  let bondsPosted = 0;
  let released = 0; // earmarked tokens paid to suppliers
  let usdPaid = 0;
  let taskRewards = 0; // Σ of the per-task E12 rewards, for sharing out E13
  let confiscated = 0;
  let nValidated = 0;
  let nFailed = 0;
  let nRequeued = 0;
  let nRewards = 0;
  let refundDue = 0;
  let escrowBack = 0;
  let freed = 0;
  let attemptedJobs = 0;
  let freeReserve = 0;
  let refunded = 0;

  /** Step 1: the on-chain schedule; a new reputation window reaches the scheduler. */
  const marketSchedule = (): undefined => {
    const t = ctx.t;
    let windowChanged = false;
    for (let e = 0; e < c.eventDay.length; e++) {
      if (c.eventDay[e] !== t) continue;
      if (c.eventVar[e] === REPW && oc[REPW] !== c.eventValue[e]) windowChanged = true;
      oc[c.eventVar[e]] = c.eventValue[e];
    }
    if (windowChanged) sched.setWindow(oc[REPW]);
    return undefined;
  };

  /** Step 1: the day's inputs (§3), drawn from the same streams as aggregate mode, as whole jobs; then the active suppliers. */
  const marketInputs = (): undefined => {
    const t = ctx.t;
    for (let i = 0; i < nC; i++) {
      cumulativeJobs[i] += seriesValue(c, i, t, streams);
      jobs[i] = wholeJobs(cumulativeJobs[i], submittedJobs[i]);
      submittedJobs[i] += jobs[i];
    }
    for (let k = 0; k < nK; k++) counts[k] = wholeSuppliers(seriesValue(c, nC + k, t, streams));
    day.sentiment = seriesValue(c, nC + nK, t, streams);
    day.governance = seriesValue(c, nC + nK + 1, t, streams);
    if (t === 0) state.yesterdayCounts.set(counts);
    activateSuppliers(t);
    return undefined;
  };

  /** The first count[k] of each class are active; regions out today accept nothing. */
  const activateSuppliers = (t: number) => {
    let outageChanged = false;
    for (let g = 0; g < nR; g++) {
      const o = mk.outage[t * nR + g];
      if (o !== regionOut[g]) outageChanged = true;
      regionOut[g] = o;
    }
    for (let k = 0; k < nK; k++) {
      const want = counts[k];
      while (created[k] < want) addSupplier(k, t);
      for (let n = Math.min(active[k], want); n < Math.max(active[k], want); n++) {
        const s = members[k][n];
        sched.setAvailable(s, n < want && regionOut[supplierRegion[s]] === 0);
      }
      active[k] = want;
    }
    if (outageChanged)
      for (let k = 0; k < nK; k++)
        for (let n = 0; n < active[k]; n++) {
          const s = members[k][n];
          sched.setAvailable(s, regionOut[supplierRegion[s]] === 0);
        }
  };

  /** Step 2, submission: whole jobs, one task per supplier class with a non-zero share (§9); income (E5). */
  const submission = (): undefined => {
    const t = ctx.t;
    const f = oc[F];
    const bm = oc[BM];
    let income = 0;
    nSubmitted = 0;
    escrowIn = 0;
    demandForService.fill(0);
    for (let i = 0; i < nC; i++) {
      const n = jobs[i];
      if (n === 0) continue;
      const fixed = fixedIncentive[i] === 1;
      if (fixed) income += n * c.jobPrice[i]; // E5 exactly as aggregate mode
      for (let j = 0; j < n; j++) {
        let inc = mk.incentiveLow[i];
        let price = c.jobPrice[i];
        if (!fixed) {
          inc += (mk.incentiveHigh[i] - inc) * nextUniform(streams, INCENTIVE);
          price = jobPrice(consumers[i].unitPrice, consumers[i].unitsPerJob, inc); // E1
          income += price;
        }
        for (let k = 0; k < nK; k++) {
          const q = mk.req[i * nK + k];
          if (q < 0) continue;
          const share = c.priceMatrix[i * nK + k];
          const taskPrice = price * share;
          const latest = t + mk.deadlineDays[i] - mk.durationDays[i];
          const slot = sched.submit(q, inc, t, latest);
          if (slot >= tPrice.length) growTasks(slot + 1);
          tPrice[slot] = taskPrice;
          tShare[slot] = share;
          tConsumer[slot] = i;
          tClass[slot] = k;
          tUsd[slot] = (1 - bm) * ((1 - f) * taskPrice); // E7, per task
          tDay[slot] = t;
          tLatest[slot] = latest;
          tDuration[slot] = mk.durationDays[i];
          escrowIn += tUsd[slot];
          if (!fixed) demandForService[k] += taskPrice;
          submittedToday = grow(submittedToday, nSubmitted + 1);
          submittedToday[nSubmitted++] = slot;
        }
      }
      if (fixed)
        for (let k = 0; k < nK; k++)
          demandForService[k] += n * c.jobPrice[i] * c.priceMatrix[i * nK + k];
    }
    day.income = income;
    return undefined;
  };

  const growTasks = (len: number) => {
    tPrice = grow(tPrice, len);
    tShare = grow(tShare, len);
    tConsumer = grow(tConsumer, len);
    tClass = grow(tClass, len);
    tUsd = grow(tUsd, len);
    tEarmark = grow(tEarmark, len);
    tBond = grow(tBond, len);
    tSupplier = grow(tSupplier, len);
    tDay = grow(tDay, len);
    tLatest = grow(tLatest, len);
    tDuration = grow(tDuration, len);
    tNext = grow(tNext, len);
  };

  /** Step 6, scheduling: expiry of tasks that can no longer meet their deadline, assignment (§9), bonds (E9 as E22 summed over accepted tasks). */
  const scheduling = (): undefined => {
    const t = ctx.t;
    expired = grow(expired, sched.waiting());
    nExpired = sched.expire(t, expired);
    assignedT = grow(assignedT, sched.waiting());
    assignedS = grow(assignedS, sched.waiting());
    nAssigned = sched.assignFor(t, assignedT, assignedS);
    acceptedUsd = 0;
    waitHist.fill(0);
    for (let a = 0; a < nAssigned; a++) {
      const slot = assignedT[a];
      acceptedUsd += tPrice[slot];
      tSupplier[slot] = assignedS[a];
      waitHist[t - tDay[slot]]++;
      const due = t + tDuration[slot] - 1;
      if (due < days) {
        tNext[slot] = dueHead[due];
        dueHead[due] = slot;
      }
    }
    inFlight += nAssigned;
    day.supplierBondUsd = supplierBondUsd(oc[BOND], acceptedUsd);
    return undefined;
  };

  /** Step 8: bonds posted on acceptance (E22), burn at submission (E11a, earmarked per task), onboarding burn (E11b) from supply. */
  const marketBurn = (): undefined => {
    const t = ctx.t;
    const p = day.price.priceOfToken;
    bondsPosted = 0;
    for (let a = 0; a < nAssigned; a++) {
      const slot = assignedT[a];
      tBond[slot] = supplierBondTokens(oc[BOND], tPrice[slot], p); // E22
      bondsPosted += tBond[slot];
    }
    const f = oc[F];
    const bm = oc[BM];
    day.buybackTokens = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
    day.onboardingTokens = withdrawal(state.supply, onboardingTokens(day.onboardingUsd, p));
    for (let j = 0; j < nSubmitted; j++) {
      const slot = submittedToday[j];
      tEarmark[slot] = buybackTokens(bm * ((1 - f) * tPrice[slot]), day.price.buybackPrice);
    }
    cohortBought[t] = day.buybackTokens;
    cohortOpen[t] = nSubmitted;
    return undefined;
  };

  /** Validation of the work due today: pay validated work, confiscate failed bonds, requeue or expire. */
  const validation = () => {
    const t = ctx.t;
    const p = day.price.priceOfToken;
    released = 0;
    usdPaid = 0;
    taskRewards = 0;
    attempted.fill(0);
    validatedTasks.fill(0);
    variableUsd.fill(0);
    confiscated = 0;
    nValidated = 0;
    nFailed = 0;
    nRequeued = 0;
    nRewards = 0;
    for (let slot = dueHead[t]; slot >= 0; ) {
      const next = tNext[slot];
      const s = tSupplier[slot];
      const h = sHonesty[s];
      const passed = h >= 1 ? true : h <= 0 ? false : nextUniform(streams, VALIDATION) < h;
      const ik = tConsumer[slot] * nK + classOf(slot);
      attempted[ik]++;
      sched.validate(s, passed);
      inFlight--;
      if (passed) {
        nValidated++;
        sValidated[s]++;
        usdPaid += tUsd[slot];
        sUsd[s] += tUsd[slot];
        const tokens = payOut(slot);
        released += tokens;
        sTokens[s] += tokens;
        validatedTasks[ik]++;
        if (fixedIncentive[tConsumer[slot]] === 0) variableUsd[tConsumer[slot]] += tPrice[slot];
        if (state.phase === 2) {
          const r = tPrice[slot] / p / oc[JRM]; // E12 per task
          taskRewards += r;
          rewardSupplier = grow(rewardSupplier, nRewards + 1);
          rewardTokens = grow(rewardTokens, nRewards + 1);
          rewardSupplier[nRewards] = s;
          rewardTokens[nRewards++] = r;
        }
        sched.release(slot);
      } else {
        nFailed++;
        sFailed[s]++;
        confiscated += tBond[slot];
        sBondLost[s] += tBond[slot];
        if (t + 1 <= tLatest[slot]) {
          sched.requeue(slot, s);
          nRequeued++;
        } else {
          expired = grow(expired, nExpired + 1);
          expired[nExpired++] = slot;
        }
      }
      slot = next;
    }
  };

  /** Expired tasks give back their price; their USD share leaves escrow, their earmarked tokens become free reserve tokens. */
  const expiry = () => {
    refundDue = 0;
    escrowBack = 0;
    freed = 0;
    for (let e = 0; e < nExpired; e++) {
      const slot = expired[e];
      refundDue += tPrice[slot];
      escrowBack += tUsd[slot];
      freed += payOut(slot);
      sched.release(slot);
    }
  };

  /**
   * Step 9: validation and expiry, then job rewards (E12) of validated work, counted in job
   * equivalents per consumer type so that whole jobs give aggregate mode's sums exactly.
   */
  const marketRewards = (): undefined => {
    validation();
    expiry();
    attemptedJobs = 0;
    for (let i = 0; i < nC; i++) {
      attemptedJobs += jobEquivalents(attempted, i);
      const fixed = fixedIncentive[i] === 1;
      rewardJobs[i] = fixed ? jobEquivalents(validatedTasks, i) : 1;
      rewardPrice[i] = fixed ? c.jobPrice[i] : variableUsd[i];
    }
    day.jobReward =
      state.phase === 2 ? jobRewardOf(rewardJobs, rewardPrice, day.price.priceOfToken, oc[JRM]) : 0;
    return undefined;
  };

  /** Step 11: validator pay (E14) for every completed validation, pass or fail. */
  const marketValidators = (): undefined => {
    day.validatorClaim = validatorTokens(oc[VMOD], validationsCompleted(oc[VPJ], attemptedJobs));
    return undefined;
  };

  /** Step 12, settlement: E15 on the free reserve (earmarked tokens belong to their tasks); per-supplier shares of the emissions. */
  const settlement = (): undefined => {
    freeReserve = state.tokenReserve - pendingTokens + confiscated + freed;
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
    // E13 pro rata to job rewards, E3 per filled target slot
    if (taskRewards > 0 && paid.phaseTwoEmission > 0)
      for (let j = 0; j < nRewards; j++)
        sTokens[rewardSupplier[j]] += (paid.phaseTwoEmission * rewardTokens[j]) / taskRewards;
    if (paid.phaseOneEmission > 0) {
      let slots = 0;
      for (let k = 0; k < nK; k++) slots += Math.min(counts[k], c.phaseOneTarget[k]);
      for (let k = 0; k < nK; k++) {
        const filled = Math.min(counts[k], c.phaseOneTarget[k], created[k]);
        for (let n = 0; n < filled; n++) sTokens[members[k][n]] += paid.phaseOneEmission / slots;
      }
    }
    return undefined;
  };

  /** Step 13: refunds from the dollar reserve (cut, and reported, if it cannot pay), then the top-up (E16) on the free reserve. */
  const marketTopUp = (): undefined => {
    const { paid } = day;
    const cash = state.dollarReserve + day.split.opsRevenue + escrowBack;
    refunded = withdrawal(cash, refundDue);
    const freeAfterPay =
      freeReserve +
      day.onboardingTokens -
      paid.validatorTokensPaid -
      paid.phaseTwoEmission -
      paid.phaseOneEmission;
    // E17 before the top-up, in aggregate mode's order, plus the marketplace's token flows
    // (earmarked tokens paid out − bought back today − bonds confiscated); the top-up and the
    // update below use this one number, so a top-up that takes every token lands on exactly 0
    circulating =
      nextSupply(
        state.supply,
        paid.validatorTokensPaid,
        paid.phaseOneEmission,
        paid.phaseTwoEmission,
        day.onboardingTokens,
        0,
        0,
      ) +
      (released - day.buybackTokens - confiscated);
    cashLeft = cash - refunded;
    day.topUp = reserveTopUp(
      freeAfterPay,
      c.initialTokenReserve,
      oc[LOWER],
      oc[RESTORE],
      day.price.buybackPrice,
      cashLeft,
      circulating,
    );
    return undefined;
  };
  let circulating = 0;
  let cashLeft = 0;

  /** Step 14: E17, E18, E19 plus the marketplace's escrow flows; vesting (E17b) from the locked allocations. */
  const marketUpdate = (): undefined => {
    const { paid, topUp } = day;
    day.vested = withdrawal(state.lockedAllocations, c.vested[ctx.t]);
    day.dollarBefore = state.dollarReserve;
    state.supply = circulating - topUp.reserveBuybackTokens + day.vested;
    state.tokenReserve =
      nextTokenReserve(
        state.tokenReserve,
        day.onboardingTokens,
        paid.validatorTokensPaid,
        paid.phaseTwoEmission,
        paid.phaseOneEmission,
        topUp.reserveBuybackTokens,
      ) +
      (day.buybackTokens - released + confiscated);
    // a top-up that spends all the cash left after refunds drains the dollar reserve to exactly 0
    state.dollarReserve =
      topUp.reserveBuybackUsd === cashLeft && cashLeft > 0
        ? 0
        : nextDollarReserve(state.dollarReserve, day.split.opsRevenue, topUp.reserveBuybackUsd) +
          (escrowBack - refunded);
    state.lockedAllocations -= day.vested;
    pendingTokens += day.buybackTokens - released - freed;
    usdEscrow += escrowIn - usdPaid - escrowBack;
    state.phaseTwoMinted += paid.phaseTwoEmission;
    state.stakedTokens += paid.phaseOneEmission;
    // I2 counts refunds as USD leaving the reserve and escrow returns as USD entering it
    day.extraUsdOut += refunded - escrowBack;
    return undefined;
  };

  /** The §7 row (shared) and the queue metrics. */
  const marketRecord = (): SimulationFailure | undefined => {
    const t = ctx.t;
    const qv = (col: number, v: number) => {
      queue[col][t] = v;
    };
    qv(QCOL.day, t);
    qv(QCOL.submittedTasks, nSubmitted);
    qv(QCOL.acceptedTasks, nAssigned);
    qv(QCOL.waitingTasks, sched.waiting());
    qv(QCOL.inFlightTasks, inFlight);
    qv(QCOL.medianWaitDays, quantile(waitHist, nAssigned, 0.5));
    qv(QCOL.p95WaitDays, quantile(waitHist, nAssigned, 0.95));
    qv(QCOL.validatedTasks, nValidated);
    qv(QCOL.failedTasks, nFailed);
    qv(QCOL.requeuedTasks, nRequeued);
    qv(QCOL.expiredTasks, nExpired);
    qv(QCOL.refundedUsd, refunded);
    qv(QCOL.refundShortfallUsd, refundDue - refunded);
    qv(QCOL.usdPaidToSuppliers, usdPaid);
    qv(QCOL.usdEscrow, usdEscrow);
    qv(QCOL.pendingTokens, pendingTokens);
    qv(QCOL.bondTokensPosted, bondsPosted);
    qv(QCOL.bondTokensConfiscated, confiscated);
    for (let q = 0; q < QUEUE_COLUMNS.length; q++)
      if (!Number.isFinite(queue[q][t]))
        return new NonFiniteValueError(t, QUEUE_COLUMNS[q], queue[q][t]);
    return record(ctx);
  };

  /** I1–I3, and no escrow negative. */
  const marketInvariants = (): SimulationFailure | undefined => {
    const violation = invariants(ctx);
    if (violation) return violation;
    const tol = INVARIANT_TOLERANCE * Math.max(totalTokens, 1);
    if (
      pendingTokens < -tol ||
      state.tokenReserve - pendingTokens < -tol ||
      usdEscrow < -tol * 1e-3
    )
      return new InvariantViolation(
        ctx.t,
        "I3",
        `an escrow is negative: pendingTokens ${pendingTokens}, free reserve ${state.tokenReserve - pendingTokens}, usdEscrow ${usdEscrow}`,
      );
    return undefined;
  };

  const named = (name: DayStepName, run: () => SimulationFailure | undefined): DayStep => ({
    name,
    run,
  });
  const steps: DayStep[] = [
    named("schedule", marketSchedule),
    named("inputs", marketInputs),
    named("income", submission),
    { name: "split", run: split },
    { name: "suppliers", run: suppliers },
    { name: "onboarding", run: onboarding },
    named("bonds", scheduling),
    { name: "price", run: price },
    named("burn", marketBurn),
    named("rewards", marketRewards),
    { name: "emissions", run: emissions },
    named("validators", marketValidators),
    named("payouts", settlement),
    named("topUp", marketTopUp),
    named("update", marketUpdate),
    named("record", marketRecord),
    named("invariants", marketInvariants),
  ];
  const outcome = runDays(ctx, composeDay(steps, options.extensions ?? []));
  return finish(outcome.daysCompleted, outcome.error);

  function finish(daysCompleted: number, error: KernelOutcome["error"]): MarketOutcome {
    const suppliers: SupplierRecord[] = [];
    for (let s = 0; s < nSup; s++)
      suppliers.push({
        id: s,
        supplierClass: c.supplierNames[sClass[s]],
        resource: mk.resources[supplierResource[s]] ?? "",
        region: mk.regions[supplierRegion[s]],
        honesty: sHonesty[s],
        dishonest: sDishonest[s] === 1,
        joinDay: sJoin[s],
        completed: sValidated[s] + sFailed[s],
        validated: sValidated[s],
        failed: sFailed[s],
        usdEarned: sUsd[s],
        tokensEarned: sTokens[s],
        bondTokensLost: sBondLost[s],
        reputation: sched.reputationOf(s),
      });
    return {
      daysCompleted,
      error,
      marketplace: {
        suppliers,
        queue: {
          columns: QUEUE_COLUMNS,
          days: daysCompleted,
          values: queue.map((v) => v.subarray(0, daysCompleted)),
        },
      },
    };
  }
}

/** Nearest-rank quantile of whole-day waits from their histogram; 0 when nothing was accepted. */
export function quantile(hist: Float64Array, n: number, q: number): number {
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * n));
  let acc = 0;
  for (let w = 0; w < hist.length; w++) {
    acc += hist[w];
    if (acc >= rank) return w;
  }
  return hist.length - 1;
}
