import { describe, expect, it } from "vitest";
import {
  BAND_STATS,
  type Bands,
  type MetricSummary,
  OUTCOME_METRICS,
  type OutcomeMetric,
  type Outcomes,
  type PointResult,
  type SensitivityRow,
} from "../../src/analysis/types.js";
import { swingOf } from "../../src/montecarlo/sensitivity.js";
import { pairedDifferences } from "../../src/report/charts/compare.js";
import { fanChart } from "../../src/report/charts/fan.js";
import { lostFigureChart, phaseTwoCurve } from "../../src/report/charts/lostFigure.js";
import { sweepHeatmap, sweepLine, sweptParameters } from "../../src/report/charts/sweep.js";
import { sensitivityRowsFromPoints, tornadoChart } from "../../src/report/charts/tornado.js";
import { renderSvg } from "../../src/report/render.js";
import { polylinePoints, svgTexts } from "./svg.js";

type Series = { name: string; type: string; data: unknown[] };
const series = (option: unknown): Series[] => (option as { series: Series[] }).series;

describe("the whitepaper's lost figure: phase-2 emission against job rewards (E13, A = 10,000)", () => {
  const curve = phaseTwoCurve(10_000, 10_000);

  it("starts at 0: no job rewards, nothing emitted", () => {
    expect(curve[0]).toEqual([0, 0]);
  });

  it("has emitted 10,000 · (1 − e^−1) ≈ 6,321.2 tokens after R = P2M = 10,000 job-reward tokens", () => {
    const at = curve.find(([r]) => r === 10_000)!;
    expect(at[1]).toBeCloseTo(6_321.2056, 3);
  });

  it("after 5 · P2M is within 10,000 · e^−5 ≈ 67.4 tokens of A and never above A", () => {
    const last = curve[curve.length - 1];
    expect(last[0]).toBe(50_000);
    expect(last[1]).toBeCloseTo(10_000 - 67.3795, 3);
    for (const [, y] of curve) expect(y).toBeLessThanOrEqual(10_000);
  });

  it("is drawn with labelled axes, the cap at A and the point R = P2M", () => {
    const svg = renderSvg(lostFigureChart().option, "lost");
    const texts = svgTexts(svg);
    expect(texts).toContain("job rewards accumulated R (tokens)");
    expect(texts).toContain("tokens emitted in phase 2 (tokens)");
    expect(texts).toContain("mint amount A = 10,000 tokens");
    expect(texts).toContain("R = P2M: 6,321 tokens (63.2% of A)");
    expect(polylinePoints(svg, "#1f77b4")).toEqual([101]);
  });
});

/** Bands of 3 days where every column's stat s is a constant: p5 1, p25 2, p50 3, p75 4, p95 5. */
function constantBands(): Bands {
  const columns = ["phase", "priceOfToken", "supply", "tokenReserve", "dollarReserve"];
  const days = 3;
  const level = { p5: 1, p25: 2, p50: 3, p75: 4, p95: 5, mean: 3 };
  const stats = Object.fromEntries(
    BAND_STATS.map((s) => [s, new Float64Array(columns.length * days).fill(level[s])]),
  ) as unknown as Bands["stats"];
  return { columns, days, runs: 10, stats };
}

describe("fan chart", () => {
  it("stacks p5 + (p95 − p5) and p25 + (p75 − p25) around the median", () => {
    const c = fanChart(constantBands(), "priceOfToken", "Token price");
    const s = series(c.option);
    expect(s.map((x) => x.name)).toEqual([
      "p5–p95 base",
      "p5–p95",
      "p25–p75 base",
      "p25–p75",
      "median",
    ]);
    const ys = (i: number) => s[i].data.map((d) => (d as number[])[1]);
    expect(ys(0)).toEqual([1, 1, 1]);
    expect(ys(1)).toEqual([4, 4, 4]); // 5 − 1
    expect(ys(2)).toEqual([2, 2, 2]);
    expect(ys(3)).toEqual([2, 2, 2]); // 4 − 2
    expect(ys(4)).toEqual([3, 3, 3]);
  });

  it("draws two filled bands and a median line, with the legend and the axis unit", () => {
    const svg = renderSvg(fanChart(constantBands(), "priceOfToken", "Token price").option, "fan");
    const texts = svgTexts(svg);
    for (const t of ["p5–p95", "p25–p75", "median", "token price (usd/token)", "10 runs"])
      expect(texts).toContain(t);
    expect(svg).toMatch(/fill="#1f77b4" fill-opacity="0.18"/);
    expect(svg).toMatch(/fill="#1f77b4" fill-opacity="0.35"/);
    expect(polylinePoints(svg, "#1f77b4")).toContain(3);
  });
});

/** A point whose every metric has the given mean (sd 0, p5 = mean − 1, p95 = mean + 1). */
function point(index: number, params: PointResult["params"], mean: number): PointResult {
  const s: MetricSummary = { mean, sd: 0, p5: mean - 1, p50: mean, p95: mean + 1 };
  const summary = Object.fromEntries(OUTCOME_METRICS.map((m) => [m, s])) as Record<
    OutcomeMetric,
    MetricSummary
  >;
  const metrics = Object.fromEntries(
    OUTCOME_METRICS.map((m) => [m, new Float64Array([mean])]),
  ) as Outcomes["metrics"];
  return {
    index,
    params,
    bands: constantBands(),
    outcomes: { runs: 1, metrics },
    summary,
    failedRuns: [],
  };
}

describe("sweep charts", () => {
  const grid = [
    point(0, { "onchain.buybackModulation": 0.5, "onchain.fiatOperationsFraction": 0.1 }, 10),
    point(1, { "onchain.buybackModulation": 0.5, "onchain.fiatOperationsFraction": 0.3 }, 20),
    point(2, { "onchain.buybackModulation": 1, "onchain.fiatOperationsFraction": 0.1 }, 30),
    point(3, { "onchain.buybackModulation": 1, "onchain.fiatOperationsFraction": 0.3 }, 40),
  ];

  it("puts one heatmap cell per point at (x value, y value)", () => {
    expect(sweptParameters(grid)).toEqual([
      "onchain.buybackModulation",
      "onchain.fiatOperationsFraction",
    ]);
    const c = sweepHeatmap(grid, "finalPrice", [
      "onchain.buybackModulation",
      "onchain.fiatOperationsFraction",
    ]);
    expect(series(c.option)[0].data).toEqual([
      [0, 0, 10],
      [0, 1, 20],
      [1, 0, 30],
      [1, 1, 40],
    ]);
    const texts = svgTexts(renderSvg(c.option, "heat", { width: 900, height: 400 }));
    for (const t of ["buybackModulation", "fiatOperationsFraction", "0.5", "0.3", "40", "10"])
      expect(texts).toContain(t);
  });

  it("draws one swept parameter as a line of means with p5–p95 bars, x ascending", () => {
    const line = [
      point(0, { "onchain.buybackModulation": 1 }, 3),
      point(1, { "onchain.buybackModulation": 0.5 }, 2),
    ];
    const s = series(sweepLine(line, "finalPrice", "onchain.buybackModulation").option);
    expect(s[0].data).toEqual([
      [0.5, 2],
      [1, 3],
    ]);
    expect(s[1].data).toEqual([
      [0.5, 1, 3],
      [1, 2, 4],
    ]);
  });
});

describe("tornado", () => {
  const row = (variable: string, atLow: number, atHigh: number): SensitivityRow => ({
    variable,
    baseValue: 1,
    low: 0.9,
    high: 1.1,
    base: 10,
    metricAtLow: atLow,
    metricAtHigh: atHigh,
    swing: Math.abs(atHigh - atLow),
  });

  it("orders variables by swing, largest on top, bars measured from the base", () => {
    const c = tornadoChart(
      [row("small", 9.5, 10.5), row("large", 6, 13), row("middle", 12, 9)],
      "finalPrice",
      "usd/token",
    );
    const y = (c.option as { yAxis: { data: string[]; inverse: boolean } }).yAxis;
    expect(y.data).toEqual(["large", "middle", "small"]); // swings 7, 3, 1
    expect(y.inverse).toBe(true);
    const s = series(c.option);
    expect(s[0].data).toEqual([-4, 2, -0.5]);
    expect(s[1].data).toEqual([3, -1, 0.5]);
  });

  it("derives rows from a sensitivity experiment's points", () => {
    const rows = sensitivityRowsFromPoints(
      [
        point(0, {}, 10),
        point(1, { "onchain.bondModulation": 0.09 }, 9),
        point(2, { "onchain.bondModulation": 0.11 }, 12),
        point(3, { "onchain.buybackModulation": 0.9 }, 2),
        point(4, { "onchain.buybackModulation": 1.1 }, 20),
      ],
      "finalPrice",
    );
    expect(
      rows.map((r) => [r.variable, r.low, r.high, r.metricAtLow, r.metricAtHigh, r.swing]),
    ).toEqual([
      ["buybackModulation", 0.9, 1.1, 2, 20, 18],
      ["bondModulation", 0.09, 0.11, 9, 12, 3],
    ]);
    expect(rows[0].base).toBe(10);
  });

  it("ranks a variable that moves the metric the same way at low and high by its larger change", () => {
    // base 10: "oneway" gives 14 at low and 15 at high (|15 − 14| = 1 would rank it last), its
    // span over base, low and high is 15 − 10 = 5; "across" gives 8 and 11: span 3 = |11 − 8|
    expect(swingOf(10, 14, 15)).toBe(5);
    expect(swingOf(10, 8, 11)).toBe(3);
    const rows = sensitivityRowsFromPoints(
      [
        point(0, {}, 10),
        point(1, { "onchain.bondModulation": 0.09 }, 8),
        point(2, { "onchain.bondModulation": 0.11 }, 11),
        point(3, { "onchain.buybackModulation": 0.9 }, 14),
        point(4, { "onchain.buybackModulation": 1.1 }, 15),
      ],
      "finalPrice",
    );
    expect(rows.map((r) => [r.variable, r.swing])).toEqual([
      ["buybackModulation", 5],
      ["bondModulation", 3],
    ]);
    // both bars drawn, side by side: neither hides the other
    const bars = series(tornadoChart(rows, "finalPrice", "usd/token").option);
    expect(bars[0].data).toEqual([4, -2]);
    expect(bars[1].data).toEqual([5, 1]);
    expect((bars[0] as { barGap?: string }).barGap).not.toBe("-100%");
  });
});

describe("paired differences (A/B)", () => {
  it("takes the mean of run-by-run differences with Student's 95% interval, as bme compare", () => {
    const outcomes = (finalPrice: number[]): Outcomes => ({
      runs: finalPrice.length,
      metrics: Object.fromEntries(
        OUTCOME_METRICS.map((m) => [
          m,
          new Float64Array(m === "finalPrice" ? finalPrice : [0, 0, 0, 0]),
        ]),
      ) as Outcomes["metrics"],
    });
    const d = pairedDifferences(outcomes([1, 2, 3, 4]), outcomes([2, 4, 5, 7]));
    const fp = d.find((x) => x.metric === "finalPrice")!;
    // differences 1, 2, 2, 3: mean 2, sd √(2/3), half-width t(0.975, 3) · √(2/3) / 2 with
    // t(0.975, 3) = 3.182 (Student's table): 1.29905 (a normal 1.96 would give 0.80017)
    expect(fp.mean).toBe(2);
    expect(fp.lo).toBeCloseTo(2 - 1.29905, 4);
    expect(fp.hi).toBeCloseTo(2 + 1.29905, 4);
    expect([fp.meanA, fp.meanB]).toEqual([2.5, 4.5]);
  });
});
