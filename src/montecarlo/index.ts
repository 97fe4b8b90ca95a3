export {
  BLOCK_RUNS,
  type ChunkPartial,
  type ChunkTask,
  chunkRanges,
  EXACT_RUNS,
  mergeChunks,
  PointAccumulator,
  pointScenario,
  runChunk,
} from "./chunk.js";
export { type PairedDifference, pairedDifferences, t975 } from "./compare.js";
export { type ExperimentOutcome, type RunExperimentOptions, runExperiment } from "./experiment.js";
export { CellHistograms } from "./histogram.js";
export { runOutcomes } from "./outcomes.js";
export { chunkRunner } from "./pool.js";
export { quantileSorted, summarizeSample } from "./quantile.js";
export { type SensitivityPlan, sensitivityPlan, sensitivityRows } from "./sensitivity.js";
export { type Axis, expandSweep, parseAxis } from "./sweep.js";
