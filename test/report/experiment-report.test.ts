import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ExperimentKind, ExperimentSpec, PointResult } from "../../src/analysis/types.js";
import { experimentReport } from "../../src/report/experimentReport.js";
import { writeReport } from "../../src/report/write.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";
import { pointFromRuns } from "./fixtures.js";
import { svgTexts } from "./svg.js";

const base = loadScenario(WHITEPAPER).scenario;
function runs(set: string[], n: number) {
  const s = loadScenario(WHITEPAPER, { set }).scenario;
  return Array.from({ length: n }, (_, run) => simulate(s, { seed: 11, run }));
}
function spec(kind: ExperimentKind, points: PointResult[], options = {}): ExperimentSpec {
  return {
    kind,
    scenarioName: "whitepaper",
    scenario: base,
    version: "0.1.0",
    seed: 11,
    runsPerPoint: points[0].outcomes.runs,
    points: points.map((p) => ({ index: p.index, params: p.params })),
    options,
  };
}

describe("experiment reports", () => {
  it("a Monte Carlo gets fan charts of price, supply and both reserves over its runs", () => {
    const points = [pointFromRuns(0, {}, runs([], 8))];
    const dir = mkdtempSync(join(tmpdir(), "bme-mc-"));
    const w = writeReport(
      dir,
      experimentReport({ id: "mc-1", spec: spec("montecarlo", points), points, finished: true }),
      { png: false },
    );
    expect(w.charts).toEqual([
      "fan-priceOfToken",
      "fan-supply",
      "fan-tokenReserve",
      "fan-dollarReserve",
    ]);
    const texts = svgTexts(readFileSync(join(dir, "charts", "fan-tokenReserve.svg"), "utf8"));
    expect(texts).toEqual(
      expect.arrayContaining(["token reserve (tokens)", "8 runs", "p5–p95", "phase 2 from day 30"]),
    );
    const html = readFileSync(w.index, "utf8");
    expect(html).toContain("experiment: <b>mc-1</b>");
    expect(html).toContain("<caption>Outcomes over 8 runs</caption>");
  });

  it("a compare gets the paired differences and both arms' price; BM 0.5 lowers the final price", () => {
    const points = [
      pointFromRuns(0, {}, runs([], 6)),
      pointFromRuns(
        1,
        { "onchain.buybackModulation": 0.5 },
        runs(["onchain.buybackModulation=0.5"], 6),
      ),
    ];
    const report = experimentReport({
      id: "cmp-1",
      spec: spec("compare", points, { labels: ["BM 1", "BM 0.5"] }),
      points,
      finished: true,
    });
    const section = report.sections[0];
    expect(section.charts.map((c) => c.name)).toEqual(["paired-differences", "compare-price"]);
    const finalPrice = section.tables![0].rows.find((r) => r[0] === "finalPrice")!;
    // halving BM halves the buyback part of demand (E7, E10): the price must fall
    expect(finalPrice[4].startsWith("-")).toBe(true);
  });

  it("an unfinished sensitivity says so and draws the tornado of finalPrice", () => {
    const points = [
      pointFromRuns(0, {}, runs([], 2)),
      pointFromRuns(
        1,
        { "onchain.bondModulation": 0.05 },
        runs(["onchain.bondModulation=0.05"], 2),
      ),
      pointFromRuns(2, { "onchain.bondModulation": 0.2 }, runs(["onchain.bondModulation=0.2"], 2)),
    ];
    const s = spec("sensitivity", points);
    const report = experimentReport({
      id: "s-1",
      spec: { ...s, points: [...s.points, { index: 3, params: { "onchain.f": 1 } }] },
      points,
      finished: false,
    });
    expect(report.description).toBe("unfinished: 3 of 4 points stored");
    expect(report.sections[0].charts.map((c) => c.name)).toEqual(["tornado-finalPrice"]);
    expect(report.sections[0].tables![0].rows[0][0]).toBe("bondModulation");
  });
});

describe("sensitivity and compare reports say what is true", () => {
  // buybackModulation is 1 in the whitepaper scenario; +10% clamps to 1, −10% gives 0.9
  const points = [
    pointFromRuns(0, {}, runs([], 2)),
    pointFromRuns(
      1,
      { "onchain.buybackModulation": 0.9 },
      runs(["onchain.buybackModulation=0.9"], 2),
    ),
    pointFromRuns(2, { "onchain.buybackModulation": 1 }, runs(["onchain.buybackModulation=1"], 2)),
  ];

  it("draws one tornado per metric asked for", () => {
    const report = experimentReport({
      id: "sens-1",
      spec: spec("sensitivity", points, {
        metric: "finalPrice",
        metrics: ["finalPrice", "minTokenReserve"],
      }),
      points,
      finished: true,
    });
    const charts = report.sections.flatMap((s) => s.charts.map((c) => c.name));
    expect(charts).toEqual(["tornado-finalPrice", "tornado-minTokenReserve"]);
  });

  it("gives each variable's base value as the scenario's (1), not the middle of its range (0.95)", () => {
    const report = experimentReport({
      id: "sens-2",
      spec: spec("sensitivity", points, { metric: "finalPrice" }),
      points,
      finished: true,
    });
    const table = report.sections[0].tables![0];
    const row = table.rows.find((r) => r[0] === "buybackModulation")!;
    expect(row[table.head.indexOf("base value")]).toBe("1");
    const dir = mkdtempSync(join(tmpdir(), "bme-sens-"));
    writeReport(dir, report, { png: false });
    const texts = svgTexts(readFileSync(join(dir, "charts", "tornado-finalPrice.svg"), "utf8"));
    expect(texts.join("\n")).toContain("0.9 → 1 (base 1)");
  });

  it("an A/B of identical arms reports differences of exactly 0, not floating-point residue", () => {
    const same = runs([], 4);
    const arms = [pointFromRuns(0, {}, same), pointFromRuns(1, {}, same)];
    // residue below 1e-9 relative (as two code paths summing in another order leave it)
    const b = arms[1].outcomes.metrics.totalEmitted;
    for (let i = 0; i < b.length; i++) b[i] = b[i] * (1 - 2e-10);
    const report = experimentReport({
      id: "cmp-2",
      spec: spec("compare", arms, { labels: ["whitepaper (A)", "whitepaper (B)"] }),
      points: arms,
      finished: true,
    });
    const rows = report.sections[0].tables![0].rows;
    const emitted = rows.find((r) => r[0] === "totalEmitted")!;
    expect(emitted[4]).toBe("0 [0, 0]");
    expect(report.sections[0].heading).toBe("Comparison: whitepaper (A) against whitepaper (B)");
  });
});
