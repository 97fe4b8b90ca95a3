import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenario } from "../../src/scenario/load.js";

const SPIRAL = "scenarios/feedback/death-spiral.yaml";
const CLASS = "feedback.suppliers.classes.modelTrainingProviders";

/** The message loadScenario throws for `set`, or null when the scenario is accepted. */
function refusal(set: string): string | null {
  try {
    loadScenario(SPIRAL, { set: [set] });
    return null;
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
}

describe("feedback fields are held to the scenario limits (docs/limits.md)", () => {
  it("refuses absurd magnitudes, naming the field", () => {
    for (const [field, value] of [
      [`${CLASS}.costPerDay`, "1e300"],
      [`${CLASS}.costPerDay`, "1e-320"],
      [`${CLASS}.dynamic.start`, "1e300"],
      [`${CLASS}.entryElasticity`, "1e300"],
      [`${CLASS}.exitElasticity`, "1001"],
      [`${CLASS}.maxEntryRate`, "1.5"],
      [`${CLASS}.maxCount`, "1e16"],
      ["feedback.amm.poolUsd", "1e300"],
      ["feedback.amm.poolTokens", "1e-320"],
    ] as const) {
      const message = refusal(`${field}=${value}`);
      expect(message, `${field}=${value}`).not.toBeNull();
      expect(message).toContain(field);
    }
  });
  it("accepts the edges of every range", () => {
    for (const set of [
      `${CLASS}.costPerDay=1e-12`,
      `${CLASS}.entryElasticity=1000`,
      `${CLASS}.maxEntryRate=1`,
      `${CLASS}.maxCount=1e15`,
      "feedback.amm.poolUsd=1e15",
    ])
      expect(refusal(set), set).toBeNull();
  });
});
