import { describe, expect, it } from "vitest";
import { compileScenario } from "../../src/engine/compile.js";
import { runFeedbackAggregate } from "../../src/feedback/day.js";
import { runFeedbackKernel } from "../../src/feedback/kernel.js";
import { compileFeedback } from "../../src/feedback/plan.js";
import { shockDays, shockSteps } from "../../src/feedback/stress.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { hostChurn, hostEconomy } from "./fixtures.js";

/**
 * 10 hosts that serve 5 jobs a day each (E50: capacity 50) and 100 jobs × $15 a day demanded;
 * no entry, and a margin that stays positive (≥ 0.7 · 15 · 15 / 10 = $15.75 against a cost of
 * $10), so the class keeps its 10 hosts. The demand crash (× 0.3) starts on day 2.
 */
function capped() {
  const feedback = hostChurn(10);
  const hosts = feedback.suppliers?.classes.hosts;
  if (!hosts) throw new Error("fixture");
  const scenario = parseScenario(
    hostEconomy({
      days: 4,
      feedback: {
        suppliers: {
          ...feedback.suppliers,
          lagDays: 1,
          classes: { hosts: { ...hosts, jobsPerSupplierPerDay: 5 } },
        },
      },
    }),
  );
  const c = compileScenario(scenario);
  const plan = compileFeedback(scenario);
  if (!plan) throw new Error("no plan");
  const col = (name: string) => c.columns.indexOf(name) * c.days;
  const read = (out: Float64Array, t: number) => ({
    jobs: out[col("jobCreated.hosting") + t],
    lost: out[col("jobsLost") + t],
    income: out[col("income") + t],
    hosts: out[col("suppliers.hosts") + t],
  });
  return { c, plan, read };
}

describe("the demand crash acts before E50's capacity (docs/model-feedback.md, stress battery)", () => {
  const { c, plan, read } = capped();
  const kernel = new Float64Array(c.columns.length * c.days);
  const steps = new Float64Array(c.columns.length * c.days);
  const k = runFeedbackKernel(c, 1, 0, kernel, {
    plan,
    shock: shockDays("demandCrash", 2, false),
  });
  const s = runFeedbackAggregate(c, 1, 0, steps, plan, shockSteps("demandCrash", 2, false));

  it.each([
    ["fused kernel", kernel],
    ["step engine", steps],
  ] as const)("%s: capacity binds before the crash, not after it", (_, out) => {
    expect(k.error).toBeNull();
    expect(s.error).toBeNull();
    // before the crash: 100 demanded, 10 hosts × 5 served, 50 lost
    expect(read(out, 1)).toEqual({ jobs: 50, lost: 50, income: 750, hosts: 10 });
    // from the crash: 0.3 · 100 = 30 demanded, all within the capacity of 50 — none lost.
    // (The old order, capacity then crash, gave 0.3 · 50 = 15 served and 50 lost.)
    expect(read(out, 2)).toEqual({ jobs: 30, lost: 0, income: 450, hosts: 10 });
    expect(read(out, 3)).toEqual({ jobs: 30, lost: 0, income: 450, hosts: 10 });
  });
});
