import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { simulate } from "../../src/engine/simulate.js";
import { loadScenario } from "../../src/scenario/load.js";
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
});
