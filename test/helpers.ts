import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
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

/** The built CLI's folder: its entry (main.js), bundle, chunks and code caches. */
export const CLI_DIR = new URL("../dist/src/cli/", import.meta.url).pathname;

/** Copy the built CLI (entry, bundle, chunks, caches) into `folder`, created if missing. */
export function copyCli(folder: string): string {
  mkdirSync(folder, { recursive: true });
  for (const f of readdirSync(CLI_DIR))
    if (/^(main\.js|thread\.mjs|bme.*\.(cjs|v8cache))$/.test(f))
      copyFileSync(join(CLI_DIR, f), join(folder, f));
  return folder;
}
