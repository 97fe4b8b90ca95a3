/**
 * Sinks: tables to files (`bme-sim/io`). Every table is plain: a CSV has its header on line 1,
 * metadata travels beside it (`<name>.meta.json`, `experiment.json`) and inside Parquet's
 * key-value metadata (docs/outputs.md).
 */
export { tempPathFor, withAtomicPath, writeFileAtomic } from "./atomic.js";
export { csvCell, csvText } from "./csv.js";
export {
  type ColumnType,
  type DataColumn,
  type DataTable,
  dataTableCsv,
  dataTableJson,
  TABLE_FORMATS,
  type TableFileFormat,
  writeDataTable,
  writeJsonFile,
  writeParquet,
} from "./dataTable.js";
export {
  type ExperimentHeader,
  type ExperimentTables,
  experimentTables,
  SUMMARY_STATS,
  summaryColumn,
  writeExperimentTables,
} from "./experiment.js";
export {
  metaPath,
  runDataTable,
  runMetadata,
  type TableFormat,
  tableFormat,
  toCsv,
  toJson,
  writeTable,
} from "./table.js";
