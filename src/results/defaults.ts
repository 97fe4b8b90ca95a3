/** Where experiments are stored unless `--store` says otherwise (light: no DuckDB import). */
export const DEFAULT_STORE = "bme-results.duckdb";
