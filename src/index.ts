/**
 * bme-sim: the ChainOpera burn-and-mint equilibrium engine as a library.
 * Data flows one way: scenario → engine → records → sinks.
 *
 * Subpaths: `bme-sim/store` (the DuckDB results store: open, list, read, export) and
 * `bme-sim/report` (charts as SVG/PNG, HTML reports) load their native parts only when imported.
 */

// experiments: Monte Carlo, sweep, A/B, sensitivity (records: src/analysis/types.ts)
export {
  BAND_STATS,
  type BandStat,
  type Bands,
  type ExperimentKind,
  type ExperimentSink,
  type ExperimentSpec,
  type MetricSummary,
  OUTCOME_METRICS,
  OUTCOME_UNITS,
  type OutcomeMetric,
  type Outcomes,
  type PointResult,
  type PointSpec,
  type SensitivityRow,
} from "./analysis/types.js";
export {
  type CompareOptions,
  type CompareResult,
  compare,
  defaultLabels,
  type ExperimentOptions,
  type ExperimentRecord,
  type MonteCarloResult,
  monteCarlo,
  type ScenarioSource,
  type SensitivityOptions,
  type SensitivityResult,
  type SweepOptions,
  type SweepValue,
  sensitivity,
  sweep,
} from "./api/experiments.js";
// the day (docs/model.md §6) as named steps; extensions insert at a named place
export {
  composeDay,
  DAY_STEP_NAMES,
  type DayContext,
  type DayState,
  type DayStep,
  type DayStepName,
  type DayValues,
  ONCHAIN,
  type StepInsertion,
} from "./day/sequence.js";
export { AGGREGATE_DAY } from "./day/steps.js";
// engine
export { COL, COLUMN_UNITS, columnNames, columnUnit, FIXED_COLUMNS } from "./engine/columns.js";
export { type CompiledScenario, compileScenario } from "./engine/compile.js";
export { type KernelScratch, kernelScratch, runKernel } from "./engine/kernel.js";
export {
  type KernelOutcome,
  NonFiniteValueError,
  NoPriceError,
  type SimulationFailure,
} from "./engine/outcome.js";
export { runAggregateDays, runReference } from "./engine/reference.js";
export { column, type RunMeta, type RunResult, resultFromBuffer, rows } from "./engine/result.js";
export { type RunSummary, summarize } from "./engine/summary.js";
// feedback (issue 13): laws E40–E50 (docs/model-feedback.md), the feedback day, bme stress
export { type FeedbackContext, feedbackDay, runFeedbackAggregate } from "./feedback/day.js";
export * from "./feedback/index.js";
export { compileFeedback, type FeedbackPlan } from "./feedback/plan.js";
export {
  DEFAULT_SHOCK_SIZES,
  runStress,
  SHOCKS,
  type ShockSizes,
  type StressOptions,
  type StressResult,
  type StressThresholds,
} from "./feedback/stress.js";
export { stressFiles } from "./feedback/stressOut.js";
export { stressReport } from "./feedback/stressReport.js";
// sinks
export { toCsv, toJson, writeTable } from "./io/table.js";
// marketplace (agent) mode, docs/model.md §9
export {
  earningsChart,
  formatMarketplace,
  type MarketplaceResult,
  type MarketScheduler,
  QUEUE_COLUMNS,
  type QueueTable,
  queueChart,
  queueCsv,
  ReferenceScheduler,
  reputationChart,
  runMarketplace,
  Scheduler,
  type SchedulerSetup,
  type SupplierRecord,
  suppliersCsv,
  writeMarketplaceTables,
} from "./marketplace/index.js";
export { InvariantViolation } from "./mechanisms/invariants.js";
export { withdrawal } from "./mechanisms/withdrawal.js";
// issue 12: stochastic inputs, outcome metrics, governance rules, plugins
export { supplierIncome } from "./metrics/supplierIncome.js";
export { type PairedDifference, pairedDifferences } from "./montecarlo/compare.js";
export {
  computeMetrics,
  type LoadedPlugins,
  loadPlugins,
  type Metric,
  PluginError,
  type Policy,
  type PolicyAction,
  type PolicyView,
} from "./plugins/index.js";
export { compiledForRun, hasStochastic, StochasticInputs } from "./processes/generate.js";
export { type GovernanceChange, governanceStep, scheduleChanges } from "./rules/index.js";
// scenario: the schema is the type
export { scenarioWarnings } from "./scenario/checks.js";
export { ScenarioError, type ScenarioIssue } from "./scenario/errors.js";
export { deterministicScenario } from "./scenario/expected.js";
export { mergeScenario } from "./scenario/extends.js";
export { scenarioJsonSchema } from "./scenario/jsonSchema.js";
export {
  type LoadedScenario,
  type LoadOptions,
  loadScenario,
  prepareScenario,
  withoutNoise,
} from "./scenario/load.js";
export {
  ONCHAIN_INFO,
  ONCHAIN_NAMES,
  ONCHAIN_VARIABLES,
  type OnchainName,
  type OnchainVariableInfo,
} from "./scenario/onchain.js";
export { parseScenario, ScenarioSchema } from "./scenario/parse.js";
export { WHITEPAPER_PRICE_MATRIX, WHITEPAPER_SUPPLIER_CLASSES } from "./scenario/priceMatrix.js";
export type { Scenario, ScenarioInput } from "./scenario/schema.js";
export { type SimulateOptions, simulate } from "./simulate.js";
export type * from "./units.js";
export { VERSION } from "./version.js";
