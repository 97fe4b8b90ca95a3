import { describe, expect, it } from "vitest";
import { compileScenario } from "../../src/engine/compile.js";
import { kernelScratch, runKernelBatch } from "../../src/engine/kernel.js";
import { runReference } from "../../src/engine/reference.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { WHITEPAPER } from "../helpers.js";

/**
 * The kernel advances a batch of runs in lockstep, sharing what is the same for every run
 * (noise-free series, supplier counts without noise, E8's supplier window). Each run of a
 * batch must still be, bit for bit, the reference engine's run of the same (seed, run).
 */
function agreesWithReference(scenario: Scenario, seed: number, run0: number, count: number): void {
  const c = compileScenario(scenario);
  const cols = c.columns.length;
  const out = new Float64Array(cols * c.days * count);
  const scratch = kernelScratch(c, count + 3); // a scratch larger than the batch
  runKernelBatch(c, seed, run0, count, out, scratch);
  const one = new Float64Array(cols * c.days);
  for (let b = 0; b < count; b++) {
    one.fill(0);
    const ref = runReference(c, seed, run0 + b, one);
    expect(scratch.daysCompleted[b]).toBe(ref.daysCompleted);
    expect(scratch.errors[b]?.message ?? null).toBe(ref.error?.message ?? null);
    let differing = 0;
    for (let col = 0; col < cols; col++)
      for (let t = 0; t < ref.daysCompleted; t++)
        if (!Object.is(out[(col * c.days + t) * count + b], one[col * c.days + t])) differing++;
    expect(differing).toBe(0);
  }
}

describe("runs advanced in lockstep equal the reference engine's runs", () => {
  const { scenario } = loadScenario(WHITEPAPER);
  it("the whitepaper scenario (noisy demand, noise-free supplier counts), 7 runs", () => {
    agreesWithReference(scenario, 11, 5, 7);
  });
  it("noisy supplier counts, noisy sentiment, phase 1 ending on targets or demand, 6 runs", () => {
    const noisy = structuredClone(scenario) as Scenario & Record<string, unknown>;
    const s = noisy as unknown as {
      suppliers: { count: unknown }[];
      consumerSentiment: unknown;
      phaseOne: Record<string, unknown>;
    };
    s.suppliers = s.suppliers.map((k, i) => ({
      ...k,
      count: { start: 4 + i, slope: 0.3, noise: 1.5, min: 0, startDay: 0 },
    }));
    s.consumerSentiment = { start: 20000, slope: 10, noise: 3000, min: 0, startDay: 0 };
    s.phaseOne = { ...s.phaseOne, endPhaseOneOnTargets: true, endPhaseOneOnDemand: true };
    agreesWithReference(noisy, 3, 1000, 6);
  });
  it("noise that starts late (two supplier classes on day 10, sentiment on day 20): the days before are advanced once and copied to every run, 9 runs", () => {
    const late = structuredClone(scenario) as Scenario & Record<string, unknown>;
    const s = late as unknown as {
      suppliers: { count: unknown }[];
      consumerSentiment: unknown;
      phaseOne: Record<string, unknown>;
    };
    // classes 0–2 as in the whitepaper (class 2 counted from day 0, no noise, its target met:
    // phase 2 from day 0), 3 and 4 noisy
    s.suppliers = s.suppliers.map((k, i) =>
      i < 3
        ? k
        : {
            ...k,
            count: { start: 4 + i, slope: 0.3, noise: 1.5, min: 0, startDay: 10 },
            phaseOneTarget: 0,
          },
    );
    s.consumerSentiment = { start: 20000, slope: 10, noise: 3000, min: 0, startDay: 20 };
    s.phaseOne = { ...s.phaseOne, endPhaseOneOnTargets: true };
    // income from day 0 (a noise-free type), so E8's onboarding fee reads the early days' counts
    (late.consumers[3] as { jobsPerDay: unknown }).jobsPerDay = 100;
    agreesWithReference(late, 8, 40, 9);
  });
  it("128 runs: the fixed columns in blocks of 8 days (E8's 30-day window spans blocks and the table)", () => {
    agreesWithReference(scenario, 5, 77, 128);
  });
  it("a batch of one", () => {
    agreesWithReference(scenario, 2, 0, 1);
  });
});
