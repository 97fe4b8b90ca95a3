/** The standard battery of `bme stress` (docs/model-feedback.md, "Stress battery"). */
export const SHOCKS = [
  {
    name: "baseline",
    description: "No shock: the scenario as written, for comparison.",
  },
  {
    name: "demandCrash",
    description: "From the shock day every consumer type's jobs fall to 30% and stay there.",
  },
  {
    name: "sentimentCollapse",
    description:
      "From the shock day exchange demand (consumerSentiment) and governance value are 0.",
  },
  {
    name: "sellWave",
    description:
      "On the shock day holders dump 10% of the circulating supply into the pool (needs feedback.amm).",
  },
  {
    name: "combined",
    description: "demandCrash, sentimentCollapse and (with a pool) sellWave together.",
  },
] as const;
export type ShockName = (typeof SHOCKS)[number]["name"];

export const STRESS_METRICS = [
  "priceDrawdown",
  "reserveRunwayDays",
  "suppliersRetained",
  "shortfallDays",
] as const;
export type StressMetric = (typeof STRESS_METRICS)[number];

/** The loop's series drawn per shock (p5, median, p95 of the kept runs). */
export const LOOP_SERIES = [
  "priceOfToken",
  "suppliers",
  "marginPerSupplier",
  "netChurn",
  "jobsLost",
  "tokenReserve",
  "dollarReserve",
] as const;
export type LoopSeries = (typeof LOOP_SERIES)[number];

/** The columns of a table that the metrics read, by name. */
export function columnsOf(columns: readonly string[]) {
  const at = (n: string) => columns.indexOf(n);
  const starts = (p: string) => columns.flatMap((n, i) => (n.startsWith(p) ? [i] : []));
  return {
    price: at("priceOfToken"),
    reserve: at("tokenReserve"),
    dollars: at("dollarReserve"),
    shortfall: at("tokenShortfall"),
    suppliers: starts("suppliers."),
    margins: starts("margin."),
    entries: starts("supplierEntries."),
    exits: starts("supplierExits."),
    jobsLost: at("jobsLost"),
  };
}

export type Cols = ReturnType<typeof columnsOf>;

/** Price drawdown, runway, suppliers kept and shortfall days of one run's table (`out[col·days + t]`). */
export function stressMetrics(
  out: Float64Array,
  days: number,
  daysDone: number,
  shockDay: number,
  cols: Cols,
): Record<StressMetric, number> {
  const v = (col: number, t: number) => out[col * days + t];
  const last = daysDone - 1;
  let peak = v(cols.price, Math.max(0, shockDay - 1));
  let dd = 0;
  let shortfallDays = 0;
  for (let t = shockDay; t <= last; t++) {
    const p = v(cols.price, t);
    if (p > peak) peak = p;
    else if (peak > 0) dd = Math.max(dd, (peak - p) / peak);
    if (v(cols.shortfall, t) > 0) shortfallDays++;
  }
  const from = Math.max(0, last - 30);
  const outflow = (v(cols.reserve, from) - v(cols.reserve, last)) / Math.max(1, last - from);
  const runway = outflow > 0 ? v(cols.reserve, last) / outflow : Number.POSITIVE_INFINITY;
  let before = 0;
  let after = 0;
  for (const c of cols.suppliers) {
    before += v(c, Math.max(0, shockDay - 1));
    after += v(c, last);
  }
  return {
    priceDrawdown: dd,
    reserveRunwayDays: runway,
    suppliersRetained: before > 0 ? after / before : 1,
    shortfallDays,
  };
}

export function loopValue(
  out: Float64Array,
  days: number,
  t: number,
  cols: Cols,
  s: LoopSeries,
): number {
  const v = (col: number) => out[col * days + t];
  const sum = (cs: readonly number[]) => cs.reduce((a, c) => a + v(c), 0);
  switch (s) {
    case "priceOfToken":
      return v(cols.price);
    case "suppliers":
      return sum(cols.suppliers);
    case "marginPerSupplier":
      return cols.margins.length > 0 ? sum(cols.margins) / cols.margins.length : Number.NaN;
    case "netChurn":
      return sum(cols.entries) - sum(cols.exits);
    case "jobsLost":
      return cols.jobsLost >= 0 ? v(cols.jobsLost) : 0;
    case "tokenReserve":
      return v(cols.reserve);
    case "dollarReserve":
      return v(cols.dollars);
  }
}
