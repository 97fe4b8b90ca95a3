/**
 * How much memory a Monte Carlo's bands take, estimated before any run, so that an experiment
 * too large for the machine is refused with a message instead of dying hours later out of
 * memory (docs/limits.md). The estimate is an upper bound: a cell whose value never varies
 * keeps no histogram row.
 */
import type { ExperimentSpec } from "../analysis/types.js";
import { compileScenario } from "../engine/compile.js";
import { EXACT_RUNS, pointScenario } from "./chunk.js";
import { bandColumns, experimentColumns } from "./columns.js";
import { COARSE, COUNTS } from "./histogram.js";

/**
 * Bytes of one band cell's histogram row (docs/bands.md): COUNTS 32-bit counts, COUNTS counts
 * being counted into (8-bit since decision 227; counted here as 16-bit, an upper bound kept so
 * that the estimate and its tests stay as they were), and the min and max (64-bit) of each of the
 * COARSE + 2 coarse buckets. ≈ 13.7 KB.
 */
export const HISTOGRAM_ROW_BYTES = COUNTS * (4 + 2) + (COARSE + 2) * 2 * 8;
/** What a Monte Carlo process holds besides its bands (Node, the code, batch tables): ≈ 0.4 GB. */
export const BASE_BYTES = 0.4e9;
/** The share of the machine's memory an experiment may plan to use. */
export const MEMORY_SHARE = 0.75;

/** The shape of a Monte Carlo that decides its memory. */
export interface BandWork {
  /** Band cells of a point: band columns × days. */
  readonly cells: number;
  /** Runs per point. */
  readonly runs: number;
  /** Threads that count runs (worker threads, or this thread alone with one worker). */
  readonly lanes: number;
}

/**
 * Estimated peak bytes of a Monte Carlo point's bands: with at most EXACT_RUNS runs every value
 * is held (8 bytes per run and cell, and a sorted copy); above, each lane holds a histogram row
 * per cell and, with two lanes or more, this thread holds the merged one besides.
 */
export function bandMemory({ cells, runs, lanes }: BandWork): number {
  if (runs <= EXACT_RUNS) return BASE_BYTES + 2 * 8 * runs * cells;
  const rows = lanes <= 1 ? 1 : lanes + 1;
  return BASE_BYTES + rows * cells * HISTOGRAM_ROW_BYTES;
}

/** An experiment whose bands would not fit in the machine's memory. */
export class BandMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BandMemoryError";
  }
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/**
 * Refuse bands that would need more than MEMORY_SHARE of `totalBytes` (the machine's memory,
 * passed in): throws BandMemoryError naming the size, the cause and what to change.
 */
export function checkBandMemory(
  work: BandWork & { readonly columns: number; readonly days: number },
  totalBytes: number,
): void {
  const need = bandMemory(work);
  if (need <= MEMORY_SHARE * totalBytes) return;
  const fewer =
    work.lanes > 1 ? `, fewer --workers (each worker thread holds its own histograms)` : "";
  throw new BandMemoryError(
    `the bands of ${work.columns} columns × ${work.days.toLocaleString("en-US")} days need about ${gb(need)} ` +
      `with ${work.lanes} worker${work.lanes === 1 ? "" : "s"}, more than ${Math.round(MEMORY_SHARE * 100)}% of this machine's ${gb(totalBytes)}: ` +
      `band fewer columns (--columns priceOfToken,supply)${fewer} or fewer --days`,
  );
}

/**
 * The band work of an experiment's largest point on `lanes` lanes (plannedLanes): its band
 * columns (all of the table's, or `--columns`) × its days. A point that changes the scenario
 * (a sweep over `days`, compare's arm B) is compiled for its own columns and days.
 */
export function experimentBandWork(
  spec: ExperimentSpec,
  lanes: number,
): BandWork & { readonly columns: number; readonly days: number } {
  const { columns: named } = experimentColumns(spec);
  let largest = { columns: 0, days: 0, cells: 0 };
  const seen = new Map<string, { columns: number; days: number; cells: number }>();
  for (const p of spec.points) {
    const s = pointScenario(spec.scenario, p);
    // the columns depend on the scenario's blocks, not its numbers: compile each shape once
    const key = `${s.days}|${Object.keys(s).sort().join(",")}|${p.scenario ? p.index : ""}`;
    let w = seen.get(key);
    if (!w) {
      const c = compileScenario(s);
      const band = bandColumns(c.columns, c.days, named);
      w = { columns: band.names.length, days: c.days, cells: band.cells };
      seen.set(key, w);
    }
    if (w.cells > largest.cells) largest = w;
  }
  return {
    ...largest,
    runs: spec.runsPerPoint,
    lanes: spec.runsPerPoint <= EXACT_RUNS ? 1 : Math.max(1, lanes),
  };
}
