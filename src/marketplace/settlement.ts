import { ONCHAIN } from "../day/sequence.js";
import { payoutsFromFreeReserve } from "../day/steps.js";
import { nextDollarReserve, nextSupply, nextTokenReserve } from "../mechanisms/balances.js";
import { reserveTopUp } from "../mechanisms/reserveTopUp.js";
import { drained, withdrawal } from "../mechanisms/withdrawal.js";
import type { MarketContext } from "./context.js";

const { lowerTokenReserveLimit: LOWER, tokenReserveRestoreLevel: RESTORE } = ONCHAIN;

/**
 * Step 12, settlement: E15 on the free reserve (earmarked tokens belong to their tasks; today's
 * confiscated bonds and freed earmarks are free); the suppliers' shares of the emissions.
 */
export function settlement(m: MarketContext): undefined {
  const { day, state, today } = m;
  today.freeReserve = state.tokenReserve - m.pendingTokens + today.confiscated + today.freed;
  const paid = payoutsFromFreeReserve(day, today.freeReserve, today.released);
  shareEmissions(m, paid.phaseTwoEmission, paid.phaseOneEmission);
  return undefined;
}

/** E13 to the suppliers pro rata to their job rewards today; E3 per filled phase-1 target slot. */
function shareEmissions(m: MarketContext, phaseTwo: number, phaseOne: number): void {
  const { c, day, today, supplierTable: st } = m;
  if (today.taskRewards > 0 && phaseTwo > 0)
    for (let j = 0; j < today.nRewards; j++)
      st.tokens[today.rewardSupplier[j]] += (phaseTwo * today.rewardTokens[j]) / today.taskRewards;
  if (phaseOne > 0) {
    let slots = 0;
    for (let k = 0; k < c.nK; k++) slots += Math.min(day.counts[k], c.phaseOneTarget[k]);
    for (let k = 0; k < c.nK; k++) {
      const filled = Math.min(day.counts[k], c.phaseOneTarget[k], st.size[k]);
      for (let n = 0; n < filled; n++) st.tokens[st.members[k][n]] += phaseOne / slots;
    }
  }
}

/**
 * Step 13: refunds of expired tasks from the dollar reserve (cut, and reported, if it cannot
 * pay: a withdrawal), then the top-up (E16) on the free reserve.
 */
export function marketTopUp(m: MarketContext): undefined {
  const { c, day, state, onchain: oc, today } = m;
  const { paid } = day;
  const freeAfterPay = refund(m);
  // E17 before the top-up, in aggregate mode's order, plus the marketplace's token flows
  // (earmarked tokens paid out − bought back today − bonds confiscated); the top-up and the
  // update below use this one number, so a top-up that takes every token lands on exactly 0
  today.circulating =
    nextSupply(
      state.supply,
      paid.validatorTokensPaid,
      paid.phaseOneEmission,
      paid.phaseTwoEmission,
      day.onboardingTokens,
      0,
      0,
    ) +
    (today.released - day.buybackTokens - today.confiscated);
  // the top-up buys only free circulating tokens: bonds still outstanding are not for sale
  day.topUp = reserveTopUp(
    freeAfterPay,
    c.initialTokenReserve,
    oc[LOWER],
    oc[RESTORE],
    day.price.buybackPrice,
    today.cashLeft,
    today.circulating - bondedAfter(m),
  );
  return undefined;
}

/** Bond tokens outstanding at the end of today: posted less returned less confiscated (E22). */
export function bondedAfter({ bondedTokens, today }: MarketContext): number {
  return bondedTokens + today.bondsPosted - today.bondsReturned - today.confiscated;
}

/**
 * Step 13's first half: refunds of expired tasks paid from the dollar reserve (cut, and reported,
 * if it cannot pay: a withdrawal), `today.cashLeft` for the top-up; returns the free reserve
 * after the day's payments, which E16 reads.
 */
export function refund({ day, state, today }: MarketContext): number {
  const { paid } = day;
  const cash = state.dollarReserve + day.split.opsRevenue + today.escrowBack;
  today.refunded = withdrawal(cash, today.refundDue);
  today.cashLeft = cash - today.refunded;
  return (
    today.freeReserve +
    day.onboardingTokens -
    paid.validatorTokensPaid -
    paid.phaseTwoEmission -
    paid.phaseOneEmission
  );
}

/**
 * Step 14: E17, E18, E19 plus the marketplace's escrow flows; vesting (E17b) taken from the
 * locked allocations.
 */
export function marketUpdate(m: MarketContext): undefined {
  const { c, t, day, state, today } = m;
  const { paid, topUp } = day;
  day.vested = withdrawal(state.lockedAllocations, c.vested[t]);
  day.dollarBefore = state.dollarReserve;
  state.supply = drained(
    today.circulating - topUp.reserveBuybackTokens + day.vested,
    m.totalTokens,
  );
  state.tokenReserve = drained(
    nextTokenReserve(
      state.tokenReserve,
      day.onboardingTokens,
      paid.validatorTokensPaid,
      paid.phaseTwoEmission,
      paid.phaseOneEmission,
      topUp.reserveBuybackTokens,
    ) +
      (day.buybackTokens - today.released + today.confiscated),
    m.totalTokens,
  );
  // a top-up that spends all the cash left after refunds drains the dollar reserve to exactly 0
  state.dollarReserve =
    topUp.reserveBuybackUsd === today.cashLeft && today.cashLeft > 0
      ? 0
      : nextDollarReserve(state.dollarReserve, day.split.opsRevenue, topUp.reserveBuybackUsd) +
        (today.escrowBack - today.refunded);
  state.lockedAllocations -= day.vested;
  m.bondedTokens = drained(bondedAfter(m), m.totalTokens);
  // balances summed from per-task flows: a residue of rounding below 0 is an empty balance
  // (decision 64), on each balance's own scale (tokens: the economy's; USD: the escrow's flows)
  m.pendingTokens = drained(
    m.pendingTokens + (day.buybackTokens - today.released - today.freed),
    m.totalTokens,
  );
  m.usdEscrowScale = Math.max(
    m.usdEscrowScale,
    m.usdEscrow,
    today.escrowIn,
    today.usdPaid,
    today.escrowBack,
  );
  m.usdEscrow = drained(
    m.usdEscrow + (today.escrowIn - today.usdPaid - today.escrowBack),
    m.usdEscrowScale,
  );
  state.phaseTwoMinted += paid.phaseTwoEmission;
  state.stakedTokens += paid.phaseOneEmission;
  // I2 counts refunds as USD leaving the reserve and escrow returns as USD entering it
  day.extraUsdOut += today.refunded - today.escrowBack;
  return undefined;
}
