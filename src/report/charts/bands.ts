import type { BandStat, Bands } from "../../analysis/types.js";

/** Statistic `stat` of column `name` over days: a view of `stats[stat][c·days … (c+1)·days)`. */
export function bandColumn(bands: Bands, name: string, stat: BandStat): Float64Array {
  const c = bands.columns.indexOf(name);
  if (c < 0)
    throw new Error(`no column "${name}" in the bands (columns: ${bands.columns.join(", ")})`);
  return bands.stats[stat].subarray(c * bands.days, (c + 1) * bands.days);
}

/** Element-wise `hi − lo`: the height of a stacked band. */
export function spread(lo: Float64Array, hi: Float64Array): Float64Array {
  return hi.map((h, t) => h - lo[t]);
}

/** First day the median run is in phase 2, or null. */
export function medianPhaseChangeDay(bands: Bands): number | null {
  if (!bands.columns.includes("phase")) return null;
  const day = bandColumn(bands, "phase", "p50").indexOf(2);
  return day < 0 ? null : day;
}
