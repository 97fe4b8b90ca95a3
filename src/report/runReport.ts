import type { RunResult } from "../engine/result.js";
import { summarize } from "../engine/summary.js";
import { feedbackCharts } from "./charts/feedback.js";
import { governanceChart } from "./charts/governance.js";
import { LOST_FIGURE_MINT_AMOUNT, lostFigureChart } from "./charts/lostFigure.js";
import { marketplaceCharts } from "./charts/marketplace.js";
import { runCharts } from "./charts/run.js";
import type { Report, Table } from "./model.js";
import { onchainTable, scheduleTable, summaryTable } from "./tables.js";

/** Header facts of a run: scenario, seed, run index, version, days. */
export function runFacts(r: RunResult): [string, string][] {
  return [
    ["scenario", r.meta.scenarioName],
    ["seed", String(r.meta.seed)],
    ["run", String(r.meta.run)],
    ["days", String(r.days)],
    ["mode", r.meta.mode],
    ["bme-sim version", r.meta.version],
  ];
}

/** The report of one run: summary, the whitepaper's simulation plots, the lost figure, the on-chain variables. */
export function runReport(r: RunResult): Report {
  const summary = summarize(r);
  const notes = [
    ...summary.warnings.map((w) => `warning: ${w}`),
    ...(summary.error ? [`the run STOPPED: ${summary.error}`] : []),
  ];
  const schedule = scheduleTable(r.meta.scenario);
  return {
    title: `BME report: ${r.meta.scenarioName}`,
    description: r.meta.scenario.description,
    facts: runFacts(r),
    sections: [
      {
        heading: "Summary",
        intro: notes.length > 0 ? notes.join(" · ") : undefined,
        tables: [summaryTable(summary)],
        charts: [],
      },
      {
        heading: "The run, day by day",
        intro: "The whitepaper's simulation plots, and where the tokens go.",
        charts: [...runCharts(r), ...[governanceChart(r)].filter((c) => c !== null)],
      },
      ...(r.meta.scenario.feedback
        ? [
            {
              heading: "The feedback loop",
              intro:
                "Margins, suppliers, lost demand and the pool (docs/model-feedback.md): how the economy answers its own results.",
              charts: feedbackCharts(r),
            },
          ]
        : []),
      ...(r.marketplace
        ? [
            {
              heading: "The marketplace",
              intro:
                "Suppliers, reputation and the scheduler's queue (marketplace mode, docs/model.md §9).",
              charts: marketplaceCharts(r.marketplace, r.meta.scenario.feedback ? r : undefined),
            },
          ]
        : []),
      {
        heading: "Phase-2 emission (the whitepaper's lost figure)",
        intro: `E13 [R10] for a mint amount of ${LOST_FIGURE_MINT_AMOUNT.toLocaleString("en-US")} tokens with P2M = A; it does not depend on the run.`,
        charts: [lostFigureChart()],
      },
      {
        heading: "On-chain variables",
        tables: [onchainTable(r.meta.scenario), ...(schedule ? [schedule] : [])] as Table[],
        charts: [],
      },
    ],
  };
}
