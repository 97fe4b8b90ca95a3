import type { BarSeriesOption } from "echarts";
import type { PointResult, SensitivityRow } from "../../analysis/types.js";
import { sortBySwing, swingOf } from "../../montecarlo/sensitivity.js";
import { axisName, type ChartSpec, frame, num, PALETTE, valueAxis } from "./common.js";
import { shortName } from "./sweep.js";

export { sortBySwing };

/**
 * Sensitivity rows from the points of a sensitivity experiment: the base point has no params,
 * every other point moves one parameter; its smallest value is `low`, its largest `high`.
 * `baseValues` gives each parameter's base value (default: the middle of low and high).
 */
export function sensitivityRowsFromPoints(
  points: readonly PointResult[],
  metric: string,
  baseValues: Readonly<Record<string, number>> = {},
): SensitivityRow[] {
  const base = points.find((p) => Object.keys(p.params).length === 0);
  if (!base) throw new Error("a sensitivity experiment needs a base point (no parameters changed)");
  const byParam = new Map<string, { value: number; metric: number }[]>();
  for (const p of points) {
    const keys = Object.keys(p.params);
    if (keys.length !== 1 || typeof p.params[keys[0]] !== "number") continue;
    const list = byParam.get(keys[0]) ?? [];
    list.push({ value: p.params[keys[0]] as number, metric: p.summary[metric].mean });
    byParam.set(keys[0], list);
  }
  const rows = [...byParam].map(([key, list]): SensitivityRow => {
    const lo = list.reduce((a, b) => (b.value < a.value ? b : a));
    const hi = list.reduce((a, b) => (b.value > a.value ? b : a));
    return {
      variable: shortName(key),
      baseValue: baseValues[key] ?? (lo.value + hi.value) / 2,
      low: lo.value,
      high: hi.value,
      base: base.summary[metric].mean,
      metricAtLow: lo.metric,
      metricAtHigh: hi.metric,
      swing: swingOf(base.summary[metric].mean, lo.metric, hi.metric),
    };
  });
  return sortBySwing(rows);
}

/** Tornado: change of the metric from base when each variable goes to its low and high value. */
export function tornadoChart(
  rows: readonly SensitivityRow[],
  metric: string,
  unit: string,
): ChartSpec {
  const sorted = sortBySwing(rows);
  const base = sorted[0]?.base ?? 0;
  const bar = (
    name: string,
    color: string,
    metricAt: (r: SensitivityRow) => number,
  ): BarSeriesOption => ({
    type: "bar",
    name,
    // side by side: where both values move the metric the same way, overlapping bars would
    // hide the shorter one
    barGap: "0%",
    barCategoryGap: "30%",
    itemStyle: { color, opacity: 0.85 },
    data: sorted.map((r) => metricAt(r) - base),
  });
  const title = `Sensitivity of ${metric}`;
  return {
    name: `tornado-${metric}`,
    title,
    caption: `Change of ${metric} from its base value ${num(base, 4)} ${unit} when one variable moves to its low or high value (under each name: its low → high value and its value in the scenario), largest swing (the span of base, low and high) on top.`,
    height: Math.max(320, 150 + 48 * sorted.length),
    option: {
      ...frame(title, `base: ${num(base, 4)} ${unit}`),
      grid: { left: 230, right: 40, top: 72, bottom: 78 },
      xAxis: valueAxis(axisName(`change of ${metric}`, unit), { nameGap: 28 }),
      yAxis: {
        type: "category",
        inverse: true,
        data: sorted.map((r) => r.variable),
        axisLabel: {
          fontSize: 12,
          lineHeight: 16,
          formatter: (v: string, i: number) =>
            `${v}\n${num(sorted[i].low, 4)} → ${num(sorted[i].high, 4)} (base ${num(sorted[i].baseValue, 4)})`,
        },
      },
      series: [
        bar("variable at low value", PALETTE[0], (r) => r.metricAtLow),
        bar("variable at high value", PALETTE[1], (r) => r.metricAtHigh),
      ],
    },
  };
}
