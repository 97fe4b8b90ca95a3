import type { Policy } from "../plugins/api.js";
import type { Scenario } from "../scenario/schema.js";
import { bandColumns, tableCell } from "./columns.js";
import { DerivedCells, derivedRanks } from "./derived.js";
import {
  CellHistograms,
  type HistogramView,
  type Located,
  type LocatedRows,
  locatedAt,
  locatedRows,
  locateViews,
  viewsRoom,
} from "./histogram.js";
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
 * the base's are final), with its base's bound moved by its failed runs (derivedWhole).
 */
export function locateQuantiles(
  hist: CellHistograms,
  n: number,
  qs: readonly number[],
  into: readonly Float64Array[],
): LocatedQuantiles {
  const r = rankPlan(n, qs);
  const found = locatedRows(r.ranks.length);
  const got: SliceLocated = { slice: 0, worst: 0, pending: [] };
  const bounds = rankBounds(hist.cells * qs.length, false);
  const base = hist.derived.base;
  for (let i = 0; i < hist.cells; i++) {
    if (base[i] >= 0) continue;
    if (n > 0) hist.locateRanks(i, n, r.ranks, found);
    cellQuantiles(i, n, qs, r, found, into, got, bounds);
  }
  return withDerived(
    { slice: 0, worst: got.worst, pending: got.pending },
    hist.derived,
    n,
    qs,
    into,
    bounds,
  );
}

/**
 * Per cell and quantile (i·nq + s): the ranks of the order statistics a counted cell's
 * estimate lies between (⌊h⌋ and ⌈h⌉ where refinement makes it exact, `exact` set), which a
 * derived cell's bound starts from (derivedWhole).
 */
export interface RankBounds {
  readonly below: Float64Array;
  readonly above: Float64Array;
  readonly exact: Uint8Array;
}

export function rankBounds(size: number, shared: boolean): RankBounds {
  const f = () =>
    shared ? new Float64Array(new SharedArrayBuffer(size * 8)) : new Float64Array(size);
  return {
    below: f(),
    above: f(),
    exact: shared ? new Uint8Array(new SharedArrayBuffer(size)) : new Uint8Array(size),
  };
}

/**
 * The located quantiles of the counted cells (`got`, every slice joined), with the derived
 * cells' bounds (derivedWhole) added: their worst, and those collected whole by refinement.
 */
function withDerived(
  got: SliceLocated,
  derived: DerivedCells,
  n: number,
  qs: readonly number[],
  into: readonly Float64Array[],
  bounds: RankBounds,
): LocatedQuantiles {
  const { whole, worst } = derivedWhole(derived, n, qs, into, bounds);
  return {
    quality: {
      maxRankError: Math.max(got.worst, worst),
      refined: got.pending.length + whole.length * qs.length,
    },
    pending: got.pending,
    whole,
  };
}

/**
 * The derived cells' rank bounds (decision 271): a derived cell's estimate is its base's
 * times its factor, so it lies between the order statistics its base's does, moved by its
 * failed runs (derivedRanks); unbounded where they were too many to keep, or where its base's
 * estimate is yet to be refined and it has failed runs. Returns the cells whose bound exceeds
 * the tolerance (collected whole by refinement) and the worst bound (fraction).
 */
function derivedWhole(
  derived: DerivedCells,
  n: number,
  qs: readonly number[],
  into: readonly Float64Array[],
  bounds: RankBounds,
): { whole: number[]; worst: number } {
  const tol = BAND_RANK_ERROR * (n - 1) * (1 + 1e-12);
  const nq = qs.length;
  const { below, above, exact } = bounds;
  const missed = derived.missed();
  const whole: number[] = [];
  let worst = 0;
  for (let i = 0; i < derived.base.length; i++) {
    const x = derived.base[i];
    if (x < 0 || n === 0) continue;
    const m = derived.misses[i] === 0 ? null : (missed.get(i) ?? null);
    let wide = false;
    for (let s = 0; s < nq; s++) {
      const j = x * nq + s;
      const h = (n - 1) * qs[s];
      const [lo, hi] = derivedRanks(below[j], above[j], into[s][x] * derived.factor[i], m);
      const open = derived.misses[i] > 0 && (m === null || exact[j] === 1);
      const err = open ? Number.POSITIVE_INFINITY : Math.max(h - lo, hi - h);
      if (n > 1 && err / (n - 1) > worst) worst = err / (n - 1);
      if (err > tol) wide = true;
    }
    if (wide) whole.push(i);
  }
  return { whole, worst };
}

/**
 * The ranks the quantiles `qs` (ascending) of n values need: per quantile, ⌊h⌋ and ⌊h⌋ + 1
 * (or ⌊h⌋ alone) at ranks[atA[s]] and ranks[atB[s]] (the same index for one rank).
 */
interface RankPlan {
  readonly ranks: Float64Array;
  readonly atA: Int32Array;
  readonly atB: Int32Array;
  /** BAND_RANK_ERROR in ranks: a bound above it is refined. */
  readonly tol: number;
}

function rankPlan(n: number, qs: readonly number[]): RankPlan {
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
  const tol = BAND_RANK_ERROR * (n - 1) * (1 + 1e-12);
  return { ranks: Float64Array.from(list), atA, atB, tol };
}

/**
 * Cell i's quantiles from its located ranks (`found`) into `into[s][i]`, its worst rank-error
 * bound into `got.worst` and its quantiles whose bound exceeds the tolerance onto `got.pending`.
 */
function cellQuantiles(
  i: number,
  n: number,
  qs: readonly number[],
  r: RankPlan,
  found: LocatedRows,
  into: readonly Float64Array[],
  got: SliceLocated,
  bounds: RankBounds,
): void {
  const { value, lo: foundLo, hi: foundHi } = found;
  const nq = qs.length;
  for (let s = 0; s < qs.length; s++) {
    if (n === 0) {
      into[s][i] = Number.NaN;
      continue;
    }
    const h = (n - 1) * qs[s];
    const lo = Math.floor(h);
    const a = r.atA[s];
    const b = r.atB[s];
    into[s][i] = b === a ? value[a] : value[a] + (h - lo) * (value[b] - value[a]);
    const err = Math.max(h - foundLo[a], foundHi[b] - h);
    bounds.below[i * nq + s] = err > r.tol ? lo : foundLo[a];
    bounds.above[i * nq + s] = err > r.tol ? (b === a ? lo : lo + 1) : foundHi[b];
    bounds.exact[i * nq + s] = err > r.tol ? 1 : 0;
    if (n > 1 && err / (n - 1) > got.worst) got.worst = err / (n - 1);
    if (err > r.tol) {
      // the same object for one rank (applyRefinement tests b === a)
      const la = locatedAt(found, a);
      got.pending.push({ cell: i, stat: s, h, a: la, b: b === a ? la : locatedAt(found, b) });
    }
  }
}

/** Slices of the cells locateSlices claims one at a time (decision 265). */
export const LOCATE_SLICES = 16;

/**
 * A point's quantiles located in the histograms its lanes handed over unmerged (`views`, in
 * the order a merge would take them), a slice of cells at a time: the outputs are shared by
 * every lane that helps, and each slice is claimed once (`claim`, Atomics.add).
 */
export interface LocateTask {
  readonly views: readonly HistogramView[];
  /** Good runs. */
  readonly n: number;
  readonly qs: readonly number[];
  /** Per quantile, per cell (shared memory). */
  readonly into: readonly Float64Array[];
  /** Per cell, its smallest and largest value (extremes; shared memory). */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** The counted cells' rank bounds, for the derived cells' (shared memory). */
  readonly bounds: RankBounds;
  readonly claim: Int32Array;
}

/** One slice's worst rank-error bound and pending quantiles (in cell order). */
export interface SliceLocated {
  readonly slice: number;
  worst: number;
  readonly pending: Pending[];
}

/**
 * Claim and locate slices of `task` until none is left (decision 265): each cell's ranks and
 * extremes located in what merging the views would give (locateViews, bit for bit), its
 * quantiles written as locateQuantiles writes them; whichever lane locates a slice, the same
 * bytes. Returns the slices this lane located.
 */
export function locateSlices(task: LocateTask): SliceLocated[] {
  const { views, n, qs, into, lo, hi, claim } = task;
  const done: SliceLocated[] = [];
  if (views.length === 0) return done;
  const plan = new CellHistograms({ ...views[0], ...views[0].derived }, 0);
  const cells = plan.cells;
  const base = plan.derived.base;
  const r = rankPlan(n, qs);
  const found = locatedRows(r.ranks.length);
  const room = viewsRoom(views);
  for (let k = Atomics.add(claim, 0, 1); k < LOCATE_SLICES; k = Atomics.add(claim, 0, 1)) {
    const got: SliceLocated = { slice: k, worst: 0, pending: [] };
    const end = Math.floor((cells * (k + 1)) / LOCATE_SLICES);
    for (let i = Math.floor((cells * k) / LOCATE_SLICES); i < end; i++) {
      if (base[i] >= 0) continue; // derived: its bands follow its base's (deriveBands)
      locateViews(plan, views, room, i, n, r.ranks, found, lo, hi);
      cellQuantiles(i, n, qs, r, found, into, got, task.bounds);
    }
    done.push(got);
  }
  return done;
}

/**
 * Every slice's located quantiles (of any lanes), joined in cell order, with the derived cells'
 * bounds (`derived`: the views' derived cells, merged).
 */
export function joinSlices(
  slices: readonly SliceLocated[],
  task: LocateTask,
  derived: DerivedCells,
): LocatedQuantiles {
  const byCell = [...slices].sort((x, y) => x.slice - y.slice);
  let worst = 0;
  for (const s of byCell) if (s.worst > worst) worst = s.worst;
  const pending = byCell.flatMap((s) => s.pending);
  return withDerived(
    { slice: 0, worst, pending },
    derived,
    task.n,
    task.qs,
    task.into,
    task.bounds,
  );
}

/** The derived cells of histogram views, merged (counts add, extremes combine, pairs join). */
export function viewsDerived(views: readonly HistogramView[]): DerivedCells {
  const d = new DerivedCells(views[0].derived);
  for (const v of views) d.merge(v.derived);
  return d;
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
  derived: Pick<DerivedCells, "base" | "factor" | "low" | "high">,
  qs: readonly number[],
  into: readonly Float64Array[],
  lo: Float64Array,
  hi: Float64Array,
  all: AllValues,
): void {
  const { base, factor, low, high } = derived;
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
