/**
 * Formats of `bme export` / `Store.exportExperiment`. The tables and their columns are those
 * of every experiment export (`src/io/experiment.ts`, docs/outputs.md).
 */
export const EXPORT_FORMATS = ["csv", "parquet", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
