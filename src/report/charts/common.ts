import type { EChartsOption, LineSeriesOption } from "echarts";
import { type ChartEvent, dayMarks } from "./events.js";

/** One chart of a report: a file name, a title, a one-line caption, and the ECharts option. */
export interface ChartSpec {
  /** File name without extension: `charts/<name>.svg`, `charts/<name>.png`. */
  readonly name: string;
  readonly title: string;
  /** What to look for, one line. */
  readonly caption: string;
  readonly option: EChartsOption;
  readonly height?: number;
}

/** Matplotlib's tab10: the whitepaper's plots show TPU training in orange (second colour). */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

export const FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif";

/** Axis-label numbers: 2,000,000 → 2M, 35,000 → 35k, 0.0125 → 0.0125. */
export function compact(x: number): string {
  const a = Math.abs(x);
  const trim = (v: number) => String(Number(v.toPrecision(3)));
  if (a >= 1e9) return `${trim(x / 1e9)}B`;
  if (a >= 1e6) return `${trim(x / 1e6)}M`;
  if (a >= 1e4) return `${trim(x / 1e3)}k`;
  if (a === 0) return "0";
  return trim(x);
}

/** Numbers for titles and tables: 1234567.8 → "1,234,568"; below 1, four significant digits. */
export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 1) return String(Number(x.toPrecision(4)));
  return x.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** `name (unit)`: every axis says what it measures and in which unit. */
export function axisName(name: string, unit: string): string {
  return unit ? `${name} (${unit})` : name;
}

/** Title, legend, grid, font and colours shared by every chart. */
export function frame(title: string, subtitle?: string): EChartsOption {
  return {
    backgroundColor: "#ffffff",
    color: PALETTE,
    textStyle: { fontFamily: FONT_FAMILY },
    title: {
      text: title,
      subtext: subtitle,
      left: "center",
      top: 6,
      textStyle: { fontSize: 16 },
      subtextStyle: { fontSize: 12, color: "#555" },
    },
    legend: { bottom: 6, itemGap: 18 },
    grid: { left: 88, right: 36, top: subtitle ? 72 : 52, bottom: 78 },
  };
}

export function valueAxis(name: string, extra: Record<string, unknown> = {}) {
  return {
    type: "value" as const,
    name,
    nameLocation: "middle" as const,
    nameGap: 56,
    nameTextStyle: { fontSize: 13, color: "#333" },
    scale: false,
    axisLabel: { formatter: (v: number) => compact(v) },
    ...extra,
  };
}

export function dayAxis(days: number) {
  return {
    type: "value" as const,
    name: "day",
    nameLocation: "middle" as const,
    nameGap: 28,
    nameTextStyle: { fontSize: 13, color: "#333" },
    min: 0,
    max: Math.max(1, days - 1),
    axisLabel: { formatter: (v: number) => compact(v) },
  };
}

/** `[[day, value], …]` for a value x-axis. */
export function byDay(values: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < values.length; t++) out.push([t, values[t]]);
  return out;
}

/** A dashed vertical line at the first phase-2 day (E4), and one per event (votes, rules). */
export function phaseMark(
  phaseChangeDay: number | null,
  events: readonly ChartEvent[] = [],
): LineSeriesOption["markLine"] {
  return dayMarks(phaseChangeDay, events);
}

export interface DaySeries {
  readonly name: string;
  readonly values: ArrayLike<number>;
  readonly dashed?: boolean;
}

/** A legend label with its unit: `token price (usd/token)`. */
export function withUnit(label: string, unit: string): string {
  return unit ? `${label} (${unit})` : label;
}

/** A line chart over days; the phase change is marked on the first series. */
export function dayLines(
  title: string,
  yName: string,
  series: readonly DaySeries[],
  phaseChangeDay: number | null,
  subtitle?: string,
  events: readonly ChartEvent[] = [],
): EChartsOption {
  const days = series.reduce((n, s) => Math.max(n, s.values.length), 0);
  return {
    ...frame(title, subtitle),
    xAxis: dayAxis(days),
    yAxis: valueAxis(yName),
    series: series.map(
      (s, i): LineSeriesOption => ({
        type: "line",
        name: s.name,
        data: byDay(s.values),
        showSymbol: false,
        lineStyle: { width: 2, type: s.dashed ? "dashed" : "solid" },
        markLine: i === 0 ? phaseMark(phaseChangeDay, events) : undefined,
      }),
    ),
  };
}
