import { parentPort } from "node:worker_threads";
import { loadPluginRefs } from "../plugins/refs.js";
import {
  type ChunkPartial,
  type HeldHistograms,
  type HistogramPiece,
  runChunk,
  runRefine,
} from "./chunk.js";
import type { ThreadReply, ThreadRequest } from "./threads.js";

/**
 * Worker-thread entry of the local Monte Carlo (src/montecarlo/threads.ts): runs chunks,
 * keeping each point's histograms in this thread across its chunks, and hands them over
 * (transferred, not copied) when asked for a point's.
 */
const held = new Map<number, HeldHistograms>();

/** The buffers of a partial's or a piece's typed arrays, to transfer rather than copy. */
export function buffersOf(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) set.add(a.buffer);
  return [...set];
}

function partialBuffers(p: ChunkPartial): ArrayBuffer[] {
  return buffersOf([p.blockSums, ...(p.values ? [p.values] : []), ...p.outcomes]);
}

function pieceBuffers(p: HistogramPiece): ArrayBuffer[] {
  const d = p.data;
  return buffersOf([d.rowOf, d.atom, d.atomCount, d.counts, d.minMax]);
}

async function handle(m: ThreadRequest): Promise<[ThreadReply, ArrayBuffer[]]> {
  if (m.kind === "chunk") {
    const plugins = m.task.plugins?.length ? await loadPluginRefs(m.task.plugins) : undefined;
    const h = held.get(m.task.point.index) ?? { hist: null, ranges: [] };
    const partial = runChunk(m.task, plugins, h);
    if (h.hist) held.set(m.task.point.index, h);
    return [{ kind: "chunk", partial }, partialBuffers(partial)];
  }
  if (m.kind === "refine") {
    const plugins = m.task.plugins?.length ? await loadPluginRefs(m.task.plugins) : undefined;
    const collected = runRefine(m.task, plugins);
    return [{ kind: "refine", collected }, buffersOf(collected.flat())];
  }
  const h = held.get(m.point);
  held.delete(m.point);
  const piece = h?.hist ? { ranges: h.ranges, data: h.hist.handOver() } : null;
  return [{ kind: "histograms", piece }, piece ? pieceBuffers(piece) : []];
}

// one request at a time, in the order posted (the coordinator matches replies by order)
let queue: Promise<unknown> = Promise.resolve();
parentPort?.on("message", (m: ThreadRequest) => {
  queue = queue.then(() => answer(m));
});

function answer(m: ThreadRequest): Promise<void> {
  return handle(m).then(
    ([reply, transfer]) => parentPort!.postMessage(reply, transfer),
    (e: unknown) =>
      parentPort!.postMessage({
        kind: "error",
        message: e instanceof Error ? e.message : String(e),
        name: e instanceof Error ? e.name : "Error",
      } satisfies ThreadReply),
  );
}
