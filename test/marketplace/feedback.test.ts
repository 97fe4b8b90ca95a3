import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";
import { hostChurn, hostEconomy, pooled } from "../feedback/fixtures.js";

/**
 * Marketplace mode, one class of hosts paid only in USD (BM = 0, f = 0.3, no emissions, no
 * validator pay, no fees): 2 jobs × $15 a day, one task each, every host takes one task at a
 * time and finishes it the day it takes it. The scheduler gives work to the best-ranked hosts
 * (reputation, tasks completed, id), so hosts 0 and 1 do all of it: $10.50 a day each, hosts 2
 * and 3 nothing. Cost $10/host/day; exit elasticity 0.1, lag 1 day, no entry.
 */
function hosts(over: Partial<ScenarioInput> = {}): ScenarioInput {
  return hostEconomy({
    mode: "marketplace",
    days: 12,
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 2 }],
    marketplace: { suppliers: { hosts: { capacity: 1 } } },
    feedback: hostChurn(4),
    ...over,
  });
}

describe("churn in marketplace mode, by hand (E40–E42, least profitable first)", () => {
  it("the idle hosts leave, the latest to join first, on the days the class law says", () => {
    const r = simulate(hosts());
    expect(r.error).toBeNull();
    // day 0: class income 2 · 0.7 · 15 = 21 over 4 hosts = 5.25 → margin −0.475
    expect(column(r, "incomePerSupplier.hosts")[0]).toBeCloseTo(5.25, 12);
    expect(column(r, "margin.hosts")[0]).toBeCloseTo(-0.475, 12);
    // day 1: exits 0.1 · 0.475 · 4 = 0.19 → 3.81 → 3 active: one host leaves
    expect(column(r, "supplierExits.hosts")[1]).toBeCloseTo(0.19, 12);
    // days 1–8: 21 over 3 = 7 → margin −0.3, exits 3% a day: 3.81 · 0.97^(t−1) ≥ 3 until
    // t = 9 (3.81 · 0.97^8 = 2.986): a second host leaves on day 9; then 21 / 2 = 10.5 > 10
    const count = [4, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2];
    expect(Array.from(column(r, "suppliers.hosts"))).toEqual(count);
    expect(column(r, "margin.hosts")[5]).toBeCloseTo(-0.3, 12);
    expect(column(r, "margin.hosts")[9]).toBeCloseTo(0.05, 12);
    // who: hosts 2 and 3 earned nothing (margin −1 each); the tie goes to the latest to join,
    // host 3, on day 1; host 2 (still −1, against −0.3 … +0.05 for the working hosts 0 and 1) on day 9
    const left = r.marketplace!.suppliers.map((s) => s.leftDay ?? null);
    expect(left).toEqual([null, null, 9, 1]);
    const earned = r.marketplace!.suppliers.map((s) => s.usdEarned);
    for (const [i, v] of [12 * 10.5, 12 * 10.5, 0, 0].entries())
      expect(earned[i]).toBeCloseTo(v, 9);
  });

  it("the least profitable leaves first whatever its id: a dishonest host before a later idle one", () => {
    // 4 jobs a day on 4 hosts: each takes one; host 2 is dishonest (share 0.34: the first n with
    // floor((n+1)·0.34) > floor(n·0.34) is 2) and always fails, so it earns nothing; hosts 0, 1, 3
    // earn $10.50. Class 31.5 / 4 = 7.875 → margin −0.2125 → exits 0.085 → 3.915 → 3 on day 1:
    // host 2 (−1) leaves, not host 3 (+0.05), though host 3 joined later
    const r = simulate(
      hosts({
        consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 4 }],
        marketplace: {
          suppliers: {
            hosts: { capacity: 1, honesty: { dishonestShare: 0.34, honest: 1, dishonest: 0 } },
          },
        },
      }),
    );
    expect(r.error).toBeNull();
    expect(column(r, "margin.hosts")[0]).toBeCloseTo(-0.2125, 12);
    expect(column(r, "supplierExits.hosts")[1]).toBeCloseTo(0.085, 12);
    expect(column(r, "suppliers.hosts")[1]).toBe(3);
    const sup = r.marketplace!.suppliers;
    expect(sup[2].dishonest).toBe(true);
    expect(sup[2].leftDay).toBe(1);
    expect(sup.filter((s) => s.leftDay !== undefined).map((s) => s.id)).toEqual([2]);
  });

  it("entrants join as new suppliers and pay the onboarding fee (E8)", () => {
    // 6 jobs a day on 4 hosts with capacity 2: 63 / 4 = 15.75 → margin +0.575 → entry
    // min(0.2 · 0.575, 0.05) · 4 = 0.2 a day → 5 hosts on day 5 (4 + 5 · 0.2 = 5 ≥ 5 − 1e-9)
    const r = simulate(entrants());
    expect(r.error).toBeNull();
    const count = Array.from(column(r, "suppliers.hosts"));
    expect(count.slice(0, 6)).toEqual([4, 4, 4, 4, 4, 5]);
    // then 63 / 5 = 12.6 → +0.26 → 0.25 a day: a sixth host on day 9 (5 + 4 · 0.25)
    expect(count.slice(6)).toEqual([5, 5, 5, 6, 6, 6]);
    expect(r.marketplace!.suppliers.map((s) => s.joinDay)).toEqual([0, 0, 0, 0, 5, 9]);
    expect(r.marketplace!.suppliers[4].joinDay).toBe(5);
    // E8 on day 5: 0.1 · Σ income / Σ suppliers over days 0–5 per newcomer: 0.1 · 6 · 90 / 25
    expect(column(r, "onboardingUsd")[5]).toBeCloseTo((0.1 * 6 * 90) / 25, 9);
  });
});

describe("a marketplace class stops at its ceiling (E42, decision 330)", () => {
  it("entrants stop at maxCount: the class of the entrants' test holds at 5 from day 5", () => {
    // the entrants' test above with maxCount 5: 4 + 5 · 0.2 = 5 on day 5, then room
    // max(5, 5) − 5 = 0, so no entrant (the sixth host of day 9 never joins)
    const r = simulate(entrants({ maxCount: 5 }));
    expect(r.error).toBeNull();
    expect(Array.from(column(r, "suppliers.hosts"))).toEqual([4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5]);
    expect(r.marketplace!.suppliers.map((s) => s.joinDay)).toEqual([0, 0, 0, 0, 5]);
    expect(Array.from(column(r, "supplierEntries.hosts").slice(6))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("demand lost to queues in marketplace mode, by hand (E49)", () => {
  it("yesterday's expired share of a type's tasks keeps that share × sensitivity of today's jobs away", () => {
    // one host, capacity 1, 3 one-day jobs a day with a one-day deadline: each day one is done
    // and two expire the next morning. Day 1 expires day 0's two → share 2 / (2 + 1) = 2/3; day 2:
    // 3 · (1 − 0.75 · 2/3) = 1.5 jobs arrive (1 whole; the half waits in the running sum)
    const r = simulate(
      hosts({
        suppliers: [{ name: "hosts", count: 1 }],
        consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 3 }],
        marketplace: {
          suppliers: { hosts: { capacity: 1 } },
          jobs: { hosting: { durationDays: 1, deadlineDays: 1 } },
        },
        feedback: { consumers: { hosting: { queueLossSensitivity: 0.75 } } },
      }),
    );
    expect(r.error).toBeNull();
    const lost = column(r, "jobsLostToQueues");
    const jobs = column(r, "jobCreated.hosting");
    const expired =
      r.marketplace!.queue.values[r.marketplace!.queue.columns.indexOf("expiredTasks")];
    expect(Array.from(expired.slice(0, 3))).toEqual([0, 2, 2]);
    expect(lost[0]).toBe(0);
    expect(lost[1]).toBe(0); // day 0: nothing expired
    expect(lost[2]).toBeCloseTo(1.5, 12);
    expect(Array.from(jobs.slice(0, 3))).toEqual([3, 3, 1]);
    // day 2: the one job submitted is done, day 1's two expire → 2/3 again; day 3: 1.5 more,
    // running sum 9 → 2 whole jobs; day 3 expires the one left on day 2 … (2 submitted, 1 done)
    expect(lost[3]).toBeCloseTo(1.5, 12);
    expect(jobs[3]).toBe(2);
    expect(expired[3]).toBe(0); // day 2 had 1 job and 1 host: nothing left over
  });

  it("is refused in aggregate mode, and E50's capacity in marketplace mode, each with a reason", () => {
    const aggregate = hosts({
      mode: "aggregate",
      feedback: { consumers: { hosting: { queueLossSensitivity: 1 } } },
    });
    expect(() => simulate(aggregate)).toThrow(ScenarioError);
    expect(() => simulate(aggregate)).toThrow(/queueLossSensitivity.*aggregate mode has no queue/s);
    const capacity = hosts({
      feedback: {
        suppliers: { classes: { hosts: { costPerDay: 10, jobsPerSupplierPerDay: 5 } } },
      },
    });
    expect(() => simulate(capacity)).toThrow(/jobsPerSupplierPerDay.*scheduler's capacity/s);
  });
});

describe("the AMM pool in marketplace mode, by hand (E45–E47)", () => {
  it("day 0: $200 of buys on 1000/1000 clear at 1.2; day 1: half of day 0's released pay sold, clears at 1.6", () => {
    // 10 hosts, 10 one-day jobs × $10 a day, all bought back (BM = 1) and earmarked per task,
    // released on validation the same day: the aggregate hand case (test/feedback) task by task
    const r = simulate(
      pooled({ mode: "marketplace", marketplace: { suppliers: { hosts: { capacity: 1 } } } }),
    );
    expect(r.error).toBeNull();
    const price = column(r, "priceOfToken");
    expect(price[0]).toBeCloseTo(1.2, 12);
    expect(column(r, "supplierTokensPaid")[0]).toBeCloseTo(100 / 1.2, 9);
    expect(column(r, "poolTokens")[0]).toBeCloseTo(1000 - 200 / 1.2, 9);
    expect(column(r, "supply")[0]).toBeCloseTo(9000 + 200 / 1.2, 9);
    // day 1: S = 41.67 tokens, B = C = $200 on 833.33 / 1200 → P = 1.6
    expect(column(r, "tokensSold")[1]).toBeCloseTo(125 / 3, 9);
    expect(price[1]).toBeCloseTo(1.6, 9);
    expect(column(r, "poolTokens")[1]).toBeCloseTo(750, 9);
    expect(column(r, "supply")[1] + column(r, "poolTokens")[1]).toBeCloseTo(10_000, 9);
  });
});

/**
 * 6 jobs a day on 4 hosts with capacity 2, onboarding fee 0.1, hosts that churn (cost 10, entry
 * elasticity 0.2, lag 1) with `extra` class fields.
 */
function entrants(extra: object = {}) {
  return hosts({
    onchain: {
      buybackModulation: 0,
      fiatOperationsFraction: 0.3,
      bondModulation: 0,
      onboardingModulation: 0.1,
      validationModulator: 0,
      phaseTwoMintAmount: 0,
      phase2Modulation: 1,
    },
    consumers: [{ name: "hosting", unitPrice: 15, unitsPerJob: 1, jobsPerDay: 6 }],
    marketplace: { suppliers: { hosts: { capacity: 2 } } },
    feedback: {
      suppliers: {
        lagDays: 1,
        classes: {
          hosts: { costPerDay: 10, dynamic: { start: 4 }, entryElasticity: 0.2, ...extra },
        },
      },
    },
  });
}
