import type { CompiledMarket } from "./compile.js";
import { grow } from "./grow.js";
import { isDishonest, REGION_STEP, RESOURCE_STEP, spreadPick } from "./population.js";
import type { MarketScheduler } from "./types.js";

/**
 * The engine's side of the suppliers (struct of arrays by the scheduler's supplier id):
 * attributes and earnings; per class, the members in order of creation. The first
 * `count[k]` members of class k are the active ones (docs/marketplace.md).
 */
export class SupplierTable {
  supplierClass = new Int32Array(16);
  honesty = new Float64Array(16);
  dishonest = new Uint8Array(16);
  joinDay = new Int32Array(16);
  usd = new Float64Array(16);
  tokens = new Float64Array(16);
  bondLost = new Float64Array(16);
  validated = new Float64Array(16);
  failed = new Float64Array(16);
  /** Price of its tasks validated (passed) so far, usd: the value of its work (E40 per supplier). */
  workUsd = new Float64Array(16);
  /** Day it left its class (feedback E42 in marketplace mode), −1 while a member. */
  leftDay = new Int32Array(16);
  /** Suppliers created so far. */
  n = 0;
  readonly region: number[] = [];
  readonly resource: number[] = [];
  /** Per class: its members' ids in order of creation (departed suppliers removed). */
  readonly members: Int32Array[];
  /** Per class: suppliers created, members (created less departed), members active. */
  readonly created: Int32Array;
  readonly size: Int32Array;
  readonly active: Int32Array;
  /** Per region: 1 when it is out today. */
  readonly regionOut: Uint8Array;

  constructor(nK: number, nRegions: number) {
    this.members = Array.from({ length: nK }, () => new Int32Array(16));
    this.created = new Int32Array(nK);
    this.size = new Int32Array(nK);
    this.active = new Int32Array(nK);
    this.regionOut = new Uint8Array(nRegions);
  }

  /** A new supplier of class k joining on day t; its resource, region and honesty by position (population.ts). */
  add(k: number, t: number, mk: CompiledMarket, sched: MarketScheduler): void {
    const n = this.created[k]++;
    const at = this.size[k]++;
    const res =
      mk.classResources[k].index[spreadPick(n, RESOURCE_STEP, mk.classResources[k].cumulative)];
    const region =
      mk.classRegions[k].index[spreadPick(n, REGION_STEP, mk.classRegions[k].cumulative)];
    const s = sched.addSupplier(k, Math.max(0, res), region, mk.capacity[k]);
    this.n = s + 1;
    this.region[s] = region;
    this.resource[s] = res;
    this.ensure(this.n);
    const bad = isDishonest(n, mk.dishonestShare[k]);
    this.supplierClass[s] = k;
    this.dishonest[s] = bad ? 1 : 0;
    this.honesty[s] = bad ? mk.dishonestPass[k] : mk.honestPass[k];
    this.joinDay[s] = t;
    this.leftDay[s] = -1;
    this.members[k] = grow(this.members[k], at + 1);
    this.members[k][at] = s;
  }

  /**
   * Active suppliers `leavers` of class k leave on day t: removed from the members (the others
   * keep their order), no longer available; work they accepted is still done and paid.
   */
  depart(k: number, leavers: ArrayLike<number>, t: number, sched: MarketScheduler): void {
    const m = this.members[k];
    for (let j = 0; j < leavers.length; j++) {
      const s = leavers[j];
      this.leftDay[s] = t;
      sched.setAvailable(s, false);
    }
    let w = 0;
    for (let r = 0; r < this.size[k]; r++) if (this.leftDay[m[r]] < 0) m[w++] = m[r];
    this.active[k] -= leavers.length;
    this.size[k] = w;
  }

  private ensure(len: number): void {
    this.supplierClass = grow(this.supplierClass, len);
    this.honesty = grow(this.honesty, len);
    this.dishonest = grow(this.dishonest, len);
    this.joinDay = grow(this.joinDay, len);
    this.usd = grow(this.usd, len);
    this.tokens = grow(this.tokens, len);
    this.bondLost = grow(this.bondLost, len);
    this.validated = grow(this.validated, len);
    this.failed = grow(this.failed, len);
    this.workUsd = grow(this.workUsd, len);
    this.leftDay = grow(this.leftDay, len);
  }
}

/**
 * The engine's side of the tasks (struct of arrays by the scheduler's task handle, which is
 * reused once a task is released), the list of tasks due each day, and the buyback cohorts.
 */
export class TaskTable {
  /** Task price (its share of the job's price), usd. */
  price = new Float64Array(16);
  /** Its share of the job (price-matrix entry). */
  share = new Float64Array(16);
  consumer = new Int32Array(16);
  supplierClass = new Int32Array(16);
  /** USD share held in escrow until validation (E7 per task), usd. */
  usd = new Float64Array(16);
  /** Bought-back tokens earmarked for it (E11a per task). */
  earmark = new Float64Array(16);
  /** Bond posted on acceptance (E22), tokens. */
  bond = new Float64Array(16);
  supplier = new Int32Array(16);
  /** Day submitted, last day it may be accepted, duration in days. */
  day = new Int32Array(16);
  latest = new Int32Array(16);
  duration = new Int32Array(16);
  /** Next task due the same day (a linked list from `dueHead[day]`), −1 at the end. */
  next = new Int32Array(16);
  readonly dueHead: Int32Array;
  /**
   * Buyback tokens per submission day (cohort): bought, paid out so far, tasks still open. The
   * last task of a cohort takes what is left, so a cohort pays out exactly what it bought.
   */
  readonly cohortBought: Float64Array;
  readonly cohortPaid: Float64Array;
  readonly cohortOpen: Float64Array;

  constructor(days: number) {
    this.dueHead = new Int32Array(days).fill(-1);
    this.cohortBought = new Float64Array(days);
    this.cohortPaid = new Float64Array(days);
    this.cohortOpen = new Float64Array(days);
  }

  /** The earmarked tokens the task's cohort pays out for it (validated or expired). */
  payOut(slot: number): number {
    const d = this.day[slot];
    const amount =
      this.cohortOpen[d] === 1 ? this.cohortBought[d] - this.cohortPaid[d] : this.earmark[slot];
    this.cohortPaid[d] += amount;
    this.cohortOpen[d]--;
    return amount;
  }

  ensure(len: number): void {
    this.price = grow(this.price, len);
    this.share = grow(this.share, len);
    this.consumer = grow(this.consumer, len);
    this.supplierClass = grow(this.supplierClass, len);
    this.usd = grow(this.usd, len);
    this.earmark = grow(this.earmark, len);
    this.bond = grow(this.bond, len);
    this.supplier = grow(this.supplier, len);
    this.day = grow(this.day, len);
    this.latest = grow(this.latest, len);
    this.duration = grow(this.duration, len);
    this.next = grow(this.next, len);
  }
}
