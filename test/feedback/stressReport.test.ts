import { describe, expect, it } from "vitest";
import { runStress } from "../../src/feedback/stress.js";
import { stressReport } from "../../src/feedback/stressReport.js";
import { loadScenario } from "../../src/scenario/load.js";

const charts = (r: ReturnType<typeof stressReport>) =>
  r.sections.flatMap((s) => s.charts.map((c) => c.name));

describe("the stress report shows the loop the scenario has", () => {
  it("without supplier economics: no empty margin charts, and the page says why", () => {
    const { scenario } = loadScenario("scenarios/stress/demand-crash.yaml", { days: 60 });
    const report = stressReport(runStress(scenario, { runs: 2, seed: 1 }));
    expect(charts(report).filter((n) => n.endsWith("-marginPerSupplier"))).toEqual([]);
    expect(charts(report)).toContain("baseline-priceOfToken");
    expect(report.sections[0].intro).toContain("no supplier economics (feedback.suppliers)");
  });
  it("with supplier economics: a margin chart per shock, and no such sentence", () => {
    const { scenario } = loadScenario("scenarios/feedback/death-spiral.yaml", { days: 60 });
    const report = stressReport(runStress(scenario, { runs: 2, seed: 1 }));
    expect(charts(report)).toContain("baseline-marginPerSupplier");
    expect(charts(report)).toContain("demandCrash-marginPerSupplier");
    expect(report.sections[0].intro).not.toContain("no supplier economics");
  });
});
