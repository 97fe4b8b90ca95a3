import type { GovernanceChange } from "./step.js";

/** The change log as CSV: `day,rule,variable,old,value`, one change per line (E38, E39, votes). */
export function governanceCsv(changes: readonly GovernanceChange[]): string {
  const lines = ["day,rule,variable,old,value"];
  for (const c of changes) lines.push(`${c.day},${c.rule},${c.variable},${c.old},${c.value}`);
  return `${lines.join("\n")}\n`;
}

/** `out/run.csv` (or `.json`, `.parquet`) → `out/run.governance.csv` (next to the table, as run.meta.json). */
export function governancePath(tablePath: string): string {
  return `${tablePath.replace(/\.(csv|json|parquet)$/i, "")}.governance.csv`;
}
