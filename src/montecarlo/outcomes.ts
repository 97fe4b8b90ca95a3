import type { OutcomeMetric } from "../analysis/types.js";
import { COL } from "../engine/columns.js";
import {
  daysBelow,
  drawdownFrom,
  firstDayAbove,
  minimumAndDay,
  priceVolatility,
  reserveRunway,
} from "../metrics/stress.js";

/** What the outcome metrics need beyond the table: its shape and the scenario's `outcomes` block. */
export interface OutcomeContext {
  readonly nC: number;
  readonly nK: number;
  /** E33's threshold, usd/token; default the day-0 price. */
  readonly priceThreshold?: number;
  /** E31's first day; default the first phase-2 day. */
  readonly drawdownFromDay?: number;
}

/** The context of a compiled scenario. */
export function outcomeContext(c: {
  nC: number;
  nK: number;
  scenario: { outcomes?: { priceThreshold?: number; drawdownFromDay?: number } };
}): OutcomeContext {
  return { nC: c.nC, nK: c.nK, ...c.scenario.outcomes };
}

/**
 * Outcome metrics of one run, from its column-major table (`out[col·capacity + t]`, `days` rows).
 * maxDrawdown is the largest fall of priceOfToken from its running peak, as a fraction of the peak;
 * the others are E31–E37 (src/metrics). A value that does not exist — no phase change, no
 * shortfall, a reserve that is not falling, no supplier-days (so without a context) — is NaN:
 * missing, left out of means and quantiles and counted (MetricSummary.missing).
 */
export function runOutcomes(
  out: Float64Array,
  capacity: number,
  days: number,
  ctx: OutcomeContext = { nC: 0, nK: 0 },
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
  const col = (c: number) => out.subarray(c * capacity, c * capacity + days);
  const prices = col(COL.priceOfToken);
  const dollars = minimumAndDay(col(COL.dollarReserve), days);
  const fromDay = ctx.drawdownFromDay ?? (phaseChangeDay < 0 ? days : phaseChangeDay);
  return {
    finalPrice: days > 0 ? out[price + days - 1] : Number.NaN,
    maxDrawdown: drawdown,
    minTokenReserve: minReserve,
    shortfallDays,
    totalEmitted: emitted,
    // a day that does not exist is missing (NaN, docs/limits.md), never a sentinel like −1
    phaseChangeDay: phaseChangeDay < 0 ? Number.NaN : phaseChangeDay,
    maxDrawdownAfter: drawdownFrom(prices, days, fromDay),
    priceVolatility: priceVolatility(prices, days),
    daysBelowPrice: daysBelow(prices, days, ctx.priceThreshold ?? (days > 0 ? prices[0] : 0)),
    minDollarReserve: dollars.value,
    minDollarReserveDay: dollars.day < 0 ? Number.NaN : dollars.day,
    reserveRunway: reserveRunway(col(COL.tokenReserve), days),
    firstShortfallDay: firstDayAbove(col(COL.tokenShortfall), days),
    supplierIncome: supplierIncomeAll(out, capacity, days, ctx),
  };
}

/** E37 over all classes: Σ_t (usdCapital_t + supplier tokens_t · p_t) / Σ_t Σ_k count_k,t. */
function supplierIncomeAll(
  out: Float64Array,
  capacity: number,
  days: number,
  ctx: OutcomeContext,
): number {
  const counts = (COL.stakedTokens + 1 + ctx.nC + ctx.nK) * capacity;
  let pay = 0;
  let supplierDays = 0;
  for (let t = 0; t < days; t++) {
    const tokens =
      out[COL.buybackTokens * capacity + t] +
      out[COL.phaseOneEmission * capacity + t] +
      out[COL.phaseTwoEmission * capacity + t];
    pay += out[COL.usdCapital * capacity + t] + tokens * out[COL.priceOfToken * capacity + t];
    for (let k = 0; k < ctx.nK; k++) supplierDays += out[counts + k * capacity + t];
  }
  return supplierDays > 0 ? pay / supplierDays : Number.NaN;
}

/**
 * The outcome metrics of one finished run (the `runOutcomes` of its table), for the outputs of
 * `bme run` (`<name>.meta.json`, the `.json` table's `meta`): same names and units as the
 * Monte Carlo outcomes (docs/outputs.md); NaN where a value does not exist.
 */
export function resultOutcomes(r: {
  readonly columns: readonly string[];
  readonly days: number;
  readonly values: readonly Float64Array[];
  readonly meta: {
    readonly scenario: {
      consumers: readonly unknown[];
      suppliers: readonly unknown[];
      outcomes?: { priceThreshold?: number; drawdownFromDay?: number };
    };
  };
}): Record<OutcomeMetric, number> {
  const out = new Float64Array(r.columns.length * r.days);
  r.values.forEach((v, c) => {
    out.set(v.subarray(0, r.days), c * r.days);
  });
  const s = r.meta.scenario;
  return runOutcomes(
    out,
    r.days,
    r.days,
    outcomeContext({ nC: s.consumers.length, nK: s.suppliers.length, scenario: s }),
  );
}
