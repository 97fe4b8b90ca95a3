import { column, type RunResult } from "../../engine/result.js";
import { type ChartSpec, type DaySeries, dayLines } from "./common.js";
import { phaseChangeDay } from "./run.js";

/** The run's columns that start with `prefix` (`margin.` → one series per supplier class). */
function byClass(r: RunResult, prefix: string): DaySeries[] {
  return r.columns
    .filter((c) => c.startsWith(prefix))
    .map((c) => ({ name: c.slice(prefix.length), values: column(r, c) }));
}

/**
 * The feedback loop of one run with a `feedback` block (docs/model-feedback.md): each class's
 * margin (E41) and count (E42), the demand lost to capacity (E50), and the AMM pool's reserves
 * and slippage (E45). A chart only for what the scenario has. Both modes (a marketplace run
 * writes the same columns; its own churn and queue-loss chart is marketplaceCharts').
 */
export function feedbackCharts(r: RunResult): ChartSpec[] {
  const f = r.meta.scenario.feedback;
  if (!f) return [];
  const change = phaseChangeDay(r);
  const charts: ChartSpec[] = [];
  const margins = byClass(r, "margin.");
  if (margins.length > 0)
    charts.push({
      name: "margin",
      title: "Margin per supplier, by class",
      caption:
        "(income − cost) / cost of one supplier per day (E41): below 0 suppliers lose money, and dynamic classes shrink on the lagged mean.",
      option: dayLines("Margin per supplier", "relative margin (fraction)", margins, change),
    });
  if (f.suppliers)
    charts.push({
      name: "suppliers",
      title: "Suppliers, by class",
      caption: "Supplier counts (E42 for dynamic classes: entries and exits follow the margin).",
      option: dayLines("Suppliers", "suppliers", byClass(r, "suppliers."), change),
    });
  if (r.columns.includes("jobsLost") && column(r, "jobsLost").some((x) => x > 0))
    charts.push({
      name: "jobs-lost",
      title: "Demand lost",
      caption: "Jobs lost per day to missing capacity: demand beyond what the classes serve (E50).",
      option: dayLines(
        "Jobs lost",
        "jobs/day",
        [{ name: "jobs lost", values: column(r, "jobsLost") }],
        change,
      ),
    });
  if (f.amm) {
    charts.push({
      name: "pool",
      title: "The AMM pool",
      caption: "The constant-product pool's reserves (E45): sales push tokens in and dollars out.",
      option: dayLines(
        "AMM pool reserves",
        "tokens or usd",
        [
          { name: "tokens in the pool (tokens)", values: column(r, "poolTokens") },
          { name: "dollars in the pool (usd)", values: column(r, "poolUsd"), dashed: true },
        ],
        change,
      ),
    });
    charts.push({
      name: "slippage",
      title: "Price impact",
      caption:
        "The day's clearing price against the pool's spot before it, minus 1 (E45): what every buy or sell paid in price impact.",
      option: dayLines(
        "AMM slippage",
        "fraction",
        [{ name: "slippage", values: column(r, "ammSlippage") }],
        change,
      ),
    });
  }
  return charts;
}
