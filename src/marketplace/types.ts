/**
 * The scheduler's contract (docs/model.md §9), shared by the fast scheduler and the readable
 * reference one. Tasks and suppliers are small integers (handles); nothing is allocated per task.
 */

/** What each kind of task requires; a requirement is a (consumer type, supplier class) pair. */
export interface SchedulerSetup {
  readonly nClasses: number;
  readonly nResources: number;
  readonly nRegions: number;
  /** Per requirement: the supplier class. */
  readonly reqClass: Int32Array;
  /** Per requirement: the resource type, or −1 for any resource of the class. */
  readonly reqResource: Int32Array;
  /** Per requirement: bit r set when region r may serve. */
  readonly reqRegions: Int32Array;
  /** reputationWindowJobs in force at the start (E20). */
  readonly window: number;
  /** Largest reputationWindowJobs the run can use (outcomes kept per supplier). */
  readonly windowMax: number;
  /** Reputation of a supplier with no completed task (E20). */
  readonly prior: number;
}

export interface MarketScheduler {
  /** A new supplier (unavailable until setAvailable); returns its id (0, 1, 2, … in call order). */
  addSupplier(supplierClass: number, resource: number, region: number, capacity: number): number;
  /** Available suppliers with free capacity may be assigned tasks. */
  setAvailable(supplier: number, available: boolean): void;
  /**
   * Queue a task; returns its handle. `latestStart` is the last day it may be accepted and still
   * be validated by its deadline. Task ids (for ordering) are given in submission order.
   */
  submit(req: number, incentive: number, day: number, latestStart: number): number;
  /** Remove from the queue every task with `latestStart < day`; their handles go to `out`. */
  expire(day: number, out: Int32Array): number;
  /**
   * Serve the queue for `day`: tasks by incentive bid, then age, then id; each to the eligible
   * supplier (class, resource, region, free capacity, not the one that just failed it) ranked
   * first by reputation (E20), tasks completed (E21), id. Writes pairs; returns their number.
   * Tasks left unserved stay queued.
   */
  assignFor(day: number, outTasks: Int32Array, outSuppliers: Int32Array): number;
  /** The supplier finished a task: frees a slot and records the validation outcome (E20, E21). */
  validate(supplier: number, passed: boolean): void;
  /** Put a failed task back in the queue, barred from `excluded` (the supplier that failed it). */
  requeue(task: number, excluded: number): void;
  /** The task is done (validated or refunded); its handle may be reused. */
  release(task: number): void;
  /** reputationWindowJobs changed (a governance vote): recompute every reputation. */
  setWindow(window: number): void;
  /** Tasks waiting in the queue. */
  waiting(): number;
  /** Submission sequence number of a task handle. */
  seqOf(task: number): number;
  reputationOf(supplier: number): number;
  completedOf(supplier: number): number;
}
