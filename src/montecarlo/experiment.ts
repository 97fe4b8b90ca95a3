import { totalmem } from "node:os";
import type { ExperimentSink, ExperimentSpec, PointResult } from "../analysis/types.js";
import type { Policy } from "../plugins/api.js";
import { experimentPlugins, loadPluginRefs } from "../plugins/refs.js";
import type { Collected, LocateTask } from "./bands.js";
import {
  BLOCK_RUNS,
  type ChunkPartial,
  type ChunkTask,
  chunkRanges,
  EXACT_RUNS,
  PointAccumulator,
  phaseClock,
  pointScenario,
} from "./chunk.js";
import { checkBandColumns, experimentColumns } from "./columns.js";
import { withDerivations } from "./derived.js";
import type { BandPlan } from "./histogram.js";
import { checkBandMemory, experimentBandWork } from "./memory.js";
import {
  cachedRunner,
  joinPlans,
  PLAN_SLICES,
  pilotParts,
  planSlices,
  pointPlan,
} from "./runner.js";
import { inThreadLane, type Lane, threadLane } from "./threads.js";

export interface RunExperimentOptions {
  /** Worker threads; 1 runs in this thread. Results are identical for any number. */
  readonly workers: number;
  /** Where each finished point goes (the results store); optional. */
  readonly sink?: ExperimentSink;
  /** Continue the unfinished experiment of the same spec in the sink. */
  readonly resume?: boolean;
  /** Called as runs complete: runs done and total over the points still to run. */
  readonly onProgress?: (runsDone: number, runsTotal: number) => void;
  /** Stop scheduling chunks when aborted (Ctrl-C); finished points are kept. */
  readonly signal?: AbortSignal;
  /** Called once, before any run, with `ExperimentOutcome.notice` when there is one. */
  readonly onNotice?: (notice: string) => void;
  /**
   * Runs each worker thread must have for threads to start (default MIN_THREAD_RUNS; see
   * laneCount). 0: `workers` threads whatever the work (tests of the threads' paths).
   */
  readonly minThreadRuns?: number;
}

export interface ExperimentOutcome {
  readonly experimentId: string | null;
  readonly resumed: boolean;
  /** With resume, when nothing could be continued: why a new experiment was started. */
  readonly notice?: string;
  /** Every point's result, by index; points stored by an earlier, resumed run are absent. */
  readonly points: (PointResult | undefined)[];
  readonly skippedPoints: number;
  readonly interrupted: boolean;
}

/**
 * Blocks per chunk: chunking never changes results, only speed. Each lane keeps one histogram
 * per point for all its chunks (src/montecarlo/threads.ts), so chunks only carry block sums and
 * outcomes and may be small: about eight per worker (they even out threads that run at
 * different speeds, and the last chunks of the lanes end close together), at most 4 blocks
 * each (this thread runs chunks too and sees Ctrl-C between them only).
 */
export function chunkBlocks(runs: number, workers: number): number {
  const blocks = Math.ceil(runs / BLOCK_RUNS);
  if (runs <= EXACT_RUNS) return 1;
  return Math.max(1, Math.min(4, Math.ceil(blocks / (8 * workers))));
}

/** The phase (phaseClock) of the pilot and plan, made once per point by the coordinator. */
const PLAN_PHASE = "pilot plan, once per point";

/**
 * Histogram bands: a chunk with its point's bucket plan, made once per point when its first
 * chunk is handed out, and the same plan goes to every lane with each chunk (`plans`: the
 * points' plans made so far, by index). The pilot is run in this thread, which is a lane with
 * any number of workers (decision 191): its first chunk of the point counts the pilot's batches
 * instead of running them again (decision 165), while the worker threads load. With one lane
 * it is planned here (pointPlan), with more the worker threads help plan it (lanePlan).
 */
function withPlan(
  t: ChunkTask,
  plans: Map<number, BandPlan | Promise<BandPlan>>,
  lanes: readonly Lane[],
  policies: readonly Policy[],
): ChunkTask | Promise<ChunkTask> {
  if (t.runs <= EXACT_RUNS) return t;
  let plan = plans.get(t.point.index);
  if (!plan) {
    plan = lanes.length > 1 ? lanePlan(t, lanes, policies) : inThreadPlan(t, policies);
    plans.set(t.point.index, plan);
  }
  return plan instanceof Promise ? plan.then((p) => ({ ...t, plan: p })) : { ...t, plan };
}

/**
 * A point's plan made with the worker threads (decision 193): this thread runs the pilot into
 * shared memory (its batches kept for its first chunk, as pointPlan's), then it and any
 * worker thread free to help plan the cells a slice at a time, each slice claimed once
 * (planSlices), and the slices are joined in order (joinPlans): pointPlan's plan, bit for bit.
 * This thread waits only for slices a thread has claimed: a thread still loading, or busy with
 * another point's chunks, claims none by the time this thread has planned them all.
 */
async function lanePlan(
  t: ChunkTask,
  lanes: readonly Lane[],
  policies: readonly Policy[],
): Promise<BandPlan> {
  const t0 = phaseClock.enabled ? process.cpuUsage() : null;
  const r = cachedRunner(pointScenario(t.scenario, t.point), policies);
  const parts = pilotParts(r, t.seed, t.runs, true).map(({ values, runs, good }) => ({
    values,
    runs,
    good,
  }));
  const claim = new Int32Array(new SharedArrayBuffer(4));
  const got = new Map<number, BandPlan>();
  const theirs = lanes.slice(1).map((l) => l.planSlices({ parts, claim }));
  for (const p of theirs) p.catch(() => {}); // a thread that claimed nothing is not waited for
  for (const [k, p] of planSlices(parts, claim)) got.set(k, p);
  if (got.size < PLAN_SLICES)
    await new Promise<void>((done, fail) => {
      for (const p of theirs)
        p.then((mine) => {
          for (const [k, q] of mine) got.set(k, q);
          if (got.size === PLAN_SLICES) done();
        }, fail);
    });
  const plan = withDerivations(
    joinPlans(Array.from({ length: PLAN_SLICES }, (_, k) => got.get(k)!)),
    parts,
    r.c.days,
  );
  if (t0) {
    const u = process.cpuUsage(t0);
    const s = phaseClock.seconds;
    s[PLAN_PHASE] = (s[PLAN_PHASE] ?? 0) + (u.user + u.system) / 1e6;
  }
  return plan;
}

function inThreadPlan(t: ChunkTask, policies: readonly Policy[]): BandPlan {
  const t0 = phaseClock.enabled ? process.cpuUsage() : null;
  const plan = pointPlan(pointScenario(t.scenario, t.point), t.seed, t.runs, policies);
  if (t0) {
    const u = process.cpuUsage(t0);
    const s = phaseClock.seconds;
    s[PLAN_PHASE] = (s[PLAN_PHASE] ?? 0) + (u.user + u.system) / 1e6;
  }
  return plan;
}

/**
 * The fewest runs worth a lane (docs/decisions.md, "Lanes from the work"): two threads cost
 * about 1.0 s of CPU more than this thread alone whatever their share of the work (measured on
 * the whitepaper scenario, 2026-12-02, after decisions 151–152; it was ≈ 1.45 s: starting them,
 * their own JIT warm-up, histograms of every cell allocated, zeroed and handed over), a run
 * ≈ 0.2 ms, so two threads beat this thread alone from about 5,000–6,000 runs on two free
 * cores. So each lane gets at least four blocks. (Since decision 191 a second lane is one
 * worker thread, not two.)
 */
export const MIN_THREAD_RUNS = 4 * BLOCK_RUNS;

/**
 * Lanes of an experiment of `totalRuns` runs in `chunks` chunks with at most `workers`
 * workers: as many as the work pays for, `minThreadRuns` runs each (MIN_THREAD_RUNS), at least
 * one. The first lane is this thread (as with `--workers 1`), the others worker threads
 * (decision 191). Results are the same for any number.
 */
export function laneCount(
  workers: number,
  totalRuns: number,
  chunks: number,
  minThreadRuns = MIN_THREAD_RUNS,
): number {
  const paid = minThreadRuns <= 0 ? workers : Math.floor(totalRuns / minThreadRuns);
  return Math.max(1, Math.min(workers, chunks, paid));
}

/**
 * Worker threads the CLI starts before it reads the scenario (startThreadsEarly): the lanes of
 * one point but this thread.
 */
export function earlyThreads(workers: number, runsPerPoint: number): number {
  const lanes = laneCount(workers, runsPerPoint, Math.ceil(runsPerPoint / BLOCK_RUNS));
  return lanes - 1;
}

/** The lanes an experiment of `spec` gets with `workers` (at most), before anything is stored. */
export function plannedLanes(
  spec: ExperimentSpec,
  options: Pick<RunExperimentOptions, "workers" | "minThreadRuns">,
): number {
  const n = spec.points.length;
  return laneCount(
    Math.max(1, options.workers),
    n * spec.runsPerPoint,
    n * Math.ceil(spec.runsPerPoint / BLOCK_RUNS),
    options.minThreadRuns,
  );
}

/**
 * Check every point (ScenarioError), the band columns (UnknownColumnError) and the bands'
 * memory (BandMemoryError), then begin the experiment in the sink and say its notice: all
 * before any run.
 */
async function begin(spec: ExperimentSpec, options: RunExperimentOptions) {
  for (const p of spec.points) pointScenario(spec.scenario, p);
  checkBandColumns(spec);
  checkBandMemory(experimentBandWork(spec, plannedLanes(spec, options)), totalmem());
  const begun = options.sink
    ? await options.sink.begin(spec, { resume: options.resume ?? false })
    : null;
  const notice = (begun as { notice?: string } | null)?.notice;
  if (notice) options.onNotice?.(notice);
  return { begun, notice };
}

/** What every chunk of `spec` carries besides its point and runs. */
function chunkOf(spec: ExperimentSpec) {
  return {
    scenario: spec.scenario,
    seed: spec.seed,
    runs: spec.runsPerPoint,
    ...experimentPlugins(spec),
    ...experimentColumns(spec),
  };
}

/**
 * The hand-over of the points' histograms from the lanes that hold them (decision 192). A
 * worker thread is asked for a point's as soon as the point's last chunk has been handed out
 * (to any lane): it answers after its chunks of the point, and its piece is merged into the
 * point's accumulator when it comes, while this thread is still counting its own chunks. This
 * thread's lane is asked last, when the point's last chunk is in (`collect`).
 */
function histogramHandOver(
  tasks: readonly ChunkTask[],
  lanes: readonly Lane[],
  acc: ReadonlyMap<number, PointAccumulator>,
) {
  // which lanes were handed chunks of each point (they hold its histograms)
  const holders = new Map<number, Set<Lane>>();
  // each point's chunks not yet handed to a lane
  const unposted = new Map<number, number>();
  for (const t of tasks) unposted.set(t.point.index, (unposted.get(t.point.index) ?? 0) + 1);
  const threadPieces = new Map<number, Promise<void>[]>();
  return {
    /** `task` is posted to `me`: record it, and ask the threads after the point's last. */
    handedOut(task: ChunkTask, me: Lane): void {
      const index = task.point.index;
      const h = holders.get(index) ?? new Set<Lane>();
      holders.set(index, h.add(me));
      const left = unposted.get(index)! - 1;
      unposted.set(index, left);
      if (left > 0) return;
      const a = acc.get(index)!;
      const pieces = [...h]
        .filter((l) => l !== lanes[0])
        .map((l) =>
          l.histograms(index).then((piece) => {
            if (piece) a.addHistograms(piece, true);
          }),
        );
      // awaited by collect; a stop before that must not leave a rejection unhandled
      for (const p of pieces) p.catch(() => {});
      threadPieces.set(index, pieces);
    },
    /** Every piece of point `index` merged into its accumulator (its chunks all in). */
    async collect(index: number): Promise<void> {
      await Promise.all(threadPieces.get(index) ?? []);
      threadPieces.delete(index);
      if (holders.get(index)?.has(lanes[0])) {
        const piece = await lanes[0].histograms(index);
        if (piece) acc.get(index)!.addHistograms(piece, true);
      }
      holders.delete(index);
    },
  };
}

/**
 * Run every point of an experiment as a Monte Carlo of `spec.runsPerPoint` runs with common
 * random numbers (run i of every point is seeded from (spec.seed, i)). Every point is
 * validated before any run starts. Chunks of whole blocks go to the workers; each point is
 * merged and written to the sink as soon as its last chunk is in.
 */
export async function runExperiment(
  spec: ExperimentSpec,
  options: RunExperimentOptions,
): Promise<ExperimentOutcome> {
  const { begun, notice } = await begin(spec, options);
  const done = begun?.completedPoints ?? new Set<number>();
  const todo = spec.points.filter((p) => !done.has(p.index));
  const runs = spec.runsPerPoint;
  // as many lanes as the work pays for, at most `workers`; chunks sized for those lanes
  const lanesWanted = laneCount(
    Math.max(1, options.workers),
    todo.length * runs,
    todo.length * Math.ceil(runs / BLOCK_RUNS),
    options.minThreadRuns,
  );
  const blocksPerChunk = chunkBlocks(runs, lanesWanted);
  const tasks: ChunkTask[] = todo.flatMap((point) =>
    chunkRanges(runs, blocksPerChunk).map(([runStart, runEnd]) => ({
      ...chunkOf(spec),
      point,
      runStart,
      runEnd,
    })),
  );
  const refs = experimentPlugins(spec).plugins;
  // refinement (docs/bands.md) reruns runs in this thread: with the experiment's policies
  const source = {
    scenario: spec.scenario,
    seed: spec.seed,
    policies: refs ? (await loadPluginRefs(refs)).policies : [],
    ...experimentColumns(spec),
  };
  const acc = new Map(todo.map((p) => [p.index, new PointAccumulator(p, runs, source)]));
  const plans = new Map<number, BandPlan | Promise<BandPlan>>();
  const results: (PointResult | undefined)[] = new Array(spec.points.length);
  // this thread is a lane, beside nLanes − 1 worker threads (decision 191): it runs the pilot
  // while they load, and its histograms need no hand-over; it sees Ctrl-C between its chunks
  // (at most 4 blocks: chunkBlocks)
  const nLanes = Math.min(lanesWanted, tasks.length);
  const lanes: Lane[] = [
    inThreadLane(options.signal, nLanes > 1),
    ...Array.from({ length: nLanes - 1 }, () => threadLane()),
  ];
  const hists = histogramHandOver(tasks, lanes, acc);
  const stop = () => Promise.all(lanes.map((l) => l.close()));
  options.signal?.addEventListener("abort", stop, { once: true });
  const total = todo.length * runs;
  let runsDone = 0;
  let writes = Promise.resolve();
  let interrupted = false;
  // Ctrl-C: the lane stops taking work and the experiment is marked interrupted
  const stopped = () => {
    if (options.signal?.aborted) interrupted = true;
    return interrupted;
  };
  try {
    let next = 0;
    const lane = async (me: Lane) => {
      while (next < tasks.length) {
        if (stopped()) return;
        let task = tasks[next++];
        let partial: ChunkPartial;
        try {
          task = await withPlan(task, plans, lanes, source.policies);
          const running = me.run(task);
          if (runs > EXACT_RUNS) hists.handedOut(task, me);
          partial = await running;
        } catch (e) {
          // Ctrl-C: the chunk under way (or its point's pilot) is dropped (it reruns on --resume)
          if (stopped()) return;
          throw e;
        }
        const a = acc.get(task.point.index)!;
        a.add(partial);
        runsDone += task.runEnd - task.runStart;
        options.onProgress?.(runsDone, total);
        if (a.runsDone === runs) {
          // the point's histograms, from every lane that ran some of its chunks
          await hists.collect(task.point.index);
          let collected: Collected[] | undefined;
          try {
            // the quantiles located, a slice of cells per lane (decision 265); refinement,
            // where the histograms' bound is too loose: the runs again, on every lane
            const helpers = lanes.slice(1).map((l) => (t: LocateTask) => l.locateSlices(t));
            const want = await a.locateWith(helpers);
            collected = want
              ? await Promise.all(
                  lanes.map((l, k) =>
                    l.refine({
                      ...task,
                      want,
                      runStart: Math.floor((runs * k) / lanes.length),
                      runEnd: Math.floor((runs * (k + 1)) / lanes.length),
                    }),
                  ),
                )
              : undefined;
          } catch (e) {
            // Ctrl-C while locating or refining: the point is not finished (it reruns on --resume)
            if (stopped()) return;
            throw e;
          }
          // an exact point's merge yields between slices: Ctrl-C is seen during it (decision 84)
          const result = await a.finishYielding(collected, options.signal);
          if (result === null) {
            interrupted = true;
            return;
          }
          acc.delete(task.point.index);
          plans.delete(task.point.index);
          results[spec.points.indexOf(task.point)] = result;
          if (options.sink && begun)
            writes = writes.then(() => options.sink!.writePoint(begun.experimentId, result));
        }
      }
    };
    // two loops per worker thread: its next chunk is asked before it finishes the current one,
    // so it never waits for this thread (busy with a chunk of its own) to hand it one
    await Promise.all(lanes.flatMap((l, k) => (k === 0 ? [lane(l)] : [lane(l), lane(l)])));
    await writes;
    if (!interrupted && options.sink && begun) await options.sink.finish(begun.experimentId);
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await Promise.all(lanes.map((l) => l.close()));
  }
  return {
    experimentId: begun?.experimentId ?? null,
    resumed: (begun as { resumed?: boolean } | null)?.resumed ?? false,
    notice,
    points: results,
    skippedPoints: spec.points.length - todo.length,
    interrupted,
  };
}
