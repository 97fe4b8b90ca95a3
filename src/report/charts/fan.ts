import type { LineSeriesOption } from "echarts";
import type { Bands } from "../../analysis/types.js";
import { columnUnit } from "../../engine/columns.js";
import { counted } from "../../text.js";
import { bandColumn, medianPhaseChangeDay, spread } from "./bands.js";
import {
  axisName,
  byDay,
  type ChartSpec,
  dayAxis,
  frame,
  PALETTE,
  phaseMark,
  valueAxis,
} from "./common.js";
import type { TimeChartOptions } from "./events.js";

/** A band drawn as two stacked series: an invisible base at `lo`, then `hi − lo` filled. */
function band(
  stack: string,
  name: string,
  lo: Float64Array,
  hi: Float64Array,
  color: string,
  opacity: number,
): LineSeriesOption[] {
  const common = { type: "line" as const, stack, stackStrategy: "all" as const, showSymbol: false };
  return [
    { ...common, name: `${name} base`, data: byDay(lo), lineStyle: { opacity: 0 } },
    {
      ...common,
      name,
      data: byDay(spread(lo, hi)),
      lineStyle: { opacity: 0 },
      itemStyle: { color, opacity: Math.min(1, opacity * 1.6) },
      areaStyle: { color, opacity },
    },
  ];
}

/** Fan chart of one column: p5–p95 and p25–p75 bands and the median, per day. */
export function fanChart(
  bands: Bands,
  column: string,
  title: string,
  color = PALETTE[0],
  o: TimeChartOptions = {},
): ChartSpec {
  const s = (stat: "p5" | "p25" | "p50" | "p75" | "p95") => bandColumn(bands, column, stat);
  const median: LineSeriesOption = {
    type: "line",
    name: "median",
    data: byDay(s("p50")),
    showSymbol: false,
    lineStyle: { width: 2, color },
    itemStyle: { color },
    markLine: phaseMark(medianPhaseChangeDay(bands), o.events),
  };
  return {
    name: `fan-${column}`,
    title,
    caption: `${title} over ${counted(bands.runs, "run")}: the median, the middle half (p25–p75) and 90% of runs (p5–p95) each day. A wide fan means noise dominates.`,
    option: {
      ...frame(title, counted(bands.runs, "run")),
      legend: {
        bottom: 6,
        itemGap: 18,
        data: [
          { name: "p5–p95", icon: "rect" },
          { name: "p25–p75", icon: "rect" },
          { name: "median" },
        ],
      },
      xAxis: dayAxis(bands.days),
      yAxis: valueAxis(axisName(title.toLowerCase(), columnUnit(column))),
      series: [
        ...band("outer", "p5–p95", s("p5"), s("p95"), color, 0.18),
        ...band("inner", "p25–p75", s("p25"), s("p75"), color, 0.35),
        median,
      ],
    },
  };
}

/**
 * Fan charts of the token price, the supply and the two reserves; `o.events` marked on each.
 * A column without bands (`--columns`) has no chart.
 */
export function fanCharts(bands: Bands, o: TimeChartOptions = {}): ChartSpec[] {
  return (
    [
      ["priceOfToken", "Token price", PALETTE[0]],
      ["supply", "Circulating supply", PALETTE[1]],
      ["tokenReserve", "Token reserve", PALETTE[2]],
      ["dollarReserve", "Dollar reserve", PALETTE[4]],
    ] as const
  )
    .filter(([column]) => bands.columns.includes(column))
    .map(([column, title, color]) => fanChart(bands, column, title, color, o));
}
