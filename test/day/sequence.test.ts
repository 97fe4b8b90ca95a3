import { describe, expect, it } from "vitest";
import {
  composeDay,
  DAY_STEP_NAMES,
  type DayStep,
  type StepInsertion,
} from "../../src/day/sequence.js";
import { AGGREGATE_DAY } from "../../src/day/steps.js";
import { compileScenario } from "../../src/engine/compile.js";
import { NonFiniteValueError } from "../../src/engine/outcome.js";
import { runAggregateDays } from "../../src/engine/reference.js";
import { column } from "../../src/engine/result.js";
import { MARKET_DAY, runMarketplace } from "../../src/marketplace/engine.js";
import { InvariantViolation } from "../../src/mechanisms/invariants.js";
import { withdrawal } from "../../src/mechanisms/withdrawal.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { simulate } from "../../src/simulate.js";
import { tinyScenario } from "../helpers.js";

const noop = (name: string): DayStep => ({ name, run: () => undefined });

describe("composeDay: an extension is a step inserted at a named place", () => {
  it("aggregate mode's day has every named step once, in docs/model.md §6's order", () => {
    expect(AGGREGATE_DAY.map((s) => s.name)).toEqual([...DAY_STEP_NAMES]);
  });
  it("marketplace mode's day has the same named steps in the same order", () => {
    expect(MARKET_DAY.map((s) => s.name)).toEqual([...DAY_STEP_NAMES]);
  });
  it("inserts after and before a named step; insertions at one anchor keep their order", () => {
    const names = composeDay(AGGREGATE_DAY, [
      { after: "suppliers", step: noop("churn") },
      { after: "suppliers", step: noop("churn2") },
      { before: "price", step: noop("sales") },
      { after: "schedule", step: noop("rules") },
    ]).map((s) => s.name);
    expect(names.slice(0, 3)).toEqual(["schedule", "rules", "inputs"]);
    expect(names.slice(names.indexOf("suppliers"), names.indexOf("suppliers") + 3)).toEqual([
      "suppliers",
      "churn",
      "churn2",
    ]);
    expect(names[names.indexOf("price") - 1]).toBe("sales");
    expect(names).toHaveLength(DAY_STEP_NAMES.length + 4);
  });
  it("refuses an unknown anchor, naming it and the steps there are", () => {
    expect(() => composeDay(AGGREGATE_DAY, [{ after: "pricee", step: noop("x") }])).toThrow(
      /cannot insert step "x" at "pricee": no such step \(steps: schedule, inputs/,
    );
  });
});

/** Test-only extension: a constant daily grant of `tokens` from the token reserve to the supply. */
const tokenGrant = (tokens: number): StepInsertion => ({
  after: "update",
  step: {
    name: "tokenGrant",
    run: ({ state }) => {
      const x = withdrawal(state.tokenReserve, tokens);
      state.tokenReserve -= x;
      state.supply += x;
      return undefined;
    },
  },
});

/** Test-only extension: a constant daily payment of `usd` out of the dollar reserve. */
const usdGrant = (usd: number, accounted = true): StepInsertion => ({
  after: "update",
  step: {
    name: "usdGrant",
    run: ({ state, day }) => {
      const x = withdrawal(state.dollarReserve, usd);
      state.dollarReserve -= x;
      if (accounted) day.extraUsdOut += x; // I2
      return undefined;
    },
  },
});

/**
 * A quiet economy worked out by hand: no jobs, no phase-1 emission, no validators, so without
 * the grant supply stays 1000, the token reserve 1000 and the dollar reserve 500.
 */
const quiet = (mode: "aggregate" | "marketplace") =>
  tinyScenario({
    mode,
    tokens: { initialSupply: 1000, initialTokenReserve: 1000, initialDollarReserve: 500 },
    phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
    consumers: [
      { name: "training", row: "modelTraining", unitPrice: 10, unitsPerJob: 1, jobsPerDay: 0 },
    ],
  });

describe("a test-only step inserted in one place shows up, accounted for, in both modes", () => {
  for (const mode of ["aggregate", "marketplace"] as const) {
    it(`${mode}: 10 tokens a day move from the reserve to the supply (I1 holds)`, () => {
      const r = simulate(quiet(mode), { seed: 3, extensions: [tokenGrant(10)] });
      expect(r.error).toBeNull();
      expect(r.days).toBe(10);
      for (let t = 0; t < 10; t++) {
        expect(column(r, "supply")[t]).toBe(1000 + 10 * (t + 1));
        expect(column(r, "tokenReserve")[t]).toBe(1000 - 10 * (t + 1));
      }
    });
    it(`${mode}: 5 usd a day leave the dollar reserve, counted in I2`, () => {
      const r = simulate(quiet(mode), { seed: 3, extensions: [usdGrant(5)] });
      expect(r.error).toBeNull();
      for (let t = 0; t < 10; t++) expect(column(r, "dollarReserve")[t]).toBe(500 - 5 * (t + 1));
    });
    it(`${mode}: the same payment not counted in I2 stops the run on day 0`, () => {
      const r = simulate(quiet(mode), { seed: 3, extensions: [usdGrant(5, false)] });
      expect(r.error).toBeInstanceOf(InvariantViolation);
      expect(r.error?.message).toMatch(/^day 0: invariant I2 violated/);
      expect(r.days).toBe(1); // the row was written before the check
    });
  }
});

describe("no non-finite value reaches an output (issue 9 item 2, engine side)", () => {
  // below validation: a subnormal supply makes demand / supply overflow to Infinity
  const compiled = (mode: "aggregate" | "marketplace") => {
    const c = compileScenario(parseScenario(tinyScenario({ mode, consumerSentiment: 1e10 })));
    (c as { initialSupply: number }).initialSupply = 1e-320;
    return c;
  };
  it("aggregate: stops on day 0 naming priceOfToken", () => {
    const c = compiled("aggregate");
    const o = runAggregateDays(c, 0, 0, new Float64Array(c.columns.length * c.days), []);
    expect(o.error).toBeInstanceOf(NonFiniteValueError);
    expect(o.error?.message).toBe(
      "day 0: priceOfToken would be Infinity: a value left the range of float64 (check the scenario's magnitudes)",
    );
    expect(o.daysCompleted).toBe(0);
  });
  it("marketplace: stops on day 0 naming priceOfToken", () => {
    const c = compiled("marketplace");
    const o = runMarketplace(c, 0, 0, new Float64Array(c.columns.length * c.days));
    expect(o.error).toBeInstanceOf(NonFiniteValueError);
    expect((o.error as NonFiniteValueError).column).toBe("priceOfToken");
    expect(o.daysCompleted).toBe(0);
    expect(o.marketplace.queue.days).toBe(0);
  });
});
