import type { LineSeriesOption } from "echarts";
import type { Scenario } from "../../scenario/schema.js";

/**
 * Something that happened on a day, drawn as a labelled vertical line on every time chart:
 * a governance vote of the scenario's `schedule`, or any event a caller adds (a rule that
 * changed an on-chain variable, a listing, an outage).
 */
export interface ChartEvent {
  /** Day (0-based) the event takes effect. */
  readonly day: number;
  /** Short text drawn beside the line. */
  readonly label: string;
}

/** Options every time chart takes. */
export interface TimeChartOptions {
  /** Extra events to mark, besides the scenario's schedule votes. */
  readonly events?: readonly ChartEvent[];
}

const short = (v: unknown) =>
  typeof v === "number" ? String(Number(v.toPrecision(6))) : String(v);

/** The scenario's governance votes within its days: `vote: buybackModulation = 1`. */
export function scheduleEvents(s: Scenario): ChartEvent[] {
  return (s.schedule ?? [])
    .filter((e) => e.day < s.days)
    .map((e) => ({
      day: e.day,
      label: `vote: ${Object.entries(e.set)
        .map(([k, v]) => `${k} = ${short(v)}`)
        .join(", ")}`,
    }));
}

/**
 * The vertical lines of a time chart: the phase change (dashed grey) and each event
 * (dotted purple, labelled), in one markLine.
 */
export function dayMarks(
  phaseChangeDay: number | null,
  events: readonly ChartEvent[] = [],
): LineSeriesOption["markLine"] {
  const data: NonNullable<LineSeriesOption["markLine"]>["data"] = [];
  if (phaseChangeDay !== null)
    data.push({
      xAxis: phaseChangeDay,
      lineStyle: { type: "dashed", color: "#666", width: 1 },
      label: { formatter: `phase 2 from day ${phaseChangeDay}`, position: "end", color: "#444" },
    });
  for (const e of events)
    data.push({
      xAxis: e.day,
      lineStyle: { type: "dotted", color: "#9467bd", width: 1.5 },
      label: {
        formatter: `${e.label} (day ${e.day})`,
        position: "insideEndTop",
        color: "#6a3d9a",
        fontSize: 11,
      },
    });
  if (data.length === 0) return undefined;
  return { silent: true, symbol: "none", data };
}
