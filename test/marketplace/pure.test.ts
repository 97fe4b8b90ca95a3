import { describe, expect, it } from "vitest";
import { earningsChart, queueChart, reputationChart } from "../../src/marketplace/charts.js";
import {
  isDishonest,
  REGION_STEP,
  RESOURCE_STEP,
  spreadPick,
} from "../../src/marketplace/population.js";
import { quantile } from "../../src/marketplace/record.js";
import { reputation } from "../../src/marketplace/reputation.js";
import type { SupplierRecord } from "../../src/marketplace/result.js";
import { wholeJobs } from "../../src/marketplace/wholeJobs.js";

describe("marketplace building blocks", () => {
  it("E20: validated / completed, the prior before any task", () => {
    expect(reputation(0, 0, 0.7)).toBe(0.7);
    expect(reputation(3, 4, 1)).toBe(0.75);
  });

  it("whole jobs: integer series exactly, fractional ones accumulated", () => {
    expect(wholeJobs(7, 0)).toBe(7);
    // 0.5 jobs/day: cumulative 0.5, 1.0, 1.5, 2.0 → 0, 1, 0, 1
    let done = 0;
    const got = [0.5, 1, 1.5, 2].map((c) => {
      const n = wholeJobs(c, done);
      done += n;
      return n;
    });
    expect(got).toEqual([0, 1, 0, 1]);
    // 0.1 added ten times is 0.9999999999999999: still one job
    expect(wholeJobs(0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1, 0)).toBe(1);
  });

  it("dishonest share: exactly 10 of every 100 suppliers, evenly spread", () => {
    const bad = Array.from({ length: 100 }, (_, n) => n).filter((n) => isDishonest(n, 0.1));
    expect(bad).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    expect(Array.from({ length: 50 }, (_, n) => isDishonest(n, 0)).some(Boolean)).toBe(false);
  });

  it("spreads weighted picks close to their weights", () => {
    const cumulative = Float64Array.from([2 / 3, 1]); // TPU 2 : GPU 1
    const n = Array.from({ length: 300 }, (_, i) => spreadPick(i, RESOURCE_STEP, cumulative));
    const tpu = n.filter((x) => x === 0).length;
    expect(Math.abs(tpu - 200)).toBeLessThanOrEqual(2);
    // resources and regions independent: each of 2 × 3 combinations gets ≈ 1/6 of 600
    const half = Float64Array.from([0.5, 1]);
    const third = Float64Array.from([1 / 3, 2 / 3, 1]);
    const combos = new Array(6).fill(0);
    for (let i = 0; i < 600; i++)
      combos[spreadPick(i, RESOURCE_STEP, half) * 3 + spreadPick(i, REGION_STEP, third)]++;
    for (const c of combos) expect(Math.abs(c - 100)).toBeLessThanOrEqual(10);
  });

  it("nearest-rank quantiles of whole-day waits", () => {
    const hist = Float64Array.from([5, 3, 2]); // waits 0×5, 1×3, 2×2 (10 tasks)
    expect(quantile(hist, 10, 0.5)).toBe(0); // rank 5
    expect(quantile(hist, 10, 0.95)).toBe(2); // rank 10
    expect(quantile(hist, 10, 0.8)).toBe(1); // rank 8
    expect(quantile(hist, 0, 0.5)).toBe(0);
  });

  it("charts count suppliers into reputation bins and average earnings by group", () => {
    const rec = (reputation: number, dishonest: boolean, tokensEarned: number) =>
      ({
        reputation,
        dishonest,
        tokensEarned,
        usdEarned: 0,
        bondTokensLost: 0,
        validated: 0,
      }) as SupplierRecord;
    const sup = [rec(1, false, 10), rec(0.95, false, 30), rec(0.31, true, 4)];
    const rep = reputationChart(sup) as { series: { data: number[] }[] };
    expect(rep.series[0].data[9]).toBe(2);
    expect(rep.series[1].data[3]).toBe(1);
    const earn = earningsChart(sup) as { series: { name: string; data: number[] }[] };
    expect(earn.series[0].data[1]).toBe(20);
    expect(earn.series[1].data[1]).toBe(4);
    const q = queueChart({
      suppliers: sup,
      queue: {
        columns: ["day", "waitingTasks", "expiredTasks", "medianWaitDays", "p95WaitDays"],
        days: 2,
        values: [
          [0, 1],
          [5, 6],
          [0, 1],
          [0, 0],
          [1, 2],
        ].map((v) => Float64Array.from(v)),
      },
    }) as { series: { data: number[] }[] };
    expect(q.series[0].data).toEqual([5, 6]);
  });
});
