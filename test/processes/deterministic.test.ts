import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { randomSources, withoutStochasticRandomness } from "../../src/processes/deterministic.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

const stress = ["bear-regime", "demand-crash", "jump-crash", "price-defense", "reserve-controller"];

describe("--deterministic switches off every random input (issue 12)", () => {
  it.each(stress)("stress/%s: two seeds give the same run, and no random source is left", (f) => {
    const file = join(SCENARIOS_DIR, "stress", `${f}.yaml`);
    expect(randomSources(loadScenario(file).scenario).length).toBeGreaterThan(0);
    const s = loadScenario(file, { deterministic: true, days: 120 }).scenario;
    expect(randomSources(s)).toEqual([]);
    const a = simulate(s, { seed: 1, run: 0 });
    const b = simulate(s, { seed: 99, run: 7 });
    expect(b.values).toEqual(a.values);
  });

  it("a GBM with drift μ has its volatility switched off: demand grows by e^{μt} (its mean)", () => {
    const s = loadScenario(WHITEPAPER, { days: 120, deterministic: true }).scenario;
    const withGbm = {
      ...s,
      stochastic: {
        series: { gpuTraining: { gbm: { drift: 0.01, volatility: 0.2 } } },
        shocks: [],
      },
    };
    const r = simulate(withoutStochasticRandomness(withGbm), { seed: 3 });
    // gpuTraining: 200 + 5·(t − 30) jobs/day from day 30 (noise 0), times e^{0.01t}
    const jobs = column(r, "jobCreated.gpuTraining");
    expect(jobs[50]).toBeCloseTo(300 * Math.exp(0.5), 6);
    expect(jobs[100]).toBeCloseTo(550 * Math.exp(1), 6);
    expect(randomSources(withGbm)).toEqual(["gpuTraining gbm"]);
  });
});

describe("a marketplace's draws count as randomness only where they can change a run", () => {
  it("sure passes and fixed bids (the marketplace death spiral): no source, two seeds the same run", () => {
    const s = loadScenario(join(SCENARIOS_DIR, "feedback", "death-spiral-marketplace.yaml"), {
      days: 40,
    }).scenario;
    expect(randomSources(s)).toEqual([]);
    expect(simulate(s, { seed: 2, run: 5 }).values).toEqual(simulate(s, { seed: 1 }).values);
  });
  it("groups that pass 99% and 30% of the time: validation draws, two seeds differ", () => {
    // marketplace-dishonest.yaml: honest work passes 99% of the time, dishonest (10%) 30%;
    // its demand noise switched off, the validation draws are the only source left
    const s = loadScenario(join(SCENARIOS_DIR, "marketplace-dishonest.yaml"), {
      days: 40,
      deterministic: true,
    }).scenario;
    expect(randomSources(s)).toEqual(["marketplace validation draws"]);
    expect(simulate(s, { seed: 2, run: 5 }).values).not.toEqual(simulate(s, { seed: 1 }).values);
  });
});
