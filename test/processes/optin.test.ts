import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

const shipped = readdirSync(SCENARIOS_DIR).filter((f) => f.endsWith(".yaml"));
const stress = readdirSync(join(SCENARIOS_DIR, "stress")).filter((f) => f.endsWith(".yaml"));

describe("stochastic inputs are opt-in", () => {
  it.each(shipped)(
    "%s: a process whose factor is 1 every day leaves every value of every column unchanged",
    (file) => {
      const s = loadScenario(join(SCENARIOS_DIR, file), { days: 40 }).scenario;
      const identity = {
        ...s,
        stochastic: {
          series: { consumerSentiment: { seasonality: { period: 7, amplitude: 0 } } },
          shocks: [{ series: "governanceValue", fromDay: 3, days: 5, factor: 1 }],
        },
      };
      const a = simulate(s, { seed: 11, run: 2 });
      const b = simulate(identity, { seed: 11, run: 2 });
      expect(b.columns).toEqual(a.columns);
      expect(b.values).toEqual(a.values);
      expect(b.error?.message).toEqual(a.error?.message);
    },
  );
});

describe("shipped stress scenarios", () => {
  it.each(stress)("%s loads, extends the whitepaper and runs to its last day", (file) => {
    const s = loadScenario(join(SCENARIOS_DIR, "stress", file)).scenario;
    expect(s.consumers.map((c) => c.name)).toEqual([
      "imageLabeling",
      "tpuTraining",
      "gpuTraining",
      "inference",
    ]);
    const r = simulate(s, { seed: 1 });
    expect(r.error).toBeNull();
    expect(r.days).toBe(s.days);
  });

  it("demand-crash: on full-strength days GPU demand is exactly 0.4 × the whitepaper's (same draws)", () => {
    const crash = simulate(
      loadScenario(join(SCENARIOS_DIR, "stress", "demand-crash.yaml")).scenario,
      {
        seed: 3,
      },
    );
    const wp = simulate(loadScenario(WHITEPAPER, { days: 240 }).scenario, { seed: 3 });
    const a = column(crash, "jobCreated.gpuTraining");
    const b = column(wp, "jobCreated.gpuTraining");
    for (const t of [124, 130, 154]) expect(a[t]).toBeCloseTo(0.4 * b[t], 9);
    // ramp day 1 of 5 (day 120): 1 + (0.4 − 1)·1/5 = 0.88; recovery day 30 of 60 (day 184): 0.7
    expect(a[120]).toBeCloseTo(0.88 * b[120], 9);
    expect(a[184]).toBeCloseTo(0.7 * b[184], 9);
    expect(a[119]).toBe(b[119]);
    expect(a[215]).toBe(b[215]);
    expect(column(crash, "jobCreated.tpuTraining")).toEqual(column(wp, "jobCreated.tpuTraining"));
  });

  it("price-defense: the rule raises buybackModulation after the day-100 crash and lowers it again", () => {
    const r = simulate(loadScenario(join(SCENARIOS_DIR, "stress", "price-defense.yaml")).scenario, {
      seed: 1,
    });
    const g = r.governance ?? [];
    const raise = g.find((c) => c.day > 100 && c.value === 1);
    expect(raise).toMatchObject({ rule: "defend-price", variable: "buybackModulation", old: 0.5 });
    // E38 at that day: the price fell more than 10% over the 7 days before
    const p = column(r, "priceOfToken");
    const d = raise?.day ?? 0;
    expect(p[d - 1] / p[d - 8] - 1).toBeLessThan(-0.1);
    expect(g.some((c) => c.day > d && c.value === 0.5)).toBe(true);
    // nothing before the crash: phase 1's steady fall is not a crash (the rule acts from day 40)
    expect(g.every((c) => c.day > 100)).toBe(true);
  });

  it("reserve-controller: jobRewardModulation moves only from day 31, within [10, 5000]", () => {
    const r = simulate(
      loadScenario(join(SCENARIOS_DIR, "stress", "reserve-controller.yaml")).scenario,
      {
        seed: 1,
      },
    );
    const g = r.governance ?? [];
    expect(g.length).toBeGreaterThan(100);
    for (const c of g) {
      expect(c.day).toBeGreaterThanOrEqual(31);
      expect(c.value).toBeGreaterThanOrEqual(10);
      expect(c.value).toBeLessThanOrEqual(5000);
    }
    expect(r.error).toBeNull();
  });
});
