/** The results store: experiments in an embedded DuckDB file (docs/store.md). */
export { StoreError, type StoreErrorReason } from "./errors.js";
export { EXPORT_FORMATS, type ExportFormat } from "./export.js";
export { canonicalHash, decodeJson, encodeJson } from "./json.js";
export { SCHEMA_VERSION } from "./schema.js";
export {
  type BeginResult,
  DEFAULT_STORE,
  type ExperimentSummary,
  type LoadedExperiment,
  openStore,
  type Store,
  type StoredChunk,
} from "./store.js";
