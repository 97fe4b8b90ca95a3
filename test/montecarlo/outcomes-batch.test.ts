import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OUTCOME_METRICS } from "../../src/analysis/types.js";
import { COL } from "../../src/engine/columns.js";
import { runChunk } from "../../src/montecarlo/chunk.js";
import { type OutcomeContext, resultOutcomes, runOutcomes } from "../../src/montecarlo/outcomes.js";
import { BatchOutcomes } from "../../src/montecarlo/outcomesBatch.js";
import type { Metric } from "../../src/plugins/api.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { WHITEPAPER } from "../helpers.js";

/** The reference: each run's column-major table out of the batch table, through runOutcomes. */
function reference(
  out: Float64Array,
  cols: number,
  days: number,
  count: number,
  ctx: OutcomeContext,
) {
  return Array.from({ length: count }, (_, b) => {
    const table = new Float64Array(cols * days);
    for (let i = 0; i < cols * days; i++) table[i] = out[i * count + b];
    return runOutcomes(table, days, days, ctx);
  });
}

// values that make ties, zeros, negatives, NaN and infinities as well as ordinary numbers
const value = fc.oneof(
  fc.constantFrom(0, 1, 2, 0.5, -1, 3.25, Number.NaN, Number.POSITIVE_INFINITY, 1e-300),
  fc.double(),
  fc.double({ min: 0.01, max: 10, noNaN: true }),
);

const batchCase = fc
  .record({
    nC: fc.integer({ min: 0, max: 2 }),
    nK: fc.integer({ min: 0, max: 3 }),
    days: fc.integer({ min: 0, max: 40 }),
    count: fc.integer({ min: 1, max: 7 }),
    priceThreshold: fc.option(fc.constantFrom(0, 1, 2.5, 1e9), { nil: undefined }),
    drawdownFromDay: fc.option(fc.integer({ min: 0, max: 45 }), { nil: undefined }),
  })
  .chain((k) => {
    const cols = COL.stakedTokens + 1 + k.nC + 2 * k.nK;
    const n = cols * k.days * k.count;
    return fc.record({
      k: fc.constant(k),
      cols: fc.constant(cols),
      values: fc.array(value, { minLength: n, maxLength: n }),
      // phase and shortfall drawn apart: phase changes happen (or not), shortfalls are often 0
      phases: fc.array(fc.constantFrom(1, 1, 2), {
        minLength: k.days * k.count,
        maxLength: k.days * k.count,
      }),
      zeros: fc.array(fc.boolean(), { minLength: k.days * k.count, maxLength: k.days * k.count }),
    });
  });

describe("outcome metrics in batch form (BatchOutcomes) against runOutcomes", () => {
  it("gives bit-identical values for every metric, NaN where runOutcomes gives NaN", () => {
    fc.assert(
      fc.property(batchCase, ({ k, cols, values, phases, zeros }) => {
        const { days, count } = k;
        const out = Float64Array.from(values);
        const at = (col: number, i: number) => col * days * count + i;
        for (let i = 0; i < days * count; i++) {
          out[at(COL.phase, i)] = phases[i];
          if (zeros[i]) out[at(COL.tokenShortfall, i)] = 0;
          if (zeros[i]) out[at(COL.phaseTwoEmission, i)] = 0;
        }
        const ctx: OutcomeContext = {
          nC: k.nC,
          nK: k.nK,
          ...(k.priceThreshold === undefined ? {} : { priceThreshold: k.priceThreshold }),
          ...(k.drawdownFromDay === undefined ? {} : { drawdownFromDay: k.drawdownFromDay }),
        };
        // a batch object of 8 runs, first used on a full batch of other values: no state leaks
        const batch = new BatchOutcomes(8, days, ctx);
        const noise = new Float64Array(cols * days * 8).fill(7);
        const spare = OUTCOME_METRICS.map(() => new Float64Array(8));
        batch.compute(noise, 8, spare, 0);
        const outcomes = OUTCOME_METRICS.map(() => new Float64Array(count + 3).fill(-5));
        batch.compute(out, count, outcomes, 3);
        const want = reference(out, cols, days, count, ctx);
        for (let b = 0; b < count; b++)
          OUTCOME_METRICS.forEach((m, j) => {
            expect(Object.is(outcomes[j][3 + b], want[b][m]), `${m}, run ${b}`).toBe(true);
          });
        // the first three places (other runs of the chunk) are untouched
        for (const o of outcomes) expect([...o.subarray(0, 3)]).toEqual([-5, -5, -5]);
      }),
      { numRuns: 300 },
    );
  });

  it("gives NaN for the missing values of a constant run with no phase change, shortfall or suppliers", () => {
    const days = 5;
    const cols = COL.stakedTokens + 1;
    const out = new Float64Array(cols * days).fill(1); // phase 1 throughout, price 1, reserve 1
    out.fill(0, COL.tokenShortfall * days, (COL.tokenShortfall + 1) * days);
    const outcomes = OUTCOME_METRICS.map(() => new Float64Array(1));
    new BatchOutcomes(1, days, { nC: 0, nK: 0 }).compute(out, 1, outcomes, 0);
    const got = Object.fromEntries(OUTCOME_METRICS.map((m, j) => [m, outcomes[j][0]]));
    expect(got.phaseChangeDay).toBeNaN(); // never in phase 2
    expect(got.maxDrawdownAfter).toBeNaN(); // so no day to start from
    expect(got.firstShortfallDay).toBeNaN(); // no shortfall
    expect(got.shortfallDays).toBe(0);
    expect(got.reserveRunway).toBeNaN(); // the reserve is not falling
    expect(got.supplierIncome).toBeNaN(); // zero supplier-days
    expect(got.priceVolatility).toBe(0); // every log return is 0
    expect(got.daysBelowPrice).toBe(0); // never below the day-0 price
    expect(got.maxDrawdown).toBe(0);
    expect(got.minDollarReserveDay).toBe(0);
  });
});

describe("runChunk's outcomes (batch form) against each run simulated alone", () => {
  const { scenario } = loadScenario(WHITEPAPER);
  const point = { index: 0, params: {} };
  const runs = 270; // one batch of 256 runs and one of 14

  it("equal resultOutcomes of every run; a plugin metric's failure fails only its runs", () => {
    const flaky: Metric = {
      name: "flaky",
      compute(r) {
        if (r.meta.run % 37 === 5) throw new Error(`no value for run ${r.meta.run}`);
        return r.meta.run * 2;
      },
    };
    const p = runChunk(
      { scenario, seed: 3, point, runs, runStart: 0, runEnd: runs },
      {
        policies: [],
        metrics: [flaky],
      },
    );
    const plain = runChunk({ scenario, seed: 3, point, runs, runStart: 0, runEnd: runs });
    expect(p.metricNames).toEqual([...OUTCOME_METRICS, "flaky"]);
    const failing = Array.from({ length: runs }, (_, i) => i).filter((i) => i % 37 === 5);
    expect(p.failed.map((f) => f.run)).toEqual(failing);
    expect(p.failed[0].error).toContain("no value for run 5");
    expect(plain.failed).toEqual([]);
    for (let i = 0; i < runs; i++) {
      const want = resultOutcomes(simulate(scenario, { seed: 3, run: i }));
      OUTCOME_METRICS.forEach((m, j) => {
        expect(Object.is(plain.outcomes[j][i], want[m]), `${m}, run ${i}`).toBe(true);
        const withPlugin = failing.includes(i) ? Number.NaN : want[m];
        expect(Object.is(p.outcomes[j][i], withPlugin), `${m}, run ${i} (plugin)`).toBe(true);
      });
      expect(p.outcomes[OUTCOME_METRICS.length][i]).toBe(failing.includes(i) ? Number.NaN : i * 2);
    }
  });
});
