import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/scenario/limits.js";
import { prepareScenario } from "../../src/scenario/load.js";
import { WHITEPAPER_SUPPLIER_CLASSES } from "../../src/scenario/priceMatrix.js";
import { simulate } from "../../src/simulate.js";

/** A magnitude spread over the whole valid range, log-uniform: 0, or lo … hi. */
const magnitude = (lo: number, hi: number) =>
  fc.oneof(
    fc.constant(0),
    fc.constant(hi),
    fc
      .double({ min: Math.log10(lo), max: Math.log10(hi), noNaN: true })
      .map((e) => Math.min(hi, 10 ** e)),
  );

/** Valid scenarios at the edges of every documented range (docs/limits.md). */
const extreme = fc
  .record({
    days: fc.integer({ min: 1, max: 40 }),
    supply: magnitude(LIMITS.minPositive, LIMITS.maxAmount).filter((v) => v > 0),
    reserve: magnitude(LIMITS.minPositive, LIMITS.maxAmount),
    dollars: magnitude(LIMITS.minPositive, LIMITS.maxAmount),
    price: magnitude(1e-12, LIMITS.maxUnitPrice),
    units: magnitude(1e-12, LIMITS.maxUnitsPerJob),
    incentive: magnitude(1e-12, LIMITS.maxIncentive),
    jobs: magnitude(1e-12, LIMITS.maxAmount),
    count: magnitude(1, LIMITS.maxAmount),
    sentiment: magnitude(1e-12, LIMITS.maxAmount),
    jrm: magnitude(LIMITS.minPositive, LIMITS.maxAmount).filter((v) => v > 0),
    floor: magnitude(LIMITS.minPriceFloor, 1).filter((v) => v > 0),
    onboarding: magnitude(1e-12, LIMITS.maxAmount),
    bm: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((g) => ({
    name: "extreme",
    days: g.days,
    tokens: {
      initialSupply: g.supply,
      initialTokenReserve: g.reserve,
      initialDollarReserve: g.dollars,
    },
    phaseOne: { phaseOneDays: 2 },
    onchain: {
      jobRewardModulation: g.jrm,
      priceFloor: g.floor,
      onboardingModulation: g.onboarding,
      buybackModulation: g.bm,
      phase2Modulation: 1000,
    },
    suppliers: WHITEPAPER_SUPPLIER_CLASSES.map((name) => ({
      name,
      count: { start: 1, slope: g.count / 40 },
    })),
    consumers: [
      {
        name: "c",
        row: "modelTraining",
        unitPrice: g.price,
        unitsPerJob: g.units,
        incentive: g.incentive,
        jobsPerDay: g.jobs,
      },
    ],
    consumerSentiment: g.sentiment,
  }));

describe("no NaN or Infinity ever reaches an output", () => {
  it("every value a run writes, at the edges of every valid range, is finite (or the run stops)", () => {
    fc.assert(
      fc.property(extreme, fc.integer({ min: 0, max: 1e6 }), (raw, seed) => {
        const { scenario } = prepareScenario(raw);
        const r = simulate(scenario, { seed });
        for (let c = 0; c < r.columns.length; c++)
          for (let t = 0; t < r.days; t++)
            if (!Number.isFinite(r.values[c]![t]!))
              throw new Error(`day ${t}, column ${r.columns[c]}: ${r.values[c]![t]}`);
        expect(r.days).toBeLessThanOrEqual(scenario.days);
      }),
      { numRuns: 300 },
    );
  });
});
