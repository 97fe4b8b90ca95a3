import {
  BAND_STATS,
  type BandStat,
  type Bands,
  type ByMetric,
  OUTCOME_METRICS,
  type PointResult,
  type PointSpec,
} from "../analysis/types.js";
import { resultFromBuffer } from "../engine/result.js";
import { computeMetrics } from "../plugins/api.js";
import type { LoadedPlugins } from "../plugins/load.js";
import type { PluginRef } from "../plugins/refs.js";
import { applyOverrides } from "../scenario/overrides.js";
import { parseScenario } from "../scenario/parse.js";
import type { Scenario } from "../scenario/schema.js";
import { VERSION } from "../version.js";
import {
  type AllValues,
  applyRefinement,
  type BandQuality,
  type Collected,
  collectBuckets,
  deriveBands,
  histogramQuantiles,
  joinSlices,
  LOCATE_SLICES,
  type LocatedQuantiles,
  type LocateTask,
  locateQuantiles,
  locateSlices,
  type RefineSource,
  type RefineWant,
  rankBounds,
  refineWant,
  type SliceLocated,
  viewsDerived,
} from "./bands.js";
import { bandColumns, bandPlan, gatherBandCells } from "./columns.js";
import type { DerivedCells } from "./derived.js";
import { exactQuantiles } from "./exact.js";
import { BandFolder } from "./fold.js";
import {
  type BandPlan,
  CellHistograms,
  type HistogramData,
  type HistogramView,
  rowsFor,
} from "./histogram.js";
import { outcomeContext } from "./outcomes.js";
import { BatchOutcomes } from "./outcomesBatch.js";
import { meanWithin, summarizeSample } from "./quantile.js";
import {
  bufferOf,
  cachedRunner,
  type KeptPilot,
  planOf,
  type Runner,
  runnerOf,
  takePilot,
} from "./runner.js";

/** Cells of an exact point's quantiles computed between two yields of finishYielding. */
const EXACT_SLICE = 1024;

/** Runs are reduced in blocks of this many, in block order: the unit of determinism. */
export const BLOCK_RUNS = 1024;
/** Up to this many runs per point, bands are exact (every value kept and sorted). */
export const EXACT_RUNS = 2 * BLOCK_RUNS;

/**
 * CPU seconds (of this process: run it with one worker, in this thread) spent per phase of the
 * chunks and merges, for bench/montecarlo.ts (counted only while `enabled`; a few clock reads
 * per batch of runs). CPU rather than wall time: on a loaded machine wall time counts waiting.
 */
export const phaseClock = { enabled: false, seconds: {} as Record<string, number> };

/** Add the time since t0 to `phase` (when the clock is enabled); returns now. */
function lap(phase: string, t0: number): number {
  if (!phaseClock.enabled) return 0;
  const now = cpuNow();
  phaseClock.seconds[phase] = (phaseClock.seconds[phase] ?? 0) + (now - t0) / 1e6;
  return now;
}

/** Now (CPU µs), when the clock is enabled. */
function clock(): number {
  return phaseClock.enabled ? cpuNow() : 0;
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** A range of runs of one point: plain JSON-able data, for worker threads and remote workers. */
export interface ChunkTask {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly point: PointSpec;
  /** Total runs of the point (decides exact or histogram bands). */
  readonly runs: number;
  /** First run; a multiple of BLOCK_RUNS. */
  readonly runStart: number;
  /** One past the last run; a multiple of BLOCK_RUNS or `runs`. */
  readonly runEnd: number;
  /** Plugin modules (policies, metrics) the worker imports before running (docs/plugins.md). */
  readonly plugins?: readonly PluginRef[];
  /** The columns that get bands (absent: all; src/montecarlo/columns.ts). */
  readonly columns?: readonly string[];
  /**
   * Histogram mode: the point's bucket plan (every cell of the table), made once per point by
   * whoever hands out its chunks (pointPlan) and the same for every chunk. Absent: the chunk's
   * thread makes it from the pilot (the same plan: the pilot is deterministic).
   */
  readonly plan?: BandPlan;
}

/**
 * Histograms of a set of whole chunks of one point, counted together (one worker thread's
 * accumulator): `ranges` are the chunks' runs [runStart, runEnd).
 */
export interface HistogramPiece {
  readonly ranges: readonly (readonly [number, number])[];
  readonly data: HistogramData;
}

/**
 * Where a thread keeps one point's histograms across its chunks (docs/bands.md): runChunk
 * folds into `hist` (creating it on the first chunk) instead of handing a histogram back.
 */
export interface HeldHistograms {
  hist: CellHistograms | null;
  readonly ranges: [number, number][];
}

/** What a chunk hands back: typed arrays and numbers only. */
export interface ChunkPartial {
  readonly runStart: number;
  readonly runEnd: number;
  readonly columns: string[];
  readonly days: number;
  /** Per block of the chunk, per cell (c·days + t): the sum of that block's runs. */
  readonly blockSums: Float64Array;
  /** Exact mode: every run's table, run-major (`(run − runStart)·cells + cell`). */
  readonly values: Float64Array | null;
  /** Histogram mode: the chunk's histograms (null when its thread holds them: HeldHistograms). */
  readonly histograms: HistogramData | null;
  /** Per metric, one value per run of the chunk. */
  readonly outcomes: Float64Array[];
  /** The metrics' names, in `outcomes` order: OUTCOME_METRICS, then plugin metrics (absent: OUTCOME_METRICS). */
  readonly metricNames?: string[];
  readonly failed: { run: number; error: string }[];
}

/** The scenario of a point: the base with the point's `path=value` overrides, validated. */
export function pointScenario(base: Scenario, point: PointSpec): Scenario {
  const scenario = point.scenario ?? base;
  const sets = Object.entries(point.params).map(([k, v]) => `${k}=${v}`);
  return sets.length === 0
    ? scenario
    : parseScenario(applyOverrides(scenario, sets), `point ${point.index}`);
}

/** Split runs 0 … runs−1 into chunks of whole blocks, `blocksPerChunk` blocks each. */
export function chunkRanges(runs: number, blocksPerChunk: number): [number, number][] {
  const size = BLOCK_RUNS * Math.max(1, blocksPerChunk);
  const out: [number, number][] = [];
  for (let s = 0; s < runs; s += size) out.push([s, Math.min(runs, s + size)]);
  return out;
}

/**
 * Run one chunk: runs runStart … runEnd−1 of a point, run i seeded from (seed, i), with the
 * task's plugins already imported (`plugins`; see loadPluginRefs). A plugin error fails its run.
 */
export function runChunk(
  task: ChunkTask,
  plugins?: LoadedPlugins,
  /** Histogram mode: fold into these (the thread's, for the task's point) and hand none back. */
  held?: HeldHistograms,
  /**
   * A worker thread's: exact values, and the counts of the histograms it holds, in shared memory
   * (its reply and its hand-over share them, not copy them).
   */
  shared = false,
): ChunkPartial {
  const scenario = pointScenario(task.scenario, task.point);
  const r = cachedRunner(scenario, plugins?.policies ?? []);
  const { c, cells, batch } = r;
  const days = c.days;
  const n = task.runEnd - task.runStart;
  const exact = task.runs <= EXACT_RUNS;
  const band = bandColumns(c.columns, days, task.columns);
  const bandBuf = band.cols === null ? null : bufferOf(r, "band", band.cells * batch);
  const values = !exact
    ? null
    : shared
      ? new Float64Array(new SharedArrayBuffer(n * band.cells * 8))
      : new Float64Array(n * band.cells);
  let t = clock();
  const plan = exact ? null : bandPlan(taskPlan(task, r, scenario), band, days);
  const folder =
    plan === null
      ? null
      : new BandFolder(
          plan,
          band.cells,
          n,
          BLOCK_RUNS,
          // a lane's histograms, kept for its later chunks (a chunk's own: sized by BandFolder,
          // handed over whole by toData)
          held ? (held.hist ?? laneHistograms(plan, shared)) : null,
        );
  if (folder && held) {
    held.hist = folder.hist;
    held.ranges.push([task.runStart, task.runEnd]);
  }
  const blockSums = folder
    ? folder.blockSums
    : new Float64Array(Math.ceil(n / BLOCK_RUNS) * band.cells);
  const pluginMetrics = plugins?.metrics ?? [];
  const metricNames = [...OUTCOME_METRICS, ...pluginMetrics.map((m) => m.name)];
  const outcomes = metricNames.map(() => new Float64Array(n));
  const meta = {
    scenarioName: scenario.name,
    seed: task.seed,
    run: 0,
    version: VERSION,
    mode: scenario.mode,
    scenario,
    warnings: [],
  };
  const failed: { run: number; error: string }[] = [];
  const out = bufferOf(r, "out", cells * batch);
  const good = new Uint8Array(batch);
  const metrics = new BatchOutcomes(
    batch,
    days,
    outcomeContext(c),
    bufferOf(r, "logReturns", batch * days),
  );
  // plugin metrics read per-run tables (RunResult): every column of each run, transposed
  const tables = pluginMetrics.length > 0 ? bufferOf(r, "tables", batch * cells) : null;
  const all = c.columns.map((_, col) => col);
  // the point's pilot, when this thread just ran it (pilotPlan): its batches are counted as
  // they are, not run again; the last is in `out`, usable until the kernel first writes it
  const kept = { pilot: takePilot(r, task.seed), outWritten: false };
  for (let k0 = 0; k0 < n; k0 += batch) {
    const count = Math.min(batch, n - k0, BLOCK_RUNS - (k0 % BLOCK_RUNS));
    t = lap("chunk set-up, pilot plan", t);
    const src = runBatch(r, task.seed, task.runStart + k0, count, out, good, kept);
    t = lap("kernel", t);
    metrics.compute(src, count, outcomes, k0);
    if (tables) transposeColumns(src, tables, all, days, cells, count);
    let allGood = true;
    for (let b = 0; b < count; b++) {
      const k = k0 + b;
      const run = task.runStart + k;
      const extra =
        good[b] === 0 || tables === null
          ? null
          : computeMetrics(
              pluginMetrics,
              resultFromBuffer(
                { ...meta, run },
                c.columns,
                tables.subarray(b * cells, (b + 1) * cells),
                days,
                days,
                null,
              ),
            );
      if (good[b] === 0 || extra instanceof Error) {
        allGood = false;
        good[b] = 0;
        failed.push({ run, error: extra instanceof Error ? extra.message : r.errors[b]!.message });
        for (const m of outcomes) m[k] = Number.NaN;
        continue;
      }
      if (extra)
        pluginMetrics.forEach((pm, j) => {
          outcomes[OUTCOME_METRICS.length + j][k] = extra[pm.name];
        });
    }
    t = lap("outcome metrics", t);
    const bandOut =
      band.cols === null ? src : gatherBandCells(src, band.cols, days, count, bandBuf!);
    if (folder) folder.addBatch(k0, count, bandOut, allGood ? null : good);
    else keepValues(bandOut, band.cells, k0, count, good, blockSums, values!);
    t = lap(folder ? "bands: sums and counting" : "bands: sums and kept values", t);
  }
  // the pilot's own buffers are not kept for later points (their first chunk reuses "out")
  for (const name of kept.pilot?.names ?? []) r.buffers.delete(name);
  return {
    runStart: task.runStart,
    runEnd: task.runEnd,
    columns: band.names,
    days,
    blockSums,
    values,
    histograms: folder && !held ? folder.hist.toData() : null,
    outcomes,
    metricNames,
    failed,
  };
}

/**
 * Runs run0 … run0+count−1 of the point in batch layout, `good[b]` set: a batch of its pilot
 * kept by this thread when there is one (all its runs good, and not in "out" once the kernel
 * has written it), else the runs run into `out`.
 */
function runBatch(
  r: Runner,
  seed: number,
  run0: number,
  count: number,
  out: Float64Array,
  good: Uint8Array,
  kept: { pilot: KeptPilot | null; outWritten: boolean },
): Float64Array {
  const part = kept.pilot?.parts.find(
    (p) =>
      p.run0 === run0 &&
      p.runs === count &&
      p.good.every((g) => g === 1) &&
      !(kept.outWritten && p.values.buffer === out.buffer),
  );
  if (part) {
    good.fill(1);
    return part.values;
  }
  r.run(seed, run0, count, out, good);
  kept.outWritten = true;
  return out;
}

/**
 * A lane's histograms for a point (counted into across its chunks), with spare rows (rowsFor);
 * a worker thread's in shared memory, so that handing them over copies nothing (decision 164).
 */
function laneHistograms(plan: BandPlan, shared: boolean): CellHistograms {
  return new CellHistograms(plan, rowsFor(plan), shared);
}

/** Typed arrays from this size up are shared between threads by sharedCopy. */
const SHARE_BYTES = 64 * 1024;

/**
 * `o` with each of its large typed arrays copied into a SharedArrayBuffer (postMessage then
 * shares it instead of copying it twice, and nothing is detached: docs/decisions.md 151);
 * arrays already shared are kept as they are.
 */
export function sharedCopy<T extends object>(o: T): T {
  const out = { ...o } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) {
    if (!ArrayBuffer.isView(v) || v instanceof DataView) continue;
    if (v.byteLength < SHARE_BYTES || v.buffer instanceof SharedArrayBuffer) continue;
    const a = v as unknown as Float64Array;
    const c = new (a.constructor as Float64ArrayConstructor)(new SharedArrayBuffer(a.byteLength));
    c.set(a);
    out[k] = c;
  }
  return out as T;
}

/** The plan of a chunk's point: the one handed with the task, or made here from the pilot. */
function taskPlan(task: ChunkTask, r: Runner, scenario: Scenario): BandPlan {
  const plan = task.plan ?? planOf(r, scenario, task.seed, task.runs);
  if (plan.start.length !== r.cells)
    throw new Error(
      `point ${task.point.index}: the bucket plan is for ${plan.start.length} cells, the table has ${r.cells}`,
    );
  return plan;
}

/**
 * A slice of a point's refinement (docs/bands.md): runs runStart … runEnd−1 of the point run
 * again, and the values of `want`'s buckets collected. Plain data, for worker threads.
 */
export interface RefineTask extends ChunkTask {
  // runStart … runEnd: any contiguous slice of the point's runs (not only whole blocks)
  readonly want: RefineWant;
}

/** Run a refinement slice (the point's plan is the pilot's, as every chunk's). */
export function runRefine(task: RefineTask, plugins?: LoadedPlugins): Collected {
  const scenario = pointScenario(task.scenario, task.point);
  const r = cachedRunner(scenario, plugins?.policies ?? []);
  const band = bandColumns(r.c.columns, r.c.days, task.columns);
  const plan = bandPlan(taskPlan(task, r, scenario), band, r.c.days);
  const t = clock();
  const collected = collectBuckets(
    r,
    { seed: task.seed, columns: task.columns },
    new CellHistograms(plan, 0),
    task.want,
    task.runStart,
    task.runEnd,
  );
  lap("refinement reruns", t);
  return collected;
}

/**
 * Columns `used` of a batch (`out[cell·count + b]`) into per-run tables (`tables[b·cells +
 * cell]`), DAY_TILE days at a time: each run's DAY_TILE values are written to one cache line
 * while DAY_TILE cells are read side by side.
 */
function transposeColumns(
  out: Float64Array,
  tables: Float64Array,
  used: readonly number[],
  days: number,
  cells: number,
  count: number,
): void {
  for (const col of used)
    for (let t0 = 0; t0 < days; t0 += DAY_TILE) {
      const o = col * days + t0;
      const w = Math.min(DAY_TILE, days - t0);
      for (let b = 0; b < count; b++)
        for (let t = 0, d = b * cells + o, src = o * count + b; t < w; t++, src += count)
          tables[d + t] = out[src];
    }
}
const DAY_TILE = 8;

/** Exact mode: every good run's values, run-major, and their block sums. */
function keepValues(
  out: Float64Array,
  cells: number,
  k0: number,
  count: number,
  good: Uint8Array,
  blockSums: Float64Array,
  values: Float64Array,
): void {
  const sums = ((k0 / BLOCK_RUNS) | 0) * cells;
  // 64 cells at a time: their values of 8 consecutive runs share a cache line of `out`
  for (let i0 = 0; i0 < cells; i0 += 64) {
    const i1 = Math.min(cells, i0 + 64);
    for (let b = 0; b < count; b++) {
      if (good[b] === 0) continue;
      const row = (k0 + b) * cells;
      for (let i = i0; i < i1; i++) {
        const x = out[i * count + b];
        blockSums[sums + i] += x;
        values[row + i] = x;
      }
    }
  }
}

type QuantileStat = Exclude<BandStat, "mean">;
const Q: Record<QuantileStat, number> = {
  p5: 0.05,
  p25: 0.25,
  p50: 0.5,
  p75: 0.75,
  p95: 0.95,
};
/** Exact bands' quantiles, with the extremes (type 7 at q = 0 and 1: the min and the max). */
const EXACT_Q = { ...Q, p0: 0, p100: 1 };
type ExactStats = Record<keyof typeof EXACT_Q, Float64Array>;

/**
 * The running merge of one point's chunks, in any order of arrival: histograms are folded in
 * as chunks come (their merge is exact in any order), block sums and outcomes are kept per
 * chunk (small) and combined in run order at the end. Same runs → same bytes, whatever the
 * chunking, the number of workers, or the order chunks finish in.
 */
export class PointAccumulator {
  private readonly parts: Omit<ChunkPartial, "histograms">[] = [];
  /**
   * Per metric, every run's outcome: chunks' outcomes are copied in as they arrive (not kept
   * twice); finish() hands these arrays over.
   */
  private outcomeRuns: Float64Array[] | null = null;
  private hist: CellHistograms | null = null;
  /**
   * Lanes' histograms handed over as counted (CellHistograms.view), in their order of
   * arrival: not merged into `hist` but cell by cell as their quantiles are located
   * (locateSlices, decision 265).
   */
  private readonly views: HistogramView[] = [];
  /** The chunks whose histograms are counted in `hist` or `views`. */
  private readonly counted: (readonly [number, number])[] = [];
  /** Set by finish() for histogram bands: the rank-error bound before refinement, refinements. */
  quality: BandQuality | null = null;
  /** Set by locate(): the quantiles read from the histograms, and what refinement needs. */
  private located: {
    qs: Float64Array[];
    found: LocatedQuantiles;
    want: RefineWant;
    /** Every cell's smallest and largest value, when located from views (else hist.extremes). */
    lo?: Float64Array;
    hi?: Float64Array;
    /** The views' derived cells, merged (else hist.derived). */
    derived?: DerivedCells;
  } | null = null;

  constructor(
    readonly point: PointSpec,
    readonly runs: number,
    /** The experiment's base scenario and seed, to refine a quantile whose bucket is too full. */
    private readonly source: RefineSource | null = null,
  ) {}

  /**
   * Fold a chunk in; a chunk already merged (same runs) is ignored, a partial overlap refused.
   * A histogram-mode chunk without histograms has them held by its thread: they come through
   * addHistograms.
   */
  add(p: ChunkPartial): void {
    for (const q of this.parts) {
      if (q.runStart === p.runStart && q.runEnd === p.runEnd) {
        if (p.histograms)
          this.addHistograms({ ranges: [[p.runStart, p.runEnd]], data: p.histograms });
        return;
      }
      if (q.runStart < p.runEnd && p.runStart < q.runEnd)
        throw new Error(
          `point ${this.point.index}: chunk of runs ${p.runStart}…${p.runEnd - 1} overlaps runs ${q.runStart}…${q.runEnd - 1}`,
        );
    }
    if (p.histograms) this.addHistograms({ ranges: [[p.runStart, p.runEnd]], data: p.histograms });
    const { histograms: _, outcomes, ...rest } = p;
    this.outcomeRuns ??= outcomes.map(() => new Float64Array(this.runs));
    outcomes.forEach((o, j) => {
      this.outcomeRuns![j].set(o, p.runStart);
    });
    this.parts.push({ ...rest, outcomes: [] });
  }

  /**
   * Fold in the histograms of whole chunks: ignored when every one of its chunks is already
   * counted, refused when some are. `owned`: the piece's arrays are handed over (a thread's,
   * in shared memory) and may become this accumulator's, uncopied.
   */
  addHistograms(piece: HistogramPiece, owned = false): void {
    let seen = 0;
    for (const [s, e] of piece.ranges)
      for (const [qs, qe] of this.counted) {
        if (qs === s && qe === e) seen++;
        else if (qs < e && s < qe)
          throw new Error(
            `point ${this.point.index}: histograms of runs ${s}…${e - 1} overlap runs ${qs}…${qe - 1}`,
          );
      }
    if (seen === piece.ranges.length && seen > 0) return;
    if (seen > 0)
      throw new Error(`point ${this.point.index}: histograms of chunks counted already, in part`);
    this.counted.push(...piece.ranges);
    const t = clock();
    // a view is read, never merged (its counts are not flushed)
    if ("narrow" in piece.data) this.views.push(piece.data as HistogramView);
    else if (this.hist) this.hist.merge(piece.data);
    else this.hist = owned ? CellHistograms.adopt(piece.data) : CellHistograms.fromData(piece.data);
    lap("merge: histograms", t);
  }

  /** Runs stored so far. */
  get runsDone(): number {
    return this.parts.reduce((a, p) => a + p.runEnd - p.runStart, 0);
  }

  /**
   * Histogram bands, every chunk and histogram in: read the quantiles from the histograms now
   * and return the buckets whose values refinement must collect (null: none, or exact bands),
   * so that the caller can collect them where it likes (collectBuckets, any split of the
   * runs) and pass them to finish(). Without locate(), finish() refines in this thread.
   */
  locate(): RefineWant | null {
    if (this.views.length > 0) {
      const t = clock();
      const task = this.locateTask(false);
      return this.locatedFrom(task, locateSlices(task), t);
    }
    if (this.hist === null) return null;
    const t = clock();
    const qs = Object.values(Q).map(() => new Float64Array(this.hist!.cells));
    const found = locateQuantiles(this.hist, this.good(), Object.values(Q), qs);
    const want = refineWant(found.pending, found.whole);
    this.located = { qs, found, want };
    lap("merge: locate quantiles", t);
    return want.length > 0 ? want : null;
  }

  /**
   * `locate`, the cells' slices shared with `helpers` (other lanes running locateSlices on the
   * same task, in shared memory: decision 265), when the histograms came as views. This
   * thread waits only for slices a helper has claimed.
   */
  async locateWith(
    helpers: readonly ((task: LocateTask) => Promise<SliceLocated[]>)[],
  ): Promise<RefineWant | null> {
    if (this.views.length === 0 || helpers.length === 0) return this.locate();
    const t = clock();
    const task = this.locateTask(true);
    const theirs = helpers.map((h) => h(task));
    for (const p of theirs) p.catch(() => {}); // a lane that claimed nothing is not waited for
    const got = locateSlices(task);
    if (got.length < LOCATE_SLICES)
      await new Promise<void>((done, fail) => {
        for (const p of theirs)
          p.then((mine) => {
            got.push(...mine);
            if (got.length === LOCATE_SLICES) done();
          }, fail);
      });
    return this.locatedFrom(task, got, t);
  }

  /** Good runs so far (every chunk in: the point's). */
  private good(): number {
    return this.runs - this.parts.reduce((a, p) => a + p.failed.length, 0);
  }

  /** A LocateTask over the views, its outputs in shared memory when lanes help. */
  private locateTask(shared: boolean): LocateTask {
    const cells = this.views[0].cells;
    const array = () =>
      shared ? new Float64Array(new SharedArrayBuffer(cells * 8)) : new Float64Array(cells);
    return {
      views: this.views,
      n: this.good(),
      qs: Object.values(Q),
      into: Object.values(Q).map(array),
      lo: array(),
      hi: array(),
      bounds: rankBounds(cells * Object.values(Q).length, shared),
      claim: new Int32Array(new SharedArrayBuffer(4)),
    };
  }

  private locatedFrom(task: LocateTask, slices: readonly SliceLocated[], t: number) {
    const derived = viewsDerived(this.views);
    const found = joinSlices(slices, task, derived);
    const want = refineWant(found.pending, found.whole);
    const { into, lo, hi } = task;
    this.located = { qs: [...into], found, want, lo, hi, derived };
    lap("merge: locate quantiles", t);
    return want.length > 0 ? want : null;
  }

  /** The histograms' plan, for collectBuckets (after every histogram is in). */
  get plan(): CellHistograms | null {
    if (this.hist === null && this.views.length > 0)
      return new CellHistograms({ ...this.views[0], ...this.views[0].derived }, 0);
    return this.hist;
  }

  finish(collected?: readonly Collected[]): PointResult {
    const t = clock();
    const result = this.finishNow(collected);
    lap("merge: quantiles, means, outcomes", t);
    return result;
  }

  /**
   * `finish`, with an exact point's quantiles (the sort of every cell's values: seconds for a
   * long table) computed in slices between which this thread yields, so a coordinating thread
   * still sees Ctrl-C at once (decision 84) and stops the merge (null). The same bytes as `finish`.
   */
  async finishYielding(
    collected?: readonly Collected[],
    signal?: AbortSignal,
  ): Promise<PointResult | null> {
    if (this.hist !== null || this.views.length > 0 || this.parts.length === 0)
      return this.finish(collected);
    // null: aborted during the merge (a point whose merge began before Ctrl-C is finished)
    const abortedBefore = signal?.aborted ?? false;
    const t = clock();
    const parts = [...this.parts].sort((a, b) => a.runStart - b.runStart);
    const cells = parts[0].columns.length * parts[0].days;
    const failed = new Set(parts.flatMap((p) => p.failed).map((f) => f.run));
    const qs = Object.entries(EXACT_Q);
    const into = qs.map(() => new Float64Array(cells));
    for (let c = 0; c < cells; c += EXACT_SLICE) {
      const end = Math.min(cells, c + EXACT_SLICE);
      exactQuantiles(
        parts,
        failed,
        cells,
        qs.map(([, q]) => q),
        into,
        c,
        end,
      );
      await new Promise((done) => setImmediate(done));
      if (signal?.aborted && !abortedBefore) return null;
    }
    const exact = Object.fromEntries(qs.map(([s], k) => [s, into[k]])) as ExactStats;
    const result = this.finishNow(collected, exact);
    lap("merge: quantiles, means, outcomes", t);
    return result;
  }

  /**
   * The views' quantiles located in this thread, and the values refinement needs collected by
   * rerunning every run here (histogramQuantiles' refinement); without a source nothing is
   * refined (the estimates stand, refined 0), as there.
   */
  private locateHere(): Collected[] | undefined {
    const want = this.locate();
    const src = this.source;
    if (want === null) return undefined;
    if (src === null) {
      const l = this.located!;
      this.located = { ...l, want: [], found: { ...l.found, pending: [], whole: [] } };
      this.located.found.quality.refined = 0;
      return undefined;
    }
    const scenario = pointScenario(src.scenario, this.point);
    const r = runnerOf(scenario, src.policies ?? []);
    const source = { seed: src.seed, columns: src.columns };
    return [collectBuckets(r, source, this.plan!, want, 0, this.runs)];
  }

  private finishNow(collected?: readonly Collected[], exact?: ExactStats): PointResult {
    const { point, runs } = this;
    const parts = [...this.parts].sort((a, b) => a.runStart - b.runStart);
    if (parts.length === 0) throw new Error(`point ${point.index}: no chunks to merge`);
    let expected = 0;
    for (const p of parts) {
      if (p.runStart !== expected)
        throw new Error(`point ${point.index}: runs ${expected}…${p.runStart - 1} are missing`);
      expected = p.runEnd;
    }
    if (expected !== runs)
      throw new Error(`point ${point.index}: runs ${expected}…${runs - 1} are missing`);
    if (runs > EXACT_RUNS) {
      const have = this.counted.reduce((a, [s, e]) => a + e - s, 0);
      if (have !== runs)
        throw new Error(`point ${point.index}: the histograms of ${runs - have} runs are missing`);
    }
    const { columns, days } = parts[0];
    const cells = columns.length * days;
    const failed = parts.flatMap((p) => p.failed);
    const good = runs - failed.length;
    const stats = Object.fromEntries(BAND_STATS.map((s) => [s, new Float64Array(cells)])) as Record<
      BandStat,
      Float64Array
    >;
    // each cell's smallest and largest value (p0, p100), which hold its mean
    const lo = new Float64Array(cells);
    const hi = new Float64Array(cells);
    // the values of derived cells collected whole by refinement, sorted (deriveBands)
    let all: AllValues = new Map();
    // views are located (and refined in this thread, as histogramQuantiles does) here when
    // the caller did not
    if (this.views.length > 0 && !this.located) collected = this.locateHere();
    const banded = this.hist !== null || this.views.length > 0;
    if (!banded && exact) {
      for (const s of Object.keys(Q)) stats[s as BandStat].set(exact[s as QuantileStat]);
      lo.set(exact.p0);
      hi.set(exact.p100);
    } else if (!banded) {
      const qs = Object.entries(EXACT_Q);
      const into: Record<string, Float64Array> = { ...stats, p0: lo, p100: hi };
      exactQuantiles(
        parts,
        new Set(failed.map((f) => f.run)),
        cells,
        qs.map(([, q]) => q),
        qs.map(([s]) => into[s]),
      );
    } else if (this.located) {
      const { qs, found, want } = this.located;
      if (want.length > 0) {
        if (!collected) throw new Error(`point ${point.index}: refinement's values are missing`);
        all = applyRefinement(found.pending, want, qs, collected);
      }
      Object.keys(Q).forEach((s, k) => {
        stats[s as BandStat].set(qs[k]);
      });
      this.quality = found.quality;
    } else if (this.hist !== null) {
      const qs = Object.entries(Q);
      const src = this.source;
      ({ quality: this.quality, all } = histogramQuantiles(
        this.hist,
        good,
        qs.map(([, q]) => q),
        qs.map(([s]) => stats[s as BandStat]),
        runs,
        src
          ? {
              scenario: pointScenario(src.scenario, point),
              seed: src.seed,
              policies: src.policies,
              columns: src.columns,
            }
          : null,
      ));
    }
    if (this.located?.lo && this.located.hi) {
      lo.set(this.located.lo);
      hi.set(this.located.hi);
    } else if (this.hist !== null) this.hist.extremes(lo, hi);
    // the derived cells' bands from their bases' (decision 270), once those are final
    const derived = this.located?.derived ?? this.hist?.derived;
    if (banded && derived) {
      const keys = Object.keys(Q) as QuantileStat[];
      deriveBands(
        derived,
        keys.map((s) => Q[s]),
        keys.map((s) => stats[s]),
        lo,
        hi,
        all,
      );
    }
    // mean: block sums added in block order, held within the cell's range (meanWithin)
    const total = new Float64Array(cells);
    for (const p of parts)
      for (let b = 0; b * cells < p.blockSums.length; b++)
        for (let i = 0; i < cells; i++) total[i] += p.blockSums[b * cells + i];
    for (let i = 0; i < cells; i++) stats.mean[i] = meanWithin(total[i], good, lo[i], hi[i]);
    const names = parts[0].metricNames ?? OUTCOME_METRICS;
    const metrics = Object.fromEntries(
      names.map((m, j) => [m, this.outcomeRuns![j]]),
    ) as ByMetric<Float64Array>;
    const bands: Bands = { columns, days, runs: good, stats };
    return {
      index: point.index,
      params: point.params,
      bands,
      outcomes: { runs, metrics },
      summary: Object.fromEntries(
        names.map((m) => [m, summarizeSample(metrics[m])]),
      ) as PointResult["summary"],
      failedRuns: failed.slice(0, 100),
    };
  }
}

/** Merge every chunk of a point at once (see PointAccumulator). */
export function mergeChunks(
  point: PointSpec,
  runs: number,
  partials: readonly ChunkPartial[],
  source: RefineSource | null = null,
): PointResult {
  const acc = new PointAccumulator(point, runs, source);
  for (const p of partials) acc.add(p);
  return acc.finish();
}
