import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileScenario } from "../../src/engine/compile.js";
import type { RunResult } from "../../src/engine/result.js";
import { runMarketplace } from "../../src/marketplace/engine.js";
import { loadScenario } from "../../src/scenario/load.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { ScenarioInput } from "../../src/scenario/schema.js";
import { simulate } from "../../src/simulate.js";

const col = (r: RunResult, n: string) => r.values[r.columns.indexOf(n)];
const qcol = (r: RunResult, n: string) => {
  const q = r.marketplace!.queue;
  return q.values[q.columns.indexOf(n)];
};
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

/** I1 and I2 (with refunds and the USD escrow) recomputed from the output, every day. */
function expectInvariants(r: RunResult): void {
  const s = r.meta.scenario;
  const t0 = s.tokens;
  const total =
    (t0.initialSupply ?? 0) + (t0.initialTokenReserve ?? 0) + (t0.lockedAllocations ?? 0);
  let cash = t0.initialDollarReserve; // dollar reserve + USD escrow: every USD the platform holds
  for (let t = 0; t < r.days; t++) {
    const tokens = col(r, "supply")[t] + col(r, "tokenReserve")[t] + col(r, "lockedAllocations")[t];
    expect(Math.abs(tokens - total)).toBeLessThanOrEqual(1e-9 * total);
    cash +=
      col(r, "income")[t] -
      col(r, "usdBuybackCapital")[t] -
      col(r, "reserveBuybackUsd")[t] -
      qcol(r, "refundedUsd")[t] -
      qcol(r, "usdPaidToSuppliers")[t];
    const held = col(r, "dollarReserve")[t] + qcol(r, "usdEscrow")[t];
    expect(Math.abs(held - cash)).toBeLessThanOrEqual(1e-9 * Math.max(1, cash));
    expect(col(r, "supply")[t]).toBeGreaterThanOrEqual(0);
    expect(col(r, "tokenReserve")[t]).toBeGreaterThanOrEqual(0);
    expect(col(r, "dollarReserve")[t]).toBeGreaterThanOrEqual(-1e-9);
  }
}

/** One consumer type, one supplier class of `n` suppliers, no exchange noise. */
function tiny(over: Partial<ScenarioInput>, market: object): ScenarioInput {
  return {
    name: "tiny",
    mode: "marketplace",
    days: 5,
    tokens: { initialSupply: 1_000_000, initialTokenReserve: 1_000_000, initialDollarReserve: 100 },
    phaseOne: { phaseOneDays: 0 },
    onchain: { buybackModulation: 0.5, fiatOperationsFraction: 0.3 },
    suppliers: [{ name: "modelInferenceProviders", count: 1 }],
    consumers: [
      { name: "inference", row: "inferenceSeekers", unitPrice: 10, unitsPerJob: 1, jobsPerDay: 2 },
    ],
    consumerSentiment: 10_000,
    marketplace: market,
    ...over,
  } as ScenarioInput;
}

describe("marketplace accounting, worked by hand", () => {
  it("refunds an expired task's price from the dollar reserve, less its returned USD share", () => {
    // 2 jobs of $10/day, one supplier of capacity 1, deadline 1 day: the unserved task of day
    // t − 1 expires at the start of day t. Dollar reserve: day 0 + opsRevenue 0.3·20 = 6; then
    // per day + 6, + the expired task's escrowed USD share (1−0.5)·0.7·10 = 3.5, − refund 10.
    const r = simulate(
      tiny(
        {},
        {
          suppliers: { modelInferenceProviders: { capacity: 1 } },
          jobs: { inference: { deadlineDays: 1 } },
        },
      ),
    );
    expect(r.error).toBeNull();
    expect(Array.from(qcol(r, "expiredTasks"))).toEqual([0, 1, 1, 1, 1]);
    expect(Array.from(qcol(r, "refundedUsd"))).toEqual([0, 10, 10, 10, 10]);
    col(r, "dollarReserve").forEach((d, t) => {
      expect(d).toBeCloseTo(106 - 0.5 * t, 9);
    });
    expect(Array.from(qcol(r, "usdPaidToSuppliers"))).toEqual([3.5, 3.5, 3.5, 3.5, 3.5]);
    expectInvariants(r);
  });

  it("moves a failed task's bond into the token reserve and re-queues the task", () => {
    // Two suppliers; supplier 0 always fails, supplier 1 always passes (dishonestShare 0.5:
    // supplier index 1 is the dishonest one by the floor((n+1)·share) rule, so it is 1 that fails).
    const r = simulate(
      tiny(
        {
          days: 3,
          suppliers: [{ name: "modelInferenceProviders", count: 2 }],
          onchain: { bondModulation: 0.1 },
        },
        {
          suppliers: {
            modelInferenceProviders: {
              capacity: 1,
              honesty: { dishonestShare: 0.5, honest: 1, dishonest: 0 },
            },
          },
          jobs: { inference: { deadlineDays: 3 } },
        },
      ),
    );
    expect(r.error).toBeNull();
    const sup = r.marketplace!.suppliers;
    expect(sup.map((s) => s.dishonest)).toEqual([false, true]);
    // day 0: both take a task; supplier 1 fails its one and is barred from it; reputation 0.
    expect(qcol(r, "failedTasks")[0]).toBe(1);
    expect(qcol(r, "requeuedTasks")[0]).toBe(1);
    // bond of the failed task: 0.1 · $10 / price of day 0
    const bond0 = (0.1 * 10) / col(r, "priceOfToken")[0];
    expect(qcol(r, "bondTokensConfiscated")[0]).toBeCloseTo(bond0, 9);
    expect(sup[1].bondTokensLost).toBeGreaterThanOrEqual(bond0 * (1 - 1e-12));
    expect(sup[1].validated).toBe(0);
    expect(sup[0].failed).toBe(0);
    expectInvariants(r);
  });
});

describe("shipped marketplace scenarios", () => {
  const files = readdirSync("scenarios").filter((f) => f.startsWith("marketplace-"));
  it("ships the four scenarios", () => {
    expect(files.sort()).toEqual([
      "marketplace-congestion.yaml",
      "marketplace-dishonest.yaml",
      "marketplace-outage.yaml",
      "marketplace-whitepaper.yaml",
    ]);
  });

  it.each(files)("%s runs with I1–I3 holding every day", (file) => {
    const { scenario } = loadScenario(`scenarios/${file}`);
    const r = simulate(scenario, { seed: 7 });
    expect(r.error).toBeNull();
    expect(r.days).toBe(scenario.days);
    expectInvariants(r);
  });

  it("dishonest suppliers' share of validated work falls over time", () => {
    const { scenario } = loadScenario("scenarios/marketplace-dishonest.yaml");
    // the first 5 days of a run are the 5-day run (same streams): compare days 0–4 with 5–89
    const share = (r: RunResult) => {
      const sup = r.marketplace!.suppliers;
      return [
        sum(sup.filter((s) => s.dishonest).map((s) => s.validated)),
        sum(sup.map((s) => s.validated)),
      ];
    };
    const [early, earlyAll] = share(simulate({ ...scenario, days: 5 }));
    const [all, allAll] = share(simulate(scenario));
    const earlyShare = early / earlyAll;
    const lateShare = (all - early) / (allAll - earlyAll);
    expect(earlyShare).toBeGreaterThan(0.005);
    expect(lateShare).toBeLessThan(earlyShare / 10);
    const sup = simulate(scenario).marketplace!.suppliers;
    // bonds lost per task done: dishonest work fails 70% of the time, honest 1%
    const lost = (bad: boolean) =>
      sum(sup.filter((s) => s.dishonest === bad).map((s) => s.bondTokensLost)) /
      sum(sup.filter((s) => s.dishonest === bad).map((s) => s.completed));
    expect(lost(true)).toBeGreaterThan(lost(false));
    expect(sup.filter((s) => s.dishonest).every((s) => s.reputation < 0.9)).toBe(true);
  });

  it("congestion: the queue makes budget jobs wait and expire, refunded", () => {
    const { scenario } = loadScenario("scenarios/marketplace-congestion.yaml");
    const r = simulate(scenario);
    expect(sum(qcol(r, "expiredTasks"))).toBeGreaterThan(0);
    expect(sum(qcol(r, "refundedUsd"))).toBeGreaterThan(0);
    // capacity is 50 · 24 = 1,200 one-day tasks/day, all used once the queue builds
    expect(qcol(r, "acceptedTasks")[60]).toBe(1200);
  });

  it("outage: nothing is accepted in eu while it is down, and eu-only work expires", () => {
    const { scenario } = loadScenario("scenarios/marketplace-outage.yaml");
    const r = simulate(scenario);
    const expired = qcol(r, "expiredTasks");
    expect(sum(expired.subarray(62, 76))).toBeGreaterThan(0);
    expect(sum(expired.subarray(20, 58))).toBe(0);
  });
});

describe("the fast scheduler inside the engine", () => {
  it.each(["marketplace-dishonest.yaml", "marketplace-congestion.yaml", "marketplace-outage.yaml"])(
    "%s: same table and supplier results as with the reference scheduler",
    (file) => {
      const { scenario } = loadScenario(`scenarios/${file}`);
      const parsed = parseScenario({ ...scenario, days: 25 });
      const c = compileScenario(parsed);
      const a = new Float64Array(c.columns.length * c.days);
      const b = new Float64Array(c.columns.length * c.days);
      const fast = runMarketplace(c, 3, 0, a);
      const ref = runMarketplace(c, 3, 0, b, { referenceScheduler: true });
      expect(Array.from(a)).toEqual(Array.from(b));
      expect(fast.marketplace.suppliers).toEqual(ref.marketplace.suppliers);
    },
  );
});
