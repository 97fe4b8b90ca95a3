import type { ScenarioInput } from "../src/scenario/schema.js";

/** A small valid scenario: one consumer type, one supplier class; override what a test needs. */
export function tinyScenario(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    name: "tiny",
    days: 10,
    tokens: { initialSupply: 1000, initialTokenReserve: 1000 },
    phaseOne: { phaseOneDays: 2, fracPhaseOneTokens: 0.5 },
    suppliers: [{ name: "modelTrainingProviders", count: 3, phaseOneTarget: 3 }],
    consumers: [
      { name: "training", row: "modelTraining", unitPrice: 10, unitsPerJob: 1, jobsPerDay: 10 },
    ],
    consumerSentiment: 100,
    ...over,
  };
}

export const WHITEPAPER = new URL("../scenarios/whitepaper.yaml", import.meta.url).pathname;
export const SCENARIOS_DIR = new URL("../scenarios/", import.meta.url).pathname;
