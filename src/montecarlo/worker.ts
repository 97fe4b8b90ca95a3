import { type ChunkPartial, type ChunkTask, runChunk } from "./chunk.js";

/** Piscina entry point: one chunk per call. */
export default function work(task: ChunkTask): ChunkPartial {
  return runChunk(task);
}
