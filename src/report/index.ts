/**
 * Reports: charts as pure functions of plain records (a run, Monte Carlo bands, sweep points,
 * sensitivity rows) → ECharts options → SVG (server-side) and PNG (resvg) → one
 * self-contained HTML page. A sink: it reads records and writes files, nothing flows back.
 */
export * from "./charts/index.js";
export { experimentReport, outcomeTable, type StoredExperiment } from "./experimentReport.js";
export { type FontSetup, findFonts, fonts } from "./fonts.js";
export { escapeHtml, reportHtml } from "./html.js";
export { type Report, type ReportSection, reportCharts, type Table } from "./model.js";
export { DEFAULT_SIZE, type RenderSize, renderSvg, svgToPng } from "./render.js";
export { runFacts, runReport } from "./runReport.js";
export { onchainTable, scheduleTable, summaryTable } from "./tables.js";
export {
  chartPng,
  chartSvg,
  type WriteOptions,
  type WrittenReport,
  writeReport,
  writeRunReport,
} from "./write.js";
