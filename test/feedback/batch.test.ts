import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allFeedback } from "../../bench/feedback.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { NonFiniteValueError, NoPriceError } from "../../src/engine/outcome.js";
import {
  feedbackBatchScratch,
  feedbackPlanFor,
  runFeedbackBatch,
  runTable,
} from "../../src/feedback/batch.js";
import { runFeedbackKernel } from "../../src/feedback/kernel.js";
import { feedbackPlanOf } from "../../src/feedback/run.js";
import { SHOCKS, type ShockSizes, shockDays } from "../../src/feedback/stress.js";
import { runStressChunk } from "../../src/feedback/stressChunk.js";
import {
  collectStressChunk,
  columnsOf,
  LOOP_SERIES,
  loopValue,
  type ShockName,
  stressMetrics,
} from "../../src/feedback/stressMetrics.js";
import { runnerOf } from "../../src/montecarlo/runner.js";
import { hasStochastic } from "../../src/processes/generate.js";
import { runOne } from "../../src/runOne.js";
import { loadScenario } from "../../src/scenario/load.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Scenario, ScenarioInput } from "../../src/scenario/schema.js";
import { SCENARIOS_DIR } from "../helpers.js";
import { generatedFeedback, pooled, pooledPhaseOne, sellOff } from "./fixtures.js";

/**
 * `count` runs of `c` from `run0` in lockstep against each run alone on the fused feedback
 * kernel (itself tested cell for cell against the step engine, kernel.test.ts): every cell of
 * every run's table byte for byte (NaN payloads and the sign of zero included), its days
 * completed and its error message. Returns the runs' errors.
 */
function expectLockstepIdentical(
  c: CompiledScenario,
  seed: number,
  run0: number,
  count: number,
  shock: ShockName = "baseline",
  shockDay = 0,
  sizes?: ShockSizes,
) {
  const plan = feedbackPlanFor(c);
  const days_ = shockDays(shock, shockDay, plan.amm !== null, sizes);
  const size = c.columns.length * c.days;
  const out = new Float64Array(size * count).fill(7); // stale cells from an earlier batch
  const scratch = feedbackBatchScratch(c, plan, Math.max(count, 3));
  runFeedbackBatch(c, seed, run0, count, out, scratch, { plan, shock: days_ });
  const table = new Float64Array(size);
  const alone = new Float64Array(size);
  const errors: (Error | null)[] = [];
  for (let b = 0; b < count; b++) {
    alone.fill(0);
    const o = runFeedbackKernel(c, seed, run0 + b, alone, { plan, shock: days_ });
    runTable(out, count, b, table);
    expect([scratch.daysCompleted[b], scratch.errors[b]?.message ?? null]).toEqual([
      o.daysCompleted,
      o.error?.message ?? null,
    ]);
    expect(Buffer.from(table.buffer).equals(Buffer.from(alone.buffer))).toBe(true);
    errors.push(scratch.errors[b]);
  }
  return errors;
}

const shipped = readdirSync(SCENARIOS_DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ file: f, scenario: loadScenario(join(SCENARIOS_DIR, f)).scenario }))
  .filter((s) => s.scenario.mode === "aggregate" && !hasStochastic(s.scenario));

/** The scenario without its governance rules (the lockstep kernel runs none; see stressChunk.ts). */
const noRules = (s: Scenario): Scenario => ({ ...s, rules: undefined });

describe("the feedback kernel in lockstep = the fused feedback kernel run by run", () => {
  it("covers the shipped feedback scenarios", () => {
    const files = shipped.map((s) => s.file);
    for (const f of ["feedback/death-spiral.yaml", "feedback/thin-liquidity.yaml"])
      expect(files).toContain(f);
  });
  it.each(shipped.map((s) => [s.file, s.scenario] as const))(
    "%s, 5 runs, every stress shock",
    (_, scenario) => {
      const c = compileScenario(noRules(scenario));
      for (const shock of SHOCKS) expectLockstepIdentical(c, 3, 11, 5, shock.name, 40);
    },
  );
  it("generated scenarios: churn, capacity, sales, pools, speculators, elastic demand, shocks", () => {
    fc.assert(
      fc.property(
        generatedFeedback,
        fc.integer({ min: 1, max: 9 }),
        ({ scenario, seed, shock, shockDay }, count) => {
          const c = compileScenario(parseScenario({ ...scenario, rules: undefined }));
          expectLockstepIdentical(c, seed, seed % 7, count, shock, shockDay);
        },
      ),
      { numRuns: 60 },
    );
  });
  it("generated scenarios whose series draw noise only from a later day (every run the same before it)", () => {
    // every series of the fixture starts on day `from`: before it no run draws a gaussian
    const later = (x: unknown, from: number): unknown =>
      typeof x === "object" && x !== null && "start" in x ? { ...x, startDay: from } : x;
    fc.assert(
      fc.property(
        generatedFeedback,
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 2, max: 9 }),
        ({ scenario, seed, shock, shockDay }, from, count) => {
          const input = {
            ...scenario,
            rules: undefined,
            consumerSentiment: later(scenario.consumerSentiment, from),
            suppliers: scenario.suppliers?.map((k) => ({ ...k, count: later(k.count, from) })),
            consumers: scenario.consumers?.map((i) => ({
              ...i,
              jobsPerDay: later(i.jobsPerDay, from),
            })),
          };
          const c = compileScenario(parseScenario(input));
          expectLockstepIdentical(c, seed, seed % 7, count, shock, shockDay);
        },
      ),
      { numRuns: 40 },
    );
  });
  it("the whitepaper with every feedback part on (npm run bench feedback), noise from day 30", () => {
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "whitepaper.yaml"));
    const c = compileScenario(allFeedback(scenario));
    for (const shock of ["baseline", "combined"] as const)
      expectLockstepIdentical(c, 2, 5, 7, shock, 20);
  });
  it("the shocks at other sizes (--crash-share, --sell-wave-share), every shipped feedback scenario", () => {
    for (const { scenario } of shipped)
      expectLockstepIdentical(compileScenario(noRules(scenario)), 3, 11, 5, "combined", 40, {
        crashShare: 0.55,
        sellWaveShare: 0.37,
      });
  });
  it("speculators holding a book on a falling price: the sale capped at their tokens, theirs sold first", () => {
    // the sell-off (test/feedback/engine.test.ts): they hold 150 and the trend asks 100, then
    // 300, so the cap binds on day 3; a sell wave of the whole supply on day 2 makes the
    // supply bind too (test/feedback/kernel.test.ts). Without noise every run of the pass is
    // run 0 spread (`spreadPass`); with noise on the jobs (the validators' pay, so the sales
    // and the trend) each run is its own
    const withJobs = (jobsPerDay: unknown) =>
      compileScenario(
        parseScenario(
          sellOff(150, {
            days: 12,
            consumers: [{ name: "hosting", unitPrice: 10, unitsPerJob: 1, jobsPerDay }],
          } as Partial<ScenarioInput>),
        ),
      );
    const plain = withJobs(10);
    for (const c of [plain, withJobs({ start: 10, noise: 4 })]) {
      for (const shock of SHOCKS) expectLockstepIdentical(c, 2, 0, 6, shock.name, 2);
      expectLockstepIdentical(c, 2, 0, 6, "sellWave", 2, { crashShare: 0.3, sellWaveShare: 1 });
    }
    // the cap bound: 100 of their 150 sold on day 2, the last 50 on day 3 though 300 were asked
    const out = new Float64Array(plain.columns.length * plain.days);
    runFeedbackKernel(plain, 2, 0, out, { plan: feedbackPlanFor(plain) });
    const held = plain.columns.indexOf("speculatorTokens") * plain.days;
    expect(out[held + 2]).toBeCloseTo(50, 9);
    expect(out[held + 3]).toBe(0);
  });
  it("a sell wave of the whole supply in phase 1 sells all but the stake, as the per-run kernel", () => {
    // test/feedback/kernel.test.ts works the day out by hand; here every cell against it, with
    // noise on the jobs so each run is its own
    const c = compileScenario(
      parseScenario(
        pooledPhaseOne({
          days: 6,
          consumers: [
            { name: "hosting", unitPrice: 10, unitsPerJob: 1, jobsPerDay: { start: 10, noise: 3 } },
          ],
        }),
      ),
    );
    expectLockstepIdentical(c, 4, 0, 5, "sellWave", 1, { crashShare: 0.3, sellWaveShare: 1 });
  });
  it("supplier counts whose running sum passes 2^53: E8's window summed day by day, as the per-run kernel", () => {
    // a class of 10^15 suppliers with noise: its counts are whole, but their sum since day 0
    // leaves the exact integers within a few days, so the window's sum cannot be a difference
    // of running sums there (the running sums are used below 2^53 only)
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "whitepaper.yaml"));
    const huge = { start: 1e15, slope: 3, noise: 1e9, startDay: 30 };
    const wide: Scenario = {
      ...allFeedback(scenario),
      suppliers: scenario.suppliers.map((k) =>
        k.name === "rawDataProviders" ? { ...k, count: huge } : k,
      ),
    } as Scenario;
    const c = compileScenario(parseScenario(wide));
    expectLockstepIdentical(c, 6, 0, 8);
  });
  it("a scenario of more columns after one of fewer, at the same width: every column copied", () => {
    // both batches are one pass of 8 runs whose stage blocks hold 32 days of 8 runs from day 30
    // (the days before run as one run): over 158 days the first scenario's last block is full
    // too, so the second's first block has the same cells and reuses the per-column views of
    // flushStage, which must then cover its 63 columns, not the first's 42
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "whitepaper.yaml"));
    const fewer = compileScenario({ ...scenario, days: 158 });
    const more = compileScenario(allFeedback(scenario));
    // 42 columns, and 63 with every feedback part (the last the speculators' book, E44)
    expect([fewer.columns.length, more.columns.length]).toEqual([42, 63]);
    expectLockstepIdentical(fewer, 1, 0, 8);
    expectLockstepIdentical(more, 1, 0, 8);
  });
  it("a batch of several passes: the whitepaper with every feedback part on over 1,500 days", () => {
    // one pass holds at most 2^18 margin cells (classes × days × runs): 5 × 1,500 days leave 34
    // runs a pass, so 40 runs are two passes, the second's rows written from run 34 on
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "whitepaper.yaml"));
    const c = compileScenario({ ...allFeedback(scenario), days: 1_500 });
    expect(Math.floor(2 ** 18 / (c.nK * c.days))).toBeLessThan(40);
    expectLockstepIdentical(c, 4, 0, 40);
  });
});

/**
 * Exchange demand `max(0, base + 1e307·Z)` with base −1e308 (so 0) except on `onDays`, where
 * base is 1.7e308: a run whose draw there has Z > 0.97 (P ≈ 0.17) overflows and stops that day.
 */
function overflowingSentiment(c: CompiledScenario, onDays: readonly number[]): CompiledScenario {
  const s = c.nC + c.nK; // consumerSentiment's series
  c.seriesBase.fill(-1e308, s * c.days, (s + 1) * c.days);
  for (const t of onDays) c.seriesBase[s * c.days + t] = 1.7e308;
  c.seriesNoise[s] = 1e307;
  return c;
}

describe("a run that stops in a batch stops alone, with its own message", () => {
  it("runs that overflow on different days (E10), the others untouched", () => {
    const input = { ...pooled({ days: 20 }), feedback: undefined };
    const c = overflowingSentiment(compileScenario(parseScenario(input)), [3, 8, 13]);
    const errors = expectLockstepIdentical(c, 5, 0, 16);
    const days = errors.map((e) => (e instanceof NonFiniteValueError ? e.day : -1));
    // a batch where runs stop on different days and some never (P ≈ 0.57 of no overflow)
    expect(days).toContain(-1);
    expect(new Set(days.filter((d) => d >= 0)).size).toBeGreaterThanOrEqual(2);
    for (const d of days) expect([3, 8, 13, -1]).toContain(d);
  });
  it("runs that overflow on a pool", () => {
    const c = overflowingSentiment(compileScenario(parseScenario(pooled({ days: 20 }))), [3, 8]);
    const errors = expectLockstepIdentical(c, 5, 0, 16);
    expect(errors.some((e) => e !== null)).toBe(true);
  });
  it("every run without a price on day 0 (supply 0, demand > 0: E10)", () => {
    const c = compileScenario(parseScenario({ ...pooled({ days: 5 }), feedback: undefined }));
    (c as { initialSupply: number }).initialSupply = 0;
    const errors = expectLockstepIdentical(c, 1, 0, 4);
    for (const e of errors) expect(e).toBeInstanceOf(NoPriceError);
  });
  it("generated scenarios with overflowing days", () => {
    fc.assert(
      fc.property(
        generatedFeedback,
        fc.uniqueArray(fc.integer({ min: 0, max: 20 }), { maxLength: 3 }),
        ({ scenario, seed, shock, shockDay }, onDays) => {
          const c = compileScenario(parseScenario({ ...scenario, rules: undefined }));
          const bad = overflowingSentiment(
            c,
            onDays.filter((t) => t < c.days),
          );
          expectLockstepIdentical(bad, seed, 0, 6, shock, shockDay);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("the stress battery's chunk on the lockstep kernel", () => {
  it("gives the per-run kernel's metrics, failures and paths, for a chunk not a multiple of the batch", () => {
    const { scenario } = loadScenario(join(SCENARIOS_DIR, "feedback/death-spiral.yaml"));
    expect(scenario.rules ?? []).toEqual([]);
    const c = compileScenario(scenario);
    const plan = feedbackPlanFor(c);
    for (const shock of ["baseline", "combined"] as const) {
      const task = {
        scenario,
        seed: 4,
        shock,
        shockDay: 90,
        pathRuns: 21,
        runStart: 3,
        runEnd: 40,
      };
      const days_ = shockDays(shock, 90, plan.amm !== null);
      const alone = collectStressChunk(task, c.columns, c.days, "aggregate", (run, out) =>
        runFeedbackKernel(c, 4, run, out, { plan, shock: days_ }),
      );
      expect(runStressChunk(task)).toEqual(alone);
    }
  });
});

describe("the battery's metrics read in place in a batch's table", () => {
  it("are the metrics and loop values of the run's own table (runTable), any batch, lane and shock day", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 0, max: 1000 }),
        (count, days, salt) => {
          const columns = [
            "priceOfToken",
            "tokenReserve",
            "dollarReserve",
            "tokenShortfall",
            "suppliers.a",
            "suppliers.b",
            "margin.a",
            "supplierEntries.a",
            "supplierExits.a",
            "jobsLost",
          ];
          const cols = columnsOf(columns);
          const cells = columns.length * days;
          // values with ties, zeros and falls (a hash of the cell, not the code's own output)
          const out = Float64Array.from({ length: cells * count }, (_, j) => {
            const h = (Math.imul(j + salt, 2654435761) >>> 0) % 97;
            return h < 10 ? 0 : h / 7 - 3;
          });
          const table = new Float64Array(cells);
          for (let b = 0; b < count; b++) {
            runTable(out, count, b, table);
            for (let t = 0; t < days; t++)
              for (const s of LOOP_SERIES.slice(0, 7))
                expect(
                  Object.is(
                    loopValue(out, days, t, cols, s, undefined, count, b),
                    loopValue(table, days, t, cols, s),
                  ),
                ).toBe(true);
            for (let shockDay = 1; shockDay < days; shockDay++)
              for (const done of [1, days - 1, days])
                expect(stressMetrics(out, days, done, shockDay, cols, count, b)).toEqual(
                  stressMetrics(table, days, done, shockDay, cols),
                );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("the Monte Carlo's runner of a feedback scenario (lockstep) = runOne run by run", () => {
  it("death-spiral and thin-liquidity, 21 runs (a full batch and a short one): every cell, failures", () => {
    for (const file of ["feedback/death-spiral.yaml", "feedback/thin-liquidity.yaml"]) {
      const { scenario } = loadScenario(join(SCENARIOS_DIR, file));
      const r = runnerOf(noRules(scenario));
      const { c, cells, batch } = r;
      expect(batch).toBe(16);
      const out = new Float64Array(cells * batch);
      const good = new Uint8Array(batch);
      const one = new Float64Array(cells);
      const lane = new Float64Array(cells);
      for (const [run0, count] of [
        [0, 16],
        [16, 5],
      ]) {
        r.run(9, run0, count, out, good);
        for (let b = 0; b < count; b++) {
          one.fill(0);
          const o = runOne(c, 9, run0 + b, one, { plan: feedbackPlanOf(c) });
          expect([good[b], r.errors[b]?.message ?? null]).toEqual([
            o.error === null ? 1 : 0,
            o.error?.message ?? null,
          ]);
          runTable(out, count, b, lane);
          expect(Buffer.from(lane.buffer).equals(Buffer.from(one.buffer))).toBe(true);
        }
      }
    }
  });
});
