import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, tinyScenario } from "../helpers.js";

describe("governance schedule (docs/model.md §4)", () => {
  it("applies a vote at step 1 of its day: that day's row already uses the new value", () => {
    const r = simulate(
      tinyScenario({
        phaseOne: { phaseOneDays: 0 },
        onchain: { buybackModulation: 0.5, fiatOperationsFraction: 0 },
        schedule: [{ day: 4, set: { buybackModulation: 1 } }],
      }),
    );
    const buyback = column(r, "usdBuybackCapital");
    // income 10 jobs × $10 = 100 a day
    expect(buyback[3]).toBe(50);
    expect(buyback[4]).toBe(100);
    expect(buyback[9]).toBe(100);
  });
  it("lets the last entry of a day win, in file order", () => {
    const r = simulate(
      tinyScenario({
        phaseOne: { phaseOneDays: 0 },
        onchain: { fiatOperationsFraction: 0 },
        schedule: [
          { day: 2, set: { buybackModulation: 0.2 } },
          { day: 2, set: { buybackModulation: 0.7 } },
        ],
      }),
    );
    expect(column(r, "usdBuybackCapital")[2]).toBeCloseTo(70, 12);
  });
  it("ignores an entry past the last day, with a warning", () => {
    const r = simulate(tinyScenario({ schedule: [{ day: 50, set: { bondModulation: 0.5 } }] }));
    expect(r.error).toBeNull();
    expect(r.meta.warnings.join()).toContain("schedule[0]");
  });
});

describe("claim order and shortfall (step 12)", () => {
  it("cuts validator pay to what the reserve holds and reports the cut", () => {
    // reserve 100 tokens, no phase-1 budget; 10 jobs/day × 1 validation × 4 tokens = 40/day
    const r = simulate(
      tinyScenario({
        tokens: { initialSupply: 1000, initialTokenReserve: 100 },
        phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
        onchain: {
          validationModulator: 4,
          phaseTwoMintAmount: 0,
          phase2Modulation: 1,
          lowerTokenReserveLimit: 0,
          tokenReserveRestoreLevel: 0,
        },
      }),
    );
    expect(r.error).toBeNull();
    const paid = column(r, "validatorTokensPaid");
    const cut = column(r, "tokenShortfall");
    expect(Array.from(paid.subarray(0, 4))).toEqual([40, 40, 20, 0]);
    expect(Array.from(cut.subarray(0, 4))).toEqual([0, 0, 20, 40]);
    expect(column(r, "tokenReserve")[2]).toBe(0); // drained to exactly 0
  });
});

describe("reserve top-up (E16)", () => {
  it("buys the reserve back to the restore level with the dollar reserve", () => {
    // reserve 100 of 1000 circulating; validators take 40 a day; top-up below 10% of 100
    const r = simulate(
      tinyScenario({
        tokens: { initialSupply: 1000, initialTokenReserve: 100, initialDollarReserve: 1_000_000 },
        phaseOne: { phaseOneDays: 0, fracPhaseOneTokens: 0 },
        onchain: {
          validationModulator: 4,
          phaseTwoMintAmount: 0,
          phase2Modulation: 1,
          lowerTokenReserveLimit: 0.5,
          tokenReserveRestoreLevel: 0.8,
        },
      }),
    );
    expect(r.error).toBeNull();
    const reserve = column(r, "tokenReserve");
    const topUp = column(r, "reserveBuybackTokens");
    // day 0: 100 − 40 = 60 ≥ 50, no top-up; day 1: 60 − 40 = 20 < 50 → buy 80 − 20 = 60
    expect(topUp[0]).toBe(0);
    expect(topUp[1]).toBeCloseTo(60, 9);
    expect(reserve[1]).toBeCloseTo(80, 9);
    const price = column(r, "priceOfToken")[1];
    expect(column(r, "reserveBuybackUsd")[1]).toBeCloseTo(60 * price, 9);
    expect(column(r, "buyBacksUsd")[1]).toBeCloseTo(
      column(r, "usdBuybackCapital")[1] + 60 * price,
      9,
    );
  });
});

describe("price floor [R4] and missing price", () => {
  it("flags days whose demand/supply is below the floor and keeps running", () => {
    const r = simulate(
      tinyScenario({ consumers: [], consumerSentiment: 0, onchain: { priceFloor: 0.5 } }),
    );
    expect(r.error).toBeNull();
    expect(column(r, "priceFloored")[0]).toBe(1);
    expect(column(r, "priceOfToken")[0]).toBe(0.5);
  });
});

describe("vesting (E17b) in a run", () => {
  it("moves vested tokens from locked allocations into supply the next day", () => {
    const r = simulate(
      tinyScenario({
        tokens: {
          maxTokenSupply: 1000,
          allocation: {
            opsFund: { fraction: 0.5 },
            team: { fraction: 0.3, vesting: { cliffDays: 2, linearDays: 3 } },
            public: { fraction: 0.2 },
          },
        },
        consumers: [],
        phaseOne: { phaseOneDays: 0 },
      }),
    );
    expect(r.error).toBeNull();
    const locked = column(r, "lockedAllocations");
    const supply = column(r, "supply");
    expect(locked[0]).toBeCloseTo(300, 9);
    expect(locked[2]).toBeCloseTo(200, 9);
    expect(locked[4]).toBe(0);
    // circulating on day 0 is the public 200; the team's tokens arrive 100 a day from day 2's end
    expect(supply[1]).toBeCloseTo(200, 9);
    expect(supply[4]).toBeCloseTo(500, 9);
    // I1 with the locked allocation
    for (let t = 0; t < r.days; t++)
      expect(supply[t] + column(r, "tokenReserve")[t] + locked[t]).toBeCloseTo(1000, 9);
  });
});

describe("phase 1 ends early on demand (E4)", () => {
  it("switches on the first day with income and releases the stake then", () => {
    const r = simulate(
      tinyScenario({
        phaseOne: { phaseOneDays: 30, endPhaseOneOnDemand: true, fracPhaseOneTokens: 0.5 },
        consumers: [
          {
            name: "training",
            row: "modelTraining",
            unitPrice: 10,
            unitsPerJob: 1,
            jobsPerDay: { start: 10, startDay: 3 },
          },
        ],
      }),
    );
    const phase = column(r, "phase");
    expect(Array.from(phase.subarray(0, 5))).toEqual([1, 1, 1, 2, 2]);
    // budget 0.5 × 1000 / 30 days a day, full fill
    expect(column(r, "stakedTokens")[2]).toBeCloseTo(3 * (500 / 30), 9);
    expect(column(r, "stakedTokens")[3]).toBe(0);
  });
});

describe("fast kernel against the reference engine", () => {
  const files = readdirSync(SCENARIOS_DIR).filter((f) => /^(?!marketplace-).*\.ya?ml$/.test(f));
  for (const f of files) {
    it(`${f}: identical tables with noise on (seed 11)`, () => {
      const { scenario } = loadScenario(SCENARIOS_DIR + f);
      const fast = simulate(scenario, { seed: 11 });
      const ref = simulate(scenario, { seed: 11, reference: true });
      expect(fast.days).toBe(ref.days);
      fast.values.forEach((v, c) => {
        for (let t = 0; t < fast.days; t++) {
          const a = v[t];
          const b = ref.values[c][t];
          if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(b)))
            throw new Error(`${fast.columns[c]}[${t}]: ${a} vs ${b}`);
        }
      });
    });
  }
});

describe("every shipped scenario", () => {
  const files = readdirSync(SCENARIOS_DIR).filter((f) => /\.ya?ml$/.test(f));
  it("ships the scenarios the issue names", () => {
    for (const name of [
      "whitepaper.yaml",
      "whitepaper-sec-case.yaml",
      "all-pipelines.yaml",
      "demand-collapse.yaml",
      "mainnet-1b.yaml",
    ])
      expect(files).toContain(name);
  });
  for (const f of files) {
    it(`${f} runs to the end without an invariant violation`, () => {
      const { scenario } = loadScenario(SCENARIOS_DIR + f);
      const r = simulate(scenario, { seed: 5 });
      expect(r.error).toBeNull();
      expect(r.days).toBe(scenario.days);
    });
  }
  it("all-pipelines uses every row of the price matrix", () => {
    const { scenario } = loadScenario(`${SCENARIOS_DIR}all-pipelines.yaml`);
    expect(new Set(scenario.consumers.map((c) => c.row ?? c.name)).size).toBe(7);
  });
  it("the SEC case switches buybackModulation from 0.5 to 1.0 by a vote", () => {
    const { scenario } = loadScenario(`${SCENARIOS_DIR}whitepaper-sec-case.yaml`, {
      deterministic: true,
    });
    const r = simulate(scenario);
    const capital = column(r, "usdCapital");
    const income = column(r, "income");
    const day = scenario.schedule[0].day;
    expect(capital[day - 1]).toBeCloseTo(0.5 * 0.7 * income[day - 1], 9);
    expect(capital[day]).toBe(0);
  });
  it("mainnet-1b accounts for all 1,000,000,000 tokens every day", () => {
    const { scenario } = loadScenario(`${SCENARIOS_DIR}mainnet-1b.yaml`);
    const r = simulate(scenario, { seed: 3 });
    const s = column(r, "supply"),
      res = column(r, "tokenReserve"),
      l = column(r, "lockedAllocations");
    expect(l[0]).toBeCloseTo(350_000_000, 3); // investors + team + advisors locked
    for (let t = 0; t < r.days; t++) expect(Math.abs(s[t] + res[t] + l[t] - 1e9)).toBeLessThan(1);
    expect(l[r.days - 1]).toBeLessThan(l[0]);
  });
});
