/** A stored sweep as a heatmap (or a line, one parameter swept) and a sensitivity as a tornado. */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { OUTCOME_METRICS, OUTCOME_UNITS, type OutcomeMetric } from "../../../src/analysis/types.js";
import { ONCHAIN_NAMES } from "../../../src/scenario/onchain.js";
import { compact } from "../charts.js";
import { type EChartsType, initChart } from "../echarts.js";
import { prepare, runOnce } from "../model.js";

export interface StoredPoint {
  index: number;
  params: Record<string, unknown>;
  summary: Record<string, { mean: number }>;
}

export interface ExperimentView {
  kind: string;
  scenario: unknown;
  points: readonly StoredPoint[];
}

/** What the chart shows, as data (for the e2e probe): heatmap cells or tornado rows. */
export type ExperimentChartData =
  | {
      kind: "heatmap";
      x: string;
      y: string;
      cells: [number, number, number][];
      xs: unknown[];
      ys: unknown[];
    }
  | { kind: "line"; x: string; points: [unknown, number][] }
  | {
      kind: "tornado";
      base: number;
      rows: {
        variable: string;
        baseValue: number;
        low: number;
        high: number;
        atLow: number;
        atHigh: number;
      }[];
    };

const short = (path: string) => path.replace(/^onchain\./, "");
const sorted = (vs: unknown[]) =>
  [...new Set(vs.map(String))]
    .map((s) => (Number.isFinite(Number(s)) ? Number(s) : s))
    .sort((a, b) =>
      typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b)),
    );

/** The chart data of a sweep or sensitivity experiment for one metric, or null for other kinds. */
export function experimentChartData(
  e: ExperimentView,
  metric: OutcomeMetric,
  baseValues: Readonly<Record<string, number>>,
): ExperimentChartData | null {
  const mean = (p: StoredPoint) => p.summary[metric]?.mean ?? Number.NaN;
  if (e.kind === "sweep") {
    const swept = [...new Set(e.points.flatMap((p) => Object.keys(p.params)))];
    if (swept.length === 1)
      return {
        kind: "line",
        x: swept[0],
        points: e.points.map((p) => [p.params[swept[0]], mean(p)]),
      };
    if (swept.length < 2) return null;
    const [x, y] = swept;
    const xs = sorted(e.points.map((p) => p.params[x]));
    const ys = sorted(e.points.map((p) => p.params[y]));
    const cells = e.points.map((p): [number, number, number] => [
      xs.findIndex((v) => String(v) === String(p.params[x])),
      ys.findIndex((v) => String(v) === String(p.params[y])),
      mean(p),
    ]);
    return { kind: "heatmap", x, y, xs, ys, cells };
  }
  if (e.kind === "sensitivity") {
    const base = e.points.find((p) => Object.keys(p.params).length === 0);
    if (!base) return null;
    const by = new Map<string, { value: number; metric: number }[]>();
    for (const p of e.points) {
      const keys = Object.keys(p.params);
      if (keys.length !== 1) continue;
      by.set(keys[0], [
        ...(by.get(keys[0]) ?? []),
        { value: Number(p.params[keys[0]]), metric: mean(p) },
      ]);
    }
    const rows = [...by].map(([key, list]) => {
      const lo = list.reduce((a, b) => (b.value < a.value ? b : a));
      const hi = list.reduce((a, b) => (b.value > a.value ? b : a));
      return {
        variable: short(key),
        baseValue: baseValues[key] ?? Number.NaN,
        low: lo.value,
        high: hi.value,
        atLow: lo.metric,
        atHigh: hi.metric,
      };
    });
    rows.sort(
      (a, b) =>
        Math.abs(b.atHigh - b.atLow) - Math.abs(a.atHigh - a.atLow) ||
        a.variable.localeCompare(b.variable),
    );
    return { kind: "tornado", base: mean(base), rows };
  }
  return null;
}

function option(d: ExperimentChartData, metric: OutcomeMetric): Record<string, unknown> {
  const unit = OUTCOME_UNITS[metric];
  const title = {
    text: `${metric} (${unit}), mean over runs`,
    left: 8,
    top: 4,
    textStyle: { fontSize: 13 },
  };
  if (d.kind === "line")
    return {
      animation: false,
      title,
      grid: { left: 70, right: 20, top: 40, bottom: 50 },
      xAxis: {
        type: "category",
        name: short(d.x),
        nameLocation: "middle",
        nameGap: 28,
        data: d.points.map((p) => String(p[0])),
      },
      yAxis: { type: "value", axisLabel: { formatter: (v: number) => compact(v) } },
      series: [{ type: "line", name: metric, data: d.points.map((p) => p[1]) }],
    };
  if (d.kind === "heatmap") {
    const vals = d.cells.map((c) => c[2]).filter(Number.isFinite);
    return {
      animation: false,
      title,
      grid: { left: 90, right: 90, top: 40, bottom: 50 },
      tooltip: { formatter: (p: { value: [number, number, number] }) => compact(p.value[2]) },
      xAxis: {
        type: "category",
        name: short(d.x),
        nameLocation: "middle",
        nameGap: 28,
        data: d.xs.map(String),
      },
      yAxis: {
        type: "category",
        name: short(d.y),
        nameLocation: "middle",
        nameGap: 60,
        data: d.ys.map(String),
      },
      visualMap: {
        min: Math.min(...vals),
        max: Math.max(...vals),
        calculable: true,
        orient: "vertical",
        right: 8,
        top: "middle",
        formatter: (v: number) => compact(v),
      },
      series: [
        {
          type: "heatmap",
          name: metric,
          data: d.cells,
          label: {
            show: true,
            formatter: (p: { value: [number, number, number] }) => compact(p.value[2]),
          },
        },
      ],
    };
  }
  const names = d.rows.map(
    (r) =>
      `${r.variable}\n${compact(r.low)} → ${compact(r.high)} (base ${Number.isFinite(r.baseValue) ? compact(r.baseValue) : "?"})`,
  );
  return {
    animation: false,
    title: { ...title, text: `${metric} (${unit}): change from base ${compact(d.base)}` },
    grid: { left: 200, right: 20, top: 40, bottom: 40 },
    legend: { bottom: 4, data: ["variable at low value", "variable at high value"] },
    xAxis: { type: "value", axisLabel: { formatter: (v: number) => compact(v) } },
    yAxis: { type: "category", inverse: true, data: names, axisLabel: { fontSize: 10 } },
    series: [
      {
        type: "bar",
        name: "variable at low value",
        barGap: "-100%",
        data: d.rows.map((r) => r.atLow - d.base),
      },
      { type: "bar", name: "variable at high value", data: d.rows.map((r) => r.atHigh - d.base) },
    ],
  };
}

declare global {
  interface Window {
    __bmeExperimentChart?: ExperimentChartData | null;
  }
}

/** The chart of a stored sweep or sensitivity, with a metric picker; nothing for other kinds. */
export function ExperimentCharts({ experiment }: { experiment: ExperimentView }) {
  const [metric, setMetric] = useState<OutcomeMetric>("finalPrice");
  const el = useRef<HTMLDivElement | null>(null);
  const chart = useRef<EChartsType | null>(null);
  const baseValues = useMemo(() => {
    if (experiment.kind !== "sensitivity") return {};
    const p = prepare(experiment.scenario, {}, false);
    if (!p.ok) return {};
    const v = runOnce(p.scenario, 0).compiled.onchain0;
    return Object.fromEntries(ONCHAIN_NAMES.map((n, i) => [`onchain.${n}`, v[i]]));
  }, [experiment]);
  const data = useMemo(
    () => experimentChartData(experiment, metric, baseValues),
    [experiment, metric, baseValues],
  );
  useEffect(() => {
    window.__bmeExperimentChart = data;
    if (!data || !el.current) return;
    if (!chart.current || chart.current.isDisposed()) chart.current = initChart(el.current);
    chart.current.setOption(option(data, metric), { notMerge: true });
  }, [data, metric]);
  useEffect(() => () => chart.current?.dispose(), []);
  if (!data) return null;
  const height = data.kind === "tornado" ? Math.max(260, 60 + 36 * data.rows.length) : 300;
  return (
    <div class="experiment-chart">
      <label>
        metric{" "}
        <select
          data-testid="experiment-metric"
          value={metric}
          onChange={(e) => setMetric((e.target as HTMLSelectElement).value as OutcomeMetric)}
        >
          {OUTCOME_METRICS.map((m) => (
            <option key={m} value={m}>
              {m} ({OUTCOME_UNITS[m]})
            </option>
          ))}
        </select>
      </label>
      <div
        ref={el}
        data-testid={`experiment-${data.kind}`}
        style={{ height: `${height}px`, width: "100%" }}
      />
    </div>
  );
}
