/**
 * Feedback laws E40–E49 (docs/model-feedback.md): suppliers, holders and consumers that respond
 * to the economy. Each is a pure function; the day module calls them as inserted steps.
 */
export * from "./ammBalances.js";
export * from "./ammBatch.js";
export * from "./ammTopUp.js";
export * from "./capacity.js";
export * from "./churn.js";
export * from "./demandElasticity.js";
export * from "./holderSales.js";
export * from "./margin.js";
export * from "./speculators.js";
export * from "./supplierIncome.js";
export * from "./supplierMarket.js";
