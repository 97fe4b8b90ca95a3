/** One supplier's results over a marketplace run (plain record). */
export interface SupplierRecord {
  readonly id: number;
  readonly supplierClass: string;
  readonly resource: string;
  readonly region: string;
  /** Probability that its work passes validation. */
  readonly honesty: number;
  readonly dishonest: boolean;
  /** First day it was active (count series, docs/marketplace.md). */
  readonly joinDay: number;
  /** Tasks finished and validated, pass or fail (E20's "completed"). */
  readonly completed: number;
  readonly validated: number;
  readonly failed: number;
  /** USD share of its validated tasks (E7's usdCapital share), usd. */
  readonly usdEarned: number;
  /** Bought-back tokens of its validated tasks plus its phase-1 and phase-2 emission, tokens. */
  readonly tokensEarned: number;
  /** Bond tokens moved to the reserve when its work failed (E22), tokens. */
  readonly bondTokensLost: number;
  /** E20 at the end of the run. */
  readonly reputation: number;
  /** Day it left its class (feedback churn, docs/model-feedback.md); absent while a member. */
  readonly leftDay?: number;
}

/** Per-day queue metrics, columnar like the daily table. */
export const QUEUE_COLUMNS = [
  "day",
  "submittedTasks",
  "acceptedTasks",
  "waitingTasks",
  "inFlightTasks",
  "medianWaitDays",
  "p95WaitDays",
  "validatedTasks",
  "failedTasks",
  "requeuedTasks",
  "expiredTasks",
  "refundedUsd",
  "refundShortfallUsd",
  "usdPaidToSuppliers",
  "usdEscrow",
  "pendingTokens",
  "bondTokensPosted",
  "bondTokensConfiscated",
] as const;
export type QueueColumn = (typeof QUEUE_COLUMNS)[number];

export const QCOL = Object.fromEntries(QUEUE_COLUMNS.map((n, i) => [n, i])) as {
  readonly [K in QueueColumn]: number;
};

export interface QueueTable {
  readonly columns: readonly string[];
  readonly days: number;
  readonly values: readonly Float64Array[];
}

/** What marketplace mode adds to a run's result. */
export interface MarketplaceResult {
  readonly suppliers: readonly SupplierRecord[];
  readonly queue: QueueTable;
}
