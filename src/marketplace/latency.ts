/**
 * The latency SLA rule of a job (docs/marketplace.md, eligibility): region `region` may serve a
 * job from `origin` with a latency SLA of `slaMs` milliseconds when `latencyMs[origin][region]`
 * is at most the SLA. A pair missing from the table is 0 ms within a region and unreachable
 * between two regions. Used by the marketplace engine's compiled requirements and by the ledger.
 */
export function withinLatencySla(
  latencyMs: Readonly<Record<string, Readonly<Record<string, number>>>>,
  origin: string,
  region: string,
  slaMs: number,
): boolean {
  const ms = latencyMs[origin]?.[region] ?? (region === origin ? 0 : Number.POSITIVE_INFINITY);
  return ms <= slaMs;
}
