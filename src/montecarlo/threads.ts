import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadPluginRefs } from "../plugins/refs.js";
import { type Collected, type LocateTask, locateSlices, type SliceLocated } from "./bands.js";
import {
  BLOCK_RUNS,
  type ChunkPartial,
  type ChunkTask,
  type HeldHistograms,
  type HistogramPiece,
  type RefineTask,
  runChunk,
  runRefine,
  sharedCopy,
} from "./chunk.js";
import type { BandPlan, PilotPart } from "./histogram.js";
import { planSlices } from "./runner.js";

/**
 * A point's pilot in parts (shared memory) and the counter its plan's cell slices are claimed
 * from (planSlices; decision 193).
 */
export interface PlanSlicesTask {
  readonly parts: readonly PilotPart[];
  readonly claim: Int32Array;
}

/** A message to a Monte Carlo worker thread: run a chunk, or hand over a point's histograms. */
export type ThreadRequest =
  | { readonly kind: "chunk"; readonly task: ChunkTask }
  | { readonly kind: "planSlices"; readonly task: PlanSlicesTask }
  | { readonly kind: "histograms"; readonly point: number }
  | { readonly kind: "locate"; readonly task: LocateTask }
  | { readonly kind: "refine"; readonly task: RefineTask };

export type ThreadReply =
  | { readonly kind: "chunk"; readonly partial: ChunkPartial }
  | { readonly kind: "planSlices"; readonly plans: [number, BandPlan][] }
  | { readonly kind: "histograms"; readonly piece: HistogramPiece | null }
  | { readonly kind: "locate"; readonly slices: SliceLocated[] }
  | { readonly kind: "refine"; readonly collected: Collected }
  | { readonly kind: "error"; readonly message: string; readonly name: string };

/**
 * One lane of the local Monte Carlo: a worker thread (or this thread) that runs chunks one at
 * a time and keeps the histograms of each point it worked on, counting all its chunks of the
 * point into one accumulator (docs/bands.md): a histogram is handed over once per thread and
 * point, not once per chunk, in shared memory (threadWorker.ts: nothing is transferred).
 */
export interface Lane {
  /** Run a chunk; its histograms stay in the lane (the partial has `histograms: null`). */
  run(task: ChunkTask): Promise<ChunkPartial>;
  /**
   * The histograms of every chunk of `point` the lane ran, handed over as counted (a view:
   * CellHistograms.view, in shared memory; null: none).
   */
  histograms(point: number): Promise<HistogramPiece | null>;
  /** Locate the slices of a point's quantiles it claims (locateSlices), while there are any. */
  locateSlices(task: LocateTask): Promise<SliceLocated[]>;
  /** Plan the slices of a point's cells it claims (planSlices), while there are any. */
  planSlices(task: PlanSlicesTask): Promise<[number, BandPlan][]>;
  /** Run a slice of a point's refinement (its runs again, collecting the wanted buckets). */
  refine(task: RefineTask): Promise<Collected>;
  /** Stop: a chunk under way is abandoned (its promise rejects); a thread is not waited for. */
  close(): Promise<void>;
}

/**
 * Whether this module runs in the CLI's bundle: scripts/bundle-cli.mjs sets it there, where a
 * thread starts from the thread's bundle built beside it (dist/src/cli/thread.mjs: one file
 * compiled with its V8 code cache; docs/decisions.md, "The worker thread is bundled") rather than from the ≈ 100 unbundled modules.
 */
const IN_CLI_BUNDLE = false;

/**
 * The thread entry: the bundled one in the CLI; else the compiled module beside this one, or
 * in dist/ when running from TypeScript.
 */
export function threadFile(): string {
  if (IN_CLI_BUNDLE) return fileURLToPath(new URL("../cli/thread.mjs", import.meta.url));
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith(".js")) return here.replace(/threads\.js$/, "threadWorker.js");
  const dist = here.replace(
    /\/src\/montecarlo\/threads\.ts$/,
    "/dist/src/montecarlo/threadWorker.js",
  );
  if (!existsSync(dist))
    throw new Error(`the worker thread needs the build: ${dist} is missing (run npm run build)`);
  return dist;
}

/**
 * A lane in this thread: it runs a chunk a block at a time and yields to the event loop before
 * each block, so Ctrl-C is seen there and the worker threads' replies are answered with their
 * next chunks (decision 191); the blocks' partials are joined into the chunk's.
 */
export function inThreadLane(
  signal?: AbortSignal,
  /** Worker threads read this lane's histograms (locateSlices): keep them in shared memory. */
  shared = false,
): Lane {
  const held = new Map<number, HeldHistograms>();
  return {
    async run(task) {
      const plugins = task.plugins?.length ? await loadPluginRefs(task.plugins) : undefined;
      const parts: ChunkPartial[] = [];
      for (let s = task.runStart; s < task.runEnd; s += BLOCK_RUNS) {
        await new Promise((done) => setImmediate(done));
        signal?.throwIfAborted(); // a Ctrl-C that arrived while this thread was busy
        const h = held.get(task.point.index) ?? { hist: null, ranges: [] };
        const block = { ...task, runStart: s, runEnd: Math.min(task.runEnd, s + BLOCK_RUNS) };
        parts.push(runChunk(block, plugins, h, shared));
        if (h.hist) held.set(task.point.index, h);
      }
      return joinPartials(parts);
    },
    async histograms(point) {
      const h = held.get(point);
      held.delete(point);
      return h?.hist ? { ranges: h.ranges, data: h.hist.view() } : null;
    },
    planSlices: async (task) => planSlices(task.parts, task.claim),
    locateSlices: async (task) => locateSlices(task),
    async refine(task) {
      // yield first: the worker threads' slices are asked before this thread runs its own
      await new Promise((done) => setImmediate(done));
      signal?.throwIfAborted();
      const plugins = task.plugins?.length ? await loadPluginRefs(task.plugins) : undefined;
      return runRefine(task, plugins);
    },
    close: async () => {},
  };
}

/**
 * The partial of consecutive chunks of one point (runChunk's, in run order), as runChunk of
 * their whole range returns it: blocks, runs and failed runs concatenated in run order (a
 * chunk's block sums are per block, so no sum is added to another). Histograms are held by
 * the lane (null).
 */
export function joinPartials(parts: readonly ChunkPartial[]): ChunkPartial {
  if (parts.length === 1) return parts[0];
  const cat = (arrays: readonly Float64Array[]) => {
    const out = new Float64Array(arrays.reduce((a, x) => a + x.length, 0));
    let at = 0;
    for (const x of arrays) {
      out.set(x, at);
      at += x.length;
    }
    return out;
  };
  const first = parts[0];
  return {
    ...first,
    runEnd: parts[parts.length - 1].runEnd,
    blockSums: cat(parts.map((p) => p.blockSums)),
    values: first.values === null ? null : cat(parts.map((p) => p.values!)),
    histograms: null,
    outcomes: first.outcomes.map((_, j) => cat(parts.map((p) => p.outcomes[j]))),
    failed: parts.flatMap((p) => p.failed),
  };
}

/** Plans copied into shared memory (sharedPlan), by the plan: once per point, not per chunk. */
const sharedPlans = new WeakMap<BandPlan, BandPlan>();

/**
 * `task` with its point's plan (≈ 2 MB for the whitepaper's table) in shared memory, copied
 * once per point: each chunk's message then shares it with the thread instead of cloning it.
 */
function withSharedPlan<T extends ChunkTask>(task: T): T {
  const plan = task.plan;
  if (!plan) return task;
  let s = sharedPlans.get(plan);
  if (!s) {
    s = sharedCopy(plan);
    sharedPlans.set(plan, s);
  }
  return { ...task, plan: s };
}

/** A worker thread started ahead of its experiment, with what went wrong before it was used. */
interface Started {
  readonly worker: Worker;
  problem: Error | null;
  /** Stop recording problems: the lane that takes the thread handles them from now on. */
  detach(): void;
}

/** Worker threads started by startThreadsEarly, not yet taken by a lane. */
const early: Started[] = [];

function startThread(): Started {
  const worker = new Worker(threadFile());
  const s: Started = { worker, problem: null, detach: () => {} };
  const onError = (e: Error) => {
    s.problem ??= e;
  };
  const onExit = (code: number) => {
    s.problem ??= new Error(`a Monte Carlo worker thread stopped (code ${code})`);
  };
  worker.on("error", onError).on("exit", onExit);
  s.detach = () => {
    worker.off("error", onError).off("exit", onExit);
  };
  return s;
}

/**
 * Start `n` worker threads now, for the lanes of an experiment about to run (threadLane takes
 * them): they load while this thread reads and checks the scenario. Until taken they do not
 * keep the process alive (a command that fails its checks exits as before).
 */
export function startThreadsEarly(n: number): void {
  while (early.length < n) {
    const s = startThread();
    s.worker.unref();
    early.push(s);
  }
}

/**
 * A lane on its own worker thread (one started early if there is one). Requests are posted at
 * once and run by the thread in the order asked (threadWorker.ts), so a coordinator busy with
 * its own chunk never leaves the thread waiting for its next one: two requests in flight keep
 * it working. Once the thread has failed or stopped, every request is refused at once.
 */
export function threadLane(): Lane {
  const started = early.shift() ?? startThread();
  started.detach();
  const { worker } = started;
  worker.ref();
  // the replies awaited, in the order asked (the thread answers in that order)
  const pending: { resolve(r: ThreadReply): void; reject(e: Error): void }[] = [];
  let dead: Error | null = started.problem;
  const fail = (e: Error) => {
    dead ??= e;
    for (const p of pending.splice(0)) p.reject(e);
  };
  worker.on("message", (r: ThreadReply) => {
    pending.shift()?.resolve(r);
  });
  worker.on("error", fail);
  worker.on("exit", (code) =>
    fail(new Error(`a Monte Carlo worker thread stopped (code ${code})`)),
  );
  const ask = (m: ThreadRequest): Promise<ThreadReply> =>
    new Promise<ThreadReply>((resolve, reject) => {
      if (dead) return reject(dead);
      pending.push({ resolve, reject });
      worker.postMessage(m);
    }).then((r) => {
      if (r.kind === "error") {
        const e = new Error(r.message);
        e.name = r.name;
        throw e;
      }
      return r;
    });
  return {
    run: async (task) =>
      ((await ask({ kind: "chunk", task: withSharedPlan(task) })) as { partial: ChunkPartial })
        .partial,
    planSlices: async (task) =>
      ((await ask({ kind: "planSlices", task })) as { plans: [number, BandPlan][] }).plans,
    histograms: async (point) =>
      ((await ask({ kind: "histograms", point })) as { piece: HistogramPiece | null }).piece,
    locateSlices: async (task) =>
      ((await ask({ kind: "locate", task })) as { slices: SliceLocated[] }).slices,
    refine: async (task) =>
      ((await ask({ kind: "refine", task: withSharedPlan(task) })) as { collected: Collected })
        .collected,
    async close() {
      worker.removeAllListeners("exit");
      fail(new Error("the Monte Carlo was stopped"));
      // not awaited: the thread's teardown (its heap, its histograms) goes on while this thread
      // merges and writes, and an unref'd thread does not hold the process
      worker.unref();
      void worker.terminate();
    },
  };
}
