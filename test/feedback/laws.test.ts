import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ammBatch,
  ammReserveTopUp,
  capacityServedJobs,
  closedDaysMargin,
  elasticJobs,
  incomePerSupplier,
  laggedMargin,
  nextSupplyWithPool,
  queueLossJobs,
  queueSales,
  speculatorOrder,
  supplierChurn,
  supplierClassIncome,
  supplierMargin,
  takeDueSales,
} from "../../src/feedback/index.js";
import { leastProfitableFirst, supplierDayIncome } from "../../src/feedback/supplierMarket.js";

const churnParams = {
  entryElasticity: 0.2,
  exitElasticity: 0.1,
  maxEntryRate: 0.05,
  maxExitRate: 0.2,
  maxCount: Number.POSITIVE_INFINITY,
};

describe("E40 supplier income per class", () => {
  it("splits bought-back tokens, phase-2 emission and USD pay by the class's share of demand", () => {
    // income 1000: class A earns 800 of it, B 200; BM = 1 → all 700 of the pool bought back at
    // price 2 → 350 tokens; phase-2 emission 50 tokens; validators (20 tokens) are outsiders.
    // A: 0.8 · (350 + 50) · 2 = 640 usd; B: 0.2 · 800 = 160 usd.
    const out = new Float64Array(2);
    supplierClassIncome(
      {
        usdDemandForService: [800, 200],
        income: 1000,
        usdCapital: 0,
        buybackTokens: 350,
        phaseOneEmission: 0,
        phaseTwoEmission: 50,
        validatorTokensPaid: 20,
        priceOfToken: 2,
        supplierCount: [10, 4],
        phaseOneTarget: [0, 0],
        phaseOneSlotTokens: 0,
        validatorsAreSuppliers: false,
        onchain: [],
      },
      out,
    );
    expect(out[0]).toBeCloseTo(640, 9);
    expect(out[1]).toBeCloseTo(160, 9);
    expect(incomePerSupplier(out[0], 10)).toBeCloseTo(64, 9);
    expect(incomePerSupplier(out[1], 4)).toBeCloseTo(40, 9);
  });
  it("adds validator pay and USD pay when validators are the suppliers", () => {
    // BM = 0.5: usdCapital 350, 175 tokens at price 2; validators 20 tokens.
    // shared = 350 + (175 + 0 + 20) · 2 = 740; A: 0.8 · 740 = 592; B: 0.2 · 740 = 148.
    const out = new Float64Array(2);
    supplierClassIncome(
      {
        usdDemandForService: [800, 200],
        income: 1000,
        usdCapital: 350,
        buybackTokens: 175,
        phaseOneEmission: 0,
        phaseTwoEmission: 0,
        validatorTokensPaid: 20,
        priceOfToken: 2,
        supplierCount: [10, 4],
        phaseOneTarget: [0, 0],
        phaseOneSlotTokens: 0,
        validatorsAreSuppliers: true,
        onchain: [],
      },
      out,
    );
    expect(out[0]).toBeCloseTo(592, 9);
    expect(out[1]).toBeCloseTo(148, 9);
  });
  it("pays phase-one emission per filled target slot [R7]", () => {
    // 40,000 tokens at 0.01 = 400 usd; slots min(3,5) = 3 and min(20,15) = 15 → 18.
    const out = new Float64Array(2);
    supplierClassIncome(
      {
        usdDemandForService: [0, 0],
        income: 0,
        usdCapital: 0,
        buybackTokens: 0,
        phaseOneEmission: 40_000,
        phaseTwoEmission: 0,
        validatorTokensPaid: 0,
        priceOfToken: 0.01,
        supplierCount: [3, 20],
        phaseOneTarget: [5, 15],
        phaseOneSlotTokens: 0,
        validatorsAreSuppliers: false,
        onchain: [],
      },
      out,
    );
    expect(out[0]).toBeCloseTo((3 / 18) * 400, 9);
    expect(out[1]).toBeCloseTo((15 / 18) * 400, 9);
  });
  it("reports a lone entrant's income for an empty class", () => {
    expect(incomePerSupplier(120, 0)).toBe(120);
  });
});

describe("E41 margin and its lag", () => {
  it("is (income − cost) / cost", () => {
    expect(supplierMargin(64, 50)).toBeCloseTo(0.28, 12);
    expect(supplierMargin(40, 50)).toBeCloseTo(-0.2, 12);
    expect(supplierMargin(0, 50)).toBe(-1);
  });
  it("averages the closed days of the window, never today", () => {
    const h = [0.1, 0.2, -0.3, -0.6, 99];
    expect(laggedMargin(h, 0, 3)).toBeNull();
    expect(laggedMargin(h, 1, 3)).toBeCloseTo(0.1, 12);
    expect(laggedMargin(h, 2, 3)).toBeCloseTo(0.15, 12);
    expect(laggedMargin(h, 4, 3)).toBeCloseTo((0.2 - 0.3 - 0.6) / 3, 12);
    // the plain-number form the churn step calls, from an offset (class k's history at k·days)
    expect(closedDaysMargin([7, 7, 0.1, 0.2, -0.3, 99], 3, 2, 2)).toBeCloseTo((0.2 - 0.3) / 2, 12);
    expect(closedDaysMargin(h, 1, 7)).toBeCloseTo(0.1, 12);
  });
});

describe("E42 churn", () => {
  it("exits at elasticity × margin: 100 suppliers at −50% margin, elasticity 0.1 → 5 leave", () => {
    const c = supplierChurn(100, -0.5, churnParams);
    expect(c.exits).toBeCloseTo(5, 12);
    expect(c.entries).toBe(0);
    expect(c.count).toBeCloseTo(95, 12);
  });
  it("caps exit at maxExitRate: −500% margin still loses only 20%", () => {
    expect(supplierChurn(100, -5, churnParams).count).toBeCloseTo(80, 12);
  });
  it("caps entry at maxEntryRate: +30% margin × 0.2 = 6% capped to 5%", () => {
    const c = supplierChurn(100, 0.3, churnParams);
    expect(c.entries).toBeCloseTo(5, 12);
    expect(c.count).toBeCloseTo(105, 12);
  });
  it("lets an empty class regrow from one would-be entrant", () => {
    const c = supplierChurn(0, 1, { ...churnParams, entryElasticity: 0.5, maxEntryRate: 1 });
    expect(c.count).toBeCloseTo(0.5, 12);
  });
  it("stops entry at maxCount and does nothing before a margin exists", () => {
    expect(supplierChurn(100, 0.3, { ...churnParams, maxCount: 102 }).count).toBe(102);
    expect(supplierChurn(100, null, churnParams).count).toBe(100);
  });
});

describe("E43 holders' sales", () => {
  it("sells sellShare of each day's pay in equal parts over the next D days", () => {
    // D = 3, share 0.5: day 0 pays 300 → 50 on days 1, 2, 3; day 1 pays 600 → 100 on days 2, 3, 4.
    const q = new Float64Array(4);
    queueSales(q, 0, 300, 0.5, 3);
    expect(takeDueSales(q, 0)).toBe(0);
    queueSales(q, 1, 600, 0.5, 3);
    expect(takeDueSales(q, 1)).toBe(50);
    queueSales(q, 2, 0, 0.5, 3);
    expect(takeDueSales(q, 2)).toBe(150);
    queueSales(q, 3, 0, 0.5, 3);
    expect(takeDueSales(q, 3)).toBe(150);
    queueSales(q, 4, 0, 0.5, 3);
    expect(takeDueSales(q, 4)).toBe(100);
    expect(takeDueSales(q, 5)).toBe(0);
  });
});

describe("E44 speculators", () => {
  it("buy on a rising trend: +20% × sensitivity 2 × $1000 = $400", () => {
    const o = speculatorOrder(1.2, 1.0, 2, 1000, 0);
    expect(o.buyUsd).toBeCloseTo(400, 9);
    expect(o.sellTokens).toBe(0);
  });
  it("sell on a falling trend, their book capped: −50% × 2 → −$1000 → 2000 tokens at $0.50", () => {
    const o = speculatorOrder(0.5, 1.0, 2, 1000, 5000);
    expect(o.sellTokens).toBeCloseTo(2000, 9);
    expect(o.buyUsd).toBe(0);
  });
  it("sell at most what they hold: −20% × 1 × $100 = −$20 asks 25 tokens at $0.80; 10 held sell 10", () => {
    expect(speculatorOrder(0.8, 1.0, 1, 100, 1000).sellTokens).toBeCloseTo(25, 9);
    expect(speculatorOrder(0.8, 1.0, 1, 100, 10)).toEqual({ buyUsd: 0, sellTokens: 10 });
    // nothing held, nothing sold; a buy does not depend on the holding
    expect(speculatorOrder(0.8, 1.0, 1, 100, 0)).toEqual({ buyUsd: 0, sellTokens: 0 });
    expect(speculatorOrder(1.2, 1.0, 2, 1000, 0).buyUsd).toBeCloseTo(400, 9);
  });
  it("do nothing without history", () => {
    expect(speculatorOrder(undefined, undefined, 2, 1000, 10)).toEqual({
      buyUsd: 0,
      sellTokens: 0,
    });
  });
});

/** 0, or a trade of 1e-12 … 1e4 times the pool's reserve (denormal trades are not money). */
const tradeShare = fc.oneof(fc.constant(0), fc.double({ min: 1e-12, max: 1e4, noNaN: true }));

describe("E45 AMM batch", () => {
  it("a pure buy is the textbook swap: $100 into 1000/1000 pays (y+B)/x = 1.1", () => {
    const b = ammBatch(1000, 1000, 100, 100, 0);
    expect(b.price).toBeCloseTo(1.1, 12);
    expect(b.tokensToBuyers).toBeCloseTo(100 / 1.1, 9);
    expect(b.poolTokens).toBeCloseTo(1000 - 100 / 1.1, 9);
    expect(b.poolUsd).toBe(1100);
    expect(b.slippage).toBeCloseTo(0.1, 12);
  });
  it("a pure sell: 100 tokens into 1000/1000 get y/(x+S) = 1/1.1 each", () => {
    const b = ammBatch(1000, 1000, 0, 0, 100);
    expect(b.price).toBeCloseTo(1 / 1.1, 12);
    expect(b.usdToSellers).toBeCloseTo(100 / 1.1, 9);
    expect(b.poolTokens).toBe(1100);
    expect(b.poolUsd).toBeCloseTo(1000 - 100 / 1.1, 9);
  });
  it("crosses buys and sells at one price: $10 in, 5 tokens in on 100/100 clear at 22/21", () => {
    // 105·110·P² … : 525P² − 1600P + 1100 = 0 → P = 22/21 or 2; 22/21 is nearest spot 1.
    const b = ammBatch(100, 100, 10, 10, 5);
    expect(b.price).toBeCloseTo(22 / 21, 12);
    expect(b.poolTokens).toBeCloseTo(1050 / 11, 9);
    expect(b.poolUsd).toBeCloseTo(2200 / 21, 9);
  });
  it("a perfectly balanced day trades at the spot: $10 and 10 tokens on 100/100", () => {
    expect(ammBatch(100, 100, 10, 10, 10).price).toBeCloseTo(1, 6);
  });
  it("a buyback premium stays in the pool: $100 of which $100/1.1 buys, on 1000/1000", () => {
    // the trade is the claim's: C = 90.909… for tokens, P = (y + C) / x = 1090.909… / 1000,
    // 83.33 tokens out (the swap of C: 1000 − 1e6 / 1090.909… = 83.33); the premium, $9.09,
    // is added after the trade: the pool ends at 916.67 tokens and $1,100, above its curve
    const C = 100 / 1.1;
    const b = ammBatch(1000, 1000, 100, C, 0);
    expect(b.price).toBeCloseTo((1000 + C) / 1000, 12);
    expect(b.tokensToBuyers).toBeCloseTo(1000 - 1e6 / (1000 + C), 9);
    expect(b.poolTokens).toBeCloseTo(1e6 / (1000 + C), 9);
    expect(b.poolUsd).toBeCloseTo(1100, 9);
    expect(b.poolTokens * (b.poolUsd - (100 - C))).toBeCloseTo(1e6, 6);
    // a buy-only day raises the price above the spot (1.0), as any buy does
    expect(b.slippage).toBeCloseTo(C / 1000, 12);
  });
  it("keeps the pool on its curve, reserves positive, the price between spot before and after", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        tradeShare,
        tradeShare,
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (x, y, buyShare, sellShare, premium) => {
          // trades up to 10,000 times the pool's own reserves
          const B = buyShare * y;
          const S = sellShare * x;
          const C = B / (1 + premium);
          const b = ammBatch(x, y, B, C, S);
          expect(b.poolTokens).toBeGreaterThan(0);
          expect(b.poolUsd).toBeGreaterThan(0);
          // the trade on the curve, x'·(y' − premium) = x·y; with the premium x'·y' ≥ x·y
          const premiumUsd = B - C;
          const tradeUsd = b.poolUsd - premiumUsd;
          const slack = b.poolTokens * 4 * Number.EPSILON * (y + B); // the subtraction's rounding
          expect(Math.abs(b.poolTokens * tradeUsd - x * y)).toBeLessThanOrEqual(
            1e-6 * x * y + slack,
          );
          expect(b.poolTokens * b.poolUsd).toBeGreaterThanOrEqual(x * y * (1 - 1e-7));
          // the price between the spot before and the trade's spot after, premium or not
          const spot0 = y / x;
          const spot1 = tradeUsd / b.poolTokens;
          const lo = Math.min(spot0, spot1) * (1 - 1e-6);
          const hi = Math.max(spot0, spot1) * (1 + 1e-6) + slack / b.poolTokens ** 2;
          expect(b.price).toBeGreaterThanOrEqual(lo);
          expect(b.price).toBeLessThanOrEqual(hi);
          // a day of buys only never lowers the price (the newcomer's premium case)
          if (S === 0) expect(b.price).toBeGreaterThanOrEqual(spot0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("E46 top-up from the pool", () => {
  it("buys the 150 tokens wanted at the pool's cost y·W/(x−W)", () => {
    // reserve 50 < 0.1 · 1000; restore to 200 → W = 150; cost 1000 · 150 / 850.
    const t = ammReserveTopUp(50, 1000, 0.1, 0.2, 1000, 1000, 1000);
    expect(t.reserveBuybackTokens).toBe(150);
    expect(t.reserveBuybackUsd).toBeCloseTo(150_000 / 850, 9);
  });
  it("buys what $100 affords: 1000 · 100 / 1100 tokens", () => {
    const t = ammReserveTopUp(50, 1000, 0.1, 0.2, 1000, 1000, 100);
    expect(t.reserveBuybackTokens).toBeCloseTo(1000 / 11, 9);
    expect(t.reserveBuybackUsd).toBe(100);
  });
  it("does nothing at or above the lower limit", () => {
    expect(ammReserveTopUp(100, 1000, 0.1, 0.2, 1000, 1000, 100).reserveBuybackTokens).toBe(0);
  });
});

describe("E47 supply with a pool", () => {
  it("adds paid tokens, bought-back tokens and holders' purchases, removes sales", () => {
    expect(nextSupplyWithPool(1000, 10, 20, 30, 40, 50, 60, 5)).toBe(1095);
  });
});

describe("E48, E49 consumers", () => {
  it("lose demand when dearer than the cloud: (30/25)^−2 = 0.6944", () => {
    expect(elasticJobs(100, 30, 25, 2, 10)).toBeCloseTo(100 / 1.44, 9);
  });
  it("gain demand when cheaper, up to the cap: (20/40)^−1 = 2 capped at 1.5", () => {
    expect(elasticJobs(100, 20, 40, 1, 1.5)).toBeCloseTo(150, 9);
  });
  it("ignore a missing reference price", () => {
    expect(elasticJobs(100, 20, 0, 1, 1.5)).toBe(100);
  });
  it("give up in proportion to yesterday's expiries", () => {
    expect(queueLossJobs(100, 0.25, 2)).toBe(50);
    expect(queueLossJobs(100, 0.75, 2)).toBe(0);
  });
});

describe("E50 capacity", () => {
  it("serves each consumer type as far as its tightest class allows", () => {
    // A serves type 0 whole and half of type 1: load 100 + 50 = 150 job-equivalents against
    // 10 suppliers × 8 = 80 → 8/15 served; B has no capacity limit.
    const jobs = Float64Array.from([100, 100]);
    const lost = capacityServedJobs(
      jobs,
      Float64Array.from([1, 0, 0.5, 0.5]),
      [10, 10],
      Float64Array.from([8, Number.NaN]),
      new Float64Array(2),
    );
    expect(jobs[0]).toBeCloseTo(800 / 15, 9);
    expect(jobs[1]).toBeCloseTo(800 / 15, 9);
    expect(lost).toBeCloseTo(200 - 1600 / 15, 9);
  });
});

describe("E40m and who leaves (marketplace mode)", () => {
  it("a supplier's income: its USD, its tokens at the day's price, its share of validator pay by work", () => {
    // $7 of USD shares, 3 tokens at $2, and 10 validator tokens split 30 : 70 by work → 3 more
    expect(supplierDayIncome(7, 3, 2, 30, 100, 10)).toBeCloseTo(7 + 6 + 6, 12);
    expect(supplierDayIncome(7, 3, 2, 0, 0, 10)).toBe(13); // nobody worked: no validator share
  });
  it("the lowest margins leave first; equal margins, the highest id first", () => {
    const margin: Record<number, number> = { 4: -0.5, 7: -1, 9: -1, 2: 0.3, 5: -0.5 };
    expect(leastProfitableFirst([2, 4, 5, 7, 9], (s) => margin[s], 3)).toEqual([9, 7, 5]);
    expect(leastProfitableFirst([2, 4], (s) => margin[s], 0)).toEqual([]);
    expect(leastProfitableFirst([2, 4], (s) => margin[s], 5)).toEqual([4, 2]);
  });
});
