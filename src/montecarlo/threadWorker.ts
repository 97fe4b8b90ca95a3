import { parentPort } from "node:worker_threads";
import { loadPluginRefs } from "../plugins/refs.js";
import { locateSlices } from "./bands.js";
import {
  type HeldHistograms,
  type HistogramPiece,
  runChunk,
  runRefine,
  sharedCopy,
} from "./chunk.js";
import { planSlices } from "./runner.js";
import type { ThreadReply, ThreadRequest } from "./threads.js";

/**
 * Worker-thread entry of the local Monte Carlo (src/montecarlo/threads.ts): runs chunks,
 * keeping each point's histograms in this thread across its chunks, and hands them over when
 * asked for a point's.
 *
 * Nothing is transferred (docs/decisions.md 151): detaching an ArrayBuffer in this isolate
 * invalidates V8's ArrayBufferDetaching protector for the whole isolate, and from then on every
 * typed-array access in optimised code checks for a detached buffer (the kernel and the
 * counting ran ≈ 25% slower per run). Small replies are copied by postMessage; what is large
 * is allocated on (exact values) or copied once into (histograms) SharedArrayBuffers, which
 * postMessage shares rather than copies.
 */
const held = new Map<number, HeldHistograms>();

async function handle(m: ThreadRequest): Promise<ThreadReply> {
  if (m.kind === "chunk") {
    const plugins = m.task.plugins?.length ? await loadPluginRefs(m.task.plugins) : undefined;
    const h = held.get(m.task.point.index) ?? { hist: null, ranges: [] };
    const partial = runChunk(m.task, plugins, h, true);
    if (h.hist) held.set(m.task.point.index, h);
    return { kind: "chunk", partial };
  }
  if (m.kind === "planSlices")
    return { kind: "planSlices", plans: planSlices(m.task.parts, m.task.claim) };
  if (m.kind === "locate") return { kind: "locate", slices: locateSlices(m.task) };
  if (m.kind === "refine") {
    const plugins = m.task.plugins?.length ? await loadPluginRefs(m.task.plugins) : undefined;
    return { kind: "refine", collected: runRefine(m.task, plugins) };
  }
  const h = held.get(m.point);
  held.delete(m.point);
  // as counted, unflushed (decision 265); the counts and min/max rows are in shared memory
  // from the start (decision 163): sharedCopy copies only what is not (nothing, normally)
  const piece: HistogramPiece | null = h?.hist
    ? { ranges: h.ranges, data: sharedCopy(h.hist.view()) }
    : null;
  return { kind: "histograms", piece };
}

// one request at a time, in the order posted (the coordinator matches replies by order)
let queue: Promise<unknown> = Promise.resolve();
parentPort?.on("message", (m: ThreadRequest | string) => {
  // a string is for the loader (the build's code-cache training: scripts/bundle-cli.mjs)
  if (typeof m === "string") return;
  queue = queue.then(() => answer(m));
});

function answer(m: ThreadRequest): Promise<void> {
  return handle(m).then(
    (reply) => parentPort!.postMessage(reply),
    (e: unknown) =>
      parentPort!.postMessage({
        kind: "error",
        message: e instanceof Error ? e.message : String(e),
        name: e instanceof Error ? e.name : "Error",
      } satisfies ThreadReply),
  );
}
