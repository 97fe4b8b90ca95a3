import { ONCHAIN } from "../day/sequence.js";
import { seriesValue, wholeSuppliers } from "../engine/inputs.js";
import { jobPrice } from "../mechanisms/jobPrice.js";
import { nextUniform } from "../random/streams.js";
import type { MarketContext } from "./context.js";
import { grow } from "./grow.js";
import { wholeJobs } from "./wholeJobs.js";

const { buybackModulation: BM, fiatOperationsFraction: F, reputationWindowJobs: REPW } = ONCHAIN;

/** Step 1: the on-chain schedule (docs/model.md §4); a new reputation window reaches the scheduler. */
export function marketSchedule({ c, t, onchain: oc, sched }: MarketContext): undefined {
  let windowChanged = false;
  for (let e = 0; e < c.eventDay.length; e++) {
    if (c.eventDay[e] !== t) continue;
    if (c.eventVar[e] === REPW && oc[REPW] !== c.eventValue[e]) windowChanged = true;
    oc[c.eventVar[e]] = c.eventValue[e];
  }
  if (windowChanged) sched.setWindow(oc[REPW]);
  return undefined;
}

/**
 * Step 1: the day's inputs (§3), drawn from the same streams as aggregate mode, as whole jobs;
 * then the active suppliers.
 */
export function marketInputs(m: MarketContext): undefined {
  drawInputs(m);
  activateSuppliers(m);
  return undefined;
}

/**
 * The day's input series (§3): jobs as whole jobs of the running sum of the draws, suppliers,
 * sentiment, governance. `respond(i, jobs)`, when given, turns consumer type i's drawn jobs
 * (fractional, jobs/day) into the jobs that arrive (feedback E48, E49) before they are made whole.
 */
export function drawInputs(m: MarketContext, respond?: (i: number, jobs: number) => number): void {
  const { c, t, day, state, streams } = m;
  const { nC, nK } = c;
  for (let i = 0; i < nC; i++) {
    const drawn = seriesValue(c, i, t, streams);
    m.cumulativeJobs[i] += respond ? respond(i, drawn) : drawn;
    day.jobs[i] = wholeJobs(m.cumulativeJobs[i], m.submittedJobs[i]);
    m.submittedJobs[i] += day.jobs[i];
  }
  for (let k = 0; k < nK; k++) day.counts[k] = wholeSuppliers(seriesValue(c, nC + k, t, streams));
  day.sentiment = seriesValue(c, nC + nK, t, streams);
  day.governance = seriesValue(c, nC + nK + 1, t, streams);
  if (t === 0) state.yesterdayCounts.set(day.counts);
}

/**
 * The first count[k] members of each class are active (new suppliers are created as needed;
 * departed ones are no longer members, tables.ts); regions out today accept nothing.
 */
export function activateSuppliers({
  c,
  t,
  mk,
  sched,
  day,
  supplierTable: st,
}: MarketContext): void {
  const { nK } = c;
  const nR = mk.regions.length;
  const { regionOut, members, size, active, region } = st;
  let outageChanged = false;
  for (let g = 0; g < nR; g++) {
    const o = mk.outage[t * nR + g];
    if (o !== regionOut[g]) outageChanged = true;
    regionOut[g] = o;
  }
  for (let k = 0; k < nK; k++) {
    const want = day.counts[k];
    while (size[k] < want) st.add(k, t, mk, sched);
    for (let n = Math.min(active[k], want); n < Math.max(active[k], want); n++) {
      const s = members[k][n];
      sched.setAvailable(s, n < want && regionOut[region[s]] === 0);
    }
    active[k] = want;
  }
  if (outageChanged)
    for (let k = 0; k < nK; k++)
      for (let n = 0; n < active[k]; n++) {
        const s = members[k][n];
        sched.setAvailable(s, regionOut[region[s]] === 0);
      }
}

/**
 * Step 2, submission: whole jobs, one task per supplier class with a non-zero share (§9), each
 * queued with the scheduler; income (E5; E1 per job when its incentive is drawn) and USD demand
 * per class (E6).
 */
export function submission(m: MarketContext): undefined {
  const { c, day, mk, fixedIncentive, streams, incentiveStream, today } = m;
  const { nC } = c;
  let income = 0;
  today.nSubmitted = 0;
  today.escrowIn = 0;
  day.demandForService.fill(0);
  for (let i = 0; i < nC; i++) {
    const n = day.jobs[i];
    if (n === 0) continue;
    const fixed = fixedIncentive[i] === 1;
    if (fixed) income += n * c.jobPrice[i]; // E5 exactly as aggregate mode
    for (let j = 0; j < n; j++) {
      let inc = mk.incentiveLow[i];
      let price = c.jobPrice[i];
      if (!fixed) {
        inc += (mk.incentiveHigh[i] - inc) * nextUniform(streams, incentiveStream);
        const consumer = c.scenario.consumers[i];
        price = jobPrice(consumer.unitPrice, consumer.unitsPerJob, inc); // E1
        income += price;
      }
      submitTasks(m, i, inc, price, fixed);
    }
    if (fixed)
      for (let k = 0; k < c.nK; k++)
        day.demandForService[k] += n * c.jobPrice[i] * c.priceMatrix[i * c.nK + k];
  }
  day.income = income;
  return undefined;
}

/** One job of consumer type i: a task per class it needs, queued; its USD share put in escrow. */
function submitTasks(m: MarketContext, i: number, inc: number, price: number, fixed: boolean) {
  const { c, t, onchain: oc, mk, sched, tasks: tk, today } = m;
  const { nK } = c;
  const f = oc[F];
  const bm = oc[BM];
  for (let k = 0; k < nK; k++) {
    const q = mk.req[i * nK + k];
    if (q < 0) continue;
    const share = c.priceMatrix[i * nK + k];
    const taskPrice = price * share;
    const latest = t + mk.deadlineDays[i] - mk.durationDays[i];
    const slot = sched.submit(q, inc, t, latest);
    if (slot >= tk.price.length) tk.ensure(slot + 1);
    tk.price[slot] = taskPrice;
    tk.share[slot] = share;
    tk.consumer[slot] = i;
    tk.supplierClass[slot] = k;
    tk.usd[slot] = (1 - bm) * ((1 - f) * taskPrice); // E7, per task
    tk.day[slot] = t;
    tk.latest[slot] = latest;
    tk.duration[slot] = mk.durationDays[i];
    today.escrowIn += tk.usd[slot];
    if (!fixed) m.day.demandForService[k] += taskPrice;
    today.submitted = grow(today.submitted, today.nSubmitted + 1);
    today.submitted[today.nSubmitted++] = slot;
  }
}
