import { loadPluginRefs } from "../plugins/refs.js";
import { type ChunkPartial, type ChunkTask, runChunk } from "./chunk.js";

/**
 * Piscina entry point (and the in-thread runner's): one chunk per call. The task's plugins are
 * imported once per thread, after checking each file's hash (src/plugins/refs.ts).
 */
export default async function work(task: ChunkTask): Promise<ChunkPartial> {
  const plugins = task.plugins?.length ? await loadPluginRefs(task.plugins) : undefined;
  return runChunk(task, plugins);
}
