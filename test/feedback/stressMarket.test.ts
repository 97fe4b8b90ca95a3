import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { runStress, runStressOnWorkers } from "../../src/feedback/stress.js";
import { marketShockSteps } from "../../src/feedback/stressMarket.js";
import { crashWholeJobs } from "../../src/feedback/stressShocks.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { hostChurn, hostEconomy } from "./fixtures.js";

describe("demandCrash on whole jobs (marketplace mode)", () => {
  it("keeps 30% of the jobs through a running sum, by hand", () => {
    const cumulative = new Float64Array(2);
    const submitted = new Float64Array(2);
    const seen: number[][] = [];
    for (let d = 0; d < 10; d++) {
      const jobs = new Float64Array([10, 1]);
      crashWholeJobs(jobs, cumulative, submitted);
      seen.push(Array.from(jobs));
    }
    // 10 a day → 3 a day; 1 a day → 0.3, 0.6, 0.9, 1.2 …: a job on the 4th, 7th and 10th days
    expect(seen.map((j) => j[0])).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(seen.map((j) => j[1])).toEqual([0, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });
});

/** 10 hosts (exogenous), each holding 10 one-day tasks; 10 jobs × $15 a day; $1000/day of exchange demand. */
function market(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return hostEconomy({
    mode: "marketplace",
    suppliers: [{ name: "hosts", count: 10 }],
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 10 }],
    marketplace: { suppliers: { hosts: { capacity: 10 } } },
    ...over,
  });
}

describe("the battery's shocks in marketplace mode's day, by hand", () => {
  it("demandCrash from day 4: 10 jobs a day, then 3, and the income that goes with them (E5)", () => {
    const s = parseScenario(market());
    const r = simulate(s, { extensions: marketShockSteps("demandCrash", 4, false, 1) });
    expect(r.error).toBeNull();
    expect(Array.from(column(r, "jobCreated.hosting"))).toEqual([10, 10, 10, 10, 3, 3, 3, 3, 3, 3]);
    expect(Array.from(column(r, "income"))).toEqual([150, 150, 150, 150, 45, 45, 45, 45, 45, 45]);
  });

  it("sentimentCollapse from day 6: E10's demand is the $1000 of exchange demand, then nothing", () => {
    // BM = 0 (no buyback capital), no onboarding, bonds or governance value: demand = sentiment
    const r = simulate(parseScenario(market()), {
      extensions: marketShockSteps("sentimentCollapse", 6, false, 1),
    });
    expect(r.error).toBeNull();
    expect(Array.from(column(r, "demand"))).toEqual([
      1000, 1000, 1000, 1000, 1000, 1000, 0, 0, 0, 0,
    ]);
  });

  it("sellWave needs a pool: without one the shock inserts nothing", () => {
    expect(marketShockSteps("sellWave", 3, false, 1)).toEqual([]);
    expect(marketShockSteps("sellWave", 3, true, 1).map((i) => i.step.name)).toEqual([
      "stressSellWave",
    ]);
  });
});

/**
 * The churn hand case of test/marketplace/feedback.test.ts: 4 hosts, 2 jobs × $15 a day, cost
 * $10; the count goes 4, 3 (day 1) … 3, 2 (day 9), 2, 2.
 */
const churning = parseScenario(
  hostEconomy({
    mode: "marketplace",
    days: 12,
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 2 }],
    marketplace: { suppliers: { hosts: { capacity: 1 } } },
    feedback: hostChurn(4),
  }),
);

describe("bme stress on a marketplace-mode scenario", () => {
  it("reads suppliers retained off the marketplace run: 2 of the 3 there before day 5", () => {
    const r = runStress(churning, { runs: 2, seed: 3, shockDay: 5, pathRuns: 1 });
    expect(r.mode).toBe("marketplace");
    const base = r.shocks[0];
    expect(base.shock).toBe("baseline");
    expect(base.metrics.suppliersRetained.p50).toBeCloseTo(2 / 3, 12);
    // the loop: the count path is the hand case's, and the queue's series are drawn
    expect(Array.from(base.paths?.suppliers?.p50 ?? [])).toEqual([
      4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2,
    ]);
    expect(base.paths?.expiredTasks).toBeDefined();
    expect(base.paths?.waitingTasks).toBeDefined();
    // no pool: sellWave is not applicable
    expect(r.shocks.find((s) => s.shock === "sellWave")?.applicable).toBe(false);
  });

  it("gives the same result on 1 and 2 worker threads (noise, churn, a pool, every shock)", async () => {
    const s = parseScenario(
      market({
        days: 20,
        consumers: [
          {
            name: "hosting",
            unitPrice: 15,
            unitsPerJob: 1,
            jobsPerDay: { start: 10, noise: 3 },
          },
        ],
        suppliers: [{ name: "hosts", count: 0 }],
        marketplace: {
          suppliers: { hosts: { capacity: 2 } },
          jobs: { hosting: { deadlineDays: 2 } },
        },
        tokens: { initialSupply: 100_000, initialTokenReserve: 0 },
        feedback: {
          ...hostChurn(6),
          consumers: { hosting: { queueLossSensitivity: 1 } },
          sales: { sellShare: 0.5, sellOverDays: 2 },
          amm: { poolTokens: 5_000, poolUsd: 5_000 },
        },
      }),
    );
    const options = { runs: 7, seed: 11, shockDay: 8, pathRuns: 5 };
    const one = await runStressOnWorkers(s, { ...options, workers: 1 });
    const two = await runStressOnWorkers(s, { ...options, workers: 2 });
    expect(two).toEqual(one);
    expect(one.shocks.map((x) => [x.applicable, x.runs])).toEqual(one.shocks.map(() => [true, 7]));
    // the sell wave dumps 10% of supply into the pool on day 8: that day's price is below the
    // baseline's, and the days before are the same runs (common random numbers)
    const base = one.shocks[0].paths?.priceOfToken?.p50 ?? new Float64Array();
    const wave = one.shocks[3].paths?.priceOfToken?.p50 ?? new Float64Array();
    expect(Array.from(wave.subarray(0, 8))).toEqual(Array.from(base.subarray(0, 8)));
    expect(wave[8]).toBeLessThan(base[8]);
  });
});
