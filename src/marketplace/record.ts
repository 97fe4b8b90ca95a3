import { invariants, record } from "../day/steps.js";
import { NonFiniteValueError, type SimulationFailure } from "../engine/outcome.js";
import { INVARIANT_TOLERANCE, InvariantViolation } from "../mechanisms/invariants.js";
import type { MarketContext } from "./context.js";
import { type MarketplaceResult, QCOL, QUEUE_COLUMNS, type SupplierRecord } from "./result.js";

/** Nearest-rank quantile of whole-day waits from their histogram; 0 when nothing was accepted. */
export function quantile(hist: Float64Array, n: number, q: number): number {
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * n));
  let acc = 0;
  for (let w = 0; w < hist.length; w++) {
    acc += hist[w];
    if (acc >= rank) return w;
  }
  return hist.length - 1;
}

/** The §7 row (shared "record" step) and the queue metrics, every value checked finite. */
export function marketRecord(m: MarketContext): SimulationFailure | undefined {
  const { t, queue, today } = m;
  const qv = (col: number, v: number) => {
    queue[col][t] = v;
  };
  qv(QCOL.day, t);
  qv(QCOL.submittedTasks, today.nSubmitted);
  qv(QCOL.acceptedTasks, today.nAssigned);
  qv(QCOL.waitingTasks, m.sched.waiting());
  qv(QCOL.inFlightTasks, m.inFlight);
  qv(QCOL.medianWaitDays, quantile(today.waitHist, today.nAssigned, 0.5));
  qv(QCOL.p95WaitDays, quantile(today.waitHist, today.nAssigned, 0.95));
  qv(QCOL.validatedTasks, today.nValidated);
  qv(QCOL.failedTasks, today.nFailed);
  qv(QCOL.requeuedTasks, today.nRequeued);
  qv(QCOL.expiredTasks, today.nExpired);
  qv(QCOL.refundedUsd, today.refunded);
  qv(QCOL.refundShortfallUsd, today.refundDue - today.refunded);
  qv(QCOL.usdPaidToSuppliers, today.usdPaid);
  qv(QCOL.usdEscrow, m.usdEscrow);
  qv(QCOL.pendingTokens, m.pendingTokens);
  qv(QCOL.bondTokensPosted, today.bondsPosted);
  qv(QCOL.bondTokensConfiscated, today.confiscated);
  for (let q = 0; q < QUEUE_COLUMNS.length; q++)
    if (!Number.isFinite(queue[q][t]))
      return new NonFiniteValueError(t, QUEUE_COLUMNS[q], queue[q][t]);
  return record(m);
}

/** I1–I3 (shared "invariants" step), and no escrow negative. */
export function marketInvariants(m: MarketContext): SimulationFailure | undefined {
  return invariants(m) ?? escrowInvariants(m);
}

/**
 * I3 for the marketplace's escrows: earmarked tokens, the free reserve, USD escrow, bonded tokens
 * and the free circulating tokens (supply − bondedTokens) ≥ 0.
 */
export function escrowInvariants(m: MarketContext): SimulationFailure | undefined {
  const { pendingTokens, usdEscrow, bondedTokens, state } = m;
  const tol = INVARIANT_TOLERANCE * Math.max(m.totalTokens, 1);
  if (
    pendingTokens < -tol ||
    state.tokenReserve - pendingTokens < -tol ||
    usdEscrow < -INVARIANT_TOLERANCE * Math.max(m.usdEscrowScale, 1) ||
    bondedTokens < -tol ||
    state.supply - bondedTokens < -tol
  )
    return new InvariantViolation(
      m.t,
      "I3",
      `an escrow is negative: pendingTokens ${pendingTokens}, free reserve ${state.tokenReserve - pendingTokens}, usdEscrow ${usdEscrow}, bondedTokens ${bondedTokens}, free supply ${state.supply - bondedTokens}`,
    );
  return undefined;
}

/** What marketplace mode adds to the run's result: every supplier's record and the queue table. */
export function marketplaceResult(m: MarketContext, daysCompleted: number): MarketplaceResult {
  const { c, mk, sched, supplierTable: st } = m;
  const suppliers: SupplierRecord[] = [];
  for (let s = 0; s < st.n; s++)
    suppliers.push({
      id: s,
      supplierClass: c.supplierNames[st.supplierClass[s]],
      resource: mk.resources[st.resource[s]] ?? "",
      region: mk.regions[st.region[s]],
      honesty: st.honesty[s],
      dishonest: st.dishonest[s] === 1,
      joinDay: st.joinDay[s],
      completed: st.validated[s] + st.failed[s],
      validated: st.validated[s],
      failed: st.failed[s],
      usdEarned: st.usd[s],
      tokensEarned: st.tokens[s],
      bondTokensLost: st.bondLost[s],
      reputation: sched.reputationOf(s),
      ...(st.leftDay[s] >= 0 ? { leftDay: st.leftDay[s] } : {}),
    });
  return {
    suppliers,
    queue: {
      columns: QUEUE_COLUMNS,
      days: daysCompleted,
      values: m.queue.map((v) => v.subarray(0, daysCompleted)),
    },
  };
}
