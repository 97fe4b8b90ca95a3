import type { ChartSpec } from "./charts/common.js";

/** A table of strings, for the HTML report. */
export interface Table {
  readonly caption?: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface ReportSection {
  readonly heading: string;
  /** The section's anchor (`#id`); default: made from the heading (html.ts `sectionIds`). */
  readonly id?: string;
  readonly intro?: string;
  readonly tables?: readonly Table[];
  readonly charts: readonly ChartSpec[];
}

/**
 * A report as plain data: written as `index.html` plus `charts/<name>.svg|png`.
 * Nothing time-dependent goes in, so the same inputs give the same bytes.
 */
export interface Report {
  readonly title: string;
  readonly description?: string;
  /** Header facts: scenario, seed, version, … */
  readonly facts: readonly (readonly [string, string])[];
  readonly sections: readonly ReportSection[];
  /** Print each section but the first on a page of its own (the stress report: a page per shock). */
  readonly pages?: boolean;
}

/** Every chart of a report, in order. */
export function reportCharts(report: Report): ChartSpec[] {
  return report.sections.flatMap((s) => s.charts);
}
