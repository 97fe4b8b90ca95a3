import { describe, expect, it } from "vitest";
import { runStress, runStressOnWorkers } from "../../src/feedback/stress.js";
import { loadScenario } from "../../src/scenario/load.js";
import { SCENARIOS_DIR } from "../helpers.js";

describe("bme stress on worker threads", () => {
  it("gives the same result as one thread, for any number of workers (chunks of 64 runs)", async () => {
    const { scenario } = loadScenario(`${SCENARIOS_DIR}feedback/thin-liquidity.yaml`, {
      set: ["days=60"],
    });
    // 150 runs: chunks 0–63, 64–127, 128–149; paths kept for runs 0–99 cross a chunk boundary
    const options = { runs: 150, seed: 9, shockDay: 35, pathRuns: 100 };
    const one = runStress(scenario, options);
    for (const workers of [2, 3]) {
      const many = await runStressOnWorkers(scenario, { ...options, workers });
      expect(many).toEqual(one);
    }
    // and the battery really ran: every shock applicable (the scenario has a pool), 150 runs each
    expect(one.shocks.map((s) => [s.applicable, s.runs])).toEqual(
      one.shocks.map(() => [true, 150]),
    );
  });
});
