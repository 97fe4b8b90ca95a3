import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { poolAfterTopUp } from "../../src/feedback/ammBalances.js";
import { ammBatch } from "../../src/feedback/ammBatch.js";
import { ammReserveTopUp } from "../../src/feedback/ammTopUp.js";

// Expected values: the root of E45 nearest the spot, computed with 80-digit decimals
// (Python's decimal module) from the same inputs, then rounded to a double.
const rel = (got: number, want: number) => Math.abs(got / want - 1);

describe("E45 where the day's flow dwarfs the pool: the price and the pool to the last digits", () => {
  it("large buys and sells crossing near the spot: the price and the pool as exact arithmetic has them", () => {
    // x = 10,000 tokens, y = 1,000 usd (spot 0.1); 10 M tokens sold, 1,000,000.1 usd of buys
    const r = ammBatch(1e4, 1e3, 1.0000001e6, 1.0000001e6, 1e7);
    expect(rel(r.price, 0.10000000999000999)).toBeLessThan(1e-15);
    // the pool keeps 9,999.999000999102 tokens (m² − 4aSbC as written lost 0.5 token here)
    expect(Math.abs(r.poolTokens - 9999.999000999102)).toBeLessThan(1e-8);
    expect(Math.abs(r.poolUsd - 1000.0000999000999)).toBeLessThan(1e-9);
  });

  it("a pool emptied of tokens by the day's buys keeps a positive balance on its curve", () => {
    // a death-spiral stress day: 14.2 tokens and 1.3e-7 usd in the pool, 324,630 tokens sold
    const [x, y] = [14.23406860630098, 1.2667442206293344e-7];
    const r = ammBatch(x, y, 71218.33888062485, 71218.33888062485, 324630.1556692809);
    expect(rel(r.price, 0.2193733855627448)).toBeLessThan(1e-14);
    // x + S − C/P cancels to 5.8e-7 of 324,644 tokens: read off the curve, not the difference
    expect(rel(r.poolTokens, 5.774375124766547e-7)).toBeLessThan(1e-6);
    expect(rel(r.poolUsd, 3.1225758204966265)).toBeLessThan(1e-9);
  });

  it("a pool emptied of dollars by the day's sells keeps a positive balance on its curve", () => {
    const a = ammBatch(
      5.565467290580273e-6,
      0.4883349577685294,
      13159.274789643572,
      13159.274789643572,
      871169.3917372876,
    );
    expect(rel(a.price, 0.01510586029460246)).toBeLessThan(1e-14);
    expect(rel(a.poolUsd, 8.407117136568527e-8)).toBeLessThan(1e-6);
    // 32.3 of 871,201 tokens: the difference keeps 11 of its 15–16 digits
    expect(rel(a.poolTokens, 32.327517151937286)).toBeLessThan(1e-10);
    // the subtraction rounded to exactly 0 usd here: the next day's spot would be 0 and its slippage ∞
    const b = ammBatch(
      1.0131628869203269e-10,
      865819.466223855,
      13301.239146188445,
      13301.239146188445,
      3273638.285580001,
    );
    expect(rel(b.price, 0.26854546186195)).toBeLessThan(1e-13);
    expect(rel(b.poolUsd, 2.720802954094058e-11)).toBeLessThan(1e-6);
  });

  it("E46: a top-up whose cash dwarfs the pool's dollars leaves the pool a token balance > 0", () => {
    // a stress day: 55.1 tokens and 1.8e-26 usd in the pool, 865,819 usd of cash, 257,490 tokens
    // wanted; the curve leaves x·y/(y + cash) = 1.2e-30 tokens, below 55.1's last digit
    const [x, y, cash] = [55.100928938016295, 1.814851435853127e-26, 865819.466222263];
    const up = ammReserveTopUp(142509.46981356008, 2e6, 0.1, 0.2, x, y, cash);
    expect(up.reserveBuybackUsd).toBe(cash); // cash-limited: all of it is spent
    const pool = poolAfterTopUp(x, y, up.reserveBuybackTokens, up.reserveBuybackUsd);
    // x − x·cash/(y + cash) rounded to 0 tokens (a spot of ∞ the next day): the pool keeps x·ε
    expect(pool.poolTokens).toBeGreaterThan(0);
    expect(pool.poolTokens).toBeLessThanOrEqual(x * 2 * Number.EPSILON);
    expect(Number.isFinite(pool.poolUsd / pool.poolTokens)).toBe(true);
  });

  it("any pool and any day's flow: both balances > 0, the pool on its curve, the trades conserved", () => {
    const logUniform = (lo: number, hi: number) =>
      fc.double({ min: Math.log(lo), max: Math.log(hi), noNaN: true }).map(Math.exp);
    const flow = fc.oneof(fc.constant(0), logUniform(1e-4, 1e8));
    fc.assert(
      fc.property(
        logUniform(1e-4, 1e4),
        logUniform(1e-4, 1e4),
        flow,
        flow,
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (x, y, B, S, premium) => {
          const C = B / (1 + premium); // a buyback premium's extra usd stays in the pool [R3]
          const r = ammBatch(x, y, B, C, S);
          expect(r.poolTokens).toBeGreaterThan(0);
          expect(r.poolUsd).toBeGreaterThan(0);
          expect(Number.isFinite(r.slippage)).toBe(true);
          // E45: (x + S − C/P)(y + C − S·P) = x·y, the premium B − C added after the trade
          const premiumUsd = B - C;
          const slack = r.poolTokens * 4 * Number.EPSILON * (y + B); // the subtraction's rounding
          expect(Math.abs(r.poolTokens * (r.poolUsd - premiumUsd) - x * y)).toBeLessThanOrEqual(
            1e-6 * x * y + slack,
          );
          // the pool moves by what the traders bring and take (I1, I2), to rounding
          expect(Math.abs(r.poolTokens - (x + S - r.tokensToBuyers))).toBeLessThanOrEqual(
            1e-12 * (x + S),
          );
          expect(Math.abs(r.poolUsd - (y + B - r.usdToSellers))).toBeLessThanOrEqual(
            1e-12 * (y + B),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});
