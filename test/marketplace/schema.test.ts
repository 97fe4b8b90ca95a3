import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import { parseScenario } from "../../src/scenario/parse.js";

const base = {
  mode: "marketplace",
  suppliers: [{ name: "modelInferenceProviders", count: 3 }],
  consumers: [
    { name: "inference", row: "inferenceSeekers", unitPrice: 1, unitsPerJob: 1, jobsPerDay: 10 },
  ],
};

/** The issues of a scenario that must not parse, as "path: message" strings. */
function issues(input: object): string[] {
  try {
    parseScenario(input);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  throw new Error("parsed");
}

describe("marketplace block of the scenario schema", () => {
  it("accepts mode marketplace with defaults", () => {
    const s = parseScenario(base);
    expect(s.mode).toBe("marketplace");
    expect(s.marketplace).toBeUndefined();
    const t = parseScenario({ ...base, marketplace: {} });
    expect(t.marketplace?.regions).toEqual(["global"]);
    expect(t.marketplace?.reputationPrior).toBe(1);
  });

  it("rejects an unknown mode, naming the field", () => {
    expect(issues({ ...base, mode: "agents" })[0]).toMatch(/^mode: /);
  });

  it("names unknown regions, classes and consumer types", () => {
    const found = issues({
      ...base,
      marketplace: {
        regions: ["us", "eu"],
        suppliers: { modelInferenceProviders: { regions: { mars: 1 } }, gpuFarms: {} },
        jobs: { inference: { regions: ["asia"] }, training: {} },
        outages: [{ region: "eu", fromDay: 5, toDay: 4 }],
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^marketplace\.suppliers\.modelInferenceProviders\.regions\.mars: unknown region "mars"/,
        ),
        expect.stringMatching(/^marketplace\.suppliers\.gpuFarms: unknown supplier class/),
        expect.stringMatching(/^marketplace\.jobs\.inference\.regions\[0\]: unknown region "asia"/),
        expect.stringMatching(/^marketplace\.jobs\.training: unknown consumer type/),
        expect.stringMatching(/^marketplace\.outages\[0\]\.toDay: must be ≥ fromDay/),
      ]),
    );
  });

  it("checks deadlines, incentive ranges, SLA origins, capacities and honesty", () => {
    const found = issues({
      ...base,
      marketplace: {
        suppliers: { modelInferenceProviders: { capacity: 0, honesty: { dishonestShare: 1.5 } } },
        jobs: {
          inference: {
            durationDays: 3,
            deadlineDays: 2,
            incentive: { low: 0.3, high: 0.1 },
            latencySlaMs: 50,
          },
        },
      },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^marketplace\.suppliers\.modelInferenceProviders\.capacity: /),
        expect.stringMatching(
          /^marketplace\.suppliers\.modelInferenceProviders\.honesty\.dishonestShare: /,
        ),
        expect.stringMatching(
          /^marketplace\.jobs\.inference\.deadlineDays: must be ≥ durationDays \(3\)/,
        ),
        expect.stringMatching(/^marketplace\.jobs\.inference\.incentive\.high: must be ≥ low/),
        expect.stringMatching(/^marketplace\.jobs\.inference\.origin: required when latencySlaMs/),
      ]),
    );
  });
});
