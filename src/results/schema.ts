import { OUTCOME_METRICS } from "../analysis/types.js";

/** Bumped when a table changes shape; stored in `meta`. */
export const SCHEMA_VERSION = 1;

/** The tables of a results store (docs/store.md describes every column). */
export const TABLES = ["meta", "experiments", "points", "bands", "outcomes", "chunks"] as const;

/** `"finalPrice" DOUBLE, "maxDrawdown" DOUBLE, …`: one column per outcome metric. */
const metricColumns = OUTCOME_METRICS.map((m) => `"${m}" DOUBLE`).join(", ");

/**
 * DDL of the store. Column order matters: bands and outcomes are filled with appenders,
 * which append values in this order.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS experiments (
  id VARCHAR PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind VARCHAR NOT NULL,
  spec_hash VARCHAR NOT NULL,
  scenario_name VARCHAR NOT NULL,
  scenario_json VARCHAR NOT NULL,
  spec_json VARCHAR NOT NULL,
  version VARCHAR NOT NULL,
  seed BIGINT NOT NULL,
  runs_per_point INTEGER NOT NULL,
  n_points INTEGER NOT NULL,
  created_at TIMESTAMP NOT NULL,
  finished BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS points (
  experiment_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  params_json VARCHAR NOT NULL,
  runs INTEGER NOT NULL,
  band_runs INTEGER NOT NULL,
  days INTEGER NOT NULL,
  columns_json VARCHAR NOT NULL,
  summary_json VARCHAR NOT NULL,
  failed_runs_json VARCHAR NOT NULL,
  PRIMARY KEY (experiment_id, point_index)
);
CREATE TABLE IF NOT EXISTS bands (
  experiment_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  column_index INTEGER NOT NULL,
  column_name VARCHAR NOT NULL,
  day INTEGER NOT NULL,
  p5 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p95 DOUBLE, mean DOUBLE
);
CREATE TABLE IF NOT EXISTS outcomes (
  experiment_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  run INTEGER NOT NULL,
  ${metricColumns}
);
CREATE TABLE IF NOT EXISTS chunks (
  experiment_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  run_start INTEGER NOT NULL,
  run_end INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (experiment_id, point_index, run_start)
);
`;

/**
 * Plugin metrics' values per run (docs/plugins.md), long format: a metric's name and its place
 * after OUTCOME_METRICS. Added after schema 1 without changing it: a store opened for writing
 * gets the table if it lacks it; a store without it holds no plugin metrics.
 */
export const PLUGIN_OUTCOMES_SQL = `
CREATE TABLE IF NOT EXISTS plugin_outcomes (
  experiment_id VARCHAR NOT NULL,
  point_index INTEGER NOT NULL,
  metric_index INTEGER NOT NULL,
  metric VARCHAR NOT NULL,
  run INTEGER NOT NULL,
  value DOUBLE
);
`;

/** Short id prefixes by experiment kind: mc-0001, sweep-0002, cmp-0003, sens-0004. */
export const ID_PREFIX = {
  montecarlo: "mc",
  sweep: "sweep",
  compare: "cmp",
  sensitivity: "sens",
} as const;
