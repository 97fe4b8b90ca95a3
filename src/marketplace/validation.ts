import { ONCHAIN } from "../day/sequence.js";
import { jobReward } from "../mechanisms/jobReward.js";
import { validationsCompleted, validatorTokens } from "../mechanisms/validatorPay.js";
import { nextUniform } from "../random/streams.js";
import type { MarketContext } from "./context.js";
import { grow } from "./grow.js";

const { jobRewardModulation: JRM, validationModulator: VMOD, validationsPerJob: VPJ } = ONCHAIN;

/** The day's validation counters back to zero. */
function resetValidation({ today }: MarketContext): void {
  today.released = 0;
  today.usdPaid = 0;
  today.taskRewards = 0;
  today.attempted.fill(0);
  today.validatedTasks.fill(0);
  today.variableUsd.fill(0);
  today.confiscated = 0;
  today.bondsReturned = 0;
  today.nValidated = 0;
  today.nFailed = 0;
  today.nRequeued = 0;
  today.nRewards = 0;
}

/**
 * Validation of the work due today (§9): each passes with its supplier's honesty (a draw from
 * the validation stream). Validated work is paid its USD share and its earmarked tokens and
 * earns its E12 reward (phase 2); failed work loses its bond (E22) and is requeued, or expires
 * when it can no longer meet its deadline.
 */
export function validation(m: MarketContext): void {
  const { c, t, state, sched, streams, validationStream, tasks: tk, supplierTable: st } = m;
  const { today } = m;
  resetValidation(m);
  for (let slot = tk.dueHead[t]; slot >= 0; ) {
    const next = tk.next[slot];
    const s = tk.supplier[slot];
    const h = st.honesty[s];
    const passed = h >= 1 ? true : h <= 0 ? false : nextUniform(streams, validationStream) < h;
    today.attempted[tk.consumer[slot] * c.nK + tk.supplierClass[slot]]++;
    sched.validate(s, passed);
    m.inFlight--;
    if (passed) validated(m, slot, s, state.phase === 2);
    else {
      today.nFailed++;
      st.failed[s]++;
      today.confiscated += tk.bond[slot];
      st.bondLost[s] += tk.bond[slot];
      if (t + 1 <= tk.latest[slot]) {
        sched.requeue(slot, s);
        today.nRequeued++;
      } else {
        today.expired = grow(today.expired, today.nExpired + 1);
        today.expired[today.nExpired++] = slot;
      }
    }
    slot = next;
  }
}

/** Task `slot`, done by supplier s, passed: its USD share and earmarked tokens are paid, its bond returned; its E12 reward is noted. */
function validated(m: MarketContext, slot: number, s: number, phaseTwo: boolean): void {
  const { c, day, onchain: oc, tasks: tk, supplierTable: st, today } = m;
  today.nValidated++;
  st.validated[s]++;
  today.usdPaid += tk.usd[slot];
  today.bondsReturned += tk.bond[slot];
  st.usd[s] += tk.usd[slot];
  st.workUsd[s] += tk.price[slot];
  const tokens = tk.payOut(slot);
  today.released += tokens;
  st.tokens[s] += tokens;
  today.validatedTasks[tk.consumer[slot] * c.nK + tk.supplierClass[slot]]++;
  if (m.fixedIncentive[tk.consumer[slot]] === 0)
    today.variableUsd[tk.consumer[slot]] += tk.price[slot];
  if (phaseTwo) {
    const r = tk.price[slot] / day.price.priceOfToken / oc[JRM]; // E12 per task
    today.taskRewards += r;
    today.rewardSupplier = grow(today.rewardSupplier, today.nRewards + 1);
    today.rewardTokens = grow(today.rewardTokens, today.nRewards + 1);
    today.rewardSupplier[today.nRewards] = s;
    today.rewardTokens[today.nRewards++] = r;
  }
  m.sched.release(slot);
}

/**
 * Expired tasks give back their price (refunded at top-up); their USD share leaves escrow, their
 * earmarked tokens become free reserve tokens.
 */
export function expiry({ sched, tasks: tk, today }: MarketContext): void {
  let refundDue = 0;
  let escrowBack = 0;
  let freed = 0;
  for (let e = 0; e < today.nExpired; e++) {
    const slot = today.expired[e];
    refundDue += tk.price[slot];
    escrowBack += tk.usd[slot];
    freed += tk.payOut(slot);
    sched.release(slot);
  }
  today.refundDue = refundDue;
  today.escrowBack = escrowBack;
  today.freed = freed;
}

/** Whole jobs of consumer type i all of whose tasks are counted, plus the share-weighted rest. */
export function jobEquivalents(m: MarketContext, counts: Float64Array, i: number): number {
  const { nK, priceMatrix } = m.c;
  const { req } = m.mk;
  let whole = Number.POSITIVE_INFINITY;
  for (let k = 0; k < nK; k++)
    if (req[i * nK + k] >= 0) whole = Math.min(whole, counts[i * nK + k]);
  if (!(whole < Number.POSITIVE_INFINITY)) return 0;
  let rest = 0;
  for (let k = 0; k < nK; k++)
    if (req[i * nK + k] >= 0) rest += (counts[i * nK + k] - whole) * priceMatrix[i * nK + k];
  return whole + rest;
}

/**
 * Step 9: validation and expiry, then job rewards (E12) of validated work, counted in job
 * equivalents per consumer type so that whole jobs give aggregate mode's sums exactly.
 */
export function marketRewards(m: MarketContext): undefined {
  const { c, day, state, onchain: oc, fixedIncentive, today } = m;
  validation(m);
  expiry(m);
  let attemptedJobs = 0;
  for (let i = 0; i < c.nC; i++) {
    attemptedJobs += jobEquivalents(m, today.attempted, i);
    const fixed = fixedIncentive[i] === 1;
    today.rewardJobs[i] = fixed ? jobEquivalents(m, today.validatedTasks, i) : 1;
    today.rewardPrice[i] = fixed ? c.jobPrice[i] : today.variableUsd[i];
  }
  today.attemptedJobs = attemptedJobs;
  day.jobReward =
    state.phase === 2
      ? jobReward(today.rewardJobs, today.rewardPrice, day.price.priceOfToken, oc[JRM])
      : 0;
  return undefined;
}

/** Step 11: validator pay (E14) for every completed validation, pass or fail. */
export function marketValidators({ day, onchain: oc, today }: MarketContext): undefined {
  day.validatorClaim = validatorTokens(
    oc[VMOD],
    validationsCompleted(oc[VPJ], today.attemptedJobs),
  );
  return undefined;
}
