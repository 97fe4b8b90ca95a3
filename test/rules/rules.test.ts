import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { piStep } from "../../src/rules/pi.js";
import { ruleMeasure, thresholdDecision } from "../../src/rules/threshold.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario } from "../helpers.js";

// No jobs: demand is the sentiment series alone, so the `demand` column is what we write here.
const SENTIMENT = [100, 100, 50, 40, 30, 80, 120, 130, 130, 130, 130, 130];
const quiet = (over: Partial<ScenarioInput>): ScenarioInput =>
  tinyScenario({
    days: 12,
    consumers: [
      { name: "training", row: "modelTraining", unitPrice: 10, unitsPerJob: 1, jobsPerDay: 0 },
    ],
    consumerSentiment: { values: SENTIMENT },
    ...over,
  });

describe("E38 threshold rule", () => {
  it("fires on the day after demand falls below 60 and reverts 5 days later, once above 100", () => {
    const r = simulate(
      quiet({
        rules: [
          {
            name: "defend",
            kind: "threshold",
            column: "demand",
            below: 60,
            exitAbove: 100,
            set: { buybackModulation: 0.5 },
            minDaysBetween: 5,
          },
        ],
      }),
    );
    expect(r.error).toBeNull();
    // day 3 sees demand[2] = 50 < 60; day 7 sees 120 > 100 but only 4 days have passed; day 8 reverts
    expect(r.governance).toEqual([
      { day: 3, rule: "defend", variable: "buybackModulation", old: 1, value: 0.5 },
      { day: 8, rule: "defend", variable: "buybackModulation", old: 0.5, value: 1 },
    ]);
  });

  it("measures the relative change over n days, and logs schedule votes with the value before", () => {
    const r = simulate(
      quiet({
        schedule: [{ day: 1, set: { fiatOperationsFraction: 0.2 } }],
        rules: [
          {
            name: "fall",
            kind: "threshold",
            column: "demand",
            overDays: 2,
            below: -0.55,
            set: { fiatOperationsFraction: 0.1 },
          },
        ],
      }),
    );
    // day 4: demand[3]/demand[1] − 1 = 40/100 − 1 = −0.6 (day 3: 50/100 − 1 = −0.5, not below)
    expect(r.governance).toEqual([
      { day: 1, rule: "schedule", variable: "fiatOperationsFraction", old: 0.3, value: 0.2 },
      { day: 4, rule: "fall", variable: "fiatOperationsFraction", old: 0.2, value: 0.1 },
    ]);
  });

  it("decides by hand: enter below, hold inside the band, exit above, wait minDaysBetween", () => {
    const p = { below: 1, exitAbove: 2, minDaysBetween: 3 };
    expect(thresholdDecision(p, 0.5, false, 10)).toBe("enter");
    expect(thresholdDecision(p, 1.5, true, 10)).toBeNull();
    expect(thresholdDecision(p, 2.5, true, 10)).toBe("exit");
    expect(thresholdDecision(p, 2.5, true, 2)).toBeNull();
    expect(ruleMeasure([4, 2, 1], 3, 2)).toBe(-0.75);
    expect(ruleMeasure([4, 2, 1], 2, 2)).toBeNaN();
  });

  it("is refused with a band that would flap", () => {
    const flap = quiet({
      rules: [
        {
          name: "a",
          kind: "threshold",
          column: "demand",
          below: 60,
          exitAbove: 50,
          set: { buybackModulation: 1 },
        },
      ],
    });
    expect(() => parseScenario(flap)).toThrow("rules[0].exitAbove: must be ≥ below (60), got 50");
  });

  it("is refused with an unknown column or a value out of range", () => {
    const bad = quiet({
      rules: [
        {
          name: "a",
          kind: "threshold",
          column: "demand",
          below: 60,
          exitAbove: 50,
          set: { buybackModulation: 2 },
        },
        { name: "b", kind: "threshold", column: "nope" as "demand", below: 1, set: {} },
      ],
    });
    expect(() => parseScenario(bad)).toThrow(ScenarioError);
    try {
      parseScenario(bad);
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain("rules[0].set.buybackModulation");
      expect(msg).toContain("rules[1].column");
    }
  });
});

describe("E39 PI controller", () => {
  const p = { target: 1000, kp: 2, ki: 1, bias: 10, min: 5, max: 12 };
  it("u = bias + kp·e + ki·(I + e) with e = (target − x)/target", () => {
    // x = 900: e = 0.1, I = 0.1 → 10 + 0.2 + 0.1
    expect(piStep(p, 900, 0)).toEqual({
      value: expect.closeTo(10.3, 12),
      integral: expect.closeTo(0.1, 12),
    });
  });
  it("clamps to [min, max] and stops integrating while saturated", () => {
    // x = 0: e = 1 → raw 10 + 2 + 1·(5 + 1) = 18 > 12
    expect(piStep(p, 0, 5)).toEqual({ value: 12, integral: 5 });
  });
  it("holds a column: the controller's variable moves and every change is logged in range", () => {
    const r = simulate(
      quiet({
        rules: [
          {
            name: "hold",
            kind: "pi",
            variable: "jobRewardModulation",
            column: "demand",
            target: 100,
            kp: 4,
            ki: 1,
            min: 1,
            max: 20,
          },
        ],
      }),
    );
    expect(r.error).toBeNull();
    const g = r.governance ?? [];
    // day 1 sees demand[0] = 100 = target: no change; day 3 sees 50: e = 0.5 → 10 + 2 + 0.5 = 12.5
    expect(g[0]).toEqual({
      day: 3,
      rule: "hold",
      variable: "jobRewardModulation",
      old: 10,
      value: 12.5,
    });
    for (const c of g) expect(c.value).toBeGreaterThanOrEqual(1);
  });
});

describe("I1–I3 hold every day with rules and controllers", () => {
  it("for generated scenarios, rules and gains (the run reports no invariant violation)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: 5, maxLength: 30 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (jobs, sentiment, kp, ki, bm) => {
          const r = simulate(
            tinyScenario({
              days: 40,
              consumers: [
                {
                  name: "training",
                  row: "modelTraining",
                  unitPrice: 10,
                  unitsPerJob: 1,
                  jobsPerDay: { values: jobs },
                },
              ],
              consumerSentiment: 1 + sentiment,
              rules: [
                {
                  name: "t",
                  kind: "threshold",
                  column: "priceOfToken",
                  overDays: 3,
                  below: -0.1,
                  exitAbove: 0,
                  set: { buybackModulation: bm, fiatOperationsFraction: 1 - bm },
                },
                {
                  name: "r",
                  kind: "pi",
                  variable: "jobRewardModulation",
                  column: "tokenReserve",
                  target: 500,
                  kp,
                  ki,
                  min: 0.5,
                  max: 50,
                },
                {
                  name: "v",
                  kind: "pi",
                  variable: "validationModulator",
                  column: "supply",
                  target: 1000,
                  kp: ki,
                  ki: kp / 10,
                  min: 0,
                  max: 5,
                },
              ],
            }),
            { seed: 3 },
          );
          expect(r.error).toBeNull();
        },
      ),
      { numRuns: 40 },
    );
  });
});
