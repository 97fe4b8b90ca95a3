import { describe, expect, it } from "vitest";
import { NoPriceError } from "../../src/engine/outcome.js";
import { column } from "../../src/engine/result.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario } from "../helpers.js";

/**
 * An onboarding burn that takes the whole supply, worked out by hand: phase 2 from day 0, no
 * sentiment, no buyback, no bonds, no validator pay, no emission. On day 1 one supplier arrives,
 * so demand = onboardingUsd, price = onboardingUsd / supply and the burn is
 * onboardingUsd / price = supply: day 1 ends with supply exactly 0 (E17), and on day 2 (another
 * arrival, demand > 0) no price exists (E10).
 */
function drainingOnboarding(
  initialSupply: number,
  mode: "aggregate" | "marketplace",
): ScenarioInput {
  return tinyScenario({
    mode,
    days: 5,
    tokens: { initialSupply, initialTokenReserve: 1000 },
    phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
    suppliers: [
      { name: "modelTrainingProviders", count: { start: 3, slope: 1 }, phaseOneTarget: 3 },
    ],
    consumerSentiment: 0,
    onchain: {
      buybackModulation: 0,
      bondModulation: 0,
      validationModulator: 0,
      phaseTwoMintAmount: 0,
      phase2Modulation: 1,
      onboardingModulation: 0.1,
      priceFloor: 1e-30,
    },
  });
}

describe("an onboarding burn that takes all the supply lands on exactly 0 (issue 9 item 1)", () => {
  for (const mode of ["aggregate", "marketplace"] as const)
    for (const initialSupply of [1000, 1000 / 3, 3, 1e-6, 1e12]) {
      it(`${mode}, initialSupply ${initialSupply}`, () => {
        const r = simulate(drainingOnboarding(initialSupply, mode), { seed: 1, reference: true });
        const supply = column(r, "supply");
        const onboarded = column(r, "onboardingTokens");
        expect(supply[0]).toBe(initialSupply); // day 0: nobody arrives
        expect(onboarded[1]).toBe(initialSupply); // day 1: the burn takes every token
        expect(supply[1]).toBe(0);
        expect(column(r, "tokenReserve")[1]).toBe(1000 + initialSupply);
        expect(r.error).toBeInstanceOf(NoPriceError);
        expect(r.error?.message).toMatch(/^day 2: no token price exists/);
        expect(r.days).toBe(2);
      });
    }
});
