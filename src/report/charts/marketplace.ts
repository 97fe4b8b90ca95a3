import type { EChartsOption } from "echarts";
import {
  churnChart,
  type DailyTable,
  earningsChart,
  queueChart,
  reputationChart,
} from "../../marketplace/charts.js";
import type { MarketplaceResult } from "../../marketplace/result.js";
import type { ChartSpec } from "./common.js";

/** Marketplace mode's charts (issue 4): reputation, honest vs dishonest earnings, the queue. */
export function marketplaceCharts(m: MarketplaceResult, feedbackRun?: DailyTable): ChartSpec[] {
  const spec = (
    name: string,
    title: string,
    caption: string,
    option: Record<string, unknown>,
  ): ChartSpec => ({
    name,
    title,
    caption,
    option: {
      animation: false,
      grid: { left: 80, right: 30, top: 70, bottom: 70 },
      ...option,
    } as EChartsOption,
  });
  return [
    spec(
      "reputation",
      "Supplier reputation (E20)",
      "Final reputations: dishonest suppliers should sit at the bottom.",
      reputationChart(m.suppliers),
    ),
    spec(
      "earnings",
      "Earnings, honest vs dishonest",
      "Mean USD and tokens earned per supplier, and bond tokens lost.",
      earningsChart(m.suppliers),
    ),
    spec(
      "queue",
      "The job queue",
      "Tasks waiting, wait times, expiries and refunds per day.",
      queueChart(m),
    ),
    ...(feedbackRun
      ? [
          spec(
            "churn",
            "Churn and the queue (feedback)",
            "Suppliers joining and leaving on their margin, the least profitable first (E40–E42), and the demand the queue loses (E49).",
            churnChart(feedbackRun, m),
          ),
        ]
      : []),
  ];
}
