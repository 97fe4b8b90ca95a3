import { readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StepInsertion } from "../../src/day/sequence.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import type { KernelOutcome } from "../../src/engine/outcome.js";
import { noFeedback, runFeedbackAggregate } from "../../src/feedback/day.js";
import { runFeedbackKernel } from "../../src/feedback/kernel.js";
import { compileFeedback } from "../../src/feedback/plan.js";
import {
  DEFAULT_SHOCK_SIZES,
  SHOCKS,
  type ShockSizes,
  shockDays,
  shockSteps,
} from "../../src/feedback/stress.js";
import { compiledForRun } from "../../src/processes/generate.js";
import { type GovernanceChange, governanceStep } from "../../src/rules/step.js";
import { loadScenario } from "../../src/scenario/load.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Scenario } from "../../src/scenario/schema.js";
import { SCENARIOS_DIR } from "../helpers.js";
import { generatedFeedback, pooledPhaseOne, sellOff } from "./fixtures.js";

/** Both engines on one run: the step engine (the readable reference) and the fused kernel. */
function both(
  scenario: Scenario,
  seed: number,
  run: number,
  shock = "baseline",
  shockDay = 0,
  sizes: ShockSizes = DEFAULT_SHOCK_SIZES,
) {
  const base = compileScenario(scenario);
  const c: CompiledScenario = compiledForRun(base, seed, run);
  const plan = compileFeedback(scenario) ?? noFeedback(c.days);
  const rules = scenario.rules ?? [];
  const pool = plan.amm !== null;
  const name = shock as (typeof SHOCKS)[number]["name"];
  const stepLog: GovernanceChange[] = [];
  const ext: StepInsertion[] = [
    ...(rules.length > 0 ? [governanceStep(c, rules, stepLog)] : []),
    ...shockSteps(name, shockDay, pool, undefined, sizes),
  ];
  const a = new Float64Array(c.columns.length * c.days);
  const b = new Float64Array(c.columns.length * c.days);
  const ref = runFeedbackAggregate(c, seed, run, a, plan, ext);
  const kernelLog: GovernanceChange[] = [];
  const fast = runFeedbackKernel(c, seed, run, b, {
    plan,
    rules,
    governanceLog: kernelLog,
    shock: shockDays(name, shockDay, pool, sizes),
  });
  return { a, b, ref, fast, stepLog, kernelLog };
}

function expectIdentical(r: ReturnType<typeof both>) {
  const outcome = (o: KernelOutcome) => [o.daysCompleted, o.error?.message ?? null];
  expect(outcome(r.fast)).toEqual(outcome(r.ref));
  // byte for byte: every cell of the table, NaN payloads and the sign of zero included
  expect(Buffer.from(r.b.buffer).equals(Buffer.from(r.a.buffer))).toBe(true);
  expect(r.kernelLog).toEqual(r.stepLog);
}

const shipped = readdirSync(SCENARIOS_DIR, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ file: f, scenario: loadScenario(join(SCENARIOS_DIR, f)).scenario }))
  .filter((s) => s.scenario.mode === "aggregate");

describe("fused feedback kernel = step engine, byte for byte", () => {
  it("covers the feedback, stress and rule scenarios", () => {
    const files = shipped.map((s) => s.file);
    for (const f of ["feedback/death-spiral.yaml", "feedback/thin-liquidity.yaml"])
      expect(files).toContain(f);
    expect(shipped.some((s) => (s.scenario.rules ?? []).length > 0)).toBe(true);
  });
  it.each(shipped.map((s) => [s.file, s.scenario] as const))("%s, seeds 1–2", (_, scenario) => {
    for (const seed of [1, 2]) expectIdentical(both(scenario, seed, seed * 7));
  });
  it("every stress shock on every shipped feedback scenario", () => {
    for (const { scenario } of shipped.filter((s) => s.file.startsWith("feedback/")))
      for (const shock of SHOCKS) expectIdentical(both(scenario, 3, 5, shock.name, 60));
  });
  it("the shocks at other sizes (--crash-share, --sell-wave-share) on every shipped feedback scenario", () => {
    const sizes = { crashShare: 0.55, sellWaveShare: 0.37 };
    for (const { scenario } of shipped.filter((s) => s.file.startsWith("feedback/")))
      expectIdentical(both(scenario, 3, 5, "combined", 60, sizes));
  });
  it("generated scenarios: any mix of feedback parts, rules, noise and shocks", () => {
    fc.assert(
      fc.property(generatedFeedback, ({ scenario, seed, shock, shockDay }) => {
        expectIdentical(both(parseScenario(scenario), seed, seed % 5, shock, shockDay));
      }),
      { numRuns: 60 },
    );
  });
});

describe("the speculators' tokens are theirs alone when the supply binds (E43–E44), by hand", () => {
  it("a sell wave of the whole supply on day 2 of the sell-off, speculators holding 150", () => {
    const scenario = parseScenario(sellOff(150));
    const r = both(scenario, 1, 0, "sellWave", 2, { crashShare: 0.3, sellWaveShare: 1 });
    expectIdentical(r);
    const { columns, days } = compileScenario(scenario);
    const col = (n: string) =>
      r.a.subarray(columns.indexOf(n) * days, (columns.indexOf(n) + 1) * days);
    // days 0–1 as the sell-off without a wave (test/feedback/engine.test.ts): supply 9250 at
    // day 2's open, 150 of it the speculators', pool 1250 tokens / $800, P1 = 0.8
    // day 2: offered 250 due + 100 theirs (−20% × $400 / 0.8) + 9250 the wave = 9600 > 9250:
    // theirs first, all 100; the other holders hold 9250 − 150 = 9100 and sell all of it (the
    // wave does not reach the speculators' tokens): 9200 sold into a pool without buys,
    // P2 = y / (x + S) = 800 / 10,450, and 50 left in the book
    expect(col("tokensSold")[2]).toBe(9200);
    expect(col("speculatorTokens")[2]).toBeCloseTo(50, 9);
    expect(col("priceOfToken")[2]).toBeCloseTo(800 / 10_450, 12);
    // day 3: 50 theirs + 250 (day 2's validator pay) circulate; offered 250 due + their 50
    // (the trend asks far more): 300, all of it, and the book is exactly empty. The pool after
    // day 2 holds 10,450 tokens and 800 · 1250 / 10,450 usd: P3 = that / 10,750
    expect(col("supply")[2]).toBe(300);
    expect(col("tokensSold")[3]).toBe(300);
    expect(col("speculatorTokens")[3]).toBe(0);
    expect(col("priceOfToken")[3]).toBeCloseTo(1e6 / 10_450 / 10_750, 12);
  });
});

describe("a sell wave cannot sell the staked phase-one emission (E3, E43), by hand", () => {
  it("the whole supply offered on day 1 of a 2-day phase 1 sells all but the stake", () => {
    // the pooled economy with a phase 1 of 2 days (test/feedback/engine.test.ts): day 0 pays 100
    // staked tokens and 100 / 1.2 bought back; exchange buyers take 100 / 1.2. Day 1 opens with
    // 9000 + 100 + 2 · 100 / 1.2 circulating, 100 of them staked. Offered: 41.67 due (half of
    // day 0's 83.33) and the whole supply in the wave; sold: all but the stake, 9000 + 200 / 1.2
    const scenario = parseScenario(
      pooledPhaseOne({
        days: 3,
      }),
    );
    const r = both(scenario, 1, 0, "sellWave", 1, { crashShare: 0.3, sellWaveShare: 1 });
    expectIdentical(r);
    const { columns, days } = compileScenario(scenario);
    const col = (n: string) =>
      r.a.subarray(columns.indexOf(n) * days, (columns.indexOf(n) + 1) * days);
    expect(col("supply")[0]).toBeCloseTo(9100 + 200 / 1.2, 9);
    expect(col("tokensSold")[1]).toBeCloseTo(9000 + 200 / 1.2, 9);
    // the stake is still there at the end of day 1 (200: days 0 and 1), and the supply holds it
    expect(col("stakedTokens")[1]).toBe(200);
    expect(col("supply")[1]).toBeGreaterThanOrEqual(200);
    // day 2 (phase 2) releases it: sold on day 3 at sellShare 0.5, beyond this 3-day run
  });
});
