import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { column, type RunResult } from "../../src/engine/result.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario } from "../helpers.js";

/** Log-uniform amounts 1e-6 … 1e12. */
const amount = fc.double({ min: -6, max: 12, noNaN: true }).map((e) => 10 ** e);
/** The next float64 above x (x > 0): the same amount up to its last bit. */
const nextUp = (x: number) => {
  const b = new Float64Array([x]);
  new BigInt64Array(b.buffer)[0] += 1n;
  return b[0];
};

interface Amounts {
  supply: number;
  reserve: number;
  dollars: number;
}

/**
 * Validator claims far above any reserve drain the token reserve on day 0 (E15); the top-up
 * (E16) then wants 20% of the reserve back and may spend all the cash; phase 2 from day 1 with
 * arrivals and no sentiment lets the onboarding burn (E11b) take the whole supply.
 */
function draining(
  a: Amounts,
  mode: "aggregate" | "marketplace",
  onboardingDrain: boolean,
): ScenarioInput {
  return tinyScenario({
    mode,
    days: 8,
    tokens: {
      initialSupply: a.supply,
      initialTokenReserve: a.reserve,
      initialDollarReserve: a.dollars,
    },
    phaseOne: { phaseOneDays: 1, fracPhaseOneTokens: 0.5 },
    suppliers: [
      { name: "modelTrainingProviders", count: { start: 3, slope: 1 }, phaseOneTarget: 3 },
    ],
    consumerSentiment: onboardingDrain ? 0 : 100,
    onchain: {
      buybackModulation: onboardingDrain ? 0 : 0.5,
      bondModulation: onboardingDrain ? 0 : 0.1,
      validationModulator: onboardingDrain ? 0 : 1e14,
      phaseTwoMintAmount: onboardingDrain ? 0 : 1e13,
      phase2Modulation: 1e13,
      priceFloor: 1e-30,
    },
  });
}

/** What must not depend on last bits: how far the run got, how it stopped, which balances are exactly 0. */
function shape(r: RunResult) {
  const zeros = (name: string) => Array.from(column(r, name), (v) => v === 0);
  return {
    days: r.days,
    error: r.error?.name ?? null,
    supply: zeros("supply"),
    tokenReserve: zeros("tokenReserve"),
    dollarReserve: zeros("dollarReserve"),
  };
}

describe("draining steps (property, issue 9 item 1)", () => {
  for (const mode of ["aggregate", "marketplace"] as const)
    it(`${mode}: balances never go negative, drains land on exactly 0, the outcome ignores last bits`, () => {
      fc.assert(
        fc.property(
          fc.record({ supply: amount, reserve: amount, dollars: amount }),
          fc.boolean(),
          (a, onboardingDrain) => {
            const r = simulate(draining(a, mode, onboardingDrain), { seed: 5, reference: true });
            for (const name of ["supply", "tokenReserve", "dollarReserve", "lockedAllocations"])
              for (const v of column(r, name)) expect(v).toBeGreaterThanOrEqual(0);
            for (const values of r.values)
              for (const v of values) expect(Number.isFinite(v)).toBe(true);
            if (!onboardingDrain && r.days > 0) {
              // day 0: validator pay takes every reserve token before any top-up refills it
              expect(column(r, "validatorTokensPaid")[0]).toBe(a.reserve);
            }
            if (onboardingDrain) {
              expect(column(r, "supply")[1]).toBe(0); // the day-1 burn (first phase-2 day) takes every token
              expect(r.days).toBe(2);
              expect(r.error?.name).toBe("NoPriceError");
            }
            const bumped = simulate(
              draining(
                {
                  supply: nextUp(a.supply),
                  reserve: nextUp(a.reserve),
                  dollars: nextUp(a.dollars),
                },
                mode,
                onboardingDrain,
              ),
              { seed: 5, reference: true },
            );
            expect(shape(bumped)).toEqual(shape(r));
          },
        ),
        { numRuns: 40 },
      );
    });
});
