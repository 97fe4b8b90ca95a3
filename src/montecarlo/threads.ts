import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { loadPluginRefs } from "../plugins/refs.js";
import type { Collected } from "./bands.js";
import {
  type ChunkPartial,
  type ChunkTask,
  type HeldHistograms,
  type HistogramPiece,
  type RefineTask,
  runChunk,
  runRefine,
} from "./chunk.js";

/** A message to a Monte Carlo worker thread: run a chunk, or hand over a point's histograms. */
export type ThreadRequest =
  | { readonly kind: "chunk"; readonly task: ChunkTask }
  | { readonly kind: "histograms"; readonly point: number }
  | { readonly kind: "refine"; readonly task: RefineTask };

export type ThreadReply =
  | { readonly kind: "chunk"; readonly partial: ChunkPartial }
  | { readonly kind: "histograms"; readonly piece: HistogramPiece | null }
  | { readonly kind: "refine"; readonly collected: Collected }
  | { readonly kind: "error"; readonly message: string; readonly name: string };

/**
 * One lane of the local Monte Carlo: a worker thread (or this thread) that runs chunks one at
 * a time and keeps the histograms of each point it worked on, counting all its chunks of the
 * point into one accumulator (docs/bands.md): a histogram is handed over once per thread and
 * point, not once per chunk, and transferred rather than copied.
 */
export interface Lane {
  /** Run a chunk; its histograms stay in the lane (the partial has `histograms: null`). */
  run(task: ChunkTask): Promise<ChunkPartial>;
  /** The histograms of every chunk of `point` the lane ran, handed over (null: none). */
  histograms(point: number): Promise<HistogramPiece | null>;
  /** Run a slice of a point's refinement (its runs again, collecting the wanted buckets). */
  refine(task: RefineTask): Promise<Collected>;
  /** Stop: a chunk under way is abandoned (its promise rejects). */
  close(): Promise<void>;
}

/** The compiled thread entry: beside this module, or in dist/ when running from TypeScript. */
export function threadFile(): string {
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

/** A lane in this thread: between chunks it yields to the event loop (Ctrl-C is seen there). */
export function inThreadLane(signal?: AbortSignal): Lane {
  const held = new Map<number, HeldHistograms>();
  return {
    async run(task) {
      await new Promise((done) => setImmediate(done));
      signal?.throwIfAborted(); // a Ctrl-C that arrived while this thread was busy
      const plugins = task.plugins?.length ? await loadPluginRefs(task.plugins) : undefined;
      const h = held.get(task.point.index) ?? { hist: null, ranges: [] };
      const partial = runChunk(task, plugins, h);
      if (h.hist) held.set(task.point.index, h);
      return partial;
    },
    async histograms(point) {
      const h = held.get(point);
      held.delete(point);
      return h?.hist ? { ranges: h.ranges, data: h.hist.handOver() } : null;
    },
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
 * A lane on its own worker thread. Requests are posted at once and run by the thread in the
 * order asked (threadWorker.ts), so a coordinator busy with its own chunk never leaves the
 * thread waiting for its next one: two requests in flight keep it working.
 */
export function threadLane(): Lane {
  const worker = new Worker(threadFile());
  // the replies awaited, in the order asked (the thread answers in that order)
  const pending: { resolve(r: ThreadReply): void; reject(e: Error): void }[] = [];
  const fail = (e: Error) => {
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
      ((await ask({ kind: "chunk", task })) as { partial: ChunkPartial }).partial,
    histograms: async (point) =>
      ((await ask({ kind: "histograms", point })) as { piece: HistogramPiece | null }).piece,
    refine: async (task) =>
      ((await ask({ kind: "refine", task })) as { collected: Collected }).collected,
    async close() {
      worker.removeAllListeners("exit");
      fail(new Error("the Monte Carlo was stopped"));
      await worker.terminate();
    },
  };
}
