/**
 * Relative tolerance under which a withdrawal counts as "all of the balance": an amount within
 * `DRAIN_TOLERANCE · balance` of the balance (or above it) takes exactly the balance.
 * Float64 rounding of a product or quotient is about 1.1e-16 relative per operation; a few
 * operations (price = demand / supply, tokens = usd / price) stay far below 1e-12.
 */
export const DRAIN_TOLERANCE = 1e-12;

// What the functions below read: an exported binding is read through its export cell with a
// hole check on every call inlined into a hot loop (the fused kernel's); a module-local const
// is folded into the compiled code (docs/benchmarks.md, helper kernel5).
const TOLERANCE = DRAIN_TOLERANCE;

/**
 * The part of `amount` that actually leaves `balance` (tokens or usd, the same unit for both):
 * `min(amount, balance)`, and exactly `balance` when `amount ≥ balance · (1 − DRAIN_TOLERANCE)`.
 *
 * Used by every draining step (onboarding burn from supply, top-up from circulating supply,
 * payments from the token reserve, top-up cash from the dollar reserve, vesting from locked
 * allocations) so that "takes all of it" leaves `balance − withdrawal(balance, amount)` at
 * exactly 0 — never −1.1e-13 — and the outcome never depends on the amount's last bits
 * (docs/model.md §6 step 14; issue "trustworthy at the edges", item 1).
 *
 * `balance` ≥ 0 and `amount` ≥ 0 are expected; a negative balance returns 0 withdrawn.
 */
export function withdrawal(balance: number, amount: number): number {
  if (!(balance > 0)) return 0;
  return amount >= balance - TOLERANCE * balance ? balance : amount;
}

/**
 * A balance computed as a sum of flows (tokens or usd) that takes all of it, e.g. marketplace
 * supply after bonds holding every circulating token are confiscated: the flows were rounded
 * separately, so the sum can land a few ulps of the economy's size below 0. A result within
 * `DRAIN_TOLERANCE · scale` below 0 (`scale`: the economy's total, I1's `totalTokens` for
 * tokens) is exactly 0; anything further below is returned as is, and the invariant check stops
 * the run naming it.
 */
export function drained(balance: number, scale: number): number {
  return balance < 0 && balance >= -TOLERANCE * scale ? 0 : balance;
}
