import type { Policy } from "../plugins/api.js";
import type { Scenario } from "../scenario/schema.js";
import { bandColumns, tableCell } from "./columns.js";
import { derivedRanks } from "./derived.js";
import { type CellHistograms, type Located, locatedAt, locatedRows } from "./histogram.js";
import { quantileSorted } from "./quantile.js";
import { type Runner, runnerOf } from "./runner.js";

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

/** A cell-quantile whose bound exceeds the tolerance: refined. */
export interface Pending {
  cell: number;
  stat: number;
  h: number;
  a: Located;
  b: Located;
}

/**
 * The buckets refinement collects: per cell (band cell index), the fine buckets wanted, or
 * [ALL_VALUES] for every value of the cell (a derived cell's whose bound is too wide, decision
 * 270).
 */
export type RefineWant = readonly (readonly [cell: number, buckets: readonly number[]])[];

/** The bucket of a RefineWant that stands for all of a cell's values. */
export const ALL_VALUES = -1;

/** Collected values of a RefineWant, in its order: per cell, per bucket (any run order). */
export type Collected = readonly (readonly Float64Array[])[];

/** Quantiles located in the histograms, with those that need refinement (see refineWant). */
export interface LocatedQuantiles {
  readonly quality: BandQuality;
  readonly pending: readonly Pending[];
  /** Derived cells whose every value refinement collects (their bound exceeds the tolerance). */
  readonly whole: readonly number[];
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
): { quality: BandQuality; all: AllValues } {
  const { quality, pending, whole } = locateQuantiles(hist, n, qs, into);
  const want = refineWant(pending, whole);
  if (want.length === 0 || source === null)
    return { quality: { ...quality, refined: 0 }, all: new Map() };
  const r = runnerOf(source.scenario, source.policies ?? []);
  return {
    quality,
    all: applyRefinement(pending, want, into, [collectBuckets(r, source, hist, want, 0, runs)]),
  };
}

/**
 * The quantiles' estimates into `into`, and the cell-quantiles whose bound exceeds the
 * tolerance. A derived cell's (decision 270) are its base's times its factor (deriveBands, once
 * the base's are final): its bound is its base's, widened by one run per run in which the
 * relation failed (`misses`), and by at most one rank where the base's quantile is refined.
 */
export function locateQuantiles(
  hist: CellHistograms,
  n: number,
  qs: readonly number[],
  into: readonly Float64Array[],
): LocatedQuantiles {
  const tol = BAND_RANK_ERROR * (n - 1) * (1 + 1e-12);
  let worst = 0;
  const pending: Pending[] = [];
  // per quantile (ascending qs): the ranks ⌊h⌋ and ⌊h⌋ + 1 (or ⌊h⌋ alone) it needs, at
  // ranks[atA[s]] and ranks[atB[s]] (the same index for one rank)
  const list: number[] = [];
  const atA = new Int32Array(qs.length);
  const atB = new Int32Array(qs.length);
  qs.forEach((q, s) => {
    const h = (n - 1) * q;
    const lo = Math.floor(h);
    const two = !(h === lo || lo + 1 >= n);
    atA[s] = list.length;
    atB[s] = two ? list.length + 1 : list.length;
    list.push(lo);
    if (two) list.push(lo + 1);
  });
  const ranks = Float64Array.from(list);
  const found = locatedRows(ranks.length);
  const { value, lo: foundLo, hi: foundHi } = found;
  // per counted cell and quantile (i·nq + s): the ranks of the order statistics its estimate
  // lies between (⌊h⌋ and ⌈h⌉ where refinement makes it exact, `exact` set)
  const nq = qs.length;
  const below = new Float64Array(hist.cells * nq);
  const above = new Float64Array(hist.cells * nq);
  const exact = new Uint8Array(hist.cells * nq);
  const derived = hist.derived;
  const missed = derived.missed();
  const whole: number[] = [];
  for (let i = 0; i < hist.cells; i++) {
    const x = derived.base[i];
    if (x >= 0) {
      // a derived cell: its base's bound, moved by its failed runs (derivedRanks); unbounded
      // where they were too many to keep, or where its base's estimate is yet to be refined
      const m = derived.misses[i] === 0 ? null : (missed.get(i) ?? null);
      let wide = false;
      for (let s = 0; s < nq && n > 0; s++) {
        const j = x * nq + s;
        const h = (n - 1) * qs[s];
        const [lo, hi] = derivedRanks(below[j], above[j], into[s][x] * derived.factor[i], m);
        const open = derived.misses[i] > 0 && (m === null || exact[j] === 1);
        const err = open ? Number.POSITIVE_INFINITY : Math.max(h - lo, hi - h);
        if (n > 1 && err / (n - 1) > worst) worst = err / (n - 1);
        if (err > tol) wide = true;
      }
      if (wide) whole.push(i);
      continue;
    }
    if (n > 0) hist.locateRanks(i, n, ranks, found);
    for (let s = 0; s < qs.length; s++) {
      if (n === 0) {
        into[s][i] = Number.NaN;
        continue;
      }
      const h = (n - 1) * qs[s];
      const lo = Math.floor(h);
      const a = atA[s];
      const b = atB[s];
      into[s][i] = b === a ? value[a] : value[a] + (h - lo) * (value[b] - value[a]);
      const err = Math.max(h - foundLo[a], foundHi[b] - h);
      below[i * nq + s] = err > tol ? lo : foundLo[a];
      above[i * nq + s] = err > tol ? (b === a ? lo : lo + 1) : foundHi[b];
      exact[i * nq + s] = err > tol ? 1 : 0;
      if (n > 1 && err / (n - 1) > worst) worst = err / (n - 1);
      if (err > tol) {
        // the same object for one rank (applyRefinement tests b === a)
        const la = locatedAt(found, a);
        pending.push({ cell: i, stat: s, h, a: la, b: b === a ? la : locatedAt(found, b) });
      }
    }
  }
  return {
    quality: { maxRankError: worst, refined: pending.length + whole.length * qs.length },
    pending,
    whole,
  };
}

/**
 * The buckets whose values the pending quantiles need, per cell, in cell order, and every
 * value of the derived cells `whole` (ALL_VALUES).
 */
export function refineWant(pending: readonly Pending[], whole: readonly number[] = []): RefineWant {
  const want = new Map<number, Set<number>>();
  for (const i of whole) want.set(i, new Set([ALL_VALUES]));
  for (const p of pending)
    for (const l of [p.a, p.b]) {
      if (l.lo === l.hi) continue; // already exact
      const m = want.get(p.cell) ?? new Set<number>();
      want.set(p.cell, m.add(l.bucket));
    }
  return [...want.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([cell, b]) => [cell, [...b].sort((x, y) => x - y)] as const);
}

/**
 * Run runs run0 … run1−1 again (`r`, the point's runner) and collect the values of cells'
 * buckets `want` (bucketed by `hist`'s plan): one slice of refinement, which any thread can
 * run on any range of runs (the values are sorted when applied).
 */
export function collectBuckets(
  r: Runner,
  source: Pick<RefineSource, "seed" | "columns">,
  hist: Pick<CellHistograms, "bucket">,
  want: RefineWant,
  run0: number,
  run1: number,
): Float64Array[][] {
  const lists = want.map(([, b]) => b.map(() => [] as number[]));
  const out = new Float64Array(r.cells * r.batch);
  const good = new Uint8Array(r.batch);
  const band = bandColumns(r.c.columns, r.c.days, source.columns);
  const at = want.map(([i]) => tableCell(band, r.c.days, i));
  for (let k0 = run0; k0 < run1; k0 += r.batch) {
    const count = Math.min(r.batch, run1 - k0);
    r.run(source.seed, k0, count, out, good);
    for (let j = 0; j < want.length; j++) {
      const [i, buckets] = want[j];
      for (let b = 0; b < count; b++) {
        if (good[b] === 0) continue;
        const x = out[at[j] * count + b];
        const k = buckets[0] === ALL_VALUES ? 0 : buckets.indexOf(hist.bucket(i, x));
        if (k >= 0) lists[j][k].push(x);
      }
    }
  }
  return lists.map((l) => l.map((v) => Float64Array.from(v)));
}

/** Per derived cell collected whole (band cell index): all its good runs' values, sorted. */
export type AllValues = ReadonlyMap<number, Float64Array>;

/**
 * Replace the pending quantiles by exact ones from the collected values (pieces of any split);
 * returns the values of the derived cells collected whole (ALL_VALUES), sorted, for deriveBands.
 */
export function applyRefinement(
  pending: readonly Pending[],
  want: RefineWant,
  into: readonly Float64Array[],
  all: readonly Collected[],
): AllValues {
  const sorted = new Map<number, Map<number, Float64Array>>();
  want.forEach(([cell, buckets], j) => {
    const m = new Map<number, Float64Array>();
    buckets.forEach((bucket, k) => {
      const parts = all.map((c) => c[j][k]);
      const v = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) {
        v.set(p, o);
        o += p.length;
      }
      m.set(bucket, v.sort());
    });
    sorted.set(cell, m);
  });
  const exact = (cell: number, l: Located, rank: number) =>
    l.lo === l.hi ? l.value : sorted.get(cell)!.get(l.bucket)![rank - l.first];
  for (const p of pending) {
    const lo = Math.floor(p.h);
    const a = exact(p.cell, p.a, lo);
    into[p.stat][p.cell] = p.b === p.a ? a : a + (p.h - lo) * (exact(p.cell, p.b, lo + 1) - a);
  }
  const whole = new Map<number, Float64Array>();
  for (const [cell, m] of sorted) if (m.has(ALL_VALUES)) whole.set(cell, m.get(ALL_VALUES)!);
  return whole;
}

/**
 * The bands of the derived cells of `hist` (decision 270), once every counted cell's quantiles
 * (`into[s]` for quantile qs[s], refinement applied) are final: a derived cell's are its base's
 * times its factor, or, where refinement collected its values (`all`, from applyRefinement),
 * their exact type-7 quantiles; its smallest and largest values (lo, hi) are its own, kept
 * while it was summed (DerivedCells.add).
 */
export function deriveBands(
  hist: Pick<CellHistograms, "derived">,
  qs: readonly number[],
  into: readonly Float64Array[],
  lo: Float64Array,
  hi: Float64Array,
  all: AllValues,
): void {
  const { base, factor, low, high } = hist.derived;
  for (let i = 0; i < base.length; i++) {
    const x = base[i];
    if (x < 0) continue;
    const v = all.get(i);
    const c = factor[i];
    for (let s = 0; s < qs.length; s++)
      into[s][i] = v === undefined ? into[s][x] * c : quantileSorted(v, qs[s]);
    const none = !(low[i] <= high[i]);
    lo[i] = none ? Number.NaN : low[i];
    hi[i] = none ? Number.NaN : high[i];
  }
}
