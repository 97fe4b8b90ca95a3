import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunResult } from "../engine/result.js";
import type { ChartSpec } from "./charts/common.js";
import { fonts } from "./fonts.js";
import { reportHtml } from "./html.js";
import { type Report, reportCharts } from "./model.js";
import { DEFAULT_SIZE, renderSvg, svgToPng } from "./render.js";
import { runReport } from "./runReport.js";

export interface WrittenReport {
  /** Path of index.html (`dir` joined with it). */
  readonly index: string;
  /** Chart names, in report order (each has charts/<name>.svg and .png). */
  readonly charts: readonly string[];
  /** E.g. no font for the PNGs. */
  readonly warnings: readonly string[];
}

export interface WriteOptions {
  /** Also write PNGs (default true). */
  readonly png?: boolean;
}

/** Render one chart to SVG at its size. */
export function chartSvg(c: ChartSpec): string {
  return renderSvg(c.option, c.name, {
    width: DEFAULT_SIZE.width,
    height: c.height ?? DEFAULT_SIZE.height,
  });
}

/** Render one chart to PNG (2× its size; fonts from `fonts()`). */
export function chartPng(c: ChartSpec, scale = 2): Buffer {
  return svgToPng(chartSvg(c), scale, fonts());
}

/** Write `index.html` and `charts/<name>.svg|png` into `dir` (created if missing). */
export function writeReport(
  dir: string,
  report: Report,
  options: WriteOptions = {},
): WrittenReport {
  const charts = reportCharts(report);
  const names = new Set<string>();
  for (const c of charts) {
    if (names.has(c.name)) throw new Error(`two charts named "${c.name}" in one report`);
    names.add(c.name);
  }
  const chartDir = join(dir, "charts");
  mkdirSync(chartDir, { recursive: true });
  // a previous report's charts go: the folder holds this report only (checkReportDir)
  for (const f of readdirSync(chartDir))
    if (/\.(svg|png)$/.test(f)) rmSync(join(chartDir, f), { force: true });
  const warnings: string[] = [];
  const png = options.png ?? true;
  const font = fonts();
  if (png && font.warning) warnings.push(font.warning);
  const svgs = new Map<string, string>();
  for (const c of charts) {
    const svg = chartSvg(c);
    svgs.set(c.name, svg);
    writeFileSync(join(chartDir, `${c.name}.svg`), svg);
    if (png) writeFileSync(join(chartDir, `${c.name}.png`), svgToPng(svg, 2, font));
  }
  const index = join(dir, "index.html");
  writeFileSync(index, reportHtml(report, svgs));
  return { index, charts: charts.map((c) => c.name), warnings };
}

/** The report of one run (`runReport`) written into `dir`. */
export function writeRunReport(
  dir: string,
  result: RunResult,
  options: WriteOptions = {},
): WrittenReport {
  return writeReport(dir, runReport(result), options);
}
