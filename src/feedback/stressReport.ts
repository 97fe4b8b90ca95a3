import type { ChartSpec } from "../report/charts/common.js";
import { dayLines } from "../report/charts/common.js";
import type { Report, ReportSection, Table } from "../report/model.js";
import { counted, percent } from "../text.js";
import {
  type LoopSeries,
  loopSeriesOf,
  METRIC_THRESHOLDS,
  type ShockResult,
  STRESS_METRICS,
  type StressMetric,
  type StressResult,
} from "./stress.js";

const SERIES_INFO: Record<LoopSeries, { title: string; unit: string; caption: string }> = {
  priceOfToken: {
    title: "Token price",
    unit: "usd/token",
    caption: "The day's price (E10, or the pool's clearing price E45).",
  },
  suppliers: {
    title: "Active suppliers",
    unit: "suppliers",
    caption: "All classes; dynamic classes move by churn (E42).",
  },
  marginPerSupplier: {
    title: "Margin per supplier",
    unit: "fraction",
    caption:
      "The average supplier's relative margin (E41: the classes' margins weighted by their supplier counts): below 0, suppliers lose money.",
  },
  netChurn: {
    title: "Net churn",
    unit: "suppliers/day",
    caption: "Entries minus exits of the dynamic classes (E42).",
  },
  jobsLost: {
    title: "Jobs lost to capacity",
    unit: "jobs/day",
    caption: "Demand beyond the suppliers' capacity (E50).",
  },
  tokenReserve: {
    title: "Token reserve",
    unit: "tokens",
    caption: "End of day; what pays validators and emissions (E15).",
  },
  dollarReserve: {
    title: "Dollar reserve",
    unit: "usd",
    caption: "End of day; what funds the top-up (E16/E46).",
  },
  waitingTasks: {
    title: "Tasks waiting",
    unit: "tasks",
    caption: "End of day, queued and not yet accepted: the suppliers left cannot keep up.",
  },
  expiredTasks: {
    title: "Tasks expired",
    unit: "tasks/day",
    caption: "Left the queue unserved by their deadline, refunded (docs/marketplace.md).",
  },
};

/** Marketplace mode's capacity is the scheduler's: its lost jobs are E49's, not E50's. */
const MARKET_JOBS_LOST = {
  title: "Jobs lost to the queue",
  unit: "jobs/day",
  caption: "Demand kept away by yesterday's expiries (E49).",
};

const METRIC_INFO: Record<StressMetric, { label: string; unit: string }> = {
  priceDrawdown: { label: "price drawdown after the shock", unit: "fraction" },
  reserveRunwayDays: { label: "token-reserve runway", unit: "days" },
  suppliersRetained: { label: "suppliers retained", unit: "fraction" },
  shortfallDays: { label: "days of token shortfall", unit: "days" },
  dollarsRetained: { label: "dollar reserve retained (lowest day)", unit: "fraction" },
  topUpPriceImpact: { label: "reserve top-up's price impact (largest)", unit: "fraction" },
};

/**
 * A figure in four significant digits, or more where four would round a value that is not whole
 * to a whole number (a drawdown of 0.99997 reads 0.99997, not 1; a pass share of 99.996%, not
 * 100%): a table must not show a value at a boundary it has not reached.
 */
export const fmt = (x: number): string => {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "–" : x > 0 ? "∞" : "−∞";
  let p = 4;
  while (p < 12 && !Number.isInteger(x) && Number.isInteger(Number(x.toPrecision(p)))) p++;
  return String(Number(x.toPrecision(p)));
};

function thresholdOf(r: StressResult, m: StressMetric): string {
  const { comparison, threshold } = METRIC_THRESHOLDS[m];
  const x = threshold(r.thresholds);
  // a threshold that accepts any value (maxTopUpPriceImpact absent) reads ∞
  return `${comparison === "<=" ? "≤" : "≥"} ${Number.isFinite(x) ? x : fmt(x)}`;
}

/**
 * The thresholds a run is held to, one line (`bme stress` prints it above the verdicts):
 * `thresholds: priceDrawdown ≤ 0.5, reserveRunwayDays ≥ 90, suppliersRetained ≥ 0.5,
 * shortfallDays ≤ 0, dollarsRetained ≥ 0, topUpPriceImpact ≤ ∞`.
 */
export function thresholdsText(r: StressResult): string {
  return `thresholds: ${STRESS_METRICS.map((m) => `${m} ${thresholdOf(r, m)}`).join(", ")}`;
}

/** One line per shock: the verdict. */
export function verdictTable(r: StressResult): Table {
  return {
    caption: `Verdict: a shock passes when the runs that meet every threshold are at least ${percent(r.confidence)} of its ${counted(r.runs, "run")}`,
    head: ["shock", "verdict", "runs passing", ...STRESS_METRICS.map((m) => `${m} (median)`)],
    rows: r.shocks.map((s) => [
      s.shock,
      !s.applicable ? "n/a" : s.pass ? "PASS" : "FAIL",
      s.applicable ? `${fmt(100 * s.passShare)}%` : "–",
      ...STRESS_METRICS.map((m) => (s.applicable ? fmt(s.metrics[m].p50) : "–")),
    ]),
  };
}

function metricTable(r: StressResult, s: ShockResult): Table {
  return {
    caption: s.failedRuns
      ? `${s.shock}: metrics over the ${s.runs - s.failedRuns} of ${counted(s.runs, "run")} that completed (${s.failedRuns} stopped by an error, counted as failing; the first, run ${s.firstError?.run}: ${s.firstError?.message})`
      : `${s.shock}: metrics over ${counted(s.runs, "run")}`,
    head: ["metric", "unit", "threshold", "p5", "median", "p95"],
    rows: STRESS_METRICS.map((m) => [
      METRIC_INFO[m].label,
      METRIC_INFO[m].unit,
      thresholdOf(r, m),
      fmt(s.metrics[m].p05),
      fmt(s.metrics[m].p50),
      fmt(s.metrics[m].p95),
    ]),
  };
}

function loopCharts(r: StressResult, s: ShockResult): ChartSpec[] {
  if (!s.paths) return [];
  const paths = s.paths;
  return loopSeriesOf(r.mode).flatMap((series) => {
    const info =
      series === "jobsLost" && r.mode === "marketplace" ? MARKET_JOBS_LOST : SERIES_INFO[series];
    const b = paths[series];
    // a series the scenario does not have (no supplier economics: no margin) draws no empty chart
    if (!drawn(b)) return [];
    const option = dayLines(
      `${info.title} — ${s.shock}`,
      `${info.title} (${info.unit})`,
      [
        { name: "p95", values: b.p95, dashed: true },
        { name: "median", values: b.p50 },
        { name: "p5", values: b.p05, dashed: true },
      ],
      null,
      `shock from day ${r.shockDay}`,
    );
    return [
      {
        name: `${s.shock}-${series}`,
        title: `${info.title} — ${s.shock}`,
        caption: `${info.caption} Median and 5–95% band over the kept runs.`,
        option,
      },
    ];
  });
}

/** Whether a loop series has any value to draw (a series the scenario lacks is all NaN). */
function drawn<B extends { readonly p50: Float64Array }>(b: B | undefined): b is B {
  return b?.p50.some(Number.isFinite) === true;
}

/** Whether any shock's kept runs have a margin per supplier (the scenario has supplier economics). */
function hasMargins(r: StressResult): boolean {
  return r.shocks.some((s) => drawn(s.paths?.marginPerSupplier));
}

/** The stress report: the verdict, then one section (page) per shock showing the loop. */
export function stressReport(r: StressResult): Report {
  const sections: ReportSection[] = [
    {
      heading: "Verdict",
      intro:
        "Each shock of the standard battery runs over the same Monte Carlo (common random numbers); " +
        "its section shows the feedback loop: margin per supplier, churn, capacity, price and reserves" +
        (r.mode === "marketplace" ? ", and the queue (tasks waiting and expired)." : ".") +
        (hasMargins(r)
          ? ""
          : " This scenario has no supplier economics (feedback.suppliers): suppliers follow their " +
            "series whatever they earn, so there is no margin and no churn, and the loop does not close " +
            "(docs/model-feedback.md)."),
      tables: [verdictTable(r)],
      charts: [],
    },
    ...r.shocks.map((s) => ({
      // the shock's name, not its verdict: a link to #demandCrash survives a change of verdict
      id: s.shock,
      heading: `${s.shock}${s.applicable ? (s.pass ? " — PASS" : " — FAIL") : " — not applicable"}`,
      intro: s.description,
      tables: s.applicable ? [metricTable(r, s)] : [],
      charts: loopCharts(r, s),
    })),
  ];
  return {
    title: `Stress test: ${r.scenarioName}`,
    description: `The standard battery of shocks from day ${r.shockDay}, ${counted(r.runs, "run")} each (bme stress).`,
    facts: [
      ["scenario", r.scenarioName],
      ["mode", r.mode],
      ["days", String(r.days)],
      ["shock day", String(r.shockDay)],
      ["demand left by the crash", String(r.sizes.crashShare)],
      ["supply dumped by the sell wave", String(r.sizes.sellWaveShare)],
      ["runs per shock", String(r.runs)],
      ["seed", String(r.seed)],
    ],
    sections,
    pages: true,
  };
}
