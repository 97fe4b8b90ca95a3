import { type BandPlan, CellHistograms, rowsFor } from "./histogram.js";

/**
 * Folds the runs of one chunk into per-block sums and per-cell histograms (the large-N bands),
 * a batch of runs at a time. A batch is cell-major with its runs innermost
 * (`out[cell·count + b]`, the layout `runKernelBatch` writes), so one cell's values of the
 * whole batch are contiguous and are summed and binned together while that cell's histogram
 * row is in cache. Block sums are added in run order per cell, exactly as run-by-run addition
 * would, so they are the same bytes whatever the batching; histogram contents do not depend
 * on order.
 */
export class BandFolder {
  readonly hist: CellHistograms;
  readonly blockSums: Float64Array;

  constructor(
    plan: BandPlan,
    private readonly cells: number,
    runs: number,
    private readonly blockRuns: number,
    /** Histograms of the same plan to count into (a thread's, across its chunks), or null. */
    into: CellHistograms | null = null,
  ) {
    if (into !== null && !samePlan(into, plan))
      throw new Error("BandFolder: histograms of another plan");
    this.hist = into ?? new CellHistograms(plan, rowsFor(plan));
    this.blockSums = new Float64Array(Math.ceil(runs / blockRuns) * cells);
  }

  /**
   * Add a batch of `count` runs starting `k0` runs after the chunk's first; the batch lies in
   * one block. `good[b]` is 0 for a failed run (left out), or `good` is null when all are good.
   */
  addBatch(k0: number, count: number, out: Float64Array, good: Uint8Array | null): void {
    const block = (k0 / this.blockRuns) | 0;
    if ((((k0 + count - 1) / this.blockRuns) | 0) !== block)
      throw new Error("BandFolder: a batch crosses a block boundary");
    const sums = block * this.cells;
    const { blockSums, hist } = this;
    const derived = hist.derived;
    const base = derived.base;
    // each cell's values summed (in run order) in the same pass that counts them; a derived
    // cell's summed and checked against its base's (decision 270)
    for (let i = 0; i < this.cells; i++)
      blockSums[sums + i] =
        base[i] < 0
          ? hist.addMany(i, out, i * count, count, good, blockSums[sums + i])
          : derived.add(i, out, i * count, base[i] * count, count, good, blockSums[sums + i]);
  }
}

/**
 * Whether two arrays of a plan hold the same bytes (a plan is copied bit for bit: a worker
 * thread's chunks each bring the plan anew, views on the same shared memory). By node's
 * `Buffer.compare` (memcmp: ≈ 0.2 ms for the whitepaper's 2 MB plan, with no code to warm up
 * per thread) where there is one, else a loop over 32-bit words or bytes (one loop per view
 * type: a loop over every element type at once had megamorphic loads, ≈ 8 ms per chunk on
 * each worker thread's critical path).
 */
function same(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a === b) return true;
  const n = a.byteLength;
  if (n !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, n);
  const y = new Uint8Array(b.buffer, b.byteOffset, n);
  if (typeof Buffer === "function") return Buffer.compare(x, y) === 0;
  if (n % 4 === 0 && a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0)
    return sameWords(
      new Int32Array(a.buffer, a.byteOffset, n / 4),
      new Int32Array(b.buffer, b.byteOffset, n / 4),
    );
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}

function sameWords(x: Int32Array, y: Int32Array): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Two plans bucket alike (the pilot is deterministic: a plan made again is equal). */
function samePlan(h: CellHistograms, plan: BandPlan): boolean {
  return (
    same(h.start, plan.start) &&
    same(h.scale, plan.scale) &&
    same(h.log, plan.log) &&
    same(h.fineAt, plan.fineAt) &&
    same(h.fine, plan.fine) &&
    same(h.derived.base, plan.base) &&
    same(h.derived.factor, plan.factor)
  );
}
