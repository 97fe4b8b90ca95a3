import type { EChartsOption, LineSeriesOption } from "echarts";
import { type Bands, metricUnit, type OutcomeMetric, type Outcomes } from "../../analysis/types.js";
import { pairedDifferences as pairedDifferencesOf } from "../../montecarlo/compare.js";
import { counted } from "../../text.js";
import { bandColumn, spread } from "./bands.js";
import {
  axisName,
  byDay,
  type ChartSpec,
  dayAxis,
  frame,
  num,
  PALETTE,
  valueAxis,
} from "./common.js";
import { errorBars } from "./errorBars.js";
import { dayMarks, type TimeChartOptions } from "./events.js";

/** Mean of the paired differences B − A of one metric, with a 95% confidence interval. */
export interface PairedDifference {
  readonly metric: OutcomeMetric | (string & {});
  readonly unit: string;
  readonly meanA: number;
  readonly meanB: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly runs: number;
}

/**
 * Paired differences run by run (run i of both arms shares its seed, so the difference is the
 * policy's), as `bme compare` prints and writes them (src/montecarlo/compare.ts): mean ± Student's
 * t(0.975, n − 1) · sd / √n over the runs where both arms have a value.
 */
export function pairedDifferences(a: Outcomes, b: Outcomes): PairedDifference[] {
  return pairedDifferencesOf({ outcomes: a }, { outcomes: b }).map((d) => ({
    metric: d.metric,
    unit: metricUnit(d.metric),
    meanA: d.meanA,
    meanB: d.meanB,
    mean: d.mean,
    lo: d.low,
    hi: d.high,
    runs: d.n,
  }));
}

/**
 * Paired differences relative to arm A's mean, in percent, with their 95% intervals (metrics
 * have different units; a metric whose A mean is 0 is left out and listed in the table).
 */
export function pairedDifferenceChart(
  diffs: readonly PairedDifference[],
  labels = ["A", "B"],
): ChartSpec {
  const shown = diffs.filter((d) => d.meanA !== 0 && Number.isFinite(d.meanA));
  const pct = (x: number, d: PairedDifference) => (100 * x) / Math.abs(d.meanA);
  const title = `${labels[1]} against ${labels[0]}: paired differences`;
  const option: EChartsOption = {
    ...frame(title, `mean of run-by-run differences, 95% interval; ${shown[0]?.runs ?? 0} pairs`),
    grid: { left: 150, right: 40, top: 72, bottom: 78 },
    xAxis: valueAxis(axisName(`difference from ${labels[0]}`, `% of ${labels[0]}'s mean`), {
      nameGap: 28,
    }),
    yAxis: { type: "category", inverse: true, data: shown.map((d) => d.metric) },
    legend: { bottom: 6, itemGap: 18, data: ["mean difference", "95% interval"] },
    series: [
      {
        type: "scatter",
        name: "mean difference",
        symbolSize: 9,
        itemStyle: { color: PALETTE[0] },
        data: shown.map((d) => [pct(d.mean, d), d.metric]),
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { color: "#666", type: "dashed" },
          label: { show: false },
          data: [{ xAxis: 0 }],
        },
      },
      errorBars(
        "95% interval",
        shown.map((d) => [pct(d.lo, d), pct(d.hi, d), d.metric] as const),
        PALETTE[3],
        true,
      ),
    ],
  };
  return {
    name: "paired-differences",
    title,
    caption: `How much each outcome moves from ${labels[0]} to ${labels[1]}, as a share of ${labels[0]}'s mean: an interval that excludes 0 is a real difference.`,
    option,
    height: Math.max(320, 150 + 40 * shown.length),
  };
}

function medianWithBand(
  bands: Bands,
  name: string,
  color: string,
  stack: string,
): LineSeriesOption[] {
  const lo = bandColumn(bands, "priceOfToken", "p5");
  const hi = bandColumn(bands, "priceOfToken", "p95");
  const common = { type: "line" as const, showSymbol: false, stack, stackStrategy: "all" as const };
  return [
    { ...common, name: `${name} p5`, data: byDay(lo), lineStyle: { opacity: 0 } },
    {
      ...common,
      name: `${name} p5–p95`,
      data: byDay(spread(lo, hi)),
      lineStyle: { opacity: 0 },
      itemStyle: { color, opacity: 0.3 },
      areaStyle: { color, opacity: 0.15 },
    },
    {
      type: "line",
      name: `${name} median`,
      data: byDay(bandColumn(bands, "priceOfToken", "p50")),
      showSymbol: false,
      lineStyle: { width: 2, color },
      itemStyle: { color },
    },
  ];
}

/** The two arms' token price: medians over runs, each with its p5–p95 band. */
export function priceOverlayChart(
  a: Bands,
  b: Bands,
  labels = ["A", "B"],
  o: TimeChartOptions = {},
): ChartSpec {
  const [first, ...rest] = [
    ...medianWithBand(a, labels[0], PALETTE[0], "a"),
    ...medianWithBand(b, labels[1], PALETTE[1], "b"),
  ];
  const marked = { ...first, markLine: dayMarks(null, o.events) };
  return {
    name: "compare-price",
    title: "Token price, both arms",
    caption: `Median token price of ${labels[0]} and ${labels[1]} with their p5–p95 bands: where the bands separate, the policies differ beyond the noise.`,
    option: {
      ...frame("Token price, both arms", `median and p5–p95 over ${counted(a.runs, "run")} each`),
      legend: {
        bottom: 6,
        itemGap: 18,
        data: [
          `${labels[0]} median`,
          `${labels[1]} median`,
          { name: `${labels[0]} p5–p95`, icon: "rect" },
          { name: `${labels[1]} p5–p95`, icon: "rect" },
        ],
      },
      xAxis: dayAxis(Math.max(a.days, b.days)),
      yAxis: valueAxis(axisName("token price", "usd/token")),
      series: [marked, ...rest],
    },
  };
}

/** The paired differences as a table row each: metric, unit, A, B, B − A [95% interval]. */
export function pairedDifferenceRows(diffs: readonly PairedDifference[]): string[][] {
  return diffs.map((d) => [
    d.metric,
    d.unit,
    num(d.meanA, 4),
    num(d.meanB, 4),
    `${num(d.mean, 4)} [${num(d.lo, 4)}, ${num(d.hi, 4)}]`,
  ]);
}
