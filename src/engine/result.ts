import type { MarketplaceResult } from "../marketplace/result.js";
import type { GovernanceChange } from "../rules/step.js";
import type { Scenario } from "../scenario/schema.js";
import type { SimulationFailure } from "./outcome.js";

/** What travels with every table so that any row can be reproduced (docs/model.md §7). */
export interface RunMeta {
  readonly scenarioName: string;
  readonly seed: number;
  readonly run: number;
  readonly version: string;
  readonly mode: string;
  /** The scenario as parsed (defaults filled in). */
  readonly scenario: Scenario;
  readonly warnings: readonly string[];
}

/**
 * A run's daily table, columnar: column c holds `days` float64 values. `days` counts the rows
 * computed; when `error` is set the run stopped early and the rows it had are kept.
 */
export interface RunResult {
  readonly meta: RunMeta;
  readonly columns: readonly string[];
  readonly days: number;
  readonly values: readonly Float64Array[];
  readonly error: SimulationFailure | null;
  /**
   * Scenarios with `rules` only: every change of an on-chain variable by a rule, a controller or
   * a schedule vote, in order (E38, E39; src/rules/step.ts).
   */
  readonly governance?: readonly GovernanceChange[];
  /** With `simulate(…, { metrics })`: each plugin metric's value, by name. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Marketplace mode only: per-supplier results and per-day queue metrics (docs/model.md §9). */
  readonly marketplace?: MarketplaceResult;
}

/** One column by name. */
export function column(result: RunResult, name: string): Float64Array {
  const c = result.columns.indexOf(name);
  if (c < 0) throw new Error(`no column "${name}" (columns: ${result.columns.join(", ")})`);
  return result.values[c];
}

/** Row view: one plain object per day. */
export function rows(result: RunResult): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (let t = 0; t < result.days; t++) {
    const row: Record<string, number> = {};
    result.columns.forEach((name, c) => {
      row[name] = result.values[c][t];
    });
    out.push(row);
  }
  return out;
}

/** Wrap a column-major buffer (`data[col·capacity + t]`) as a result, sharing memory. */
export function resultFromBuffer(
  meta: RunMeta,
  columns: readonly string[],
  data: Float64Array,
  capacity: number,
  days: number,
  error: SimulationFailure | null,
): RunResult {
  const values = columns.map((_, c) => data.subarray(c * capacity, c * capacity + days));
  return { meta, columns, days, values, error };
}
