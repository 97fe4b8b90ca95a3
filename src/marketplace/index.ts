/** Marketplace (agent) mode, docs/model.md §9: scheduler, engine, results, charts. */
export { earningsChart, queueChart, reputationChart } from "./charts.js";
export { type CompiledMarket, compileMarket } from "./compile.js";
export { createMarketContext, type MarketContext, type MarketToday } from "./context.js";
export {
  formatMarketplace,
  queueCsv,
  suppliersCsv,
  writeMarketplaceTables,
} from "./csv.js";
export { MARKET_DAY, type MarketOptions, type MarketOutcome, runMarketplace } from "./engine.js";
export { supplierBefore, taskBefore } from "./order.js";
export { isDishonest, spreadPick } from "./population.js";
export { quantile } from "./record.js";
export { ReferenceScheduler } from "./referenceScheduler.js";
export { reputation } from "./reputation.js";
export {
  type MarketplaceResult,
  QUEUE_COLUMNS,
  type QueueTable,
  type SupplierRecord,
} from "./result.js";
export { Scheduler } from "./scheduler.js";
export type { MarketScheduler, SchedulerSetup } from "./types.js";
export { wholeJobs } from "./wholeJobs.js";
