import { runStressChunk, type StressPartial, type StressTask } from "./stressChunk.js";

/** Piscina entry point of `bme stress --workers`: one chunk of one shock's runs per call. */
export default function work(task: StressTask): StressPartial {
  return runStressChunk(task);
}
