import { quantileSorted } from "./quantile.js";

/** Cells transposed at a time: 64 consecutive cells of each run's table are one read. */
const TILE = 64;

/**
 * Exact type-7 quantiles of every cell over the good runs (the bands of points of up to
 * EXACT_RUNS runs). `tables` are the chunks' run-major tables in run order
 * (`values[(run − runStart)·cells + cell]`). Cells are transposed a tile at a time so each
 * cell's values are contiguous, then sorted; a cell with one value in every run (deterministic
 * days, zeros) needs no sort.
 */
export function exactQuantiles(
  tables: readonly { runStart: number; runEnd: number; values: Float64Array | null }[],
  failed: ReadonlySet<number>,
  cells: number,
  qs: readonly number[],
  into: readonly Float64Array[],
  /** Only cells from … to − 1 (a slice, so a caller can yield between slices). */
  from = 0,
  to = cells,
): void {
  const rows: Float64Array[] = [];
  const offsets: number[] = [];
  for (const p of tables)
    for (let k = 0; k < p.runEnd - p.runStart; k++)
      if (!failed.has(p.runStart + k)) {
        rows.push(p.values!);
        offsets.push(k * cells);
      }
  const good = rows.length;
  const tile = new Float64Array(TILE * good);
  for (let c0 = from; c0 < to; c0 += TILE) {
    const w = Math.min(TILE, to - c0);
    for (let r = 0; r < good; r++) {
      const v = rows[r];
      const o = offsets[r] + c0;
      for (let j = 0; j < w; j++) tile[j * good + r] = v[o + j];
    }
    for (let j = 0; j < w; j++) {
      const col = tile.subarray(j * good, (j + 1) * good);
      let r = 1;
      while (r < good && col[r] === col[0]) r++;
      if (r < good) col.sort();
      for (let s = 0; s < qs.length; s++) into[s][c0 + j] = quantileSorted(col, qs[s]);
    }
  }
}
