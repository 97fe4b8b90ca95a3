import { compact } from "../charts.js";
import type { McSummary } from "../mc.worker.js";
import type { Changes, Metrics } from "../model.js";

const ROWS: { key: keyof Metrics; label: string; unit: string }[] = [
  { key: "finalPrice", label: "final price", unit: "usd/token" },
  { key: "maxDrawdown", label: "max drawdown", unit: "fraction of peak" },
  { key: "minTokenReserve", label: "min token reserve", unit: "tokens" },
  { key: "shortfallDays", label: "shortfall days", unit: "days" },
  { key: "totalEmitted", label: "total emitted", unit: "tokens" },
  { key: "phaseChangeDay", label: "phase change day", unit: "day" },
  { key: "maxDrawdownAfter", label: "max drawdown in phase 2", unit: "fraction of peak" },
  { key: "priceVolatility", label: "price volatility", unit: "sd of daily log return" },
  { key: "daysBelowPrice", label: "days below day-0 price", unit: "days" },
  { key: "minDollarReserve", label: "min dollar reserve", unit: "usd" },
  { key: "minDollarReserveDay", label: "day of min dollar reserve", unit: "day" },
  { key: "reserveRunway", label: "token reserve runway", unit: "days" },
  { key: "firstShortfallDay", label: "first shortfall day", unit: "day (−1: none)" },
  { key: "supplierIncome", label: "supplier income", unit: "usd/supplier-day" },
];

interface Props {
  current: Metrics;
  pinned: Metrics | null;
  pinnedChanges: Changes | null;
  currentChanges: Changes;
  mc: Record<keyof Metrics, McSummary> | null;
  mcRuns: number;
}

function diffText(a: Changes, b: Changes): string {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const parts: string[] = [];
  for (const k of keys)
    if (a[k] !== b[k])
      parts.push(`${k.replace(/^onchain\./, "")}: ${a[k] ?? "base"} → ${b[k] ?? "base"}`);
  return parts.length > 0 ? parts.join(", ") : "no lever differs yet: move one";
}

/** Outcome metrics: A vs B and their difference; Monte Carlo mean and p5–p95 when on. */
export function MetricsTable({
  current,
  pinned,
  pinnedChanges,
  currentChanges,
  mc,
  mcRuns,
}: Props) {
  return (
    <section class="metrics" data-testid="metrics">
      {pinned && pinnedChanges && (
        <div class="ab-title">
          <b>Compare</b> A (dashed) vs B (solid), same seed:{" "}
          {diffText(pinnedChanges, currentChanges)}
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>outcome</th>
            <th>unit</th>
            {pinned && <th>A</th>}
            <th>{pinned ? "B" : "this run"}</th>
            {pinned && <th>B − A</th>}
            {pinned && <th>change</th>}
            {mc && <th>MC mean ({mcRuns} runs)</th>}
            {mc && <th>MC p5 … p95</th>}
          </tr>
        </thead>
        <tbody>
          {ROWS.map((r) => {
            const b = current[r.key];
            const a = pinned?.[r.key];
            const raw = a === undefined ? 0 : b - a;
            // a difference below float rounding (1e-9 of the value) is no difference
            const d = Math.abs(raw) <= 1e-9 * Math.max(Math.abs(a ?? 0), Math.abs(b)) ? 0 : raw;
            // no change to show (–) without A, from A = 0, or where A or B is missing (NaN)
            const ratio = a !== undefined && a !== 0 ? d / Math.abs(a) : Number.NaN;
            const rel = Number.isFinite(ratio) ? ratio : null;
            return (
              <tr key={r.key} data-testid={`metric-${r.key}`}>
                <td>{r.label}</td>
                <td class="unit">{r.unit}</td>
                {pinned && <td>{compact(a ?? Number.NaN)}</td>}
                <td>{compact(b)}</td>
                {pinned && (
                  <td class={d > 0 ? "up" : d < 0 ? "down" : ""} data-testid={`delta-${r.key}`}>
                    {d > 0 ? "+" : ""}
                    {compact(d)}
                  </td>
                )}
                {pinned && (
                  <td>{rel === null ? "–" : `${rel > 0 ? "+" : ""}${(rel * 100).toFixed(1)}%`}</td>
                )}
                {mc && <td>{compact(mc[r.key].mean)}</td>}
                {mc && (
                  <td>
                    {compact(mc[r.key].p5)} … {compact(mc[r.key].p95)}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
