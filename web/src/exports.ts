/** Downloads: the current scenario as YAML, results as CSV. */
import { stringify } from "yaml";
import type { Band } from "./mc.worker.js";

export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function scenarioYaml(raw: unknown, changes: readonly string[], source: string): string {
  const head = [
    `# Exported from the bme dashboard (base: ${source}).`,
    ...(changes.length > 0
      ? ["# Changes from the base:", ...changes.map((c) => `#   ${c}`)]
      : ["# No changes from the base."]),
  ];
  return `${head.join("\n")}\n${stringify(raw, { lineWidth: 100 })}`;
}

const cell = (v: number) => (Number.isFinite(v) ? String(v) : "");

/** One run's table: a header, then one row per day. */
export function runCsv(columns: readonly string[], values: readonly Float64Array[]): string {
  const days = values[0]?.length ?? 0;
  const lines = [columns.join(",")];
  for (let t = 0; t < days; t++) lines.push(values.map((v) => cell(v[t])).join(","));
  return `${lines.join("\n")}\n`;
}

/** Monte Carlo bands: `day`, then `<series>.<stat>` columns. */
export function bandsCsv(bands: Record<string, Band>, days: number): string {
  const keys = Object.keys(bands);
  const stats = ["p5", "p25", "p50", "p75", "p95"] as const;
  const header = ["day", ...keys.flatMap((k) => stats.map((s) => `${k}.${s}`))];
  const lines = [header.join(",")];
  for (let t = 0; t < days; t++)
    lines.push(
      [String(t), ...keys.flatMap((k) => stats.map((s) => cell(bands[k][s][t])))].join(","),
    );
  return `${lines.join("\n")}\n`;
}
