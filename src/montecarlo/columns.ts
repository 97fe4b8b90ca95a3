import type { ExperimentSpec } from "../analysis/types.js";
import { compileScenario } from "../engine/compile.js";
import { type BandPlan, OFFSETS } from "./histogram.js";

/**
 * The columns that get bands (`bme montecarlo --columns a,b,…`, docs/bands.md): all of the
 * table's columns when none are named, else the named ones in table order. `day` is the time
 * axis: it never gets bands when columns are named. Every run still computes every column (the
 * outcome metrics read them); only the bands are limited.
 */
export interface BandColumns {
  /** Band columns' names, in table order. */
  readonly names: string[];
  /** Their indices in the table, or null for every column. */
  readonly cols: number[] | null;
  /** Band cells: names.length × days, `k·days + t` for the k-th band column. */
  readonly cells: number;
}

/** A named column the scenario's table does not have. */
export class UnknownColumnError extends Error {
  constructor(
    readonly column: string,
    known: readonly string[],
  ) {
    super(
      `--columns: no column "${column}" in this scenario's table (columns: ${known.filter((k) => k !== "day").join(", ")})`,
    );
    this.name = "UnknownColumnError";
  }
}

/** The band columns of a table with columns `all` when `named` are asked for (none: all). */
export function bandColumns(
  all: readonly string[],
  days: number,
  named?: readonly string[],
): BandColumns {
  if (named === undefined) return { names: [...all], cols: null, cells: all.length * days };
  for (const n of named) if (!all.includes(n)) throw new UnknownColumnError(n, all);
  const cols = all.flatMap((n, i) => (n !== "day" && named.includes(n) ? [i] : []));
  if (cols.length === 0)
    throw new Error("--columns: name at least one column other than day (day never gets bands)");
  return { names: cols.map((i) => all[i]), cols, cells: cols.length * days };
}

/** The band columns an experiment asks for (`spec.options.bandColumns`), for its chunk tasks. */
export function experimentColumns(spec: { readonly options: Readonly<Record<string, unknown>> }): {
  columns?: readonly string[];
} {
  const named = spec.options.bandColumns as readonly string[] | undefined;
  return named ? { columns: named } : {};
}

/** The band cells' values of a batch: each band column's block of `out` (`days·count` values). */
export function gatherBandCells(
  out: Float64Array,
  cols: readonly number[],
  days: number,
  count: number,
  into: Float64Array,
): Float64Array {
  const w = days * count;
  cols.forEach((col, k) => {
    into.set(out.subarray(col * w, (col + 1) * w), k * w);
  });
  return into;
}

/** The plan of the band cells from the plan of every cell. */
export function bandPlan(plan: BandPlan, band: BandColumns, days: number): BandPlan {
  if (band.cols === null) return plan;
  const pick = <T extends Float64Array | Uint8Array>(a: T): T => {
    const r = new (a.constructor as new (n: number) => T)(band.cells);
    band.cols!.forEach((col, k) => {
      r.set(a.subarray(col * days, (col + 1) * days), k * days);
    });
    return r;
  };
  // adaptive cells' offsets, renumbered in band-cell order
  const fineAt = new Int32Array(band.cells).fill(-1);
  const fine: number[] = [];
  band.cols.forEach((col, k) => {
    for (let t = 0; t < days; t++) {
      const at = plan.fineAt[col * days + t];
      if (at < 0) continue;
      fineAt[k * days + t] = fine.length;
      for (let j = 0; j < OFFSETS; j++) fine.push(plan.fine[at + j]);
    }
  });
  // derived cells whose base is banded too, renumbered (the others are counted)
  const bandOf = new Int32Array(plan.base.length).fill(-1);
  band.cols.forEach((col, k) => {
    for (let t = 0; t < days; t++) bandOf[col * days + t] = k * days + t;
  });
  const base = new Int32Array(band.cells).fill(-1);
  const factor = new Float64Array(band.cells);
  band.cols.forEach((col, k) => {
    for (let t = 0; t < days; t++) {
      const x = plan.base[col * days + t];
      if (x < 0 || bandOf[x] < 0) continue;
      base[k * days + t] = bandOf[x];
      factor[k * days + t] = plan.factor[col * days + t];
    }
  });
  return {
    start: pick(plan.start),
    scale: pick(plan.scale),
    log: pick(plan.log),
    varies: pick(plan.varies),
    fineAt,
    fine: Uint16Array.from(fine),
    base,
    factor,
  };
}

/** The table cell of band cell i. */
export function tableCell(band: BandColumns, days: number, i: number): number {
  return band.cols === null ? i : band.cols[(i / days) | 0] * days + (i % days);
}

/** Check an experiment's band columns against its scenario's table (throws UnknownColumnError). */
export function checkBandColumns(spec: ExperimentSpec): void {
  const { columns } = experimentColumns(spec);
  if (columns === undefined) return;
  const c = compileScenario(spec.scenario);
  bandColumns(c.columns, c.days, columns);
}
