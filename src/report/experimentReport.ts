import {
  type ExperimentSpec,
  metricNames,
  metricUnit,
  OUTCOME_METRICS,
  type PointResult,
  type SensitivityRow,
} from "../analysis/types.js";
import { resolveOnchain, resolveTokens } from "../scenario/resolve.js";
import type { Scenario } from "../scenario/schema.js";
import { counted } from "../text.js";
import type { ChartSpec } from "./charts/common.js";
import { num } from "./charts/common.js";
import {
  pairedDifferenceChart,
  pairedDifferenceRows,
  pairedDifferences,
  priceOverlayChart,
} from "./charts/compare.js";
import { type ChartEvent, scheduleEvents } from "./charts/events.js";
import { fanCharts } from "./charts/fan.js";
import { shortName, sweepHeatmap, sweepLine, sweptParameters } from "./charts/sweep.js";
import { sensitivityRowsFromPoints, sortBySwing, tornadoChart } from "./charts/tornado.js";
import type { Report, ReportSection, Table } from "./model.js";
import { onchainTable } from "./tables.js";

/** A stored experiment, as the store returns it. */
export interface StoredExperiment {
  readonly id: string;
  readonly spec: ExperimentSpec;
  readonly points: readonly PointResult[];
  readonly finished: boolean;
}

/** Outcome metrics of one point: mean, sd and quantiles over its runs. */
export function outcomeTable(p: PointResult, caption: string): Table {
  return {
    caption,
    head: ["metric", "unit", "mean", "sd", "p5", "median", "p95"],
    rows: metricNames(p).map((m) => {
      const s = p.summary[m];
      return [
        m,
        metricUnit(m),
        num(s.mean, 4),
        num(s.sd, 4),
        num(s.p5, 4),
        num(s.p50, 4),
        num(s.p95, 4),
      ];
    }),
  };
}

function paramsLabel(p: PointResult): string {
  const entries = Object.entries(p.params);
  return entries.length === 0 ? "base" : entries.map(([k, v]) => `${shortName(k)}=${v}`).join(", ");
}

/** Every point's parameters and metric means. */
function pointsTable(points: readonly PointResult[]): Table {
  const names = points[0] ? metricNames(points[0]) : [...OUTCOME_METRICS];
  return {
    caption: "Points (means over runs)",
    head: ["point", "parameters", ...names.map((m) => `${m} (${metricUnit(m)})`)],
    rows: points.map((p) => [
      String(p.index),
      paramsLabel(p),
      ...names.map((m) => num(p.summary[m].mean, 4)),
    ]),
  };
}

function montecarlo(spec: ExperimentSpec, points: readonly PointResult[]): ReportSection[] {
  const events = scheduleEvents(spec.scenario);
  return points.map((p) => ({
    heading: points.length > 1 ? `Point ${p.index}: ${paramsLabel(p)}` : "Monte Carlo",
    tables: [outcomeTable(p, `Outcomes over ${counted(p.outcomes.runs, "run")}`)],
    charts: fanCharts(p.bands, { events }).map((c) =>
      points.length > 1 ? { ...c, name: `${c.name}-${p.index}` } : c,
    ),
  }));
}

function sweep(points: readonly PointResult[]): ReportSection[] {
  const swept = sweptParameters(points);
  let charts: ChartSpec[] = [];
  let intro = `Swept: ${swept.map(shortName).join(", ") || "nothing"}.`;
  const names = points[0] ? metricNames(points[0]) : [...OUTCOME_METRICS];
  if (swept.length === 1) charts = names.map((m) => sweepLine(points, m, swept[0]));
  else if (swept.length >= 2) {
    charts = names.map((m) => sweepHeatmap(points, m, [swept[0], swept[1]]));
    if (swept.length > 2) intro += ` The heatmaps show the first two; the table has every point.`;
  }
  return [{ heading: "Sweep", intro, tables: [pointsTable(points)], charts }];
}

function armLabels(spec: ExperimentSpec): [string, string] {
  const labels = spec.options.labels;
  return Array.isArray(labels) && labels.length === 2
    ? [String(labels[0]), String(labels[1])]
    : ["A", "B"];
}

function compare(spec: ExperimentSpec, points: readonly PointResult[]): ReportSection[] {
  const [a, b] = [...points].sort((x, y) => x.index - y.index);
  if (!a || !b)
    return [{ heading: "Comparison", intro: "Fewer than two arms are stored.", charts: [] }];
  const labels = armLabels(spec);
  const diffs = pairedDifferences(a.outcomes, b.outcomes);
  const armB = spec.points.find((p) => p.index === 1)?.scenario ?? spec.scenario;
  const tag = (label: string, es: ChartEvent[]) =>
    es.map((e) => ({ ...e, label: `${label}: ${e.label}` }));
  const events = [
    ...tag(labels[0], scheduleEvents(spec.scenario)),
    ...tag(labels[1], scheduleEvents(armB)),
  ];
  return [
    {
      heading: `Comparison: ${labels[0]} against ${labels[1]}`,
      intro:
        "Both arms use the same seeds run by run (common random numbers), so each difference is the policy's.",
      tables: [
        {
          caption: "Paired differences (B − A), mean [95% interval]",
          head: [
            "metric",
            "unit",
            `${labels[0]} mean`,
            `${labels[1]} mean`,
            `${labels[1]} − ${labels[0]}`,
          ],
          rows: pairedDifferenceRows(diffs),
        },
      ],
      charts: [
        pairedDifferenceChart(diffs, labels),
        // without price bands (`--columns`) there is no overlay
        ...(a.bands.columns.includes("priceOfToken") && b.bands.columns.includes("priceOfToken")
          ? [priceOverlayChart(a.bands, b.bands, labels, { events })]
          : []),
      ],
    },
  ];
}

function isSensitivityRow(x: unknown): x is SensitivityRow {
  const r = x as Record<string, unknown>;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.variable === "string" &&
    typeof r.swing === "number"
  );
}

/**
 * The metrics of a sensitivity experiment: `options.metrics`, else `options.metric`, else
 * finalPrice; a name must be one of `available` (default OUTCOME_METRICS; the points' metrics
 * when plugin metrics are among them).
 */
export function sensitivityMetrics(
  spec: ExperimentSpec,
  available: readonly string[] = OUTCOME_METRICS,
): string[] {
  const isMetric = (m: unknown): m is string => typeof m === "string" && available.includes(m);
  const many = spec.options.metrics;
  if (Array.isArray(many) && many.length > 0 && many.every(isMetric)) return [...new Set(many)];
  return isMetric(spec.options.metric) ? [spec.options.metric] : ["finalPrice"];
}

/** Each on-chain variable's value in the scenario, keyed as the points' parameters (`onchain.<name>`). */
export function onchainBaseValues(s: Scenario): Record<string, number> {
  const base = resolveOnchain(
    s.onchain,
    s.phaseOne.fracPhaseOneTokens,
    resolveTokens(s.tokens).initialTokenReserve,
  );
  return Object.fromEntries(
    Object.entries(base)
      .filter(([, v]) => typeof v === "number")
      .map(([k, v]) => [`onchain.${k}`, v as number]),
  );
}

function sensitivity(spec: ExperimentSpec, points: readonly PointResult[]): ReportSection[] {
  const metrics = sensitivityMetrics(spec, points[0] ? metricNames(points[0]) : OUTCOME_METRICS);
  const given = spec.options.rows;
  const baseValues = onchainBaseValues(spec.scenario);
  return metrics.map((metric, i) => {
    const rows =
      i === 0 && Array.isArray(given) && given.every(isSensitivityRow)
        ? sortBySwing(given)
        : sensitivityRowsFromPoints(points, metric, baseValues);
    return sensitivitySection(metric, rows);
  });
}

function sensitivitySection(metric: string, rows: SensitivityRow[]): ReportSection {
  return {
    heading: `Sensitivity of ${metric}`,
    intro: `Each on-chain variable moved to its low and high value, the others at their value in the scenario; metric: mean ${metric} (${metricUnit(metric)}).`,
    tables: [
      {
        caption: `Sensitivity of ${metric} (${metricUnit(metric)})`,
        head: [
          "variable",
          "base value",
          "low",
          "high",
          `${metric} at low`,
          `${metric} at high`,
          "swing",
        ],
        rows: rows.map((r) => [
          r.variable,
          num(r.baseValue, 4),
          num(r.low, 4),
          num(r.high, 4),
          num(r.metricAtLow, 4),
          num(r.metricAtHigh, 4),
          num(r.swing, 4),
        ]),
      },
    ],
    charts: [tornadoChart(rows, metric, metricUnit(metric))],
  };
}

/** The report of a stored experiment: fan charts, heatmaps, paired differences or the tornado. */
export function experimentReport(e: StoredExperiment): Report {
  const { spec } = e;
  const points = [...e.points].sort((a, b) => a.index - b.index);
  const failed = points.reduce((n, p) => n + p.failedRuns.length, 0);
  const notes = [
    ...(e.finished ? [] : [`unfinished: ${points.length} of ${spec.points.length} points stored`]),
    ...(failed > 0 ? [`${counted(failed, "run")} stopped with an error and are left out`] : []),
  ];
  const sections: ReportSection[] =
    spec.kind === "montecarlo"
      ? montecarlo(spec, points)
      : spec.kind === "sweep"
        ? sweep(points)
        : spec.kind === "compare"
          ? compare(spec, points)
          : sensitivity(spec, points);
  return {
    title: `BME ${spec.kind} report: ${spec.scenarioName}`,
    description: notes.length > 0 ? notes.join(" · ") : undefined,
    facts: [
      ["experiment", e.id],
      ["kind", spec.kind],
      ["scenario", spec.scenarioName],
      ["seed", String(spec.seed)],
      ["runs per point", String(spec.runsPerPoint)],
      ["points", String(spec.points.length)],
      ["bme-sim version", spec.version],
    ],
    sections: [
      ...sections,
      {
        heading: "On-chain variables (base scenario)",
        tables: [onchainTable(spec.scenario)],
        charts: [],
      },
    ],
  };
}
