import type { EChartsOption } from "echarts";
import { metricUnit, type PointResult } from "../../analysis/types.js";
import { axisName, type ChartSpec, compact, frame, num, PALETTE, valueAxis } from "./common.js";
import { errorBars } from "./errorBars.js";

type ParamValue = number | string | boolean;

/** Parameters whose value differs between points, in order of first appearance. */
export function sweptParameters(points: readonly PointResult[]): string[] {
  const keys: string[] = [];
  for (const p of points)
    for (const k of Object.keys(p.params)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => new Set(points.map((p) => String(p.params[k]))).size > 1);
}

/** Distinct values of a parameter, numbers ascending, others in order of appearance. */
export function parameterValues(points: readonly PointResult[], key: string): ParamValue[] {
  const values: ParamValue[] = [];
  for (const p of points) {
    const v = p.params[key];
    if (v !== undefined && !values.some((w) => String(w) === String(v))) values.push(v);
  }
  return values.every((v) => typeof v === "number")
    ? (values as number[]).sort((a, b) => a - b)
    : values;
}

function label(v: ParamValue): string {
  return typeof v === "number" ? num(v, 6) : String(v);
}

/** Short name of a parameter path: `onchain.buybackModulation` → `buybackModulation`. */
export function shortName(path: string): string {
  return path.split(".").pop() ?? path;
}

/** Heatmap of a metric's mean over two swept parameters (one cell per point). */
export function sweepHeatmap(
  points: readonly PointResult[],
  metric: string,
  [px, py]: readonly [string, string],
): ChartSpec {
  const xs = parameterValues(points, px);
  const ys = parameterValues(points, py);
  const cells = points.map((p) => [
    xs.findIndex((v) => String(v) === String(p.params[px])),
    ys.findIndex((v) => String(v) === String(p.params[py])),
    p.summary[metric].mean,
  ]);
  const values = cells.map((c) => c[2]).filter(Number.isFinite);
  const title = `${metric}: mean over runs`;
  const option: EChartsOption = {
    ...frame(title, `colour: mean ${axisName(metric, metricUnit(metric))}`),
    legend: { show: false },
    grid: { left: 110, right: 110, top: 72, bottom: 60 },
    xAxis: {
      type: "category",
      name: shortName(px),
      nameLocation: "middle",
      nameGap: 30,
      nameTextStyle: { fontSize: 13, color: "#333" },
      data: xs.map(label),
    },
    yAxis: {
      type: "category",
      name: shortName(py),
      nameLocation: "middle",
      nameGap: 70,
      nameTextStyle: { fontSize: 13, color: "#333" },
      data: ys.map(label),
    },
    visualMap: {
      type: "continuous",
      min: Math.min(...values),
      max: Math.max(...values),
      calculable: false,
      orient: "vertical",
      right: 10,
      top: "middle",
      text: [compact(Math.max(...values)), compact(Math.min(...values))],
      formatter: (v: unknown) => compact(Number(v)),
      inRange: { color: ["#f7fbff", "#6baed6", "#08306b"] },
    },
    series: [
      {
        type: "heatmap",
        name: metric,
        data: cells,
        label: {
          show: cells.length <= 64,
          formatter: (p) => compact((p.value as number[])[2]),
          fontSize: 11,
        },
      },
    ],
  };
  return {
    name: `heatmap-${metric}`,
    title,
    caption: `Mean ${metric} (${metricUnit(metric)}) at each combination of ${shortName(px)} and ${shortName(py)}: look for the region where it changes fastest.`,
    option,
    height: Math.max(360, 120 + 34 * ys.length),
  };
}

/** One swept parameter: the metric's mean as a line, with p5–p95 error bars. */
export function sweepLine(
  points: readonly PointResult[],
  metric: string,
  param: string,
): ChartSpec {
  const xs = parameterValues(points, param);
  const at = (v: ParamValue) =>
    points.find((p) => String(p.params[param]) === String(v))!.summary[metric];
  const title = `${metric} against ${shortName(param)}`;
  const numeric = xs.every((v) => typeof v === "number");
  const option: EChartsOption = {
    ...frame(title, "mean, with p5–p95 of runs"),
    xAxis: numeric
      ? valueAxis(shortName(param), { nameGap: 28, scale: true })
      : {
          type: "category",
          name: shortName(param),
          nameLocation: "middle",
          nameGap: 28,
          data: xs.map(label),
        },
    yAxis: valueAxis(axisName(metric, metricUnit(metric))),
    legend: { bottom: 6, itemGap: 18, data: ["mean", "p5–p95"] },
    series: [
      {
        type: "line",
        name: "mean",
        data: xs.map((v, i) => [numeric ? (v as number) : i, at(v).mean]),
        symbolSize: 6,
        lineStyle: { width: 2 },
        itemStyle: { color: PALETTE[0] },
      },
      errorBars(
        "p5–p95",
        xs.map((v, i) => [numeric ? (v as number) : i, at(v).p5, at(v).p95] as const),
        PALETTE[3],
      ),
    ],
  };
  return {
    name: `sweep-${metric}`,
    title,
    caption: `Mean ${metric} (${metricUnit(metric)}) at each value of ${shortName(param)}, bars from p5 to p95 of runs: a slope larger than the bars is a real effect.`,
    option,
  };
}
