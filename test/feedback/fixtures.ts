import type { ScenarioInput } from "../../src/scenario/schema.js";

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
