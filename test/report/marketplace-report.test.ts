import { describe, expect, it } from "vitest";
import { reportCharts } from "../../src/report/model.js";
import { runReport } from "../../src/report/runReport.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

describe("a marketplace run's report", () => {
  it("adds reputation, honest-vs-dishonest earnings and queue charts", () => {
    const { scenario } = loadScenario(`${SCENARIOS_DIR}marketplace-dishonest.yaml`, { days: 40 });
    const charts = reportCharts(runReport(simulate(scenario, { seed: 1 })));
    const byName = new Map(charts.map((c) => [c.name, c]));
    for (const name of ["reputation", "earnings", "queue"]) expect(byName.has(name)).toBe(true);
    const series = (byName.get("earnings")!.option.series as { name: string }[]).map((s) => s.name);
    expect(series).toEqual(["honest", "dishonest"]);
  });
  it("and an aggregate run's report has none of them", () => {
    const { scenario } = loadScenario(WHITEPAPER, { deterministic: true });
    const names = reportCharts(runReport(simulate(scenario))).map((c) => c.name);
    expect(names).not.toContain("queue");
  });
});
