import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { governanceChart } from "../../src/report/charts/governance.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

describe("schedule votes are logged like rule changes (issue 12)", () => {
  it("the SEC case's day-90 vote is in the run's governance log: buybackModulation 0.5 → 1", () => {
    const sec = loadScenario(join(SCENARIOS_DIR, "whitepaper-sec-case.yaml")).scenario;
    const r = simulate(sec, { seed: 1 });
    expect(r.governance).toEqual([
      { day: 90, rule: "schedule", variable: "buybackModulation", old: 0.5, value: 1 },
    ]);
    // votes alone are marked on every time chart already; the rules' chart is not drawn for them
    expect(governanceChart(r)).toBeNull();
  });

  it("a scenario without votes or rules has no governance log", () => {
    expect(simulate(loadScenario(WHITEPAPER, { days: 40 }).scenario).governance).toBeUndefined();
  });
});
