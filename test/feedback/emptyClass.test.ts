import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ONCHAIN } from "../../src/day/sequence.js";
import { compileScenario } from "../../src/engine/compile.js";
import { column } from "../../src/engine/result.js";
import { feedbackBatchScratch, runFeedbackBatch, runTable } from "../../src/feedback/batch.js";
import { entrantServiceUsd, marketEntrantServiceUsd } from "../../src/feedback/capacity.js";
import { runFeedbackAggregate } from "../../src/feedback/day.js";
import { runFeedbackKernel } from "../../src/feedback/kernel.js";
import { compileFeedback } from "../../src/feedback/plan.js";
import {
  loneEntrantIncomeOf,
  loneSlotUsd,
  phaseOneSlotTokens,
  type SupplierPayDay,
  splitPayPerUsd,
} from "../../src/feedback/supplierIncome.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { Scenario, ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR } from "../helpers.js";
import { hostEconomy } from "./fixtures.js";

/**
 * E40e/E50e (docs/model-feedback.md): a class with no whole supplier reports what one entrant
 * would have earned today, so a class that empties (or starts empty) can come back when
 * capacity binds (aggregate mode) and in marketplace mode.
 */

const NO_FEES = {
  bondModulation: 0,
  onboardingModulation: 0,
  phaseTwoMintAmount: 0,
  phase2Modulation: 1,
};

/**
 * Hosts that start empty: 100 jobs × $15 a day (from day `from`), one host serves 30 a day
 * (aggregate E50; marketplace: 30 one-day tasks at once), USD pay only (BM = 0, f = 0.3).
 */
function emptyHosts(
  mode: "aggregate" | "marketplace",
  cost: number,
  entryElasticity: number,
  lagDays: number,
  from = 0,
): ScenarioInput {
  const jobs = [...Array(from).fill(0), 100];
  return hostEconomy({
    mode,
    days: 60,
    onchain: {
      buybackModulation: 0,
      fiatOperationsFraction: 0.3,
      validationModulator: 0,
      ...NO_FEES,
    },
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: { values: jobs } }],
    ...(mode === "marketplace" && { marketplace: { suppliers: { hosts: { capacity: 30 } } } }),
    feedback: {
      suppliers: {
        lagDays,
        classes: {
          hosts: {
            costPerDay: cost,
            dynamic: { start: 0 },
            entryElasticity,
            ...(mode === "aggregate" && { jobsPerSupplierPerDay: 30 }),
          },
        },
      },
    },
  });
}

/** An on-chain vector with `values` set (the rest 0). */
function onchainOf(values: Partial<Record<keyof typeof ONCHAIN, number>>): Float64Array {
  const oc = new Float64Array(Object.keys(ONCHAIN).length);
  for (const [name, v] of Object.entries(values)) oc[ONCHAIN[name as keyof typeof ONCHAIN]] = v;
  return oc;
}

/**
 * A pay day without income at 0.01 usd/token, f = 0.3, two empty classes with targets 5 and 15
 * and nothing paid, with `over` set (E40e's inputs).
 */
function noIncomeDay(over: Partial<SupplierPayDay> = {}): SupplierPayDay {
  return {
    usdDemandForService: [0, 0],
    income: 0,
    usdCapital: 0,
    buybackTokens: 0,
    phaseOneEmission: 0,
    phaseTwoEmission: 0,
    validatorTokensPaid: 0,
    priceOfToken: 0.01,
    supplierCount: [0, 0],
    phaseOneTarget: [5, 15],
    phaseOneSlotTokens: 0,
    validatorsAreSuppliers: false,
    onchain: onchainOf({ fiatOperationsFraction: 0.3, buybackModulation: 0, buybackPremium: 0 }),
    ...over,
  };
}

describe("E40e, E50e: the laws", () => {
  it("values one usd of service at the split when the day had no income (E7, E11a)", () => {
    // f = 0.3, BM = 0.5, premium 0.25: 0.7 · 0.5 in USD + 0.7 · 0.5 / 1.25 in tokens = 0.35 + 0.28
    expect(splitPayPerUsd(0.3, 0.5, 0.25)).toBeCloseTo(0.63, 15);
    expect(splitPayPerUsd(0.3, 0, 0)).toBeCloseTo(0.7, 15);
  });

  it("an entrant serves its capacity's share of the class's whole load, pipelines included", () => {
    // type 0: 100 jobs × $15, all class 0; type 1: 40 jobs × $50, half class 0, half class 1.
    // class 0: load 100 + 20 = 120 job-equivalents worth 1500 + 1000 = 2500; one entrant at 30
    // a day serves 30/120 of it = 625 usd
    const jobs = Float64Array.from([100, 40]);
    const price = Float64Array.from([15, 50]);
    const matrix = Float64Array.from([1, 0, 0.5, 0.5]);
    expect(entrantServiceUsd(jobs, price, matrix, 2, 0, 30)).toBeCloseTo(625, 12);
    // capacity above the load: the whole 2500; class 1 alone: 20 job-equivalents worth 1000
    expect(entrantServiceUsd(jobs, price, matrix, 2, 0, 500)).toBeCloseTo(2500, 12);
    expect(entrantServiceUsd(jobs, price, matrix, 2, 1, 5)).toBeCloseTo(250, 12);
    // marketplace: one task per job and class, type 1's tasks hold a slot 2 days: load 100 · 1 +
    // 40 · 2 = 180 task-days; 30 slots serve 30/180 of 2500
    const days = Int32Array.from([1, 2]);
    expect(marketEntrantServiceUsd(jobs, price, matrix, 2, 0, 30, days)).toBeCloseTo(2500 / 6, 12);
    expect(entrantServiceUsd(Float64Array.from([0, 0]), price, matrix, 2, 0, 30)).toBe(0);
  });

  it("adds the phase-one pay of a filled target slot when the class has a target (E3)", () => {
    // 40,000 tokens at 0.01 = 400 usd over min(0,5) + min(20,15) = 15 filled slots: 400/15 a slot
    const day = noIncomeDay({ phaseOneEmission: 40_000, supplierCount: [0, 20] });
    // 100 usd of service on a day without income: 0.7 · 100 + 400/15
    expect(loneEntrantIncomeOf(day, 0, 100)).toBeCloseTo(70 + 400 / 15, 12);
    expect(loneEntrantIncomeOf({ ...day, phaseOneTarget: [0, 15] }, 0, 100)).toBeCloseTo(70, 12);
  });

  it("pays a lone entrant E3's rate for one slot on a phase-1 day when no slot is filled anywhere", () => {
    // budget 600,000 tokens over 30 days with targets 5 + 15 = 20 slots: one slot earns
    // 600,000 / 30 / 20 = 1,000 tokens a day, at 0.01 = 10 usd; the day paid no phase-one
    // emission (every class empty) and had no income: 0.7 · 100 + 10
    expect(phaseOneSlotTokens(600_000, 30, [5, 15], 1)).toBeCloseTo(1000, 9);
    expect(phaseOneSlotTokens(600_000, 30, [5, 15], 2)).toBe(0);
    expect(phaseOneSlotTokens(600_000, 30, [0, 0], 1)).toBe(0);
    const empty = noIncomeDay({ phaseOneSlotTokens: 1000 });
    expect(loneEntrantIncomeOf(empty, 0, 100)).toBeCloseTo(70 + 10, 12);
    // a class without a target fills no slot: no slot pay
    expect(loneEntrantIncomeOf({ ...empty, phaseOneTarget: [0, 15] }, 0, 100)).toBeCloseTo(70, 12);
    // with some slot filled elsewhere the day's own pay per slot is used, as before
    expect(loneSlotUsd(5, 15, 400, 10)).toBeCloseTo(400 / 15, 12);
    expect(loneSlotUsd(5, 0, 0, 10)).toBe(10);
    expect(loneSlotUsd(0, 0, 0, 10)).toBe(0);
  });
});

describe("an empty class with capacity, aggregate mode, by hand", () => {
  it("reports one entrant's income and margin on a day with income (E6, E7, E11a, E14)", () => {
    // hosts empty (capacity 30), trainers 5 serving 10 jobs × $20. Day 0: the 100 hosting jobs
    // are lost (E50); income 200, f = 0.3, BM = 1: 140 usd buys 140/1.14 tokens at
    // price (1000 + 140)/1000 = 1.14; validators (the suppliers) 0.5 · 10 = 5 tokens. The day
    // paid 140 + 5 · 1.14 = 145.7 usd for 200 usd of service. One host would have served 30 of
    // the 100 jobs, 450 usd: 450/200 · 145.7 = 327.825 usd; cost 10 → margin 31.7825.
    const r = simulate(
      hostEconomy({
        days: 1,
        tokens: { initialSupply: 1000, initialTokenReserve: 1000 },
        onchain: {
          buybackModulation: 1,
          fiatOperationsFraction: 0.3,
          validationModulator: 0.5,
          ...NO_FEES,
        },
        suppliers: [
          { name: "hosts", count: 0 },
          { name: "trainers", count: 5 },
        ],
        priceMatrix: { hosting: { hosts: 1 }, training: { trainers: 1 } },
        consumers: [
          { name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 100 },
          { name: "training", unitPrice: 20, unitsPerJob: 1, jobsPerDay: 10 },
        ],
        feedback: {
          suppliers: {
            lagDays: 1,
            validatorsAreSuppliers: true,
            classes: {
              hosts: { costPerDay: 10, dynamic: { start: 0 }, jobsPerSupplierPerDay: 30 },
              trainers: { costPerDay: 10 },
            },
          },
        },
      }),
    );
    expect(r.error).toBeNull();
    expect(column(r, "priceOfToken")[0]).toBeCloseTo(1.14, 12);
    expect(column(r, "jobsLost")[0]).toBeCloseTo(100, 12);
    expect(column(r, "incomePerSupplier.hosts")[0]).toBeCloseTo(327.825, 9);
    expect(column(r, "margin.hosts")[0]).toBeCloseTo(31.7825, 9);
    // reported only: the trainers are paid the day's whole supplier pay, 145.7 / 5
    expect(column(r, "incomePerSupplier.trainers")[0]).toBeCloseTo(29.14, 9);
  });

  it("reports one entrant's income on a day without income: the split (0.7 · 450)", () => {
    const r = simulate(emptyHosts("aggregate", 10, 0.1, 1));
    expect(column(r, "income")[0]).toBe(0);
    expect(column(r, "incomePerSupplier.hosts")[0]).toBeCloseTo(315, 9);
    expect(column(r, "margin.hosts")[0]).toBeCloseTo(30.5, 9);
  });

  it("gets its first host on the day the lag, the elasticity and the floor of one entrant say", () => {
    // jobs from day 5. Days 0–4: no load, nothing to earn: margin −1. From day 5: 0.7 · 450 =
    // 315 usd against a cost of 200: margin 0.575. Lag 3: day 6 sees (−1, −1, 0.575) < 0, no
    // one; day 7 (−1, 0.575, 0.575) → 0.05 · 0.04 = 0.002 entrants (the floor: max(count, 1));
    // from day 8, 0.575 · 0.04 = 0.023 a day (under the 0.05 cap). Count 0.002 + 0.023 · (t − 7):
    // 0.991 on day 50, 1.014 on day 51, the first whole host.
    const r = simulate(emptyHosts("aggregate", 200, 0.04, 3, 5));
    expect(r.error).toBeNull();
    const margin = column(r, "margin.hosts");
    expect(margin[4]).toBe(-1);
    expect(margin[5]).toBeCloseTo(0.575, 12);
    const entries = column(r, "supplierEntries.hosts");
    expect(entries[6]).toBe(0);
    expect(entries[7]).toBeCloseTo(0.002, 12);
    expect(entries[8]).toBeCloseTo(0.023, 12);
    const count = Array.from(column(r, "suppliers.hosts"));
    expect(count.indexOf(1)).toBe(51);
    expect(count.slice(0, 51).every((n) => n === 0)).toBe(true);
    // the host then serves 30 jobs: 450 usd of income, 315 paid, margin unchanged
    expect(column(r, "income")[51]).toBeCloseTo(450, 9);
    expect(margin[51]).toBeCloseTo(0.575, 12);
  });
});

/**
 * A network launched with no supplier at all, in phase 1 without jobs: hosts start empty with a
 * target of 10 slots; budget 1 · 300,000 over 30 days, so a filled slot earns 300,000 / 30 / 10 =
 * 1,000 tokens a day; $1000 of exchange demand on 1,000,000 tokens: P = 0.001.
 */
function emptyLaunch(mode: "aggregate" | "marketplace"): ScenarioInput {
  return hostEconomy({
    mode,
    days: 3,
    tokens: { initialSupply: 1_000_000, initialTokenReserve: 300_000 },
    phaseOne: { phaseOneDays: 30, fracPhaseOneTokens: 1 },
    onchain: {
      buybackModulation: 0,
      fiatOperationsFraction: 0.3,
      validationModulator: 0,
      ...NO_FEES,
    },
    suppliers: [{ name: "hosts", count: 0, phaseOneTarget: 10 }],
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 0 }],
    ...(mode === "marketplace" && { marketplace: { suppliers: { hosts: { capacity: 30 } } } }),
    feedback: {
      suppliers: {
        lagDays: 1,
        classes: {
          hosts: {
            costPerDay: 0.5,
            dynamic: { start: 0 },
            entryElasticity: 1,
            maxEntryRate: 1,
          },
        },
      },
    },
  });
}

describe.each(["aggregate", "marketplace"] as const)(
  "a network launched with no supplier, phase 1 (%s mode, by hand)",
  (mode) => {
    it("draws its first hosts: a lone entrant is paid E3's rate for one slot", () => {
      // day 0: no slot filled, no income: the entrant's slot, 1,000 tokens at 0.001 = $1 against
      // a cost of $0.5: margin 1. Day 1: entries min(1 · 1, 1) · max(0, 1) = 1 host, who fills
      // one of the 10 slots and is paid 1,000 tokens (supply still 1,000,000: day 0 paid none):
      // $1, margin 1. Day 2: one more; 2,000 tokens over 2 hosts at 1000 / 1,001,000.
      const r = simulate(emptyLaunch(mode));
      expect(r.error).toBeNull();
      expect(Array.from(column(r, "suppliers.hosts"))).toEqual([0, 1, 2]);
      const income = column(r, "incomePerSupplier.hosts");
      expect(income[0]).toBeCloseTo(1, 12);
      expect(column(r, "margin.hosts")[0]).toBeCloseTo(1, 12);
      expect(income[1]).toBeCloseTo(1, 12);
      expect(income[2]).toBeCloseTo(1000 / 1001, 12);
      expect(Array.from(column(r, "phaseOneEmission"))).toEqual([0, 1000, 2000]);
    });
  },
);

describe("an empty class, marketplace mode, by hand", () => {
  it("reports one entrant's income and margin: 30 of the 100 tasks at the day's pay per usd", () => {
    // the tasks are submitted and paid for (income 1500, usdCapital 1050) and wait for a host;
    // one host holds 30 one-day tasks: 30/100 of 1500 = 450 usd at 1050/1500 = 315 usd
    const r = simulate(emptyHosts("marketplace", 10, 0.1, 1));
    expect(r.error).toBeNull();
    expect(column(r, "income")[0]).toBeCloseTo(1500, 9);
    expect(column(r, "incomePerSupplier.hosts")[0]).toBeCloseTo(315, 9);
    expect(column(r, "margin.hosts")[0]).toBeCloseTo(30.5, 9);
  });

  it("gets its first host on the same day as aggregate mode, a new supplier", () => {
    // as the aggregate case: margin −1 on days 0–4 (nothing submitted), 0.575 from day 5
    const r = simulate(emptyHosts("marketplace", 200, 0.04, 3, 5));
    expect(r.error).toBeNull();
    expect(column(r, "margin.hosts")[5]).toBeCloseTo(0.575, 12);
    expect(column(r, "supplierEntries.hosts")[7]).toBeCloseTo(0.002, 12);
    const count = Array.from(column(r, "suppliers.hosts"));
    expect(count.indexOf(1)).toBe(51);
    const sup = r.marketplace!.suppliers;
    expect(sup.length).toBe(1);
    expect(sup[0].joinDay).toBe(51);
  });
});

describe("the death spiral with an empty class (the user's case)", () => {
  /** The shipped file with `names` starting empty. */
  const emptied = (file: string, names: string[]): Scenario => {
    const copy = structuredClone(loadScenario(join(SCENARIOS_DIR, file)).scenario);
    for (const name of names) {
      const k = copy.feedback!.suppliers!.classes[name]!;
      k.dynamic = { ...k.dynamic!, start: 0 };
    }
    return copy;
  };
  const empty = emptied("feedback/death-spiral.yaml", ["dataAnnotators"]);

  it("the annotators come back (aggregate, capacity bound)", () => {
    const r = simulate(empty);
    expect(r.error).toBeNull();
    expect(Math.max(...column(r, "suppliers.dataAnnotators"))).toBeGreaterThanOrEqual(1);
    // day 0 (phase 1, no jobs): one entrant fills one of the 25 target slots: 0.6 · 2e6 / 30 / 25
    // = 1600 tokens at day 0's price
    const price = column(r, "priceOfToken")[0];
    expect(column(r, "incomePerSupplier.dataAnnotators")[0]).toBeCloseTo(1600 * price, 6);
  });

  it("two classes come back in marketplace mode, as new suppliers", () => {
    const names = ["dataAnnotators", "modelInferenceProviders"];
    const r = simulate(emptied("feedback/death-spiral-marketplace.yaml", names));
    expect(r.error).toBeNull();
    for (const name of names)
      expect(Math.max(...column(r, `suppliers.${name}`))).toBeGreaterThanOrEqual(1);
  });

  const allEmpty = emptied("feedback/death-spiral.yaml", [
    "dataAnnotators",
    "modelTrainingProviders",
    "modelInferenceProviders",
  ]);

  it("a launch with every class empty gets suppliers in phase 1 (E3's rate for a slot)", () => {
    // day 0: nothing filled, so each entrant's slot is E3's rate for one of the 25 slots,
    // 0.6 · 2e6 / 30 / 25 = 1600 tokens, at day 0's price; no jobs are served (no capacity)
    const r = simulate(allEmpty);
    expect(r.error).toBeNull();
    const price = column(r, "priceOfToken")[0];
    const first: Record<string, number> = {};
    for (const [name, cost] of [
      ["dataAnnotators", 1200],
      ["modelTrainingProviders", 900],
      ["modelInferenceProviders", 900],
    ] as const) {
      const income = column(r, `incomePerSupplier.${name}`)[0];
      expect(income).toBeCloseTo(1600 * price, 6);
      expect(column(r, `margin.${name}`)[0]).toBeCloseTo((1600 * price) / cost - 1, 9);
      first[name] = Array.from(column(r, `suppliers.${name}`)).indexOf(1);
    }
    // price 1.04 on day 0: the annotators' margin 1664 / 1200 − 1 = 0.3867 draws 0.05 · 0.3867
    // = 0.0193 entrants on day 1 (the floor of one would-be entrant), then the cap 0.02 a day
    // (every later margin is above 0.4): 0.0193 + 0.02 · (t − 1) ≥ 1 first on day 51. The
    // others' day-0 margin 1664 / 900 − 1 = 0.849 is capped at once: 0.02 · t, day 50. (Before
    // E3's rate for a lone slot, phase 1 paid an entrant nothing here: margin −1, no one came.)
    expect(price).toBeCloseTo(1.04, 2);
    expect(first).toEqual({
      dataAnnotators: 51,
      modelTrainingProviders: 50,
      modelInferenceProviders: 50,
    });
  });

  it.each([
    ["one class empty", empty],
    ["every class empty", allEmpty],
  ])("step engine, fused kernel and lockstep agree cell for cell (%s)", (_, scenario) => {
    const c = compileScenario(scenario);
    const plan = compileFeedback(scenario)!;
    const size = c.columns.length * c.days;
    const a = new Float64Array(size);
    const b = new Float64Array(size);
    expect(runFeedbackAggregate(c, 0, 0, a, plan).error).toBeNull();
    expect(runFeedbackKernel(c, 0, 0, b, { plan }).error).toBeNull();
    expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const out = new Float64Array(size * 2);
    runFeedbackBatch(c, 0, 0, 2, out, feedbackBatchScratch(c, plan, 2), { plan });
    const t = new Float64Array(size);
    runTable(out, 2, 1, t);
    expect(Buffer.from(t.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  });
});
