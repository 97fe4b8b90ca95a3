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
import { SHOCKS, shockDays, shockSteps } from "../../src/feedback/stress.js";
import { compiledForRun } from "../../src/processes/generate.js";
import { type GovernanceChange, governanceStep } from "../../src/rules/step.js";
import { loadScenario } from "../../src/scenario/load.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Scenario, ScenarioInput } from "../../src/scenario/schema.js";
import { SCENARIOS_DIR, tinyScenario } from "../helpers.js";

/** Both engines on one run: the step engine (the readable reference) and the fused kernel. */
function both(scenario: Scenario, seed: number, run: number, shock = "baseline", shockDay = 0) {
  const base = compileScenario(scenario);
  const c: CompiledScenario = compiledForRun(base, seed, run);
  const plan = compileFeedback(scenario) ?? noFeedback(c.days);
  const rules = scenario.rules ?? [];
  const pool = plan.amm !== null;
  const name = shock as (typeof SHOCKS)[number]["name"];
  const stepLog: GovernanceChange[] = [];
  const ext: StepInsertion[] = [
    ...(rules.length > 0 ? [governanceStep(c, rules, stepLog)] : []),
    ...shockSteps(name, shockDay, pool),
  ];
  const a = new Float64Array(c.columns.length * c.days);
  const b = new Float64Array(c.columns.length * c.days);
  const ref = runFeedbackAggregate(c, seed, run, a, plan, ext);
  const kernelLog: GovernanceChange[] = [];
  const fast = runFeedbackKernel(c, seed, run, b, {
    plan,
    rules,
    governanceLog: kernelLog,
    shock: shockDays(name, shockDay, pool),
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
  it("generated scenarios: any mix of feedback parts, rules, noise and shocks", () => {
    fc.assert(
      fc.property(generated, ({ scenario, seed, shock, shockDay }) => {
        expectIdentical(both(parseScenario(scenario), seed, seed % 5, shock, shockDay));
      }),
      { numRuns: 60 },
    );
  });
});

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const num = (min: number, max: number) => fc.double({ min, max, noNaN: true });

const generated = fc
  .record({
    days: fc.integer({ min: 5, max: 60 }),
    jobs: num(0, 500),
    noise: num(0, 1),
    sentiment: num(0, 1e5),
    bm: num(0, 1),
    lower: num(0, 0.6),
    validation: num(0, 5),
    suppliers: maybe(
      fc.record({
        cost: num(1, 500),
        dynamic: fc.boolean(),
        start: fc.integer({ min: 0, max: 20 }),
        capacity: maybe(num(1, 100)),
        lagDays: fc.integer({ min: 1, max: 10 }),
        exit: num(0, 1),
      }),
    ),
    sales: maybe(fc.record({ sellShare: num(0, 1), sellOverDays: fc.integer({ min: 1, max: 5 }) })),
    pool: maybe(fc.record({ share: num(0.01, 0.9), usd: num(100, 1e7) })),
    speculators: fc.boolean(),
    elasticity: maybe(num(0, 2)),
    rule: fc.constantFrom("none", "threshold", "pi"),
    seed: fc.integer({ min: 0, max: 1000 }),
    shock: fc.constantFrom(...SHOCKS.map((s) => s.name)),
    shockDay: fc.integer({ min: 0, max: 30 }),
  })
  .map((p) => {
    const pool = p.pool ?? (p.sales || p.speculators ? { share: 0.2, usd: 1e5 } : undefined);
    const feedback: NonNullable<ScenarioInput["feedback"]> = {
      ...(p.suppliers && {
        suppliers: {
          lagDays: p.suppliers.lagDays,
          classes: {
            modelTrainingProviders: {
              costPerDay: p.suppliers.cost,
              exitElasticity: p.suppliers.exit,
              ...(p.suppliers.dynamic && { dynamic: { start: p.suppliers.start } }),
              ...(p.suppliers.capacity !== undefined && {
                jobsPerSupplierPerDay: p.suppliers.capacity,
              }),
            },
          },
        },
      }),
      ...(p.sales && { sales: p.sales }),
      ...(p.speculators && { speculators: { sensitivity: 2, capitalUsd: 5_000 } }),
      ...(pool && { amm: { poolTokens: pool.share * 1_000_000, poolUsd: pool.usd } }),
      ...(p.elasticity !== undefined && {
        consumers: { training: { referencePrice: 12, elasticity: p.elasticity } },
      }),
    };
    const rules: ScenarioInput["rules"] =
      p.rule === "threshold"
        ? [
            {
              name: "defend",
              kind: "threshold",
              column: "priceOfToken",
              overDays: 2,
              below: -0.05,
              exitAbove: 0.02,
              set: { buybackModulation: 1, lowerTokenReserveLimit: 0.5 },
            },
          ]
        : p.rule === "pi"
          ? [
              {
                name: "hold",
                kind: "pi",
                variable: "jobRewardModulation",
                column: "tokenReserve",
                target: 150_000,
                kp: 50,
                ki: 2,
                min: 1,
                max: 100,
              },
            ]
          : undefined;
    const scenario = tinyScenario({
      days: p.days,
      tokens: { initialSupply: 1_000_000, initialTokenReserve: 200_000 },
      phaseOne: { phaseOneDays: 3, fracPhaseOneTokens: 0.5 },
      onchain: {
        buybackModulation: p.bm,
        lowerTokenReserveLimit: p.lower,
        tokenReserveRestoreLevel: 0.7,
        validationModulator: p.validation,
      },
      suppliers: [
        { name: "modelTrainingProviders", count: { start: 4, noise: 2 }, phaseOneTarget: 3 },
      ],
      consumers: [
        {
          name: "training",
          row: "modelTraining",
          unitPrice: 10,
          unitsPerJob: 1,
          jobsPerDay: { start: p.jobs, slope: -p.jobs / 60, noise: p.noise * p.jobs },
        },
      ],
      consumerSentiment: { start: p.sentiment, noise: p.sentiment / 3 },
      ...(Object.keys(feedback).length > 0 && { feedback }),
      ...(rules && { rules }),
    });
    return { scenario, seed: p.seed, shock: p.shock, shockDay: p.shockDay };
  });
