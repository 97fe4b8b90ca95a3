import { supplierBefore, taskBefore } from "./order.js";
import { reputation } from "./reputation.js";
import type { MarketScheduler, SchedulerSetup } from "./types.js";

interface RefSupplier {
  id: number;
  supplierClass: number;
  resource: number;
  region: number;
  capacity: number;
  busy: number;
  available: boolean;
  outcomes: boolean[];
  completed: number;
  reputation: number;
}

interface RefTask {
  seq: number;
  req: number;
  incentive: number;
  day: number;
  latestStart: number;
  excluded: number;
}

/**
 * The readable scheduler of docs/model.md §9: plain objects, the whole queue and every candidate list
 * sorted each time. It is the specification the fast `Scheduler` is tested against.
 */
export class ReferenceScheduler implements MarketScheduler {
  private readonly suppliers: RefSupplier[] = [];
  private readonly tasks: RefTask[] = [];
  private queue: number[] = [];
  private window: number;

  constructor(private readonly setup: SchedulerSetup) {
    this.window = setup.window;
  }

  addSupplier(supplierClass: number, resource: number, region: number, capacity: number): number {
    const id = this.suppliers.length;
    this.suppliers.push({
      id,
      supplierClass,
      resource,
      region,
      capacity,
      busy: 0,
      available: false,
      outcomes: [],
      completed: 0,
      reputation: this.setup.prior,
    });
    return id;
  }

  setAvailable(supplier: number, available: boolean): void {
    this.suppliers[supplier].available = available;
  }

  submit(req: number, incentive: number, day: number, latestStart: number): number {
    const handle = this.tasks.length;
    this.tasks.push({ seq: handle, req, incentive, day, latestStart, excluded: -1 });
    this.queue.push(handle);
    return handle;
  }

  expire(day: number, out: Int32Array): number {
    const gone = this.queue.filter((h) => this.tasks[h].latestStart < day);
    this.queue = this.queue.filter((h) => this.tasks[h].latestStart >= day);
    gone.forEach((h, n) => {
      out[n] = h;
    });
    return gone.length;
  }

  private eligible(task: RefTask): RefSupplier[] {
    const s = this.setup;
    return this.suppliers.filter(
      (p) =>
        p.available &&
        p.busy < p.capacity &&
        p.supplierClass === s.reqClass[task.req] &&
        (s.reqResource[task.req] < 0 || p.resource === s.reqResource[task.req]) &&
        (s.reqRegions[task.req] & (1 << p.region)) !== 0 &&
        p.id !== task.excluded,
    );
  }

  assignFor(_day: number, outTasks: Int32Array, outSuppliers: Int32Array): number {
    const order = [...this.queue].sort((a, b) => {
      const x = this.tasks[a];
      const y = this.tasks[b];
      return taskBefore(x.incentive, x.day, x.seq, y.incentive, y.day, y.seq) ? -1 : 1;
    });
    let n = 0;
    const served = new Set<number>();
    for (const h of order) {
      const candidates = this.eligible(this.tasks[h]).sort((a, b) =>
        supplierBefore(a.reputation, a.completed, a.id, b.reputation, b.completed, b.id) ? -1 : 1,
      );
      if (candidates.length === 0) continue;
      candidates[0].busy++;
      outTasks[n] = h;
      outSuppliers[n] = candidates[0].id;
      n++;
      served.add(h);
    }
    this.queue = this.queue.filter((h) => !served.has(h));
    return n;
  }

  private recompute(p: RefSupplier): void {
    const last = p.outcomes.slice(Math.max(0, p.outcomes.length - this.window));
    p.reputation = reputation(last.filter((o) => o).length, last.length, this.setup.prior);
  }

  validate(supplier: number, passed: boolean): void {
    const p = this.suppliers[supplier];
    p.busy--;
    p.completed++;
    p.outcomes.push(passed);
    this.recompute(p);
  }

  requeue(task: number, excluded: number): void {
    this.tasks[task].excluded = excluded;
    this.queue.push(task);
  }

  release(_task: number): void {}

  setWindow(window: number): void {
    this.window = window;
    for (const p of this.suppliers) this.recompute(p);
  }

  waiting(): number {
    return this.queue.length;
  }

  seqOf(task: number): number {
    return this.tasks[task].seq;
  }

  reputationOf(supplier: number): number {
    return this.suppliers[supplier].reputation;
  }

  completedOf(supplier: number): number {
    return this.suppliers[supplier].completed;
  }
}
