import type { EChartsOption } from "echarts";
import { phaseTwoEmission } from "../../mechanisms/phaseTwoEmission.js";
import { axisName, type ChartSpec, frame, num, valueAxis } from "./common.js";

/** The whitepaper's lost figure uses a mint amount of 10,000 tokens. */
export const LOST_FIGURE_MINT_AMOUNT = 10_000;

/**
 * Cumulative phase-2 emission against accumulated job rewards R (E13 [R10]):
 * `A · (1 − exp(−R / P2M))`, i.e. E13 applied once to R with nothing minted yet.
 * `steps + 1` points from R = 0 to R = `span · P2M`.
 */
export function phaseTwoCurve(
  mintAmount: number,
  phase2Modulation: number,
  span = 5,
  steps = 100,
): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s <= steps; s++) {
    const r = (span * phase2Modulation * s) / steps;
    out.push([r, phaseTwoEmission(mintAmount, 0, r, phase2Modulation)]);
  }
  return out;
}

function lostFigureOption(a: number, p2m: number): EChartsOption {
  const atScale = phaseTwoEmission(a, 0, p2m, p2m);
  return {
    ...frame(
      `Phase-2 emission against job rewards (A = ${num(a)})`,
      `E13: emitted = A · (1 − exp(−R / P2M)), P2M = ${num(p2m)}`,
    ),
    xAxis: valueAxis(axisName("job rewards accumulated R", "tokens"), { nameGap: 28 }),
    yAxis: valueAxis(axisName("tokens emitted in phase 2", "tokens"), { max: a * 1.1 }),
    series: [
      {
        type: "line",
        name: "cumulative phase-2 emission",
        data: phaseTwoCurve(a, p2m),
        showSymbol: false,
        lineStyle: { width: 2 },
        markLine: {
          silent: true,
          symbol: "none",
          lineStyle: { type: "dashed", color: "#666", width: 1 },
          label: { position: "insideEndTop", color: "#444" },
          data: [{ yAxis: a, label: { formatter: `mint amount A = ${num(a)} tokens` } }],
        },
        markPoint: {
          symbol: "circle",
          symbolSize: 8,
          label: {
            position: "right",
            color: "#333",
            formatter: `R = P2M: ${num(atScale)} tokens (63.2% of A)`,
          },
          data: [{ name: "R = P2M", coord: [p2m, atScale] }],
        },
      },
    ],
  };
}

/** The whitepaper's lost figure (mint amount 10,000), redrawn from E13 with P2M = A by default. */
export function lostFigureChart(
  mintAmount = LOST_FIGURE_MINT_AMOUNT,
  phase2Modulation = mintAmount,
): ChartSpec {
  return {
    name: "phase2-emission",
    title: "Phase-2 emission against cumulative job rewards",
    caption:
      "The whitepaper's lost figure: emission approaches the mint amount A and never exceeds it; after R = P2M job-reward tokens, 63.2% of A is out.",
    option: lostFigureOption(mintAmount, phase2Modulation),
  };
}
