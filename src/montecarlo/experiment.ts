import type { ExperimentSink, ExperimentSpec, PointResult } from "../analysis/types.js";
import { experimentPlugins, loadPluginRefs } from "../plugins/refs.js";
import type { Collected } from "./bands.js";
import {
  BLOCK_RUNS,
  type ChunkPartial,
  type ChunkTask,
  chunkRanges,
  EXACT_RUNS,
  PointAccumulator,
  pointScenario,
} from "./chunk.js";
import { checkBandColumns, experimentColumns } from "./columns.js";
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
 * each (with one worker this thread runs the chunks and sees Ctrl-C between them only).
 */
export function chunkBlocks(runs: number, workers: number): number {
  const blocks = Math.ceil(runs / BLOCK_RUNS);
  if (runs <= EXACT_RUNS) return 1;
  return Math.max(1, Math.min(4, Math.ceil(blocks / (8 * workers))));
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
  for (const p of spec.points) pointScenario(spec.scenario, p); // throws ScenarioError naming the point
  checkBandColumns(spec); // throws UnknownColumnError naming the column
  const begun = options.sink
    ? await options.sink.begin(spec, { resume: options.resume ?? false })
    : null;
  const done = begun?.completedPoints ?? new Set<number>();
  const todo = spec.points.filter((p) => !done.has(p.index));
  const runs = spec.runsPerPoint;
  const workers = Math.max(1, options.workers);
  const blocksPerChunk = chunkBlocks(runs, workers);
  const tasks: ChunkTask[] = todo.flatMap((point) =>
    chunkRanges(runs, blocksPerChunk).map(([runStart, runEnd]) => ({
      scenario: spec.scenario,
      seed: spec.seed,
      point,
      runs,
      runStart,
      runEnd,
      ...experimentPlugins(spec),
      ...experimentColumns(spec),
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
  const results: (PointResult | undefined)[] = new Array(spec.points.length);
  // one worker: this thread is the lane; more: worker threads only, so this thread stays free
  // to see Ctrl-C at once (a chunk it ran would hold the signal until it ended; decision 84)
  const nLanes = Math.min(workers, tasks.length);
  const lanes: Lane[] =
    nLanes <= 1
      ? [inThreadLane(options.signal)]
      : Array.from({ length: nLanes }, () => threadLane());
  // which lanes ran chunks of each point (they hold its histograms)
  const holders = new Map<number, Set<Lane>>();
  const stop = () => {
    for (const l of lanes) void l.close();
  };
  options.signal?.addEventListener("abort", stop, { once: true });
  const total = todo.length * runs;
  let runsDone = 0;
  let writes = Promise.resolve();
  let interrupted = false;
  try {
    let next = 0;
    const lane = async (me: Lane) => {
      while (next < tasks.length) {
        if (options.signal?.aborted) {
          interrupted = true;
          return;
        }
        const task = tasks[next++];
        let partial: ChunkPartial;
        try {
          partial = await me.run(task);
        } catch (e) {
          // Ctrl-C: the chunk under way is dropped (its point reruns on --resume)
          if (options.signal?.aborted) {
            interrupted = true;
            return;
          }
          throw e;
        }
        const a = acc.get(task.point.index)!;
        a.add(partial);
        if (runs > EXACT_RUNS) {
          const h = holders.get(task.point.index) ?? new Set<Lane>();
          holders.set(task.point.index, h.add(me));
        }
        runsDone += task.runEnd - task.runStart;
        options.onProgress?.(runsDone, total);
        if (a.runsDone === runs) {
          // the point's histograms, from every lane that ran some of its chunks
          for (const l of holders.get(task.point.index) ?? []) {
            const piece = await l.histograms(task.point.index);
            if (piece) a.addHistograms(piece, true);
          }
          holders.delete(task.point.index);
          // refinement, where the histograms' bound is too loose: the runs again, on every lane
          const want = a.locate();
          let collected: Collected[] | undefined;
          try {
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
            // Ctrl-C during refinement: the point is not finished (it reruns on --resume)
            if (options.signal?.aborted) {
              interrupted = true;
              return;
            }
            throw e;
          }
          const result = a.finish(collected);
          acc.delete(task.point.index);
          results[spec.points.indexOf(task.point)] = result;
          if (options.sink && begun)
            writes = writes.then(() => options.sink!.writePoint(begun.experimentId, result));
        }
      }
    };
    // two loops per worker thread: its next chunk is asked before it finishes the current one,
    // so it never waits for this thread to hand it one
    await Promise.all(lanes.flatMap((l) => (nLanes <= 1 ? [lane(l)] : [lane(l), lane(l)])));
    await writes;
    if (!interrupted && options.sink && begun) await options.sink.finish(begun.experimentId);
  } finally {
    options.signal?.removeEventListener("abort", stop);
    await Promise.all(lanes.map((l) => l.close()));
  }
  return {
    experimentId: begun?.experimentId ?? null,
    resumed: (begun as { resumed?: boolean } | null)?.resumed ?? false,
    notice: (begun as { notice?: string } | null)?.notice,
    points: results,
    skippedPoints: spec.points.length - todo.length,
    interrupted,
  };
}
