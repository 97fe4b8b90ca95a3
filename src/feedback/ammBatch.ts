import type { Out } from "../mechanisms/out.js";
import type { Tokens, Usd, UsdPerToken } from "../units.js";

export interface AmmBatch {
  /** The day's one clearing price, usd/token: every buyer and seller of the day trades at it. */
  readonly price: UsdPerToken;
  /** Tokens that leave the pool to buyers: `buyClaimUsd / price`. */
  readonly tokensToBuyers: Tokens;
  /** USD that leaves the pool to sellers: `sellTokens · price`. */
  readonly usdToSellers: Usd;
  readonly poolTokens: Tokens;
  readonly poolUsd: Usd;
  /** `(price − spot) / spot`, the day's price impact as a fraction of the start-of-day spot. */
  readonly slippage: number;
}

/**
 * E45, the day's market on a constant-product pool (tokens x, dollars y, `x · y = k`): all the
 * day's buys (USD `buyUsd` in, of which `buyClaimUsd` is what buyers take tokens for — less than
 * `buyUsd` only by a buyback premium [R3]) and sells (`sellTokens` in) clear at one uniform price
 * P chosen so that the pool's trade ends on its curve:
 *
 * `(x + S − C / P) · (y + C − S · P) = x · y`,
 *
 * i.e. `a·S·P² − (a·b + C·S − x·y)·P + b·C = 0` with `a = x + S`, `b = y + C`; then the premium,
 * `B − C`, is added to the pool's dollars: it is paid over the price and bought nothing, so it
 * stays in the pool (`poolUsd = y + B − S·P`, and x'·y' > x·y: the pool's spot rises by it the next
 * day). Of the two roots the one nearest the start-of-day spot `y / x` is the trade the pool takes
 * (the other crosses buyers and sellers at a price the pool is indifferent to); with S = 0 it is
 * `(y + C) / x`, the textbook swap of C. P lies between the spot before and the trade's spot
 * after. One price a day keeps docs/model.md §6's rule "every token conversion of day t uses the
 * price of day t"; order-independent (no queue position); crossed volume pays the net flow's
 * impact, which is what a daily batch auction against a pool does. The discriminant is ≥ 0
 * (Cauchy–Schwarz).
 */
export function ammBatch(
  poolTokens: Tokens,
  poolUsd: Usd,
  buyUsd: Usd,
  buyClaimUsd: Usd,
  sellTokens: Tokens,
): AmmBatch {
  const out = noAmmBatch();
  ammBatchInto(out, poolTokens, poolUsd, buyUsd, buyClaimUsd, sellTokens);
  return out;
}

/** An AmmBatch of zeros: the record `ammBatchInto` fills (allocated once by a caller that reuses it). */
export function noAmmBatch(): Out<AmmBatch> {
  return { price: 0, tokensToBuyers: 0, usdToSellers: 0, poolTokens: 0, poolUsd: 0, slippage: 0 };
}

/** A pool side that keeps less than this share of what was there to take is read off the curve (E45). */
const CANCELLED = 2 ** -20;

/** E45 into `out` (allocation-free; `ammBatch` is the readable form): the one implementation. */
export function ammBatchInto(
  out: Out<AmmBatch>,
  poolTokens: Tokens,
  poolUsd: Usd,
  buyUsd: Usd,
  buyClaimUsd: Usd,
  sellTokens: Tokens,
): void {
  const x = poolTokens;
  const y = poolUsd;
  const spot = y / x;
  const B = buyUsd;
  const C = buyClaimUsd;
  const S = sellTokens;
  // the trade is the claim's, C for tokens (B − C, a buyback premium, is added after it)
  const price = ammPrice(x, y, C, C, S);
  const tokensToBuyers = C / price;
  const usdToSellers = S * price;
  let poolX = x + S - tokensToBuyers;
  let poolY = y + C - usdToSellers;
  // The pool ends on its curve, x'·y' = x·y > 0. When a day's flow dwarfs the pool, a side is a
  // difference of nearly equal numbers (x + S − C/P): rounding can leave it at a wrong size or
  // ≤ 0 (negative balances, a spot of ∞ the next day). A side keeping under 2⁻²⁰ of what was
  // there to take has lost 20 of its 53 bits: it is read off the curve, x·y / (the other side).
  // The change is that difference's rounding error, far below the invariants' tolerance (I1, I2).
  const keptX = poolX / (x + S);
  const keptY = poolY / (y + C);
  if (keptX < CANCELLED && keptX < keptY) poolX = (x * y) / poolY;
  else if (keptY < CANCELLED && keptY <= keptX) poolY = (x * y) / poolX;
  out.price = price;
  out.tokensToBuyers = tokensToBuyers;
  out.usdToSellers = usdToSellers;
  out.poolTokens = poolX;
  // the premium stays in the pool (an exact 0 without one: the same bits)
  out.poolUsd = poolY + (B - C);
  out.slippage = (price - spot) / spot;
}

/**
 * E45's clearing price P for the pool (x, y) and the day's flows (B, C, S): `ammBatchInto`'s
 * root, a function of its own so that each part stays under V8's inlining limit for one
 * function's bytecode (460 bytes): the whole was never inlined into the lockstep's loop, so its
 * five numbers were boxed for the call on every run-day (decision 233).
 */
function ammPrice(x: Tokens, y: Usd, B: Usd, C: Usd, S: Tokens): UsdPerToken {
  const spot = y / x;
  if (S === 0 && C === 0) return spot;
  const a = x + S;
  const b = y + B;
  // a·b + C·S − x·y, expanded so that small trades do not cancel
  const m = x * B + S * y + S * B + C * S;
  if (S === 0) return ((C / B) * b) / x;
  if (C === 0) return y / a;
  // m² − 4·a·S·b·C factored so that the flows' large terms do not cancel:
  // (n − 2√(SCxy))·(n + 2√(SCxy)), n = x·B + S·y + S·(B − C), and
  // n − 2√(SCxy) = (√(xB) − √(Sy))² + 2√(xyS)·(√B − √C) + S·(B − C), a sum of terms ≥ 0
  const d = Math.sqrt(x * B) - Math.sqrt(S * y);
  const g = 2 * Math.sqrt(S * C * x * y);
  const f1 =
    d * d + (2 * Math.sqrt(x * y * S) * (B - C)) / (Math.sqrt(B) + Math.sqrt(C)) + S * (B - C);
  const f2 = x * B + S * y + S * (B - C) + g;
  const root = Math.sqrt(f1 * f2);
  const hi = (m + root) / (2 * a * S);
  const lo = (2 * b * C) / (m + root);
  return Math.abs(hi - spot) <= Math.abs(lo - spot) ? hi : lo;
}
