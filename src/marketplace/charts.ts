import { meanOf } from "../montecarlo/quantile.js";
import type { MarketplaceResult, SupplierRecord } from "./result.js";

/**
 * ECharts option objects for marketplace reports (pure: records in, plain options out). The
 * report module renders them like its other charts.
 */

type Option = Record<string, unknown>;

/** Histogram of final reputations (E20) in 10 bins over [0, 1], honest and dishonest stacked. */
export function reputationChart(suppliers: readonly SupplierRecord[]): Option {
  const bins = 10;
  const labels = Array.from(
    { length: bins },
    (_, b) => `${(b / bins).toFixed(1)}–${((b + 1) / bins).toFixed(1)}`,
  );
  const count = (dishonest: boolean) => {
    const n = new Array<number>(bins).fill(0);
    for (const s of suppliers)
      if (s.dishonest === dishonest) n[Math.min(bins - 1, Math.floor(s.reputation * bins))]++;
    return n;
  };
  return {
    title: { text: "Supplier reputation at the end of the run (E20)" },
    tooltip: { trigger: "axis" },
    legend: { data: ["honest", "dishonest"] },
    xAxis: { type: "category", name: "reputation", data: labels },
    yAxis: { type: "value", name: "suppliers" },
    series: [
      { name: "honest", type: "bar", stack: "s", data: count(false) },
      { name: "dishonest", type: "bar", stack: "s", data: count(true) },
    ],
  };
}

/** Mean earnings per supplier, honest vs dishonest: USD, tokens, and bond tokens lost. */
export function earningsChart(suppliers: readonly SupplierRecord[]): Option {
  const mean = (dishonest: boolean, f: (s: SupplierRecord) => number) => {
    const g = suppliers.filter((s) => s.dishonest === dishonest);
    return g.length === 0 ? 0 : meanOf(g.map(f));
  };
  const metrics: [string, (s: SupplierRecord) => number][] = [
    ["usd earned", (s) => s.usdEarned],
    ["tokens earned", (s) => s.tokensEarned],
    ["bond tokens lost", (s) => s.bondTokensLost],
    ["tasks validated", (s) => s.validated],
  ];
  return {
    title: { text: "Mean earnings per supplier: honest vs dishonest" },
    tooltip: { trigger: "axis" },
    legend: { data: ["honest", "dishonest"] },
    xAxis: { type: "category", data: metrics.map(([m]) => m) },
    yAxis: { type: "log", name: "per supplier" },
    series: [false, true].map((d) => ({
      name: d ? "dishonest" : "honest",
      type: "bar",
      data: metrics.map(([, f]) => mean(d, f)),
    })),
  };
}

/** Queue per day: waiting tasks and expired tasks (left axis), median and p95 wait (right axis). */
export function queueChart(m: MarketplaceResult): Option {
  const q = m.queue;
  const col = (n: string) => Array.from(q.values[q.columns.indexOf(n)]);
  const days = col("day");
  return {
    title: { text: "Task queue per day" },
    tooltip: { trigger: "axis" },
    legend: { data: ["waiting", "expired", "median wait", "p95 wait"] },
    xAxis: { type: "category", name: "day", data: days },
    yAxis: [
      { type: "value", name: "tasks" },
      { type: "value", name: "days waited" },
    ],
    series: [
      { name: "waiting", type: "line", data: col("waitingTasks") },
      { name: "expired", type: "bar", data: col("expiredTasks") },
      { name: "median wait", type: "line", yAxisIndex: 1, data: col("medianWaitDays") },
      { name: "p95 wait", type: "line", yAxisIndex: 1, data: col("p95WaitDays") },
    ],
  };
}

/** The columns a churn chart reads from the run's daily table. */
export interface DailyTable {
  readonly columns: readonly string[];
  readonly values: readonly ArrayLike<number>[];
  readonly days: number;
}

/**
 * Suppliers joining and leaving per day (feedback E42 in marketplace mode: bars, left axis, from
 * the supplier records), active suppliers of all classes (line, left axis, the `suppliers.*`
 * columns), and the jobs kept away by the queue (E49, `jobsLostToQueues`) and tasks expired
 * (right axis).
 */
export function churnChart(r: DailyTable, m: MarketplaceResult): Option {
  const days = Array.from({ length: r.days }, (_, t) => t);
  const joined = new Array<number>(r.days).fill(0);
  const left = new Array<number>(r.days).fill(0);
  for (const s of m.suppliers) {
    if (s.joinDay > 0 && s.joinDay < r.days) joined[s.joinDay]++;
    if (s.leftDay !== undefined && s.leftDay < r.days) left[s.leftDay]--;
  }
  const active = days.map((t) =>
    r.columns.reduce((a, n, c) => (n.startsWith("suppliers.") ? a + r.values[c][t] : a), 0),
  );
  const lostAt = r.columns.indexOf("jobsLostToQueues");
  const q = m.queue;
  const expired = Array.from(q.values[q.columns.indexOf("expiredTasks")]);
  const series: Option[] = [
    { name: "active suppliers", type: "line", data: active },
    { name: "joined", type: "bar", stack: "churn", data: joined },
    { name: "left", type: "bar", stack: "churn", data: left },
    { name: "tasks expired", type: "line", yAxisIndex: 1, data: expired },
  ];
  if (lostAt >= 0)
    series.push({
      name: "jobs lost to the queue",
      type: "line",
      yAxisIndex: 1,
      data: Array.from(r.values[lostAt]).slice(0, r.days),
    });
  return {
    title: { text: "Suppliers joining and leaving, and demand lost to the queue" },
    tooltip: { trigger: "axis" },
    legend: { data: series.map((s) => s.name), top: 28 },
    xAxis: { type: "category", name: "day", data: days },
    yAxis: [
      { type: "value", name: "suppliers" },
      { type: "value", name: "tasks, jobs per day" },
    ],
    series,
  };
}
