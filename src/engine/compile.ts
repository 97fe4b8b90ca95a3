import { feedbackColumnNames } from "../feedback/plan.js";
import { jobPrice } from "../mechanisms/jobPrice.js";
import { phaseOneTokensForProject } from "../mechanisms/phaseOneBudget.js";
import { vestingSchedule } from "../mechanisms/vesting.js";
import { ONCHAIN_NAMES, type OnchainValues } from "../scenario/onchain.js";
import { resolveOnchain, resolvePriceMatrix, resolveTokens } from "../scenario/resolve.js";
import type { Scenario } from "../scenario/schema.js";
import { isCsvSeries, type Series } from "../scenario/series.js";
import { columnNames } from "./columns.js";

/**
 * A scenario compiled once into flat arrays for the daily loop. Input series are numbered:
 * consumers 0 … nC−1, supplier classes nC … nC+nK−1, then consumerSentiment, governanceValue;
 * series s draws its noise from random stream s.
 */
export interface CompiledScenario {
  readonly scenario: Scenario;
  readonly name: string;
  readonly days: number;
  readonly nC: number;
  readonly nK: number;
  readonly nSeries: number;
  readonly consumerNames: readonly string[];
  readonly supplierNames: readonly string[];
  readonly columns: readonly string[];
  /** E1 per consumer type, usd/job. */
  readonly jobPrice: Float64Array;
  /** Price-matrix row of each consumer type, row-major nC × nK. */
  readonly priceMatrix: Float64Array;
  readonly phaseOneTarget: Float64Array;
  /** Per series s and day t (offset s·days + t): the trend `start + slope·(t − startDay)`, or the explicit value. */
  readonly seriesBase: Float64Array;
  readonly seriesStartDay: Int32Array;
  readonly seriesNoise: Float64Array;
  /** Lower clamp; −Infinity for explicit values (not clamped). */
  readonly seriesMin: Float64Array;
  readonly initialSupply: number;
  readonly initialTokenReserve: number;
  readonly initialLocked: number;
  readonly initialDollarReserve: number;
  /** E17b per day. */
  readonly vested: Float64Array;
  readonly phaseOneTokensForProject: number;
  readonly phaseOneDays: number;
  readonly endPhaseOneOnTargets: boolean;
  readonly endPhaseOneOnDemand: boolean;
  /** On-chain values on day 0 before the schedule, in ONCHAIN_NAMES order. */
  readonly onchain0: Float64Array;
  /** Schedule entries within the run, by day then file order: day, variable index, value. */
  readonly eventDay: Int32Array;
  readonly eventVar: Int32Array;
  readonly eventValue: Float64Array;
}

export const SERIES_SENTIMENT = (c: { nC: number; nK: number }) => c.nC + c.nK;
export const SERIES_GOVERNANCE = (c: { nC: number; nK: number }) => c.nC + c.nK + 1;

function fillSeries(
  series: Series,
  s: number,
  days: number,
  c: {
    base: Float64Array;
    startDay: Int32Array;
    noise: Float64Array;
    min: Float64Array;
  },
  path: string,
): void {
  if (isCsvSeries(series))
    throw new Error(
      `${path}: the CSV column "${series.column}" of ${series.csv} has not been read; load the scenario with loadScenario()`,
    );
  const o = s * days;
  if (typeof series === "number") {
    c.base.fill(series, o, o + days);
    c.min[s] = 0;
    return;
  }
  if ("values" in series) {
    const v = series.values;
    for (let t = 0; t < days; t++) c.base[o + t] = v[Math.min(t, v.length - 1)];
    c.min[s] = Number.NEGATIVE_INFINITY;
    return;
  }
  for (let t = 0; t < days; t++)
    c.base[o + t] = series.start + series.slope * (t - series.startDay);
  c.startDay[s] = series.startDay;
  c.noise[s] = series.noise;
  c.min[s] = series.min;
}

/** Compile a parsed scenario (MODEL.md §2–§5) into the flat form the engines read. */
export function compileScenario(scenario: Scenario): CompiledScenario {
  const days = scenario.days;
  const nC = scenario.consumers.length;
  const nK = scenario.suppliers.length;
  const nSeries = nC + nK + 2;
  const matrix = resolvePriceMatrix(scenario.priceMatrix);
  const supplierNames = scenario.suppliers.map((k) => k.name);
  const consumerNames = scenario.consumers.map((c) => c.name);
  const pm = new Float64Array(nC * nK);
  scenario.consumers.forEach((c, i) => {
    const row = matrix[c.row ?? c.name];
    supplierNames.forEach((k, kk) => {
      pm[i * nK + kk] = row[k] ?? 0;
    });
  });
  const sc = {
    base: new Float64Array(nSeries * days),
    startDay: new Int32Array(nSeries),
    noise: new Float64Array(nSeries),
    min: new Float64Array(nSeries),
  };
  scenario.consumers.forEach((c, i) => {
    fillSeries(c.jobsPerDay, i, days, sc, `consumers[${i}].jobsPerDay`);
  });
  scenario.suppliers.forEach((k, kk) => {
    fillSeries(k.count, nC + kk, days, sc, `suppliers[${kk}].count`);
  });
  fillSeries(scenario.consumerSentiment, nC + nK, days, sc, "consumerSentiment");
  fillSeries(scenario.governanceValue, nC + nK + 1, days, sc, "governanceValue");

  const tokens = resolveTokens(scenario.tokens);
  const p1 = scenario.phaseOne;
  const oc = resolveOnchain(scenario.onchain, p1.fracPhaseOneTokens, tokens.initialTokenReserve);
  const events = scenario.schedule
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.day < days)
    .sort((a, b) => a.e.day - b.e.day || a.i - b.i)
    .flatMap(({ e }) =>
      Object.entries(e.set)
        .filter(([, v]) => v !== undefined)
        .map(([name, v]) => ({
          day: e.day,
          v: ONCHAIN_NAMES.indexOf(name as keyof OnchainValues),
          value: v as number,
        })),
    );
  return {
    scenario,
    name: scenario.name,
    days,
    nC,
    nK,
    nSeries,
    consumerNames,
    supplierNames,
    columns: [...columnNames(consumerNames, supplierNames), ...feedbackColumnNames(scenario)],
    jobPrice: Float64Array.from(scenario.consumers, (c) =>
      jobPrice(c.unitPrice, c.unitsPerJob, c.incentive),
    ),
    priceMatrix: pm,
    phaseOneTarget: Float64Array.from(scenario.suppliers, (k) => k.phaseOneTarget),
    seriesBase: sc.base,
    seriesStartDay: sc.startDay,
    seriesNoise: sc.noise,
    seriesMin: sc.min,
    initialSupply: tokens.initialSupply,
    initialTokenReserve: tokens.initialTokenReserve,
    initialLocked: tokens.lockedAllocations,
    initialDollarReserve: tokens.initialDollarReserve,
    vested: vestingSchedule(tokens.vesting, days, tokens.lockedAllocations),
    phaseOneTokensForProject: phaseOneTokensForProject(
      p1.fracPhaseOneTokens,
      tokens.initialTokenReserve,
      p1.nProject,
    ),
    phaseOneDays: p1.phaseOneDays,
    endPhaseOneOnTargets: p1.endPhaseOneOnTargets,
    endPhaseOneOnDemand: p1.endPhaseOneOnDemand,
    onchain0: Float64Array.from(ONCHAIN_NAMES, (n) => oc[n]),
    eventDay: Int32Array.from(events, (e) => e.day),
    eventVar: Int32Array.from(events, (e) => e.v),
    eventValue: Float64Array.from(events, (e) => e.value),
  };
}
