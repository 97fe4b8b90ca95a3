import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario } from "../helpers.js";
import { pooled, pooledPhaseOne, sellOff, spiral } from "./fixtures.js";

describe("death spiral, by hand (E40–E42)", () => {
  it("loses suppliers on known days once the margin turns negative", () => {
    const r = simulate(spiral());
    expect(r.error).toBeNull();
    const margin = column(r, "margin.hosts");
    expect(margin[4]).toBeCloseTo(0.05, 12);
    expect(margin[5]).toBeCloseTo(-0.16, 12);
    // day 6: exits 0.1 · 0.16 · 100 = 1.6 → 98.4 → 98 active; margin 840/98/10 − 1
    // day 7: exits 0.1 · (1 − 84/98) · 98.4 = 1.405714… → 96.994… → 96
    // day 8: margin(7) = 840/96/10 − 1 = −0.125 → exits 0.0125 · 96.994286 → 95.781857 → 95
    // day 9: margin(8) = 840/95/10 − 1 → exits 0.0115789… · 95.781857 → 94.67… → 94
    expect(Array.from(column(r, "suppliers.hosts"))).toEqual([
      100, 100, 100, 100, 100, 100, 98, 96, 95, 94,
    ]);
    const exits = column(r, "supplierExits.hosts");
    expect(exits[6]).toBeCloseTo(1.6, 12);
    expect(exits[7]).toBeCloseTo(0.1 * (1 - 84 / 98) * 98.4, 12);
    expect(margin[6]).toBeCloseTo(84 / 98 - 1, 12);
    expect(column(r, "incomePerSupplier.hosts")[7]).toBeCloseTo(8.75, 12);
  });
  it("holds with a defence: f cut to 0.1 on day 5 keeps every host ($10.80 > $10)", () => {
    const r = simulate(spiral({ schedule: [{ day: 5, set: { fiatOperationsFraction: 0.1 } }] }));
    expect(column(r, "margin.hosts")[5]).toBeCloseTo(0.08, 12);
    expect(Array.from(column(r, "suppliers.hosts"))).toEqual(Array(10).fill(100));
  });
  it("entrants of a dynamic class pay the onboarding fee (E8) and fill phase-one targets", () => {
    // margin +50% on day 0 with entry elasticity 0.2 → 10 % cap 0.05 → +5 hosts on day 1
    const r = simulate(
      spiral({
        onchain: {
          buybackModulation: 0,
          fiatOperationsFraction: 0,
          bondModulation: 0,
          onboardingModulation: 0.1,
          validationModulator: 0,
          phaseTwoMintAmount: 0,
          phase2Modulation: 1,
        },
        consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 100 }],
        feedback: {
          suppliers: {
            lagDays: 1,
            classes: {
              hosts: { costPerDay: 10, dynamic: { start: 100 }, entryElasticity: 0.2 },
            },
          },
        },
      }),
    );
    expect(column(r, "suppliers.hosts")[1]).toBe(105);
    // E8 on day 1: 0.1 · (1500 + 1500) / (100 + 105) per newcomer, 5 newcomers
    expect(column(r, "onboardingUsd")[1]).toBeCloseTo((5 * 0.1 * 3000) / 205, 9);
  });
});

describe("feedback that only observes changes nothing", () => {
  it("economics without dynamic classes leave every docs/model.md column as the plain run's", () => {
    const plain = simulate(tinyScenario({ days: 40 }), { seed: 3 });
    const observed = simulate(
      tinyScenario({
        days: 40,
        feedback: {
          suppliers: { classes: { modelTrainingProviders: { costPerDay: 20 } } },
        },
      }),
      { seed: 3 },
    );
    for (const name of plain.columns)
      expect(Array.from(column(observed, name)), name).toEqual(Array.from(column(plain, name)));
    // tiny: 10 jobs × $10, f 0.3, BM 1 → 70 usd of tokens, plus emissions; 3 suppliers
    expect(observed.columns).toContain("margin.modelTrainingProviders");
  });
});

describe("AMM pool, by hand (E43–E47)", () => {
  it("day 0: $200 of buys on 1000/1000 clear at 1.2; day 1: half of day 0's pay sold, clears at 1.6", () => {
    const r = simulate(pooled());
    expect(r.error).toBeNull();
    const price = column(r, "priceOfToken");
    expect(price[0]).toBeCloseTo(1.2, 12);
    expect(column(r, "buybackTokens")[0]).toBeCloseTo(100 / 1.2, 9);
    expect(column(r, "poolTokens")[0]).toBeCloseTo(1000 - 200 / 1.2, 9);
    expect(column(r, "poolUsd")[0]).toBeCloseTo(1200, 9);
    // supply: 10,000 − 1000 in the pool + 83.33 paid to hosts + 83.33 kept by exchange buyers
    expect(column(r, "supply")[0]).toBeCloseTo(9000 + 200 / 1.2, 9);
    // day 1: S = 0.5 · 83.33 = 41.67 tokens, B = C = $200 on 833.33/1200:
    // 36458.3·P² − 233333.3·P + 280000 = 0 → P = 1.6 (nearest the spot 1.44) or 4.8
    expect(column(r, "tokensSold")[1]).toBeCloseTo(125 / 3, 9);
    expect(price[1]).toBeCloseTo(1.6, 9);
    expect(column(r, "poolTokens")[1]).toBeCloseTo(750, 9);
    expect(column(r, "poolUsd")[1]).toBeCloseTo(1400 - (125 / 3) * 1.6, 9);
    expect(column(r, "salesUsd")[1]).toBeCloseTo((125 / 3) * 1.6, 9);
    expect(column(r, "ammSlippage")[1]).toBeCloseTo(1.6 / 1.44 - 1, 9);
    expect(column(r, "supply")[1] + column(r, "poolTokens")[1]).toBeCloseTo(10_000, 9);
  });
  it("a buyback premium of 1 on day 0: the claim trades, the premium stays in the pool (E45, [R3])", () => {
    // B = $100 exchange + $100 buyback = $200; C = 100 + 100 / 2 = $150 takes tokens:
    // P = (1000 + 150) / 1000 = 1.15; the buyback gets 100 / (1.15 · 2) tokens, the exchange
    // buyers 100 / 1.15; the pool gives 150 / 1.15 tokens and keeps all $200
    const r = simulate(pooled({ days: 1, onchain: { ...pooled().onchain, buybackPremium: 1 } }));
    expect(r.error).toBeNull();
    expect(column(r, "priceOfToken")[0]).toBeCloseTo(1.15, 12);
    expect(column(r, "buybackTokens")[0]).toBeCloseTo(100 / 2.3, 9);
    expect(column(r, "tokensBoughtByHolders")[0]).toBeCloseTo(100 / 1.15, 9);
    expect(column(r, "poolTokens")[0]).toBeCloseTo(1000 - 150 / 1.15, 9);
    expect(column(r, "poolUsd")[0]).toBeCloseTo(1200, 9);
    expect(column(r, "ammSlippage")[0]).toBeCloseTo(0.15, 12);
  });
  it("holders sell no staked phase-one emission, and sell the stake once it is released (E3, E43)", () => {
    // as above with a phase 1 of 2 days: budget 0.2 · 1000 = 200 tokens, 100 a day for the 10
    // hosts' 10 target slots, staked until day 2 (the first phase-2 day). The pool sees exactly
    // the days above: day 1 sells half of day 0's 83.33 bought-back tokens (not of 183.33), at 1.6
    const r = simulate(
      pooledPhaseOne({
        days: 4,
      }),
    );
    expect(r.error).toBeNull();
    expect(Array.from(column(r, "phaseOneEmission"))).toEqual([100, 100, 0, 0]);
    expect(Array.from(column(r, "stakedTokens"))).toEqual([100, 200, 0, 0]);
    const sold = column(r, "tokensSold");
    const price = column(r, "priceOfToken");
    expect(sold[1]).toBeCloseTo(125 / 3, 9);
    expect(price[1]).toBeCloseTo(1.6, 9);
    // day 2: half of day 1's 100 / 1.6 = 62.5 tokens; the stake (200) is released at step 4
    expect(sold[2]).toBeCloseTo(31.25, 9);
    // day 2's batch on 750 tokens / $1400 − 66.67 = $1333.33 with S = 31.25, B = C = $200:
    // 24414.0625·P² − 204166.67·P + 306666.67 = 0 → P = (204166.67 − 108333.33) / 48828.125
    const p2 = (204_166 + 2 / 3 - (108_333 + 1 / 3)) / 48_828.125;
    expect(price[2]).toBeCloseTo(p2, 9);
    // day 3 sells half of day 2's pay, 100 / P bought back, and half of the released 200
    expect(sold[3]).toBeCloseTo(0.5 * (100 / p2 + 200), 9);
  });
  it("refuses sales and speculators without a pool, and a pool larger than the supply", () => {
    const noPool = pooled({ feedback: { sales: { sellShare: 0.5 } } });
    expect(() => simulate(noPool)).toThrow(ScenarioError);
    expect(() => simulate(noPool)).toThrow(/feedback\.sales.*no order flow/s);
    expect(() =>
      simulate(pooled({ feedback: { amm: { poolTokens: 20_000, poolUsd: 1 } } })),
    ).toThrow(/poolTokens.*below the initial circulating supply/s);
  });
});

describe("speculators hold a book (E44), by hand", () => {
  it("holding nothing, they sell nothing on a falling price: their book stays 0, never below", () => {
    const r = simulate(sellOff(0));
    expect(r.error).toBeNull();
    // a sale of S into x·y = 1000·1000 with no buys clears at y/(x + S) and leaves x + S tokens
    // day 0 no trade (spot 1); days 1… S = 250: P1 = 1000/1250 = 0.8, P2 = 800/1500 = 0.5333…
    // day 2: r = 0.8/1 − 1 = −20%, flow −$80 asks 100 tokens; they hold 0, so they sell 0
    expect(Array.from(column(r, "tokensSold"))).toEqual([0, 250, 250, 250, 250, 250]);
    expect(Array.from(column(r, "speculatorTokens"))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(column(r, "priceOfToken")[2]).toBeCloseTo(800 / 1500, 12);
    expect(column(r, "poolTokens")[5]).toBe(1000 + 5 * 250);
  });
  it("holding 150 tokens they sell 100, then their last 50, then nothing", () => {
    const r = simulate(sellOff(150));
    expect(r.error).toBeNull();
    const price = column(r, "priceOfToken");
    const held = column(r, "speculatorTokens");
    const sold = column(r, "tokensSold");
    // days 0–1 as above (no trend before day L + 1 = 2): P0 = 1, P1 = 0.8, pool 1250 / 800
    expect(held[0]).toBe(150);
    expect(held[1]).toBe(150);
    // day 2: −20% × $400 = −$80 asks 80/0.8 = 100 tokens ≤ 150 held: S = 250 + 100,
    // P2 = 800/1600 = 0.5, pool 1600 / 625, 50 tokens left
    expect(sold[2]).toBeCloseTo(350, 9);
    expect(price[2]).toBeCloseTo(0.5, 12);
    expect(held[2]).toBeCloseTo(50, 9);
    // day 3: r = 0.5/0.8 − 1 = −37.5%, −$150 asks 300 tokens at 0.5; only 50 held: S = 300,
    // P3 = 625/1900, and the book is exactly empty
    expect(sold[3]).toBeCloseTo(300, 9);
    expect(price[3]).toBeCloseTo(625 / 1900, 12);
    expect(held[3]).toBe(0);
    // days 4–5: the trend is still down, but they hold nothing: only the validators' 250 sold
    expect([sold[4], sold[5], held[4], held[5]]).toEqual([250, 250, 0, 0]);
    expect(price[4]).toBeCloseTo(1e6 / 1900 / 2150, 12);
    // their tokens are part of the circulating supply: 9000 + 250 paid − 250 sold, less theirs sold
    expect(column(r, "supply")[3]).toBeCloseTo(9250 - 150, 9);
  });
  it("refuses more starting tokens than circulate outside the pool", () => {
    // initialSupply 10,000 − poolTokens 1000 = 9000 circulate on day 0
    expect(() => simulate(sellOff(9000.5))).toThrow(
      /feedback\.speculators\.startingTokens: 9000\.5 is more than .*initialSupply 10000 − amm\.poolTokens 1000 = 9000/s,
    );
    expect(simulate(sellOff(9000)).error).toBeNull();
  });
});

/** Ten dishonest hosts (every validation fails), ten $10 jobs a day, no fees but bonds. */
function bondedHosts(bondModulation: number, durationDays: number, amm: boolean) {
  return pooled({
    mode: "marketplace",
    onchain: {
      buybackModulation: 0,
      fiatOperationsFraction: 0.3,
      bondModulation,
      onboardingModulation: 0,
      validationModulator: 0,
      phaseTwoMintAmount: 0,
      phase2Modulation: 1,
    },
    consumerSentiment: 0,
    marketplace: {
      suppliers: {
        hosts: { capacity: 2, honesty: { dishonestShare: 1, honest: 1, dishonest: 0 } },
      },
      jobs: { hosting: { durationDays, deadlineDays: durationDays } },
    },
    feedback: amm ? { amm: { poolTokens: 1000, poolUsd: 1000 } } : {},
  });
}

describe("bonds are tokens their suppliers hold (E22, by hand)", () => {
  const queue = (r: ReturnType<typeof simulate>, n: string) => {
    const q = r.marketplace?.queue;
    if (!q) throw new Error("no queue table");
    return Array.from(q.values[q.columns.indexOf(n)]);
  };
  it("with a pool, bonds wanting more than circulates are cut to the free supply", () => {
    // supply 10,000 − pool 1000 = 9000 circulating; no trades, so P = spot = $1000 / 1000 = $1;
    // bonds want 100 · 10 tasks · $10 / $1 = 10,000 tokens > 9000: each is cut to 900; all
    // fail the same day (one-day tasks) and 9000 move to the reserve: supply exactly 0, not −1000
    const r = simulate(bondedHosts(100, 1, true));
    expect(r.error).toBeNull();
    expect(column(r, "priceOfToken")[0]).toBe(1);
    expect(queue(r, "bondTokensPosted")).toEqual([9000, 0]);
    expect(queue(r, "bondTokensConfiscated")).toEqual([9000, 0]);
    expect(Array.from(column(r, "supply"))).toEqual([0, 0]);
    expect(Array.from(column(r, "tokenReserve"))).toEqual([9000, 9000]);
    expect(Array.from(column(r, "poolTokens"))).toEqual([1000, 1000]);
  });
  it("without a pool, bonds still outstanding are not posted again", () => {
    // day 0: demand = bonds = 0.5 · 10 · $10 = $50, P = 50 / 10,000 = $0.005, bonds 10,000 tokens:
    // every circulating token; day 1 wants the same 10,000 but none is free (they were posted
    // 10,000 tokens nobody held); day 0's two-day tasks fail: 10,000 confiscated, supply 0
    const r = simulate(bondedHosts(0.5, 2, false));
    expect(r.error).toBeNull();
    expect(Array.from(column(r, "priceOfToken"))).toEqual([0.005, 0.005]);
    expect(queue(r, "bondTokensPosted")).toEqual([10_000, 0]);
    expect(queue(r, "bondTokensConfiscated")).toEqual([0, 10_000]);
    expect(Array.from(column(r, "supply"))).toEqual([10_000, 0]);
    expect(Array.from(column(r, "tokenReserve"))).toEqual([0, 10_000]);
  });
});

const sumTo = (a: Float64Array, t: number) => a.slice(0, t + 1).reduce((x, y) => x + y, 0);

describe.each(["aggregate", "marketplace"] as const)(
  "conservation with the pool (property, %s mode)",
  (mode) => {
    it("tokens: supply + tokenReserve + locked + poolTokens constant, every balance ≥ 0; dollars move only by income", () => {
      fc.assert(
        fc.property(
          fc.record({
            poolShare: fc.double({ min: 0.001, max: 0.9, noNaN: true }),
            poolUsd: fc.double({ min: 10, max: 1e7, noNaN: true }),
            sellShare: fc.double({ min: 0, max: 1, noNaN: true }),
            sellOverDays: fc.integer({ min: 1, max: 10 }),
            sensitivity: fc.double({ min: 0, max: 5, noNaN: true }),
            capitalUsd: fc.double({ min: 0, max: 1e5, noNaN: true }),
            // E44's book on day 0 (at most the 100,000 circulating outside the largest pool)
            startingTokens: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e5, noNaN: true })),
            jobs: fc.double({ min: 0, max: 500, noNaN: true }),
            sentiment: fc.double({ min: 0, max: 1e5, noNaN: true }),
            bm: fc.double({ min: 0, max: 1, noNaN: true }),
            premium: fc.double({ min: 0, max: 0.5, noNaN: true }),
            validation: fc.double({ min: 0, max: 20, noNaN: true }),
            lower: fc.double({ min: 0, max: 0.5, noNaN: true }),
            seed: fc.integer({ min: 0, max: 1000 }),
            // marketplace mode: capacity per supplier, job length and deadline, dishonest share
            // (failed work loses its bond), queue loss (E49), bonds (E22)
            capacity: fc.integer({ min: 1, max: 200 }),
            durationDays: fc.integer({ min: 1, max: 3 }),
            slack: fc.integer({ min: 0, max: 4 }),
            dishonestShare: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
            queueLoss: fc.double({ min: 0, max: 2, noNaN: true }),
            bond: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
          }),
          (p) => {
            const market = mode === "marketplace";
            const scenario = tinyScenario({
              mode,
              days: 60,
              tokens: {
                initialSupply: 1_000_000,
                initialTokenReserve: 200_000,
                initialDollarReserve: 1000,
              },
              phaseOne: { phaseOneDays: 10, fracPhaseOneTokens: 0.5 },
              onchain: {
                buybackModulation: p.bm,
                buybackPremium: p.premium,
                validationModulator: p.validation,
                lowerTokenReserveLimit: p.lower,
                tokenReserveRestoreLevel: 0.5,
                ...(market ? { bondModulation: p.bond } : {}),
              },
              consumers: [
                {
                  name: "training",
                  row: "modelTraining",
                  unitPrice: 10,
                  unitsPerJob: 1,
                  jobsPerDay: { start: p.jobs, slope: -p.jobs / 60, noise: p.jobs / 5 },
                },
              ],
              consumerSentiment: { start: p.sentiment, noise: p.sentiment / 3 },
              ...(market
                ? {
                    marketplace: {
                      suppliers: {
                        modelTrainingProviders: {
                          capacity: p.capacity,
                          honesty: { dishonestShare: p.dishonestShare, honest: 1, dishonest: 0.2 },
                        },
                      },
                      jobs: {
                        training: {
                          durationDays: p.durationDays,
                          deadlineDays: p.durationDays + p.slack,
                        },
                      },
                    },
                  }
                : {}),
              feedback: {
                suppliers: {
                  classes: {
                    modelTrainingProviders: { costPerDay: 50, dynamic: { start: 6 } },
                  },
                },
                amm: { poolTokens: p.poolShare * 1_000_000, poolUsd: p.poolUsd },
                sales: { sellShare: p.sellShare, sellOverDays: p.sellOverDays },
                speculators: {
                  sensitivity: p.sensitivity,
                  capitalUsd: p.capitalUsd,
                  startingTokens: p.startingTokens,
                },
                ...(market
                  ? { consumers: { training: { queueLossSensitivity: p.queueLoss } } }
                  : {}),
              },
            });
            const r = simulate(scenario, { seed: p.seed });
            expect(r.error).toBeNull();
            const supply = column(r, "supply");
            const reserve = column(r, "tokenReserve");
            const locked = column(r, "lockedAllocations");
            const pool = column(r, "poolTokens");
            const poolUsd = column(r, "poolUsd");
            const dollars = column(r, "dollarReserve");
            const count = column(r, "suppliers.modelTrainingProviders");
            if (market) checkSupplyFlows(r, 1_000_000 - p.poolShare * 1_000_000);
            for (let t = 0; t < r.days; t++) {
              const sum = supply[t] + reserve[t] + locked[t] + pool[t];
              expect(Math.abs(sum - 1_200_000)).toBeLessThanOrEqual(1e-9 * 1_200_000);
              for (const v of [supply[t], reserve[t], pool[t], poolUsd[t], dollars[t], count[t]])
                expect(v).toBeGreaterThanOrEqual(0);
            }
            checkDollars(r, p.poolUsd, 1000);
            checkSpeculatorBook(r, p.startingTokens);
          },
        ),
        {
          numRuns: mode === "marketplace" ? 30 : 40,
          // found by this property: every circulating token was in bonds confiscated on day 15,
          // and the flow sum landed at −1.1e-9 instead of 0 (now drained(), src/mechanisms);
          // then bonds worth more than the free supply at the pool's price, confiscated (supply
          // −699,250; shrunk to the boundary 1704.33 → −1.2e-6 on day 12: FOUND_BOND_CASE)
          examples:
            mode === "marketplace"
              ? [
                  [FOUND_BOND_CASE],
                  [
                    {
                      poolShare: 0.004006010816187169,
                      poolUsd: 10,
                      sellShare: 0,
                      sellOverDays: 1,
                      sensitivity: 0,
                      capitalUsd: 0,
                      startingTokens: 0,
                      jobs: 499.9643882635611,
                      sentiment: 0,
                      bm: 0,
                      premium: 0,
                      validation: 0,
                      lower: 0,
                      seed: 543,
                      capacity: 172,
                      durationDays: 2,
                      slack: 2,
                      dishonestShare: 0.2999999999,
                      queueLoss: 0,
                      bond: 0.2000700530081021,
                    },
                  ],
                ]
              : [],
        },
      );
    });
  },
);

/**
 * The property's marketplace case that drove supply below 0 (bonds on dishonest hosts priced at
 * the pool, more tokens than circulated outside the bonds already posted), shrunk by fast-check
 * to the boundary: supply 1704.33 + 2058.96 emitted − 3763.28 confiscated = −1.2e-6 on day 12.
 */
const FOUND_BOND_CASE = {
  poolShare: 0.021602015418922742,
  poolUsd: 10,
  sellShare: 0,
  sellOverDays: 1,
  sensitivity: 0,
  capitalUsd: 0,
  startingTokens: 0,
  jobs: 499.1942480988826,
  sentiment: 0,
  bm: 0,
  premium: 0,
  validation: 0,
  lower: 0,
  seed: 0,
  capacity: 103,
  durationDays: 2,
  slack: 0,
  dishonestShare: 0.4444444443333333,
  queueLoss: 0,
  bond: 0.050000000000000086,
};

/**
 * E47 day by day from the output columns (marketplace mode with a pool): supply moves by exactly
 * the tokens paid out (emissions, validator pay, released earmarks), less the bonds confiscated,
 * plus what holders bought, less what they sold, plus vesting (nothing is locked at the start).
 */
function checkSupplyFlows(r: ReturnType<typeof simulate>, supply0: number): void {
  const col = (n: string) => column(r, n);
  const q = r.marketplace?.queue;
  if (!q) throw new Error("marketplace run without a queue table");
  const confiscated = q.values[q.columns.indexOf("bondTokensConfiscated")];
  const supply = col("supply");
  const locked = col("lockedAllocations");
  for (let t = 0; t < r.days; t++) {
    const before = t === 0 ? supply0 : supply[t - 1];
    const vested = (t === 0 ? 0 : locked[t - 1]) - locked[t]; // the property locks nothing
    const expected =
      before +
      col("validatorTokensPaid")[t] +
      col("supplierTokensPaid")[t] -
      confiscated[t] +
      col("tokensBoughtByHolders")[t] -
      col("tokensSold")[t] +
      vested;
    expect(Math.abs(supply[t] - expected)).toBeLessThanOrEqual(1e-9 * 1_200_000);
  }
}

/**
 * E44's book from the output columns: never below 0; on a day they buy (they then sell nothing)
 * it gains exactly the buy at the day's price, on any other day it can only fall (a sale).
 */
function checkSpeculatorBook(r: ReturnType<typeof simulate>, startingTokens: number): void {
  const held = column(r, "speculatorTokens");
  const buy = column(r, "speculatorBuyUsd");
  const price = column(r, "priceOfToken");
  for (let t = 0; t < r.days; t++) {
    const before = t === 0 ? startingTokens : held[t - 1];
    expect(held[t]).toBeGreaterThanOrEqual(0);
    if (buy[t] > 0)
      expect(Math.abs(held[t] - before - buy[t] / price[t])).toBeLessThanOrEqual(1e-12 * held[t]);
    else expect(held[t]).toBeLessThanOrEqual(before);
  }
}

/**
 * Dollars move only by income, from the output columns: the pool gains what buyers pay and
 * what the top-up pays and loses what sellers get (E45–E47); the dollar reserve, the USD escrow,
 * what suppliers were paid and consumers refunded (marketplace mode) add up to the starting
 * reserve plus the income kept outside the pool (opsRevenue + usdCapital) less the top-ups.
 */
function checkDollars(r: ReturnType<typeof simulate>, poolUsd0: number, dollars0: number): void {
  const col = (n: string) => column(r, n);
  const q = r.marketplace?.queue;
  const queue = (n: string) => q?.values[q.columns.indexOf(n)] ?? new Float64Array(r.days);
  const poolUsd = col("poolUsd");
  const buys = col("demand").map(
    (d, t) => d - col("supplierBondUsd")[t] + col("speculatorBuyUsd")[t],
  );
  const paid = q ? queue("usdPaidToSuppliers") : col("usdCapital");
  const kept = col("opsRevenue").map(
    (o, t) => o + col("usdCapital")[t] - col("reserveBuybackUsd")[t],
  );
  for (let t = 0; t < r.days; t++) {
    const before = t === 0 ? poolUsd0 : poolUsd[t - 1];
    const expected = before + buys[t] - col("salesUsd")[t] + col("reserveBuybackUsd")[t];
    expect(Math.abs(poolUsd[t] - expected)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, poolUsd[t], buys[t]),
    );
    const held =
      col("dollarReserve")[t] +
      queue("usdEscrow")[t] +
      sumTo(paid, t) +
      sumTo(queue("refundedUsd"), t);
    const income = dollars0 + sumTo(kept, t);
    expect(Math.abs(held - income)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, income, sumTo(col("income"), t)),
    );
  }
}
