import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runStress } from "../../src/feedback/stress.js";
import { crashDemand, crashWholeJobs, sellWaveTokens } from "../../src/feedback/stressShocks.js";
import { loadScenario } from "../../src/scenario/load.js";
import { SCENARIOS_DIR } from "../helpers.js";

describe("the battery's shock sizes (--crash-share, --sell-wave-share)", () => {
  it("scale the crash and the wave: by hand", () => {
    const jobs = Float64Array.from([10, 4]);
    crashDemand(jobs, 0.5);
    expect([...jobs]).toEqual([5, 2]);
    expect(sellWaveTokens(1000, 0.25)).toBe(250);
    // marketplace mode, 1 whole job a day at half: cumulative 0.5, 1, 1.5, 2 → 0, 1, 0, 1 jobs
    const cumulative = new Float64Array(1);
    const submitted = new Float64Array(1);
    const got = [1, 2, 3, 4].map(() => {
      const day = Float64Array.of(1);
      crashWholeJobs(day, cumulative, submitted, 0.5);
      return day[0];
    });
    expect(got).toEqual([0, 1, 0, 1]);
  });

  it("a crash that leaves all demand and a wave of nothing are the baseline; the defaults are not", () => {
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "feedback/death-spiral.yaml"));
    const options = { runs: 2, seed: 1, shockDay: 100 };
    const same = runStress(scenario, { ...options, sizes: { crashShare: 1, sellWaveShare: 0 } });
    const byName = (r: typeof same, name: string) => r.shocks.find((s) => s.shock === name);
    const base = byName(same, "baseline")?.metrics;
    expect(byName(same, "demandCrash")?.metrics).toEqual(base);
    expect(byName(same, "sellWave")?.metrics).toEqual(base);
    expect(byName(same, "demandCrash")?.description).toContain("fall to 100%");
    const standard = runStress(scenario, options);
    expect(standard.sizes).toEqual({ crashShare: 0.3, sellWaveShare: 0.1 });
    expect(byName(standard, "demandCrash")?.metrics).not.toEqual(base);
    expect(byName(standard, "sellWave")?.metrics).not.toEqual(base);
  });

  it("refuses a size outside [0, 1], naming it", () => {
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "feedback/death-spiral.yaml"));
    expect(() =>
      runStress(scenario, { runs: 1, seed: 0, sizes: { crashShare: 1.5, sellWaveShare: 0.1 } }),
    ).toThrow("sizes.crashShare: expected a share in [0, 1], got 1.5");
  });
});
