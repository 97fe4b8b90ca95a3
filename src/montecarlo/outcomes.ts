import type { OutcomeMetric } from "../analysis/types.js";
import { COL } from "../engine/columns.js";

/**
 * Outcome metrics of one run, from its column-major table (`out[col·capacity + t]`, `days` rows).
 * maxDrawdown is the largest fall of priceOfToken from its running peak, as a fraction of the peak.
 */
export function runOutcomes(
  out: Float64Array,
  capacity: number,
  days: number,
): Record<OutcomeMetric, number> {
  const price = COL.priceOfToken * capacity;
  const reserve = COL.tokenReserve * capacity;
  let peak = Number.NEGATIVE_INFINITY;
  let drawdown = 0;
  let minReserve = Number.POSITIVE_INFINITY;
  let shortfallDays = 0;
  let emitted = 0;
  let phaseChangeDay = -1;
  for (let t = 0; t < days; t++) {
    const p = out[price + t];
    if (p > peak) peak = p;
    else if (peak > 0 && (peak - p) / peak > drawdown) drawdown = (peak - p) / peak;
    if (out[reserve + t] < minReserve) minReserve = out[reserve + t];
    if (out[COL.tokenShortfall * capacity + t] > 0) shortfallDays++;
    emitted += out[COL.phaseOneEmission * capacity + t] + out[COL.phaseTwoEmission * capacity + t];
    if (phaseChangeDay < 0 && out[COL.phase * capacity + t] === 2) phaseChangeDay = t;
  }
  return {
    finalPrice: days > 0 ? out[price + days - 1] : Number.NaN,
    maxDrawdown: drawdown,
    minTokenReserve: minReserve,
    shortfallDays,
    totalEmitted: emitted,
    phaseChangeDay,
  };
}
