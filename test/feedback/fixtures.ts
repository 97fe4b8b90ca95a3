import fc from "fast-check";
import { SHOCKS } from "../../src/feedback/stress.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { tinyScenario } from "../helpers.js";

/** No fees, no emissions, no validator pay: only the income split and buybacks move money. */
const NO_FEES = {
  bondModulation: 0,
  onboardingModulation: 0,
  validationModulator: 0,
  phaseTwoMintAmount: 0,
  phase2Modulation: 1,
};

/**
 * One class of hosts serving one consumer type ("hosting", one unit per job), paid only in USD
 * (BM = 0, f = 0.3), supply 1,000,000, no reserve, no phase 1, no fees: the hand cases of the
 * feedback tests start here and override what they need.
 */
export function hostEconomy(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: "hosts",
    days: 10,
    tokens: { initialSupply: 1_000_000, initialTokenReserve: 0 },
    phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
    onchain: { buybackModulation: 0, fiatOperationsFraction: 0.3, ...NO_FEES },
    suppliers: [{ name: "hosts", count: 0 }],
    priceMatrix: { hosting: { hosts: 1 } },
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 100 }],
    consumerSentiment: 1000,
    ...over,
  };
}

/** Hosts that churn: cost $10/host/day, `start` hosts, exit elasticity 0.1, lag 1 day, no entry. */
export function hostChurn(start: number): NonNullable<ScenarioInput["feedback"]> {
  return {
    suppliers: {
      lagDays: 1,
      classes: {
        hosts: {
          costPerDay: 10,
          dynamic: { start },
          entryElasticity: 0,
          exitElasticity: 0.1,
          maxExitRate: 0.1,
        },
      },
    },
  };
}

/**
 * The hand-checkable death spiral: 100 hosts, 100 jobs × $15 a day, 80 from day 5. Days 0–4:
 * 0.7 · 1500 / 100 = $10.50 a host, margin +5%; from day 5: 0.7 · 1200 = $840 shared, margin
 * at 100 hosts −16%.
 */
export function spiral(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return hostEconomy({
    name: "spiral",
    consumers: [
      {
        name: "hosting",
        unitPrice: 15,
        unitsPerJob: 1,
        jobsPerDay: { values: [100, 100, 100, 100, 100, 80] },
      },
    ],
    feedback: hostChurn(100),
    ...over,
  });
}

/**
 * Pool 1000 tokens / $1000; 10 hosts, 10 jobs × $10 a day all bought back (BM = 1, f = 0) and
 * $100 of exchange demand; half of each day's pay sold the next day.
 */
export function pooled(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return hostEconomy({
    name: "pooled",
    days: 2,
    tokens: { initialSupply: 10_000, initialTokenReserve: 0 },
    onchain: { buybackModulation: 1, fiatOperationsFraction: 0, ...NO_FEES },
    suppliers: [{ name: "hosts", count: 10 }],
    consumers: [{ name: "hosting", unitPrice: 10, unitsPerJob: 1, jobsPerDay: 10 }],
    consumerSentiment: 100,
    feedback: {
      amm: { poolTokens: 1000, poolUsd: 1000 },
      sales: { sellShare: 0.5, sellOverDays: 1 },
    },
    ...over,
  });
}

/**
 * A pure sell-off on the pooled economy: no buys (no sentiment, no buyback), 10 jobs a day pay
 * validators 25 tokens a job (250 a day from a 100,000-token reserve), all sold the next day,
 * and trend-following speculators (L = 1 day, sensitivity 1, $400 a day) holding `startingTokens`.
 */
export function sellOff(startingTokens: number, over: Partial<ScenarioInput> = {}) {
  return pooled({
    days: 6,
    tokens: { initialSupply: 10_000, initialTokenReserve: 100_000 },
    onchain: {
      buybackModulation: 0,
      fiatOperationsFraction: 0.3,
      bondModulation: 0,
      onboardingModulation: 0,
      validationModulator: 25,
      phaseTwoMintAmount: 0,
      phase2Modulation: 1,
    },
    consumerSentiment: 0,
    feedback: {
      amm: { poolTokens: 1000, poolUsd: 1000 },
      sales: { sellShare: 1, sellOverDays: 1 },
      speculators: { momentumDays: 1, sensitivity: 1, capitalUsd: 400, startingTokens },
    },
    ...over,
  });
}

/**
 * `pooled` with a phase 1 of 2 days: reserve 1000, budget 0.2 · 1000 = 200 tokens, 100 a day for
 * the 10 hosts' 10 target slots, staked until day 2 (the first phase-2 day; E3, E43).
 */
export function pooledPhaseOne(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return pooled({
    tokens: { initialSupply: 10_000, initialTokenReserve: 1000 },
    phaseOne: { phaseOneDays: 2, fracPhaseOneTokens: 0.2 },
    suppliers: [{ name: "hosts", count: 10, phaseOneTarget: 10 }],
    ...over,
  });
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true });

/**
 * Generated small feedback scenarios: any mix of churn (dynamic or not, with capacity), sales,
 * a pool (always with sales or speculators), speculators (holding nothing or up to 90,000
 * tokens on day 0), elastic demand, a threshold or PI rule,
 * noise, with a seed, a stress shock and a shock day.
 */
export const generatedFeedback = fc
  .record({
    days: fc.integer({ min: 5, max: 60 }),
    jobs: num(0, 500),
    noise: num(0, 1),
    sentiment: num(0, 1e5),
    bm: num(0, 1),
    lower: num(0, 0.6),
    validation: num(0, 5),
    suppliers: maybe(
      fc.record({
        cost: num(1, 500),
        dynamic: fc.boolean(),
        start: fc.integer({ min: 0, max: 20 }),
        capacity: maybe(num(1, 100)),
        lagDays: fc.integer({ min: 1, max: 10 }),
        exit: num(0, 1),
      }),
    ),
    sales: maybe(fc.record({ sellShare: num(0, 1), sellOverDays: fc.integer({ min: 1, max: 5 }) })),
    pool: maybe(fc.record({ share: num(0.01, 0.9), usd: num(100, 1e7) })),
    speculators: fc.boolean(),
    // E44's book on day 0: none (they sell only what they bought) or up to 90,000 tokens (the
    // pool takes at most 90% of the 1,000,000, so at least 100,000 circulate outside it)
    startingTokens: fc.oneof(fc.constant(0), num(0, 90_000)),
    elasticity: maybe(num(0, 2)),
    rule: fc.constantFrom("none", "threshold", "pi"),
    seed: fc.integer({ min: 0, max: 1000 }),
    shock: fc.constantFrom(...SHOCKS.map((s) => s.name)),
    shockDay: fc.integer({ min: 0, max: 30 }),
  })
  .map((p) => {
    const pool = p.pool ?? (p.sales || p.speculators ? { share: 0.2, usd: 1e5 } : undefined);
    const feedback: NonNullable<ScenarioInput["feedback"]> = {
      ...(p.suppliers && {
        suppliers: {
          lagDays: p.suppliers.lagDays,
          classes: {
            modelTrainingProviders: {
              costPerDay: p.suppliers.cost,
              // churn parameters only on a dynamic class (elsewhere they are refused: no effect)
              ...(p.suppliers.dynamic && {
                dynamic: { start: p.suppliers.start },
                exitElasticity: p.suppliers.exit,
              }),
              ...(p.suppliers.capacity !== undefined && {
                jobsPerSupplierPerDay: p.suppliers.capacity,
              }),
            },
          },
        },
      }),
      ...(p.sales && { sales: p.sales }),
      ...(p.speculators && {
        speculators: { sensitivity: 2, capitalUsd: 5_000, startingTokens: p.startingTokens },
      }),
      ...(pool && { amm: { poolTokens: pool.share * 1_000_000, poolUsd: pool.usd } }),
      ...(p.elasticity !== undefined && {
        consumers: { training: { referencePrice: 12, elasticity: p.elasticity } },
      }),
    };
    const rules: ScenarioInput["rules"] =
      p.rule === "threshold"
        ? [
            {
              name: "defend",
              kind: "threshold",
              column: "priceOfToken",
              overDays: 2,
              below: -0.05,
              exitAbove: 0.02,
              set: { buybackModulation: 1, lowerTokenReserveLimit: 0.5 },
            },
          ]
        : p.rule === "pi"
          ? [
              {
                name: "hold",
                kind: "pi",
                variable: "jobRewardModulation",
                column: "tokenReserve",
                target: 150_000,
                kp: 50,
                ki: 2,
                min: 1,
                max: 100,
              },
            ]
          : undefined;
    const scenario = tinyScenario({
      days: p.days,
      tokens: { initialSupply: 1_000_000, initialTokenReserve: 200_000 },
      phaseOne: { phaseOneDays: 3, fracPhaseOneTokens: 0.5 },
      onchain: {
        buybackModulation: p.bm,
        lowerTokenReserveLimit: p.lower,
        tokenReserveRestoreLevel: 0.7,
        validationModulator: p.validation,
      },
      suppliers: [
        { name: "modelTrainingProviders", count: { start: 4, noise: 2 }, phaseOneTarget: 3 },
      ],
      consumers: [
        {
          name: "training",
          row: "modelTraining",
          unitPrice: 10,
          unitsPerJob: 1,
          jobsPerDay: { start: p.jobs, slope: -p.jobs / 60, noise: p.noise * p.jobs },
        },
      ],
      consumerSentiment: { start: p.sentiment, noise: p.sentiment / 3 },
      ...(Object.keys(feedback).length > 0 && { feedback }),
      ...(rules && { rules }),
    });
    return { scenario, seed: p.seed, shock: p.shock, shockDay: p.shockDay };
  });
