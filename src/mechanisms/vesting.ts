import type { Day, Tokens } from "../units.js";

export interface VestingAllocation {
  readonly amount: Tokens;
  readonly cliffDays: number;
  readonly linearDays: number;
}

/**
 * E17b: tokens vesting at the end of each day, `vested[t]` for t = 0 … days−1. Each allocation
 * vests nothing on days 0 … c−1, then amount/N at the end of each of days c … c+N−1, its last
 * tranche being whatever is left. The array is built by the same subtraction the engine does
 * (`locked[t+1] = locked[t] − vested[t]`), and the day the last allocation finishes vests all
 * that is still locked, so locked vesting allocations land on exactly 0.
 */
export function vestingSchedule(
  allocations: readonly VestingAllocation[],
  days: Day,
  lockedAtStart: Tokens,
): Float64Array {
  const vested = new Float64Array(days);
  if (allocations.length === 0) return vested;
  const neverVesting = lockedAtStart - allocations.reduce((a, v) => a + v.amount, 0);
  const remaining = allocations.map((a) => a.amount);
  const lastDay = Math.max(...allocations.map((a) => a.cliffDays + a.linearDays - 1));
  let locked = lockedAtStart;
  for (let t = 0; t < days; t++) {
    let v = 0;
    allocations.forEach((a, n) => {
      if (t < a.cliffDays || remaining[n] <= 0) return;
      const tranche =
        t === a.cliffDays + a.linearDays - 1
          ? remaining[n]
          : Math.min(a.amount / a.linearDays, remaining[n]);
      remaining[n] -= tranche;
      v += tranche;
    });
    if (t === lastDay) v = locked - neverVesting;
    v = Math.min(v, locked);
    vested[t] = v;
    locked = locked - v;
  }
  return vested;
}
