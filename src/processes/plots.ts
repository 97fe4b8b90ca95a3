import type { EChartsOption } from "echarts";
import { compileScenario } from "../engine/compile.js";
import { FONT_FAMILY, PALETTE } from "../report/charts/common.js";
import { parseScenario } from "../scenario/parse.js";
import type { Stochastic } from "../scenario/stochastic.js";
import { StochasticInputs } from "./generate.js";

/** One documentation plot of a process: the factor it multiplies a series by, over sample runs. */
export interface ProcessPlot {
  readonly name: string;
  readonly title: string;
  readonly option: EChartsOption;
}

const EXAMPLES: { name: string; title: string; stochastic: unknown }[] = [
  {
    name: "gbm",
    title: "E23 GBM: drift 0.002/day, volatility 0.05/√day",
    stochastic: { series: { a: { gbm: { drift: 0.002, volatility: 0.05 } } } },
  },
  {
    name: "ou",
    title: "E24 Ornstein–Uhlenbeck: level 1, speed 0.1/day, volatility 0.05",
    stochastic: { series: { a: { ou: { level: 1, speed: 0.1, volatility: 0.05, start: 1.5 } } } },
  },
  {
    name: "jumps",
    title: "E25 jumps: rate 0.02/day, log size N(−0.4, 0.2²), decay 0.01/day",
    stochastic: { series: { a: { jumps: { rate: 0.02, mean: -0.4, sd: 0.2, decay: 0.01 } } } },
  },
  {
    name: "seasonality",
    title: "E26 seasonality: period 30 days, amplitude 0.2",
    stochastic: { series: { a: { seasonality: { period: 30, amplitude: 0.2 } } } },
  },
  {
    name: "regimes",
    title: "E27 regimes: bull (scale 1) / bear (scale 0.6), Markov 0.98/0.95",
    stochastic: {
      regimes: {
        states: [{ name: "bull" }, { name: "bear", series: { a: { scale: 0.6 } } }],
        transition: [
          [0.98, 0.02],
          [0.05, 0.95],
        ],
      },
    },
  },
  {
    name: "shock",
    title: "E28 shock: day 60, 40 days, ×0.4, ramp 10, recovery 50",
    stochastic: {
      shocks: [{ series: "a", fromDay: 60, days: 40, factor: 0.4, rampDays: 10, recoveryDays: 50 }],
    },
  },
  {
    name: "correlation",
    title: "E29a correlated GBMs (ρ = 0.9), one run: series a and b",
    stochastic: {
      series: { a: { gbm: { volatility: 0.04 } }, b: { gbm: { volatility: 0.04 } } },
      correlation: {
        series: ["a", "b"],
        matrix: [
          [1, 0.9],
          [0.9, 1],
        ],
      },
    },
  },
];

/** The factor paths of `runs` runs (seed 1) of each example process over `days` days. */
export function processPlots(days = 180, runs = 5): ProcessPlot[] {
  return EXAMPLES.map((e) => {
    const scenario = parseScenario({
      name: `process-${e.name}`,
      days,
      tokens: { initialSupply: 1, initialTokenReserve: 1 },
      suppliers: [{ name: "modelTrainingProviders", count: 1 }],
      consumers: ["a", "b"].map((name) => ({
        name,
        row: "modelTraining",
        unitPrice: 1,
        unitsPerJob: 1,
        jobsPerDay: 1,
      })),
      stochastic: e.stochastic as Stochastic,
    });
    const gen = new StochasticInputs(compileScenario(scenario));
    const pair = e.name === "correlation";
    const lines = Array.from({ length: pair ? 2 : runs }, (_, i) => {
      const base = gen.forRun(1, pair ? 0 : i).seriesBase;
      const o = pair ? i * days : 0;
      return Array.from({ length: days }, (_, t) => [t, base[o + t]]);
    });
    const option: EChartsOption = {
      color: PALETTE,
      textStyle: { fontFamily: FONT_FAMILY },
      title: { text: e.title, left: "center", textStyle: { fontSize: 14 } },
      grid: { left: 60, right: 20, top: 50, bottom: 45 },
      xAxis: {
        type: "value",
        name: "day",
        nameLocation: "middle",
        nameGap: 28,
        min: 0,
        max: days - 1,
      },
      yAxis: { type: "value", name: "factor", scale: true },
      series: lines.map((data, i) => ({
        type: "line",
        name: pair ? ["a", "b"][i] : `run ${i}`,
        data,
        showSymbol: false,
        lineStyle: { width: 1.5 },
      })),
    };
    return { name: `process-${e.name}`, title: e.title, option };
  });
}
