import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { meanOf } from "../montecarlo/quantile.js";
import { counted } from "../text.js";
import type { MarketplaceResult, SupplierRecord } from "./result.js";

/**
 * The columns of `suppliers.csv`, in order: every field of SupplierRecord (the `satisfies`
 * makes a field added to the record without a column here a compile error, and the
 * reverse).
 */
const SUPPLIER_COLUMNS = {
  id: true,
  supplierClass: true,
  resource: true,
  region: true,
  honesty: true,
  dishonest: true,
  joinDay: true,
  leftDay: true,
  completed: true,
  validated: true,
  failed: true,
  usdEarned: true,
  tokensEarned: true,
  bondTokensLost: true,
  reputation: true,
} as const satisfies { readonly [K in keyof Required<SupplierRecord>]: true };
const SUPPLIER_FIELDS = Object.keys(SUPPLIER_COLUMNS) as (keyof SupplierRecord)[];

/**
 * Per-supplier results as CSV, one row per supplier; a boolean as 1/0, an absent optional
 * field (`leftDay` of a supplier still in its class) as an empty cell (names are
 * [A-Za-z0-9_-], no quoting needed).
 */
export function suppliersCsv(suppliers: readonly SupplierRecord[]): string {
  const lines = [SUPPLIER_FIELDS.join(",")];
  for (const s of suppliers)
    lines.push(
      SUPPLIER_FIELDS.map((f) => {
        const v = s[f];
        return typeof v === "boolean" ? (v ? "1" : "0") : v === undefined ? "" : String(v);
      }).join(","),
    );
  return `${lines.join("\n")}\n`;
}

/** Queue metrics as CSV, one row per day. */
export function queueCsv(m: MarketplaceResult): string {
  const q = m.queue;
  const lines = [q.columns.join(",")];
  for (let t = 0; t < q.days; t++) lines.push(q.values.map((v) => String(v[t])).join(","));
  return `${lines.join("\n")}\n`;
}

/** `out/run.csv` → writes `out/run.suppliers.csv` and `out/run.queue.csv`; returns their paths. */
export function writeMarketplaceTables(m: MarketplaceResult, tablePath: string): string[] {
  const base = tablePath.replace(/\.(csv|json|parquet)$/i, "");
  const paths = [`${base}.suppliers.csv`, `${base}.queue.csv`];
  mkdirSync(dirname(base), { recursive: true });
  writeFileAtomic(paths[0], suppliersCsv(m.suppliers));
  writeFileAtomic(paths[1], queueCsv(m));
  return paths;
}

/** The lines `bme run` prints after the summary. */
export function formatMarketplace(m: MarketplaceResult): string {
  const q = m.queue;
  const total = (n: string) => q.values[q.columns.indexOf(n)].reduce((a, b) => a + b, 0);
  const last = (n: string) => q.values[q.columns.indexOf(n)][q.days - 1] ?? 0;
  const p95 = Math.max(0, ...q.values[q.columns.indexOf("p95WaitDays")]);
  const honest = m.suppliers.filter((s) => !s.dishonest);
  const bad = m.suppliers.filter((s) => s.dishonest);
  const meanTokens = (g: readonly SupplierRecord[]) =>
    g.length === 0 ? 0 : meanOf(g.map((s) => s.tokensEarned));
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  return [
    "Marketplace",
    `  suppliers             ${n(m.suppliers.length)} (${n(bad.length)} dishonest)`,
    `  tasks                 ${n(total("submittedTasks"))} submitted, ${n(total("validatedTasks"))} validated, ${n(total("failedTasks"))} failed, ${n(total("expiredTasks"))} expired`,
    `  refunds               ${n(total("refundedUsd"))} usd${total("refundShortfallUsd") > 0 ? ` (${n(total("refundShortfallUsd"))} usd could not be paid)` : ""}`,
    `  bonds confiscated     ${n(total("bondTokensConfiscated"))} tokens`,
    `  queue                 ${n(last("waitingTasks"))} waiting at the end; worst daily p95 wait ${counted(p95, "day")}`,
    `  tokens per supplier   honest ${n(meanTokens(honest))}${bad.length > 0 ? `, dishonest ${n(meanTokens(bad))}` : ""}`,
  ].join("\n");
}
