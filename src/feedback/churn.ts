import type { Out } from "../mechanisms/out.js";
import type { Suppliers } from "../units.js";

/** Churn parameters of one supplier class (E42). */
export interface ChurnParameters {
  /** Entry per day per unit of positive margin, a fraction of the class (1/day). */
  readonly entryElasticity: number;
  /** Exit per day per unit of negative margin, a fraction of the class (1/day). */
  readonly exitElasticity: number;
  /** Largest daily entry, a fraction of the class (1/day). */
  readonly maxEntryRate: number;
  /** Largest daily exit, a fraction of the class, in [0, 1] (1/day). */
  readonly maxExitRate: number;
  /** Ceiling on the class (suppliers); Infinity when none. */
  readonly maxCount: Suppliers;
}

export interface Churn {
  readonly entries: Suppliers;
  readonly exits: Suppliers;
  /** Today's real-valued count; E3, E4 and E8 read `floor(x + 1e-9)` of it. */
  readonly count: Suppliers;
}

/**
 * E42, entry and exit of a class on day t from its lagged margin m̄ (E41), real-valued:
 *
 * `entries = min(entryElasticity · max(m̄, 0), maxEntryRate) · max(count, 1)`
 * `exits   = min(exitElasticity · max(−m̄, 0), maxExitRate) · count`
 * `count[t] = min(count[t−1] + entries − exits, max(maxCount, count[t−1]))`
 *
 * Linear in the margin (the elasticity is the fraction of the class that moves per day per unit
 * of margin) with caps, the usual form of DePIN provider-churn models. Entry is proportional to
 * the class (word of mouth, existing hosting channels) with a floor of one would-be entrant so
 * an emptied class can recover; exit is proportional to the class. With no margin yet
 * (`m̄` null: day 0) nothing moves.
 */
export function supplierChurn(
  count: Suppliers,
  meanMargin: number | null,
  p: ChurnParameters,
): Churn {
  const out = { entries: 0, exits: 0, count };
  if (meanMargin !== null) supplierChurnInto(out, count, meanMargin, p);
  return out;
}

/** E42 into `out` on a day with a lagged margin (allocation-free; `supplierChurn` is the readable form). */
export function supplierChurnInto(
  out: Out<Churn>,
  count: Suppliers,
  meanMargin: number,
  p: ChurnParameters,
): void {
  supplierChurnOf(
    out,
    count,
    meanMargin,
    p.entryElasticity,
    p.exitElasticity,
    p.maxEntryRate,
    p.maxExitRate,
    p.maxCount,
  );
}

/**
 * E42 into `out` with the class's `ChurnParameters` as numbers (the lockstep kernel keeps them in
 * a typed array): the one implementation.
 */
export function supplierChurnOf(
  out: Out<Churn>,
  count: Suppliers,
  meanMargin: number,
  entryElasticity: number,
  exitElasticity: number,
  maxEntryRate: number,
  maxExitRate: number,
  maxCount: Suppliers,
): void {
  // max(m, 0) as `m <= 0 ? 0 : m`: the same value for every m, NaN and −0 included, without V8's
  // NaN and zero-sign tests (decision 287)
  // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.max (decision 287)
  const entryRate = Math.min(entryElasticity * (meanMargin <= 0 ? 0 : meanMargin), maxEntryRate);
  // biome-ignore lint/complexity/useMathMinMax: a comparison, not Math.max (decision 287)
  const exitRate = Math.min(exitElasticity * (-meanMargin <= 0 ? 0 : -meanMargin), maxExitRate);
  let entries = entryRate * Math.max(count, 1);
  const exits = exitRate * count;
  const room = Math.max(maxCount, count) - count;
  if (entries > room) entries = room;
  out.entries = entries;
  out.exits = exits;
  out.count = count + entries - exits;
}
