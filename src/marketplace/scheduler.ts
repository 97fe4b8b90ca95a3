import { grow } from "./grow.js";
import { reputation } from "./reputation.js";
import type { MarketScheduler, SchedulerSetup } from "./types.js";

/**
 * The fast scheduler of docs/model.md §9 (same results as `ReferenceScheduler`). Struct of arrays:
 * suppliers and task slots are indices into typed arrays; task slots are recycled, so memory is
 * flat in the number of days.
 *
 * - Suppliers sit in buckets by (class, resource, region); each bucket is an indexed binary heap
 *   of its available suppliers with free capacity, best first by (reputation desc (E20),
 *   completed desc (E21), id asc), updated in O(log n) when a supplier's state changes.
 * - The queue is a binary heap of task slots by (incentive desc, day asc, id asc).
 * - A task's candidates are the tops of the buckets its requirement allows; when the top is the
 *   supplier barred from the task (it failed it), the better of the top's two children is next.
 */
export class Scheduler implements MarketScheduler {
  // suppliers
  private nSup = 0;
  private sRes = new Int32Array(16);
  private sRegion = new Int32Array(16);
  private sBucket = new Int32Array(16);
  private sCap = new Int32Array(16);
  private sBusy = new Int32Array(16);
  private sAvail = new Uint8Array(16);
  private sPos = new Int32Array(16);
  private sCompleted = new Float64Array(16);
  private sRep = new Float64Array(16);
  private sPassIn = new Int32Array(16);
  private ring = new Uint8Array(16);
  private readonly windowMax: number;
  private window: number;
  // buckets: heaps of supplier ids
  private readonly heaps: Int32Array[];
  private readonly heapN: Int32Array;
  private freeSuppliers = 0;
  // requirement → bucket list (CSR)
  private readonly reqStart: Int32Array;
  private readonly reqBuckets: Int32Array;
  // tasks (slots)
  private tReq = new Int32Array(16);
  private tInc = new Float64Array(16);
  private tDay = new Int32Array(16);
  private tSeq = new Float64Array(16);
  private tLatest = new Int32Array(16);
  private tExcl = new Int32Array(16);
  private freeSlots = new Int32Array(16);
  private nFree = 0;
  private nSlots = 0;
  private nextSeq = 0;
  private queue = new Int32Array(16);
  private nQueue = 0;
  private deferred = new Int32Array(16);
  /** Per requirement, during one assignFor pass: 1 once no supplier is left for it. */
  private readonly exhausted: Uint8Array;

  constructor(private readonly setup: SchedulerSetup) {
    this.window = setup.window;
    this.windowMax = Math.max(1, setup.windowMax, setup.window);
    const { nClasses, nResources, nRegions } = setup;
    const nBuckets = nClasses * nResources * nRegions;
    this.heaps = Array.from({ length: nBuckets }, () => new Int32Array(16));
    this.heapN = new Int32Array(nBuckets);
    const nReq = setup.reqClass.length;
    this.reqStart = new Int32Array(nReq + 1);
    const list: number[] = [];
    for (let q = 0; q < nReq; q++) {
      this.reqStart[q] = list.length;
      const k = setup.reqClass[q];
      for (let r = 0; r < nResources; r++) {
        if (setup.reqResource[q] >= 0 && setup.reqResource[q] !== r) continue;
        for (let g = 0; g < nRegions; g++)
          if ((setup.reqRegions[q] & (1 << g)) !== 0) list.push(this.bucketOf(k, r, g));
      }
    }
    this.reqStart[nReq] = list.length;
    this.reqBuckets = Int32Array.from(list);
    this.exhausted = new Uint8Array(nReq);
  }

  private bucketOf(k: number, r: number, g: number): number {
    return (k * this.setup.nResources + r) * this.setup.nRegions + g;
  }

  // ---- suppliers ----

  addSupplier(supplierClass: number, resource: number, region: number, capacity: number): number {
    const s = this.nSup++;
    const n = this.nSup;
    this.sRes = grow(this.sRes, n);
    this.sRegion = grow(this.sRegion, n);
    this.sBucket = grow(this.sBucket, n);
    this.sCap = grow(this.sCap, n);
    this.sBusy = grow(this.sBusy, n);
    this.sAvail = grow(this.sAvail, n);
    this.sPos = grow(this.sPos, n);
    this.sCompleted = grow(this.sCompleted, n);
    this.sRep = grow(this.sRep, n);
    this.sPassIn = grow(this.sPassIn, n);
    this.ring = grow(this.ring, n * this.windowMax);
    this.sRes[s] = resource;
    this.sRegion[s] = region;
    this.sBucket[s] = this.bucketOf(supplierClass, resource, region);
    this.sCap[s] = capacity;
    this.sBusy[s] = 0;
    this.sAvail[s] = 0;
    this.sPos[s] = -1;
    this.sCompleted[s] = 0;
    this.sPassIn[s] = 0;
    this.sRep[s] = this.setup.prior;
    return s;
  }

  setAvailable(supplier: number, available: boolean): void {
    this.sAvail[supplier] = available ? 1 : 0;
    this.place(supplier);
  }

  /** Put the supplier in its bucket's heap iff it is available with free capacity. */
  private place(s: number): void {
    const want = this.sAvail[s] === 1 && this.sBusy[s] < this.sCap[s];
    const inHeap = this.sPos[s] >= 0;
    if (want && !inHeap) this.heapInsert(s);
    else if (!want && inHeap) this.heapRemove(s);
  }

  private better(a: number, b: number): boolean {
    const ra = this.sRep[a];
    const rb = this.sRep[b];
    if (ra !== rb) return ra > rb;
    const ca = this.sCompleted[a];
    const cb = this.sCompleted[b];
    if (ca !== cb) return ca > cb;
    return a < b;
  }

  private heapInsert(s: number): void {
    const b = this.sBucket[s];
    const n = this.heapN[b]++;
    if (n >= this.heaps[b].length) this.heaps[b] = grow(this.heaps[b], n + 1);
    this.heaps[b][n] = s;
    this.sPos[s] = n;
    this.freeSuppliers++;
    this.siftUp(b, n);
  }

  private heapRemove(s: number): void {
    const b = this.sBucket[s];
    const h = this.heaps[b];
    const i = this.sPos[s];
    const last = --this.heapN[b];
    this.sPos[s] = -1;
    this.freeSuppliers--;
    if (i === last) return;
    const m = h[last];
    h[i] = m;
    this.sPos[m] = i;
    this.siftUp(b, i);
    this.siftDown(b, this.sPos[m]);
  }

  private siftUp(b: number, i: number): void {
    const h = this.heaps[b];
    const s = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p];
      if (!this.better(s, q)) break;
      h[i] = q;
      this.sPos[q] = i;
      i = p;
    }
    h[i] = s;
    this.sPos[s] = i;
  }

  private siftDown(b: number, i: number): void {
    const h = this.heaps[b];
    const n = this.heapN[b];
    const s = h[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.better(h[c + 1], h[c])) c++;
      if (!this.better(h[c], s)) break;
      h[i] = h[c];
      this.sPos[h[i]] = i;
      i = c;
    }
    h[i] = s;
    this.sPos[s] = i;
  }

  validate(supplier: number, passed: boolean): void {
    const s = supplier;
    this.sBusy[s]--;
    const done = this.sCompleted[s];
    const W = this.window;
    const Wm = this.windowMax;
    if (done >= W) this.sPassIn[s] -= this.ring[s * Wm + ((done - W) % Wm)]; // read before the write: W may be Wm
    this.ring[s * Wm + (done % Wm)] = passed ? 1 : 0;
    if (passed) this.sPassIn[s]++;
    this.sCompleted[s] = done + 1;
    this.sRep[s] = reputation(this.sPassIn[s], Math.min(done + 1, W), this.setup.prior);
    if (this.sPos[s] >= 0) {
      const b = this.sBucket[s];
      this.siftUp(b, this.sPos[s]);
      this.siftDown(b, this.sPos[s]);
    } else this.place(s);
  }

  setWindow(window: number): void {
    this.window = window;
    const Wm = this.windowMax;
    for (let s = 0; s < this.nSup; s++) {
      const done = this.sCompleted[s];
      const n = Math.min(done, window);
      let pass = 0;
      for (let j = done - n; j < done; j++) pass += this.ring[s * Wm + (j % Wm)];
      this.sPassIn[s] = pass;
      this.sRep[s] = reputation(pass, n, this.setup.prior);
    }
    for (let b = 0; b < this.heaps.length; b++)
      for (let i = (this.heapN[b] >> 1) - 1; i >= 0; i--) this.siftDown(b, i);
  }

  reputationOf(supplier: number): number {
    return this.sRep[supplier];
  }

  completedOf(supplier: number): number {
    return this.sCompleted[supplier];
  }

  // ---- tasks ----

  submit(req: number, incentive: number, day: number, latestStart: number): number {
    let t: number;
    if (this.nFree > 0) t = this.freeSlots[--this.nFree];
    else {
      t = this.nSlots++;
      const n = this.nSlots;
      this.tReq = grow(this.tReq, n);
      this.tInc = grow(this.tInc, n);
      this.tDay = grow(this.tDay, n);
      this.tSeq = grow(this.tSeq, n);
      this.tLatest = grow(this.tLatest, n);
      this.tExcl = grow(this.tExcl, n);
    }
    this.tReq[t] = req;
    this.tInc[t] = incentive;
    this.tDay[t] = day;
    this.tSeq[t] = this.nextSeq++;
    this.tLatest[t] = latestStart;
    this.tExcl[t] = -1;
    this.push(t);
    return t;
  }

  requeue(task: number, excluded: number): void {
    this.tExcl[task] = excluded;
    this.push(task);
  }

  release(task: number): void {
    this.freeSlots = grow(this.freeSlots, this.nFree + 1);
    this.freeSlots[this.nFree++] = task;
  }

  waiting(): number {
    return this.nQueue;
  }

  seqOf(task: number): number {
    return this.tSeq[task];
  }

  private first(a: number, b: number): boolean {
    const ia = this.tInc[a];
    const ib = this.tInc[b];
    if (ia !== ib) return ia > ib;
    const da = this.tDay[a];
    const db = this.tDay[b];
    if (da !== db) return da < db;
    return this.tSeq[a] < this.tSeq[b];
  }

  private push(t: number): void {
    this.queue = grow(this.queue, this.nQueue + 1);
    const q = this.queue;
    let i = this.nQueue++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.first(t, q[p])) break;
      q[i] = q[p];
      i = p;
    }
    q[i] = t;
  }

  private queueDown(i: number): void {
    const q = this.queue;
    const n = this.nQueue;
    const t = q[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.first(q[c + 1], q[c])) c++;
      if (!this.first(q[c], t)) break;
      q[i] = q[c];
      i = c;
    }
    q[i] = t;
  }

  private pop(): number {
    const q = this.queue;
    const top = q[0];
    const n = --this.nQueue;
    if (n > 0) {
      q[0] = q[n];
      this.queueDown(0);
    }
    return top;
  }

  expire(day: number, out: Int32Array): number {
    const q = this.queue;
    let kept = 0;
    let gone = 0;
    for (let i = 0; i < this.nQueue; i++) {
      const t = q[i];
      if (this.tLatest[t] < day) out[gone++] = t;
      else q[kept++] = t;
    }
    if (gone === 0) return 0;
    this.nQueue = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) this.queueDown(i);
    return gone;
  }

  /** Best available supplier for task t among its requirement's buckets, or −1. */
  private candidate(t: number): number {
    const excl = this.tExcl[t];
    let best = -1;
    const end = this.reqStart[this.tReq[t] + 1];
    for (let j = this.reqStart[this.tReq[t]]; j < end; j++) {
      const b = this.reqBuckets[j];
      const n = this.heapN[b];
      if (n === 0) continue;
      const h = this.heaps[b];
      let s = h[0];
      if (s === excl) {
        if (n === 1) continue;
        s = n > 2 && this.better(h[2], h[1]) ? h[2] : h[1];
      }
      if (best < 0 || this.better(s, best)) best = s;
    }
    return best;
  }

  assignFor(_day: number, outTasks: Int32Array, outSuppliers: Int32Array): number {
    let n = 0;
    let nDeferred = 0;
    this.deferred = grow(this.deferred, this.nQueue);
    const deferred = this.deferred;
    // capacity only shrinks during a pass: once a requirement finds no supplier (the barred
    // supplier aside), no later task of it will
    this.exhausted.fill(0);
    while (this.nQueue > 0 && this.freeSuppliers > 0) {
      const t = this.pop();
      const q = this.tReq[t];
      const s = this.exhausted[q] === 1 ? -1 : this.candidate(t);
      if (s < 0) {
        if (this.tExcl[t] < 0) this.exhausted[q] = 1;
        deferred[nDeferred++] = t;
        continue;
      }
      outTasks[n] = t;
      outSuppliers[n] = s;
      n++;
      if (++this.sBusy[s] >= this.sCap[s]) this.heapRemove(s);
    }
    for (let i = 0; i < nDeferred; i++) this.push(deferred[i]);
    return n;
  }
}
