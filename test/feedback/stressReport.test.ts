import { describe, expect, it } from "vitest";
import { runStress } from "../../src/feedback/stress.js";
import { fmt, stressReport, verdictTable } from "../../src/feedback/stressReport.js";
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

describe("the report's figures", () => {
  it("never round a value that is not whole to a whole number (a boundary it has not reached)", () => {
    // a newcomer's combined-shock drawdown of 0.99997 read 1 at four digits
    expect(fmt(0.99997)).toBe("0.99997");
    expect(fmt(99.996)).toBe("99.996");
    expect(fmt(1e-7)).toBe("1e-7");
    expect(fmt(0.0000049)).toBe("0.0000049");
    // four digits where they do not reach a whole number; whole numbers as they are
    expect(fmt(0.123456)).toBe("0.1235");
    expect(fmt(2.00049)).toBe("2.0005");
    expect(fmt(123456)).toBe("123500");
    expect(fmt(1)).toBe("1");
    expect(fmt(Number.NaN)).toBe("–");
    expect(fmt(Number.POSITIVE_INFINITY)).toBe("∞");
  });
});

describe("the verdict's caption (decision 334)", () => {
  const { scenario } = loadScenario("scenarios/stress/demand-crash.yaml", { days: 20 });
  it("prints a confidence as a percentage without float noise, and 1 run as 1 run", () => {
    // 0.07 · 100 is 7.000000000000001 in binary floating point; the caption says 7%
    const r = runStress(scenario, { runs: 1, seed: 1, confidence: 0.07 });
    expect(verdictTable(r).caption).toBe(
      "Verdict: a shock passes when the runs that meet every threshold are at least 7% of its 1 run",
    );
    expect(stressReport(r).description).toContain(", 1 run each (bme stress).");
  });
  it("and 2 runs as 2 runs, 0.955 as 95.5%", () => {
    const r = runStress(scenario, { runs: 2, seed: 1, confidence: 0.955 });
    expect(verdictTable(r).caption).toMatch(/at least 95\.5% of its 2 runs$/);
  });
});
