/** The report's charts as data, and the ECharts option of each (lines, fans, A/B overlay). */
import type { Band } from "./mc.worker.js";
import type { SeriesSet } from "./model.js";

export interface Line {
  readonly key: string;
  readonly label: string;
}
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly lines: readonly Line[];
}

export function chartSpecs(consumers: readonly string[]): ChartSpec[] {
  return [
    {
      id: "price",
      title: "Token price",
      unit: "usd/token",
      lines: [{ key: "priceOfToken", label: "token price" }],
    },
    {
      id: "supply",
      title: "Circulating supply",
      unit: "tokens",
      lines: [{ key: "supply", label: "circulating supply" }],
    },
    {
      id: "tokenReserve",
      title: "Token reserve",
      unit: "tokens",
      lines: [{ key: "tokenReserve", label: "token reserve" }],
    },
    {
      id: "dollarReserve",
      title: "Dollar reserve",
      unit: "usd",
      lines: [{ key: "dollarReserve", label: "dollar reserve" }],
    },
    {
      id: "demand",
      title: "Demand per consumer type",
      unit: "jobs/day",
      lines: consumers.map((c) => ({ key: `jobCreated.${c}`, label: c })),
    },
    {
      id: "burnMint",
      title: "Tokens bought back into / paid out of the reserve",
      unit: "tokens/day",
      lines: [
        { key: "burned", label: "bought back into the reserve" },
        { key: "minted", label: "paid out of the reserve" },
      ],
    },
    {
      id: "emissions",
      title: "Emissions",
      unit: "tokens/day",
      lines: [
        { key: "phaseOneEmission", label: "phase-1 emission" },
        { key: "phaseTwoEmission", label: "phase-2 emission" },
      ],
    },
  ];
}

/** The scenario's governance votes: `{ day, label: "vote: buybackModulation = 1" }`. */
export function scheduleVotes(s: {
  days: number;
  schedule?: readonly { day: number; set: Record<string, unknown> }[];
}): { day: number; label: string }[] {
  return (s.schedule ?? [])
    .filter((e) => e.day < s.days)
    .map((e) => ({
      day: e.day,
      label: `vote: ${Object.entries(e.set)
        .map(([k, v]) => `${k} = ${v}`)
        .join(", ")}`,
    }));
}

const PALETTE = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#0891b2", "#db2777"];

/** 1234567 → "1.23M", 0.018162 → "0.0182". */
export function compact(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return "0";
  return String(+v.toPrecision(3));
}

export interface ChartData {
  readonly days: number;
  readonly current: SeriesSet | null;
  readonly bands: Record<string, Band> | null;
  /** The pinned arm A, drawn dashed. */
  readonly pinned: SeriesSet | null;
  readonly phaseChangeDay: number;
  /** Governance votes (the scenario's schedule) and other events, drawn as labelled lines. */
  readonly events?: readonly { readonly day: number; readonly label: string }[];
}

const arr = (a: Float64Array | undefined) => (a ? Array.from(a) : []);

/**
 * One chart's data as a plain CSV (header on line 1): `day`, then each line of the chart with
 * its unit — the current run, the pinned arm A, and with a Monte Carlo its p5 … p95 bands.
 */
export function chartCsv(spec: ChartSpec, d: ChartData): string {
  const cols: { name: string; values: ArrayLike<number> }[] = [];
  const u = (name: string) => `${name} (${spec.unit})`;
  for (const line of spec.lines) {
    const cur = d.current?.[line.key];
    if (cur) cols.push({ name: u(d.pinned ? `${line.label} (B)` : line.label), values: cur });
    const pin = d.pinned?.[line.key];
    if (pin) cols.push({ name: u(`${line.label} (A)`), values: pin });
    const band = d.bands?.[line.key];
    if (band)
      for (const s of ["p5", "p25", "p50", "p75", "p95"] as const)
        cols.push({ name: u(`${line.label} ${s}`), values: band[s] });
  }
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [["day", ...cols.map((c) => q(c.name))].join(",")];
  for (let t = 0; t < d.days; t++)
    lines.push(
      [
        String(t),
        ...cols.map((c) => (Number.isFinite(c.values[t]) ? String(c.values[t]) : "")),
      ].join(","),
    );
  return `${lines.join("\n")}\n`;
}

/** The ECharts option of one chart. Band series are named with a leading "·" and left out of legend and tooltip. */
export function chartOption(spec: ChartSpec, d: ChartData): Record<string, unknown> {
  const series: Record<string, unknown>[] = [];
  const legend: string[] = [];
  const suffixB = d.pinned ? " (B)" : "";
  spec.lines.forEach((line, i) => {
    const color = PALETTE[i % PALETTE.length];
    const band = d.bands?.[line.key];
    if (band) {
      const diff = (hi: Float64Array, lo: Float64Array) => Array.from(hi, (v, t) => v - lo[t]);
      const area = (name: string, stack: string, data: number[], opacity: number) =>
        series.push({
          name,
          type: "line",
          stack,
          data,
          showSymbol: false,
          silent: true,
          lineStyle: { opacity: 0 },
          areaStyle: opacity > 0 ? { color, opacity } : undefined,
          z: 1,
        });
      area(`·${line.key}.p5`, `${line.key}.outer`, arr(band.p5), 0);
      area(`·${line.key}.p5-95`, `${line.key}.outer`, diff(band.p95, band.p5), 0.14);
      area(`·${line.key}.p25`, `${line.key}.inner`, arr(band.p25), 0);
      area(`·${line.key}.p25-75`, `${line.key}.inner`, diff(band.p75, band.p25), 0.28);
      const name = `${line.label} median${suffixB}`;
      legend.push(name);
      series.push({
        name,
        type: "line",
        data: arr(band.p50),
        showSymbol: false,
        lineStyle: { color, width: 2 },
        itemStyle: { color },
        z: 3,
      });
    } else if (d.current) {
      const name = `${line.label}${suffixB}`;
      legend.push(name);
      series.push({
        name,
        type: "line",
        data: arr(d.current[line.key]),
        showSymbol: false,
        lineStyle: { color, width: 2 },
        itemStyle: { color },
        z: 3,
      });
    }
    if (d.pinned) {
      const name = `${line.label} (A)`;
      legend.push(name);
      series.push({
        name,
        type: "line",
        data: arr(d.pinned[line.key]),
        showSymbol: false,
        lineStyle: { color, width: 2, type: "dashed", opacity: 0.75 },
        itemStyle: { color },
        z: 2,
      });
    }
  });
  const marks: Record<string, unknown>[] = [];
  if (d.phaseChangeDay >= 0)
    marks.push({
      xAxis: d.phaseChangeDay,
      lineStyle: { color: "#64748b", type: "dotted" },
      label: { formatter: "phase 2", position: "insideEndTop", color: "#475569", fontSize: 10 },
    });
  for (const e of d.events ?? [])
    if (e.day < d.days)
      marks.push({
        xAxis: e.day,
        lineStyle: { color: "#7c3aed", type: "dashed" },
        label: { formatter: e.label, position: "insideEndBottom", color: "#6d28d9", fontSize: 10 },
      });
  if (marks.length > 0 && series.length > 0)
    series[series.length - 1].markLine = { silent: true, symbol: "none", data: marks };
  return {
    animation: false,
    title: {
      text: spec.title,
      subtext: spec.unit,
      left: 8,
      top: 4,
      itemGap: 2,
      textStyle: { fontSize: 14, fontWeight: 600, color: "#0f172a" },
      subtextStyle: { fontSize: 11, color: "#64748b" },
    },
    legend: {
      data: legend,
      bottom: 2,
      left: "center",
      type: "scroll",
      formatter: (name: string) => `${name} (${spec.unit})`,
      textStyle: { fontSize: 11 },
      itemWidth: 18,
    },
    grid: { left: 64, right: 18, top: 48, bottom: 56 },
    tooltip: {
      trigger: "axis",
      valueFormatter: (v: number) => compact(v),
      formatter: (
        items: { seriesName: string; marker: string; value: number; axisValue: string }[],
      ) => {
        const shown = items.filter((p) => !p.seriesName.startsWith("·"));
        if (shown.length === 0) return "";
        return [
          `day ${shown[0].axisValue}`,
          ...shown.map(
            (p) => `${p.marker}${p.seriesName}: <b>${compact(p.value)}</b> ${spec.unit}`,
          ),
        ].join("<br/>");
      },
    },
    xAxis: {
      type: "category",
      data: Array.from({ length: d.days }, (_, t) => t),
      name: "day",
      nameLocation: "middle",
      nameGap: 20,
      nameTextStyle: { color: "#64748b", fontSize: 11 },
      axisLabel: { color: "#475569", fontSize: 10 },
      boundaryGap: false,
    },
    yAxis: {
      type: "value",
      scale: spec.id === "price",
      axisLabel: { formatter: (v: number) => compact(v), color: "#475569", fontSize: 10 },
      splitLine: { lineStyle: { color: "#e2e8f0" } },
    },
    series,
  };
}
