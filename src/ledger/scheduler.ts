import { withinLatencySla } from "../marketplace/latency.js";
import { supplierBefore, taskBefore } from "../marketplace/order.js";
import { reputation } from "../marketplace/reputation.js";
import type { Scenario } from "../scenario/schema.js";
import { badInput } from "./errors.js";

/** A supplier as the dispatcher sees it (docs/model.md §9). */
export interface DispatchSupplier {
  readonly id: number;
  readonly supplierClass: string;
  readonly resource: string;
  readonly region: string;
  readonly capacity: number;
  readonly certified: boolean;
  /** Tasks assigned and not yet completed. */
  busy: number;
  /** Validation outcomes, oldest first (the E20 window reads the last ones). */
  outcomes: boolean[];
  /** Tasks completed in total, validated or failed (E21). */
  completed: number;
  reputation: number;
}

/** A queued task as the dispatcher sees it. */
export interface DispatchTask {
  readonly id: number;
  readonly supplierClass: string;
  readonly incentive: number;
  readonly day: number;
  readonly resource: string | null;
  readonly regions: readonly string[] | null;
  /** The supplier that failed it last (barred), or −1. */
  readonly excluded: number;
}

/**
 * The ledger's real-time scheduler (docs/model.md §9): the queue is served by incentive bid, then age,
 * then id (`taskBefore`); each task goes to the eligible supplier (class, resource, region, free
 * capacity, certified in phase 1, not the one that failed it) first by reputation (E20,
 * `reputation()`), then tasks completed (E21), then id (`supplierBefore`). The order and
 * reputation functions are the marketplace engine's own; this class only holds the state, which
 * the ledger rebuilds from its database on start (docs/decisions.md: why not `Scheduler`).
 */
export class Dispatcher {
  private readonly suppliers = new Map<number, DispatchSupplier>();
  private readonly byClass = new Map<string, DispatchSupplier[]>();
  private readonly queue = new Map<number, DispatchTask>();

  constructor(
    private window: number,
    private readonly prior = 1,
  ) {}

  addSupplier(s: Omit<DispatchSupplier, "reputation">): void {
    const full = s as DispatchSupplier;
    full.reputation = this.reputationOf(s.outcomes);
    this.suppliers.set(s.id, full);
    const list = this.byClass.get(s.supplierClass) ?? [];
    list.push(full);
    this.byClass.set(s.supplierClass, list);
  }

  /** A supplier left (src/ledger/departures.ts): it gets no more work. */
  removeSupplier(id: number): void {
    const s = this.suppliers.get(id);
    if (!s) return;
    this.suppliers.delete(id);
    const list = this.byClass.get(s.supplierClass) ?? [];
    list.splice(list.indexOf(s), 1);
  }

  supplier(id: number): DispatchSupplier | undefined {
    return this.suppliers.get(id);
  }

  enqueue(task: DispatchTask): void {
    this.queue.set(task.id, task);
  }

  dequeue(taskId: number): void {
    this.queue.delete(taskId);
  }

  get waiting(): number {
    return this.queue.size;
  }

  private reputationOf(outcomes: readonly boolean[]): number {
    const from = Math.max(0, outcomes.length - this.window);
    let passed = 0;
    for (let n = from; n < outcomes.length; n++) if (outcomes[n]) passed++;
    return reputation(passed, outcomes.length - from, this.prior);
  }

  /** A validation outcome of the supplier's work (E20, E21). */
  record(supplierId: number, passed: boolean): void {
    const s = this.suppliers.get(supplierId);
    if (!s) return;
    s.outcomes.push(passed);
    s.completed++;
    s.reputation = this.reputationOf(s.outcomes);
  }

  /** reputationWindowJobs changed (a vote took effect): recompute every reputation. */
  setWindow(window: number): void {
    if (window === this.window) return;
    this.window = window;
    for (const s of this.suppliers.values()) s.reputation = this.reputationOf(s.outcomes);
  }

  private eligible(s: DispatchSupplier, t: DispatchTask, phase: 1 | 2): boolean {
    return (
      s.busy < s.capacity &&
      (phase === 2 || s.certified) &&
      (t.resource === null || s.resource === t.resource) &&
      (t.regions === null || t.regions.includes(s.region)) &&
      s.id !== t.excluded
    );
  }

  /**
   * Serve the queue: returns the (task, supplier) pairs chosen, in serving order, and marks the
   * suppliers busy. Tasks with no eligible supplier stay queued.
   */
  assign(phase: 1 | 2): { taskId: number; supplierId: number }[] {
    if (this.queue.size === 0) return [];
    const order = [...this.queue.values()].sort((a, b) =>
      taskBefore(a.incentive, a.day, a.id, b.incentive, b.day, b.id) ? -1 : 1,
    );
    const out: { taskId: number; supplierId: number }[] = [];
    for (const t of order) {
      let best: DispatchSupplier | null = null;
      for (const s of this.byClass.get(t.supplierClass) ?? []) {
        if (!this.eligible(s, t, phase)) continue;
        if (
          best === null ||
          supplierBefore(s.reputation, s.completed, s.id, best.reputation, best.completed, best.id)
        )
          best = s;
      }
      if (best === null) continue;
      best.busy++;
      this.queue.delete(t.id);
      out.push({ taskId: t.id, supplierId: best.id });
    }
    return out;
  }
}

/**
 * Refuse (422 naming `field`) a region that is not one of the scenario's (`marketplace.regions`,
 * default the one region global): a job or supplier there could never be matched.
 */
export function checkRegion(scenario: Scenario, field: string, region: string): void {
  const known = scenario.marketplace?.regions ?? ["global"];
  if (!known.includes(region))
    throw badInput(
      field,
      `unknown region "${region}" (the scenario's regions: ${known.join(", ")})`,
    );
}

/**
 * The regions allowed to serve a job (§9 eligibility): its `regions` if given, intersected, when
 * the job has a latency SLA, with the regions within `latencySlaMs` of its `origin` by the
 * latency table of the ledger's scenario (`marketplace.latencyMs`; the marketplace engine's rule,
 * `withinLatencySla`: a missing pair is 0 ms within a region, unreachable between two). Null: any
 * region. Refused (422) when a region or the origin is not one of the scenario's
 * (`marketplace.regions`, default global), when an SLA has no origin, or when no region is left.
 */
export function jobRegions(
  scenario: Scenario,
  job: { regions?: readonly string[]; origin?: string; latencySlaMs?: number },
): string[] | null {
  job.regions?.forEach((r, n) => {
    checkRegion(scenario, `regions.${n}`, r);
  });
  if (job.origin !== undefined) checkRegion(scenario, "origin", job.origin);
  if (job.latencySlaMs === undefined) return job.regions ? [...job.regions] : null;
  const origin = job.origin;
  if (origin === undefined)
    throw badInput("origin", "a job with a latencySlaMs needs the region it comes from (origin)");
  const latencyMs = scenario.marketplace?.latencyMs ?? {};
  const reachable = [origin, ...Object.keys(latencyMs[origin] ?? {}).filter((r) => r !== origin)];
  const sla = job.latencySlaMs;
  const allowed = reachable.filter(
    (r) => withinLatencySla(latencyMs, origin, r, sla) && (!job.regions || job.regions.includes(r)),
  );
  if (allowed.length === 0)
    throw badInput(
      "latencySlaMs",
      `no region${job.regions ? " of regions" : ""} is within ${sla} ms of ${origin} (the latency table has ${reachable.join(", ")})`,
    );
  return allowed;
}
