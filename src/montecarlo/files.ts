import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  BAND_STATS,
  type ExperimentSpec,
  OUTCOME_METRICS,
  type PointResult,
} from "../analysis/types.js";
import { writeFileAtomic } from "../io/atomic.js";
import { type PairedDifference, pairedDifferences } from "./compare.js";
import { type SensitivityPlan, sensitivityPlan, sensitivityRows } from "./sensitivity.js";

const csvCell = (v: unknown) => {
  // a non-finite number (an undefined statistic, e.g. of zero good runs) is an empty cell
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "") : String(v ?? "");
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(",")).join("\n")}\n`;

/** Write an experiment's points as CSV files (long format) into `dir`; returns the files written. */
export function writePointFiles(
  dir: string,
  points: readonly PointResult[],
  seed: number,
): string[] {
  mkdirSync(dir, { recursive: true });
  const paramNames = [...new Set(points.flatMap((p) => Object.keys(p.params)))];
  const bands: unknown[][] = [["point", "column", "day", ...BAND_STATS]];
  const outcomes: unknown[][] = [["point", "run", "seed", ...OUTCOME_METRICS]];
  const summary: unknown[][] = [
    [
      "point",
      ...paramNames,
      ...OUTCOME_METRICS.flatMap((m) => [
        `${m}.mean`,
        `${m}.sd`,
        `${m}.p5`,
        `${m}.p50`,
        `${m}.p95`,
      ]),
    ],
  ];
  for (const p of points) {
    const { columns, days, stats } = p.bands;
    columns.forEach((col, c) => {
      for (let t = 0; t < days; t++)
        bands.push([p.index, col, t, ...BAND_STATS.map((s) => stats[s][c * days + t])]);
    });
    for (let r = 0; r < p.outcomes.runs; r++)
      outcomes.push([p.index, r, seed, ...OUTCOME_METRICS.map((m) => p.outcomes.metrics[m][r])]);
    summary.push([
      p.index,
      ...paramNames.map((n) => p.params[n] ?? ""),
      ...OUTCOME_METRICS.flatMap((m) => {
        const s = p.summary[m];
        return [s.mean, s.sd, s.p5, s.p50, s.p95];
      }),
    ]);
  }
  const files = { "bands.csv": bands, "outcomes.csv": outcomes, "points.csv": summary };
  return Object.entries(files).map(([name, rows]) => {
    writeFileAtomic(join(dir, name), csv(rows));
    return join(dir, name);
  });
}

export function writeCompareFile(dir: string, diffs: readonly PairedDifference[]): string {
  mkdirSync(dir, { recursive: true });
  const rows = [
    ["metric", "meanA", "meanB", "meanDifference", "sd", "ci95Low", "ci95High", "n"],
    ...diffs.map((d) => [d.metric, d.meanA, d.meanB, d.mean, d.sd, d.low, d.high, d.n]),
  ];
  writeFileAtomic(join(dir, "compare.csv"), csv(rows));
  return join(dir, "compare.csv");
}

export function writeJson(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  return join(dir, name);
}

/** A sensitivity analysis' tornado tables (`sensitivity.json`), one per metric asked for. */
export function sensitivityTables(
  plan: SensitivityPlan,
  points: readonly PointResult[],
  metrics: readonly string[],
) {
  return metrics.map((m) => ({ metric: m, rows: sensitivityRows(plan, points, m) }));
}

/**
 * The files an experiment's kind adds to its tables, from its spec and stored points: compare's
 * `compare.csv` (paired differences) and sensitivity's `sensitivity.json` (its plan is remade
 * from the scenario and `delta`: the same points). Written by `--out` and by `bme export`
 * alike; nothing when a point is missing. Returns the files written.
 */
export function writeAnalysisFiles(
  dir: string,
  spec: Pick<ExperimentSpec, "kind" | "scenario" | "options" | "points">,
  points: readonly PointResult[],
): string[] {
  if (spec.kind === "compare" && points.length === 2)
    return [writeCompareFile(dir, pairedDifferences(points[0], points[1]))];
  if (spec.kind === "sensitivity") {
    const o = spec.options as { delta?: number; metric?: string; metrics?: string[] };
    if (o.delta === undefined || points.length < spec.points.length) return [];
    const plan = sensitivityPlan(spec.scenario, o.delta);
    const metrics = o.metrics ?? [o.metric ?? "finalPrice"];
    return [
      writeJson(dir, "sensitivity.json", {
        delta: o.delta,
        skipped: plan.skipped,
        tables: sensitivityTables(plan, points, metrics),
      }),
    ];
  }
  return [];
}
