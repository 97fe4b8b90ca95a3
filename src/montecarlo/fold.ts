import { CellHistograms } from "./histogram.js";

/** Runs buffered per group, transposed cell-major before they go to the histograms. */
const GROUP = 32;

/**
 * Folds the runs of one chunk into per-block sums and per-cell histograms (the large-N bands).
 * The hot path of a big Monte Carlo. Two savings, neither of which changes a byte of the result:
 * - a column whose values have been the same in every run of the chunk so far (deterministic
 *   columns, zeros) is only compared with the first run, and counted once at the end;
 * - the other columns are buffered GROUP runs at a time, transposed (cell-major), then summed
 *   and counted cell by cell.
 * Block sums are added in run order per cell, exactly as run-by-run addition would, so they
 * are the same bytes whatever the grouping; histogram contents do not depend on order.
 */
export class BandFolder {
  readonly hist: CellHistograms;
  readonly blockSums: Float64Array;
  private readonly cells: number;
  private readonly ref: Float64Array;
  /** Per column: 1 while every good run so far equals the first one. */
  private readonly constant: Uint8Array;
  /** Per column: the first group slot not yet in the block sums (slots before were summed run by run). */
  private readonly sumFrom: Int32Array;
  private readonly group: Float64Array;
  private readonly words: Uint32Array;
  private inGroup = 0;
  private groupBlock = 0;
  private good = 0;

  constructor(
    private readonly columns: number,
    private readonly days: number,
    runs: number,
    private readonly blockRuns: number,
  ) {
    this.cells = columns * days;
    this.hist = new CellHistograms(this.cells);
    this.blockSums = new Float64Array(Math.ceil(runs / blockRuns) * this.cells);
    this.ref = new Float64Array(this.cells);
    this.constant = new Uint8Array(columns).fill(1);
    this.sumFrom = new Int32Array(columns);
    this.group = new Float64Array(this.cells * GROUP);
    this.words = new Uint32Array(this.group.buffer);
  }

  /** Add the table of a good run, `k` runs after the chunk's first (`out[c·days + t]`). */
  add(k: number, out: Float64Array): void {
    const { days, cells, ref, constant, group, blockSums } = this;
    const block = (k / this.blockRuns) | 0;
    if (block !== this.groupBlock) {
      this.flush();
      this.groupBlock = block;
    }
    const sums = block * cells;
    if (this.good === 0) ref.set(out);
    const slot = this.inGroup;
    for (let c = 0; c < this.columns; c++) {
      const a = c * days;
      const b = a + days;
      if (constant[c] === 1) {
        let same = true;
        for (let i = a; i < b; i++)
          if (out[i] !== ref[i]) {
            same = false;
            break;
          }
        if (same) {
          for (let i = a; i < b; i++) blockSums[sums + i] += out[i];
          continue;
        }
        this.becomeVarying(c, slot);
      }
      for (let i = a; i < b; i++) group[i * GROUP + slot] = out[i];
    }
    this.good++;
    if (++this.inGroup === GROUP) this.flush();
  }

  /**
   * Column c differs from the first run for the first time, in group slot `slot`: the good runs
   * before it equal the first run. Those of earlier groups are counted now; those of this
   * group get their slots filled (their block sums are already in).
   */
  private becomeVarying(c: number, slot: number): void {
    const { days, ref, group } = this;
    const earlier = this.good - slot;
    for (let i = c * days; i < (c + 1) * days; i++) {
      if (earlier > 0) this.hist.addRepeated(i, ref[i], earlier);
      for (let s = 0; s < slot; s++) group[i * GROUP + s] = ref[i];
    }
    this.constant[c] = 0;
    this.sumFrom[c] = slot;
  }

  private flush(): void {
    const n = this.inGroup;
    if (n === 0) return;
    const { days, group, blockSums, hist, words, sumFrom } = this;
    const sums = this.groupBlock * this.cells;
    for (let c = 0; c < this.columns; c++) {
      if (this.constant[c] === 1) continue;
      const from = sumFrom[c];
      for (let i = c * days; i < (c + 1) * days; i++) {
        const g = i * GROUP;
        let s = blockSums[sums + i];
        for (let j = from; j < n; j++) s += group[g + j];
        blockSums[sums + i] = s;
        hist.addMany(i, group, g, n, words);
      }
      sumFrom[c] = 0;
    }
    this.inGroup = 0;
  }

  /** Flush the last group and count the columns that stayed constant. */
  finish(): void {
    this.flush();
    if (this.good === 0) return;
    const { days, ref } = this;
    for (let c = 0; c < this.columns; c++)
      if (this.constant[c] === 1)
        for (let i = c * days; i < (c + 1) * days; i++) this.hist.addRepeated(i, ref[i], this.good);
  }
}
