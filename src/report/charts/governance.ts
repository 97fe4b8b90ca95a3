import type { EChartsOption, LineSeriesOption } from "echarts";
import { column, type RunResult } from "../../engine/result.js";
import type { GovernanceChange } from "../../rules/step.js";
import { axisName, byDay, type ChartSpec, dayLines, valueAxis } from "./common.js";
import { phaseChangeDay } from "./run.js";

/** The colour of the governance marks and of their legend entry. */
const MARK_COLOR = "#d62728";

/** A controller's variable day by day (the value in force), from its changes; before the first, its old value. */
function controllerPath(changes: readonly GovernanceChange[], days: number): Float64Array {
  const out = new Float64Array(days);
  let v = changes[0].old;
  let i = 0;
  for (let t = 0; t < days; t++) {
    while (i < changes.length && changes[i].day <= t) v = changes[i++].value;
    out[t] = v;
  }
  return out;
}

/**
 * The token price with every governance change of the run (rules E38, controllers E39, and
 * schedule votes) as a vertical line labelled `rule: variable old → new`. Controllers that
 * change a value daily are drawn once, at their first change, to keep the chart readable.
 */
export function governanceChart(r: RunResult): ChartSpec | null {
  const log = r.governance;
  // votes alone are already drawn on every time chart (scheduleEvents): this chart is for rules
  if (!log || log.every((c) => c.rule === "schedule")) return null;
  const seen = new Set<string>();
  const marks = log.filter((c) => {
    if (c.day >= r.days) return false;
    const isController = log.filter((d) => d.rule === c.rule).length > 10;
    const key = isController ? c.rule : `${c.rule}/${c.day}/${c.variable}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const round = (x: number) => String(Number(x.toPrecision(3)));
  const base = dayLines(
    "Token price and governance changes",
    axisName("price", "usd/token"),
    [{ name: "priceOfToken", values: column(r, "priceOfToken") }],
    phaseChangeDay(r),
  );
  // a series with no points that carries the marks: its legend entry draws as the marks do
  // (red, dotted), not as an empty swatch in the palette's next colour
  const changes: LineSeriesOption = {
    type: "line",
    name: "governance change",
    data: byDay([]),
    color: MARK_COLOR,
    itemStyle: { color: MARK_COLOR },
    lineStyle: { type: "dotted", color: MARK_COLOR, width: 1 },
    symbol: "none",
    markLine: {
      silent: true,
      symbol: "none",
      lineStyle: { type: "dotted", color: MARK_COLOR, width: 1 },
      label: { position: "insideEndTop", color: "#8b1a1a", fontSize: 10 },
      data: marks.map((c) => ({
        xAxis: c.day,
        label: {
          formatter: `${c.rule === "schedule" ? "vote" : c.rule}: ${c.variable} ${round(c.old)} → ${round(c.value)}`,
        },
      })),
    },
  };
  // each controller's variable, day by day, on a right-hand axis: the controller at work
  const controllers = [...new Set(log.map((c) => c.rule))].filter(
    (rule) => log.filter((c) => c.rule === rule).length > 10,
  );
  const paths = controllers.map((rule): LineSeriesOption => {
    const own = log.filter((c) => c.rule === rule);
    return {
      type: "line",
      name: `${rule}: ${own[0].variable}`,
      data: byDay(controllerPath(own, r.days)),
      yAxisIndex: 1,
      showSymbol: false,
      step: "end",
      lineStyle: { width: 1.5 },
    };
  });
  const option: EChartsOption = {
    ...base,
    ...(paths.length > 0
      ? { yAxis: [base.yAxis as object, valueAxis("controlled value", { position: "right" })] }
      : {}),
    series: [...(base.series as LineSeriesOption[]), changes, ...paths],
  };
  return {
    name: "governance",
    title: "Token price and governance changes",
    caption: `Each dotted line is a change of an on-chain variable by a rule, a controller (first change only) or a vote: ${log.length} in all.`,
    option,
  };
}
