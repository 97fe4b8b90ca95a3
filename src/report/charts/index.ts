export { bandColumn, medianPhaseChangeDay, spread } from "./bands.js";
export {
  axisName,
  type ChartSpec,
  compact,
  type DaySeries,
  dayLines,
  frame,
  num,
  PALETTE,
} from "./common.js";
export {
  type PairedDifference,
  pairedDifferenceChart,
  pairedDifferenceRows,
  pairedDifferences,
  priceOverlayChart,
} from "./compare.js";
export { errorBars } from "./errorBars.js";
export {
  type ChartEvent,
  dayMarks,
  scheduleEvents,
  type TimeChartOptions,
} from "./events.js";
export { fanChart, fanCharts } from "./fan.js";
export { LOST_FIGURE_MINT_AMOUNT, lostFigureChart, phaseTwoCurve } from "./lostFigure.js";
export {
  burnMintChart,
  demandChart,
  dollarReserveChart,
  emissionsChart,
  incomeChart,
  phaseChangeDay,
  priceChart,
  runCharts,
  runEvents,
  supplyChart,
  tokenReserveChart,
} from "./run.js";
export {
  parameterValues,
  shortName,
  sweepHeatmap,
  sweepLine,
  sweptParameters,
} from "./sweep.js";
export { sensitivityRowsFromPoints, sortBySwing, tornadoChart } from "./tornado.js";
