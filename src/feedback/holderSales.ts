import { withdrawal } from "../mechanisms/withdrawal.js";
import type { Day, Fraction, Tokens } from "../units.js";

/**
 * E43, holders' sales of paid tokens: `sellShare` of the tokens paid on day t (to suppliers and,
 * when they sell too, validators) is sold in equal parts on days t+1 … t+sellOverDays,
 *
 * `sales[t] = Σ_{d=1}^{D} sellShare · paid[t−d] / D`.
 *
 * Tokens are paid at step 12, after the day's market (step 7) has cleared, so the first market
 * they can reach is the next day's: "immediately" is D = 1. The queue is a ring of D + 1 days
 * (`queue[s mod (D+1)]` holds what is due on day s); this adds day t's pay to it.
 */
export function queueSales(
  queue: Float64Array,
  t: Day,
  paid: Tokens,
  sellShare: Fraction,
  sellOverDays: number,
): void {
  const part = (sellShare * paid) / sellOverDays;
  if (part === 0) return;
  const n = queue.length;
  for (let d = 1; d <= sellOverDays; d++) queue[(t + d) % n] += part;
}

/**
 * E43, the tokens paid today that holders can move (tokens): what suppliers were paid less E3's
 * phase-one emission, which is staked until the first phase-2 day, plus validator pay when the
 * validators sell, plus the stake released today (E3's stake, at step 4 of the first phase-2 day;
 * 0 on every other day),
 *
 * `sellable = supplierTokensPaid − phaseOneEmission + v · validatorTokensPaid + stakeReleased`.
 *
 * `queueSales` then queues `sellShare` of it. Staked tokens cannot be sold: the stake is what the
 * phase-one emission buys (a bond of the network's first suppliers), so it reaches the market only
 * once it is released, and then as a day's pay does.
 */
export function sellableTokensPaid(
  supplierTokensPaid: Tokens,
  phaseOneEmission: Tokens,
  validatorTokensPaid: Tokens,
  validatorsSell: boolean,
  stakeReleased: Tokens,
): Tokens {
  return (
    supplierTokensPaid -
    phaseOneEmission +
    (validatorsSell ? validatorTokensPaid : 0) +
    stakeReleased
  );
}

/** E43: the sales due on day t, taken off the queue (the slot is cleared for reuse). */
export function takeDueSales(queue: Float64Array, t: Day): Tokens {
  const i = t % queue.length;
  const due = queue[i];
  queue[i] = 0;
  return due;
}

/**
 * E43–E44 at the day's market (tokens): what holders sell, from `supply`, what they can sell at
 * most (the start-of-day circulating supply less the staked phase-one emission, E3; in
 * marketplace mode less the bonds outstanding too): the queue's `due`, the speculators' `specSell` (at most their book, E44) and a stress
 * test's `extraSell`, all at most the supply (`withdrawal`); the speculators' tokens first when
 * that binds (`min(specSell, sold)` are theirs: their tokens exist for certain, the queue is
 * holders without a book), and the other holders at most what they hold, `supply −
 * speculatorTokens`, so no one sells the speculators' tokens but them (a sell wave of the whole
 * supply leaves the speculators' book alone). Where nothing binds, `due + specSell + extraSell`.
 */
export function tokensSold(
  supply: Tokens,
  due: Tokens,
  specSell: Tokens,
  extraSell: Tokens,
  speculatorTokens: Tokens,
): Tokens {
  const sold = withdrawal(supply, due + specSell + extraSell);
  const specSold = Math.min(specSell, sold);
  const others = supply - speculatorTokens;
  return sold - specSold > others ? specSold + Math.max(others, 0) : sold;
}
