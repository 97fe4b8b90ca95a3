import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PALETTE } from "../../src/report/charts/common.js";
import { incomeChart, priceChart, runCharts } from "../../src/report/charts/run.js";
import { runReport } from "../../src/report/runReport.js";
import { chartSvg, type WrittenReport, writeReport } from "../../src/report/write.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";
import { PNG_SIGNATURE, polylinePoints, svgTexts } from "./svg.js";

const { scenario } = loadScenario(WHITEPAPER, { deterministic: true });
const result = simulate(scenario);
let dir: string;
let written: WrittenReport;
const svg = (name: string) => readFileSync(join(dir, "charts", `${name}.svg`), "utf8");

/** Data of series `i` of a chart's option, as [x, y] pairs. */
function seriesData(option: unknown, i: number): [number, number][] {
  return (option as { series: { data: [number, number][] }[] }).series[i].data;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bme-report-"));
  written = writeReport(dir, runReport(result));
});

describe("the whitepaper scenario's report", () => {
  it("draws the whitepaper's simulation plots, burn vs mint, emissions and the lost figure", () => {
    expect(written.charts).toEqual([
      "demand",
      "income",
      "price",
      "supply",
      "token-reserve",
      "dollar-reserve",
      "burn-mint",
      "emissions",
      "phase2-emission",
    ]);
    expect(written.index).toBe(join(dir, "index.html"));
  });

  it("draws one 180-point line per consumer type in the demand chart, named in the legend", () => {
    const s = svg("demand");
    const texts = svgTexts(s);
    // legends are readable labels with their unit
    for (const name of ["imageLabeling", "tpuTraining", "gpuTraining", "inference"])
      expect(texts).toContain(`${name} (jobs/day)`);
    for (let i = 0; i < 4; i++) expect(polylinePoints(s, PALETTE[i])).toEqual([180]);
    expect(texts).toContain("jobs created (jobs/day)");
    expect(texts).toContain("day");
  });

  it("labels every day chart's axes with units and marks the phase change on day 30", () => {
    const axes: Record<string, string> = {
      demand: "jobs created (jobs/day)",
      income: "income (usd/day)",
      price: "token price (usd/token)",
      supply: "circulating supply (tokens)",
      "token-reserve": "token reserve (tokens)",
      "dollar-reserve": "dollar reserve (usd)",
      "burn-mint": "tokens per day (tokens/day)",
      emissions: "emission (tokens/day)",
    };
    for (const [name, yTitle] of Object.entries(axes)) {
      const texts = svgTexts(svg(name));
      expect(texts, name).toContain(yTitle);
      expect(texts, name).toContain("day");
      expect(texts, name).toContain("phase 2 from day 30");
      expect(polylinePoints(svg(name), PALETTE[0]), name).toEqual([180]);
    }
  });

  it("says where tokens go [R1]: bought back into and paid out of the reserve, never burned or minted", () => {
    const texts = svgTexts(svg("burn-mint"));
    expect(texts).toEqual(
      expect.arrayContaining([
        "bought back into the reserve (tokens/day)",
        "paid out of the reserve (tokens/day)",
      ]),
    );
    expect(texts.join(" ")).not.toMatch(/\bburn(ed)?\b|\bmint(ed)?\b/i);
    expect(svgTexts(svg("emissions"))).toEqual(
      expect.arrayContaining(["phase-1 emission (tokens/day)", "phase-2 emission (tokens/day)"]),
    );
    expect(polylinePoints(svg("burn-mint"), PALETTE[1])).toEqual([180]);
  });

  it("plots the values of docs/model.md §8: price 20,000/2,000,000 on day 0, income 47,640 usd on day 30", () => {
    expect(seriesData(priceChart(result).option, 0)[0]).toEqual([0, 0.01]);
    expect(seriesData(incomeChart(result).option, 0)[30][1]).toBeCloseTo(47_640, 6);
    // opsRevenue is 30% of income (E7)
    expect(seriesData(incomeChart(result).option, 2)[30][1]).toBeCloseTo(0.3 * 47_640, 6);
  });

  it("mints 1,200,000 / 30 = 40,000 tokens a day in phase 1 and burns none", () => {
    const burnMint = runCharts(result).find((c) => c.name === "burn-mint")!;
    const burned = seriesData(burnMint.option, 0);
    const minted = seriesData(burnMint.option, 1);
    for (let t = 0; t < 30; t++) {
      expect(burned[t][1]).toBe(0);
      expect(minted[t][1]).toBeCloseTo(40_000, 6);
    }
    // tpuTraining: 400 jobs/day on day 30, 2 fewer each day: 400 − 2·149 = 102 on day 179
    const demand = runCharts(result)[0];
    expect(seriesData(demand.option, 1)[30][1]).toBe(400);
    expect(seriesData(demand.option, 1)[179][1]).toBeCloseTo(102, 9);
  });

  it("writes a PNG next to every SVG", () => {
    for (const name of written.charts) {
      const png = readFileSync(join(dir, "charts", `${name}.png`));
      expect([...png.subarray(0, 8)], name).toEqual(PNG_SIGNATURE);
      expect(png.length, name).toBeGreaterThan(10_000);
    }
  });

  it("writes a self-contained HTML page that shows and links every chart", () => {
    const html = readFileSync(written.index, "utf8");
    for (const name of written.charts) {
      expect(html).toContain(`<figure id="chart-${name}">`);
      expect(html).toContain(`href="charts/${name}.svg"`);
      expect(html).toContain(`href="charts/${name}.png"`);
    }
    expect(html.match(/<svg /g)).toHaveLength(written.charts.length);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(http/);
    expect(html).toContain("<title>BME report: whitepaper</title>");
    // the on-chain variables in force: A = P2M = 0.4 · 2,000,000 = 800,000 tokens
    expect(html).toContain('<td>phaseTwoMintAmount (A)</td><td class="n">800,000</td>');
    expect(html).toContain('<td>phase2Modulation (P2M)</td><td class="n">800,000</td>');
    expect(html).toContain('<td>fiatOperationsFraction (f)</td><td class="n">0.3</td>');
  });

  it("gives the same bytes for the same run, whatever was drawn before", () => {
    const again = mkdtempSync(join(tmpdir(), "bme-report-"));
    writeReport(again, runReport(result), { png: false });
    expect(readFileSync(join(again, "index.html"), "utf8")).toBe(
      readFileSync(written.index, "utf8"),
    );
    expect(readFileSync(join(again, "charts", "price.svg"), "utf8")).toBe(svg("price"));
  });
});

describe("events on time charts", () => {
  // scenarios/whitepaper-sec-case.yaml: governance sets buybackModulation to 1 on day 90
  const sec = simulate(
    loadScenario(join(import.meta.dirname, "../../scenarios/whitepaper-sec-case.yaml"), {
      deterministic: true,
    }).scenario,
  );

  it("draws the schedule's vote, labelled, on every time chart of the run", () => {
    const d = mkdtempSync(join(tmpdir(), "bme-report-sec-"));
    const w = writeReport(d, runReport(sec), { png: false });
    const timeCharts = w.charts.filter((c) => c !== "phase2-emission");
    expect(timeCharts).toHaveLength(8);
    for (const name of timeCharts) {
      const texts = svgTexts(readFileSync(join(d, "charts", `${name}.svg`), "utf8"));
      expect(texts, name).toContain("vote: buybackModulation = 1 (day 90)");
    }
  });

  it("draws a caller's events at their day, besides the votes", () => {
    const chart = priceChart(sec, { events: [{ day: 120, label: "exchange listing" }] });
    const mark = (chart.option.series as { markLine?: { data: { xAxis: number }[] } }[])[0]
      .markLine;
    expect(mark?.data.map((m) => m.xAxis)).toEqual([30, 90, 120]);
    expect(svgTexts(chartSvg(chart))).toContain("exchange listing (day 120)");
  });
});

describe("a feedback run's report shows its loop", () => {
  it("margins and suppliers per class, and the pool, from the run's own columns", () => {
    const spiral = simulate(loadScenario("scenarios/feedback/death-spiral.yaml").scenario);
    const section = runReport(spiral).sections.find((s) => s.heading === "The feedback loop");
    expect(section).toBeDefined();
    const charts = new Map(section!.charts.map((c) => [c.name, c]));
    expect([...charts.keys()]).toEqual(expect.arrayContaining(["margin", "suppliers", "pool"]));
    // one margin series per supplier class with economics, the day's values as [day, value]
    const margins = (charts.get("margin")!.option as { series: { name: string }[] }).series;
    const classes = spiral.columns.filter((c) => c.startsWith("margin."));
    expect(margins.map((s) => s.name)).toEqual(classes.map((c) => c.slice("margin.".length)));
    const first = classes[0];
    const day10 = seriesData(charts.get("margin")!.option, 0)[10];
    expect(day10).toEqual([10, spiral.values[spiral.columns.indexOf(first)][10]]);
  });
  it("is absent for a run without a feedback block", () => {
    expect(runReport(result).sections.map((s) => s.heading)).not.toContain("The feedback loop");
  });
  it("a marketplace run with a feedback block has it too, the pool's charts included", () => {
    const { scenario } = loadScenario("scenarios/feedback/death-spiral-marketplace.yaml", {
      days: 10,
    });
    const report = runReport(simulate(scenario));
    const section = report.sections.find((s) => s.heading === "The feedback loop");
    expect(section?.charts.map((c) => c.name)).toEqual(
      expect.arrayContaining(["margin", "suppliers", "pool", "slippage"]),
    );
  });
});

describe("with a pool the price and supply captions are E45's and E47's (decision 332)", () => {
  const spiral = simulate(
    loadScenario("scenarios/feedback/death-spiral.yaml", { days: 5 }).scenario,
  );
  it("the price is the pool's clearing price, without a floor; the supply moves with its trades", () => {
    const byName = new Map(runCharts(spiral).map((c) => [c.name, c.caption]));
    expect(byName.get("price")).toBe(
      "PriceOfToken = the AMM pool's clearing price (E45): the one price at which the day's buys and sales clear on the constant-product pool; buys raise it, sales lower it, and it has no floor.",
    );
    expect(byName.get("supply")).toBe(
      "Tokens in circulation outside the pool and the reserve (E47): emissions, supplier and validator pay and the tokens holders buy from the pool raise it; tokens sold into the pool lower it.",
    );
  });
  it("without a pool they stay E10's and E17's", () => {
    const byName = new Map(runCharts(result).map((c) => [c.name, c.caption]));
    expect(byName.get("price")).toMatch(/^PriceOfToken = demand \/ circulating supply \(E10\)/);
    expect(byName.get("supply")).toMatch(/^Tokens in circulation \(E17\)/);
  });
});
