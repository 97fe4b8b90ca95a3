import type { Policy } from "../plugins/api.js";
import type { Scenario } from "../scenario/schema.js";
import { bandColumns, tableCell } from "./columns.js";
import type { CellHistograms, Located } from "./histogram.js";
import { runnerOf } from "./runner.js";

/**
 * The rank error every reported quantile is held to (docs/bands.md): the reported q-quantile
 * lies between the exact (q − BAND_RANK_ERROR)- and (q + BAND_RANK_ERROR)-quantiles.
 */
export const BAND_RANK_ERROR = 0.0025;

/** What refinement needs: the point's scenario (overrides applied) and the seed. */
export interface RefineSource {
  readonly scenario: Scenario;
  readonly seed: number;
  /** The experiment's plugin policies (loaded in this thread), applied to every rerun. */
  readonly policies?: readonly Policy[];
  /** The columns that get bands (absent: all): histogram cell i is band cell i. */
  readonly columns?: readonly string[];
}

/** What the bands of a histogram point cost: the worst rank error before refinement, and refinements. */
export interface BandQuality {
  /** Largest rank-error bound over cells and quantiles before refinement (fraction, 0.0025 = 0.25 pp). */
  maxRankError: number;
  /** Cell × quantile pairs that had to be refined (0 when the buckets sufficed). */
  refined: number;
}

interface Pending {
  cell: number;
  stat: number;
  h: number;
  a: Located;
  b: Located;
}

/**
 * Type-7 quantiles `qs` of every cell of `hist` over `n` good runs, into `into[s][cell]`.
 * Each estimate comes with the ranks of the exact order statistics it lies between; where
 * that bound exceeds BAND_RANK_ERROR, the runs are run again (`source`, deterministic) and
 * the values of the buckets concerned collected exactly, so those quantiles are exact.
 */
export function histogramQuantiles(
  hist: CellHistograms,
  n: number,
  qs: readonly number[],
  into: readonly Float64Array[],
  runs: number,
  source: RefineSource | null,
): BandQuality {
  const tol = BAND_RANK_ERROR * (n - 1) * (1 + 1e-12);
  let worst = 0;
  const pending: Pending[] = [];
  // per quantile (ascending qs): the ranks ⌊h⌋ and ⌊h⌋ + 1 (or ⌊h⌋ alone) it needs
  const ranks: number[] = [];
  const at: [number, number][] = [];
  for (const q of qs) {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const two = !(h === lo || lo + 1 >= n);
    at.push([ranks.length, two ? ranks.length + 1 : ranks.length]);
    ranks.push(lo);
    if (two) ranks.push(lo + 1);
  }
  const found: Located[] = new Array(ranks.length);
  for (let i = 0; i < hist.cells; i++) {
    if (n > 0) hist.locate(i, n, ranks, found);
    for (let s = 0; s < qs.length; s++) {
      if (n === 0) {
        into[s][i] = Number.NaN;
        continue;
      }
      const h = (n - 1) * qs[s];
      const lo = Math.floor(h);
      const a = found[at[s][0]];
      const b = found[at[s][1]];
      into[s][i] = b === a ? a.value : a.value + (h - lo) * (b.value - a.value);
      const err = Math.max(h - a.lo, b.hi - h);
      if (n > 1 && err / (n - 1) > worst) worst = err / (n - 1);
      if (err > tol) pending.push({ cell: i, stat: s, h, a, b });
    }
  }
  if (pending.length > 0 && source !== null) refine(hist, pending, into, runs, source);
  return { maxRankError: worst, refined: source === null ? 0 : pending.length };
}

/** Run every run again and replace the pending quantiles by exact ones. */
function refine(
  hist: CellHistograms,
  pending: Pending[],
  into: readonly Float64Array[],
  runs: number,
  source: RefineSource,
): void {
  // per cell: the buckets whose values are wanted, each collecting into its own list
  const want = new Map<number, Map<number, number[]>>();
  for (const p of pending)
    for (const l of [p.a, p.b]) {
      if (l.lo === l.hi) continue; // already exact
      const m = want.get(p.cell) ?? new Map<number, number[]>();
      m.set(l.bucket, []);
      want.set(p.cell, m);
    }
  const r = runnerOf(source.scenario, source.policies ?? []);
  const out = new Float64Array(r.cells * r.batch);
  const good = new Uint8Array(r.batch);
  const cells = [...want.keys()];
  const band = bandColumns(r.c.columns, r.c.days, source.columns);
  const at = cells.map((i) => tableCell(band, r.c.days, i));
  for (let run0 = 0; run0 < runs; run0 += r.batch) {
    const count = Math.min(r.batch, runs - run0);
    r.run(source.seed, run0, count, out, good);
    for (let j = 0; j < cells.length; j++) {
      const i = cells[j];
      const m = want.get(i)!;
      for (let b = 0; b < count; b++) {
        if (good[b] === 0) continue;
        const x = out[at[j] * count + b];
        m.get(hist.bucket(i, x))?.push(x);
      }
    }
  }
  for (const m of want.values()) for (const v of m.values()) v.sort((x, y) => x - y);
  const exact = (cell: number, l: Located, rank: number) =>
    l.lo === l.hi ? l.value : want.get(cell)!.get(l.bucket)![rank - l.first];
  for (const p of pending) {
    const lo = Math.floor(p.h);
    const a = exact(p.cell, p.a, lo);
    into[p.stat][p.cell] = p.b === p.a ? a : a + (p.h - lo) * (exact(p.cell, p.b, lo + 1) - a);
  }
}
