import { ONCHAIN } from "../day/sequence.js";
import { supplierBondTokens, supplierBondUsd } from "../mechanisms/bonds.js";
import { buybackTokens, onboardingTokens } from "../mechanisms/burn.js";
import { freeSupplyCut } from "../mechanisms/freeSupply.js";
import { withdrawal } from "../mechanisms/withdrawal.js";
import type { MarketContext } from "./context.js";
import { grow } from "./grow.js";

const { buybackModulation: BM, fiatOperationsFraction: F, bondModulation: BOND } = ONCHAIN;

/**
 * Step 6, scheduling: expiry of tasks that can no longer meet their deadline, assignment (§9),
 * bonds (E9 as E22 summed over the accepted tasks). An accepted task is due for validation on
 * the last day of its duration.
 */
export function scheduling(m: MarketContext): undefined {
  const { c, t, day, onchain: oc, sched, tasks: tk, today } = m;
  today.expired = grow(today.expired, sched.waiting());
  today.nExpired = sched.expire(t, today.expired);
  today.assignedTasks = grow(today.assignedTasks, sched.waiting());
  today.assignedSuppliers = grow(today.assignedSuppliers, sched.waiting());
  const nAssigned = sched.assignFor(t, today.assignedTasks, today.assignedSuppliers);
  today.nAssigned = nAssigned;
  const { assignedTasks, assignedSuppliers, waitHist } = today;
  const { dueHead } = tk;
  let acceptedUsd = 0;
  waitHist.fill(0);
  for (let a = 0; a < nAssigned; a++) {
    const slot = assignedTasks[a];
    acceptedUsd += tk.price[slot];
    tk.supplier[slot] = assignedSuppliers[a];
    waitHist[t - tk.day[slot]]++;
    const due = t + tk.duration[slot] - 1;
    if (due < c.days) {
      tk.next[slot] = dueHead[due];
      dueHead[due] = slot;
    }
  }
  today.acceptedUsd = acceptedUsd;
  m.inFlight += nAssigned;
  day.supplierBondUsd = supplierBondUsd(oc[BOND], acceptedUsd);
  return undefined;
}

/**
 * Step 8: bonds posted on acceptance (E22), burn at submission (E11a, earmarked per task, the
 * day's cohort), onboarding burn (E11b), each taken from the free circulating tokens in that
 * order: supply less the bonds outstanding (`bondedTokens`), less what the steps before took.
 */
export function marketBurn(m: MarketContext): undefined {
  const { day, state } = m;
  let free = state.supply - m.bondedTokens;
  free -= postBonds(m, free);
  const wanted = buybackTokens(day.split.usdBuybackCapital, day.price.buybackPrice);
  day.buybackTokens = withdrawal(free, wanted);
  free -= day.buybackTokens;
  day.onboardingTokens = withdrawal(
    free,
    onboardingTokens(day.onboardingUsd, day.price.priceOfToken),
  );
  earmarkBuybacks(m, wanted);
  return undefined;
}

/**
 * E22: the bond tokens of each task accepted today, at the day's price, posted from `free`, the
 * circulating tokens not already bonded or taken today (tokens). A bond is tokens its supplier
 * holds: when the day's bonds want more than `free` holds (a price that does not see the free
 * supply, e.g. a pool's, or earlier bonds still outstanding), each is cut pro rata to what there
 * is (a withdrawal, so "all of it" is exactly `free`). Returns the tokens posted.
 */
export function postBonds(m: MarketContext, free: number): number {
  const { day, onchain: oc, tasks: tk, today } = m;
  const p = day.price.priceOfToken;
  let wanted = 0;
  for (let a = 0; a < today.nAssigned; a++) {
    const slot = today.assignedTasks[a];
    tk.bond[slot] = supplierBondTokens(oc[BOND], tk.price[slot], p); // E22
    wanted += tk.bond[slot];
  }
  const posted = withdrawal(free, wanted);
  const cut = freeSupplyCut(posted, wanted);
  if (cut !== 1) {
    for (let a = 0; a < today.nAssigned; a++) tk.bond[today.assignedTasks[a]] *= cut;
  }
  today.bondsPosted = posted;
  return posted;
}

/**
 * E11a per task: each task submitted today gets its share of the day's bought-back tokens (its
 * cohort); `wanted` is E11a before any cut to the free circulating tokens, whose ratio to
 * `buybackTokens` scales every share.
 */
export function earmarkBuybacks(m: MarketContext, wanted: number): void {
  const { t, day, onchain: oc, tasks: tk, today } = m;
  const f = oc[F];
  const bm = oc[BM];
  const cut = freeSupplyCut(day.buybackTokens, wanted);
  for (let j = 0; j < today.nSubmitted; j++) {
    const slot = today.submitted[j];
    tk.earmark[slot] = cut * buybackTokens(bm * ((1 - f) * tk.price[slot]), day.price.buybackPrice);
  }
  tk.cohortBought[t] = day.buybackTokens;
  tk.cohortOpen[t] = today.nSubmitted;
}
