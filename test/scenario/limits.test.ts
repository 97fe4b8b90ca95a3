import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFeedback } from "../../src/feedback/plan.js";
import { parseAxis } from "../../src/montecarlo/sweep.js";
import { csvColumn } from "../../src/scenario/csv.js";
import { ScenarioError } from "../../src/scenario/errors.js";
import { LIMITS } from "../../src/scenario/limits.js";
import { loadScenario, prepareScenario } from "../../src/scenario/load.js";
import { applyOverrides } from "../../src/scenario/overrides.js";
import { tinyScenario } from "../helpers.js";

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}
const prepared = (raw: unknown, baseDir?: string) =>
  problems(() => prepareScenario(raw, { baseDir }));

const work = mkdtempSync(join(tmpdir(), "bme-limits-"));
function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe("ranges: no product of valid amounts can overflow", () => {
  it("refuses unitPrice 1e308 (which used to write NaN rows), naming the field", () => {
    const s = tinyScenario();
    const p = prepared({ ...s, consumers: [{ ...s.consumers![0], unitPrice: 1e308 }] });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^consumers\[0\]\.unitPrice: .*1000000000/);
  });
  it("refuses a subnormal initialSupply (1e-320, which gave an Infinity price)", () => {
    const p = prepared(
      tinyScenario({
        tokens: { initialSupply: 1e-320, initialTokenReserve: 1000 },
        consumerSentiment: 1e10,
      }),
    );
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^tokens\.initialSupply: .*1e-12/);
  });
  it("refuses a divisor on-chain variable below 1e-12 and an amount above 1e15", () => {
    const p = prepared(
      tinyScenario({ onchain: { jobRewardModulation: 1e-300, validationModulator: 1e16 } }),
    );
    expect(p.map((l) => l.split(":")[0]).sort()).toEqual([
      "onchain.jobRewardModulation",
      "onchain.validationModulator",
    ]);
  });
  it("the bound holds: the largest day's income over the smallest floor is far from overflow", () => {
    const income =
      LIMITS.maxConsumerTypes *
      LIMITS.maxAmount *
      LIMITS.maxUnitsPerJob *
      LIMITS.maxUnitPrice *
      (1 + LIMITS.maxIncentive);
    expect(income).toBeCloseTo(2.002e39, -36);
    expect((income / LIMITS.minPriceFloor) * LIMITS.maxDays).toBeLessThan(1e80);
  });
});

describe("size limits, refused before the schema reads the whole", () => {
  it("refuses 2,001 consumer types with one message naming the list", () => {
    const s = tinyScenario();
    const many = Array.from({ length: 2_001 }, (_, i) => ({ ...s.consumers![0], name: `c${i}` }));
    expect(prepared({ ...s, consumers: many })).toEqual(["consumers: 2001 entries; at most 2000"]);
  });
  it("refuses a series longer than the longest run (36,500 values)", () => {
    const p = prepared(tinyScenario({ consumerSentiment: { values: new Array(36_501).fill(1) } }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^consumerSentiment\.values: .*36500/);
  });
  it("refuses a scenario file over 10 MB by its size, naming the path", () => {
    const path = file("big.yaml", `description: "${"x".repeat(LIMITS.maxScenarioBytes)}"\n`);
    const p = problems(() => loadScenario(path));
    expect(p).toEqual([`: ${path} is 10.0 MB; a scenario file is at most 10 MB`]);
  });
  it("refuses nesting deeper than 64 levels before parsing", () => {
    const path = file("deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(problems(() => loadScenario(path))).toEqual([": nested deeper than 64 levels"]);
  });
});

describe("marketplace mode simulates every agent", () => {
  it("refuses a supplier count or job rate whose peak passes 1,000,000, naming the series", () => {
    const s = tinyScenario({ mode: "marketplace", days: 11 });
    const p = prepared({
      ...s,
      suppliers: [{ ...s.suppliers![0], count: { start: 10, slope: 100_000 } }],
      consumers: [{ ...s.consumers![0], jobsPerDay: { start: 10, noise: 200_000 } }],
    });
    // peaks worked out by hand: 10 + 100,000·10 = 1,000,010; 10 + 6·200,000 = 1,200,010
    expect(p).toEqual([
      "consumers[0].jobsPerDay: reaches 1.20e+6; marketplace mode simulates each one, at most 1,000,000 (use aggregate mode for larger economies)",
      "suppliers[0].count: reaches 1.00e+6; marketplace mode simulates each one, at most 1,000,000 (use aggregate mode for larger economies)",
    ]);
  });
});

describe("marketplace mode: a dynamic supplier class is held to the same limit (decision 330)", () => {
  const MOST =
    "marketplace mode simulates each one, at most 1,000,000 (use aggregate mode for larger economies)";
  const dynamicScenario = (mode: "marketplace" | "aggregate", hosts: Record<string, unknown>) => {
    const s = tinyScenario({ mode, days: 11 });
    return {
      ...s,
      feedback: { suppliers: { classes: { [s.suppliers![0].name]: { costPerDay: 1, ...hosts } } } },
    };
  };
  it("refuses a dynamic.start above 1,000,000, naming the field", () => {
    const s = dynamicScenario("marketplace", { dynamic: { start: 2e6 } });
    const k = s.suppliers![0].name;
    expect(prepared(s)).toEqual([
      `feedback.suppliers.classes.${k}.dynamic.start: 2.00e+6 suppliers on day 0; ${MOST}`,
    ]);
  });
  it("refuses an explicit maxCount above 1,000,000, naming the field and the default", () => {
    const s = dynamicScenario("marketplace", { dynamic: { start: 10 }, maxCount: 1e15 });
    const k = s.suppliers![0].name;
    expect(prepared(s)).toEqual([
      `feedback.suppliers.classes.${k}.maxCount: lets the class grow to 1.00e+15 suppliers; ${MOST}; without maxCount a marketplace class stops at 1,000,000`,
    ]);
  });
  it("aggregate mode keeps both (it simulates no agent)", () => {
    const s = dynamicScenario("aggregate", { dynamic: { start: 2e6 }, maxCount: 1e15 });
    expect(prepared(s)).toEqual([]);
  });
  it("a marketplace class's ceiling defaults to 1,000,000, an aggregate one's to 1e15", () => {
    const plan = (mode: "marketplace" | "aggregate") =>
      compileFeedback(prepareScenario(dynamicScenario(mode, { dynamic: { start: 10 } })).scenario)!
        .suppliers!.dynamic[0]!.churn.maxCount;
    expect(plan("marketplace")).toBe(1_000_000);
    expect(plan("aggregate")).toBe(1e15);
  });
});

describe("files", () => {
  it("a directory as the scenario is refused naming it", () => {
    expect(problems(() => loadScenario(work))).toEqual([
      `: ${work} is a directory, not a scenario file`,
    ]);
  });
  it("a CSV path that is a directory or a device is refused without reading it", () => {
    mkdirSync(join(work, "dir.csv"), { recursive: true });
    for (const [csv, why] of [
      ["dir.csv", `${join(work, "dir.csv")} is a directory, not a CSV file`],
      ["/dev/zero", "/dev/zero is not a regular file (a CSV file is)"],
    ])
      expect(prepared(tinyScenario({ consumerSentiment: { csv, column: "x" } }), work)).toEqual([
        `consumerSentiment.csv: ${why}`,
      ]);
  });
  it("a .json scenario is strict JSON: a trailing comma is refused with its position", () => {
    const path = file("comma.json", '{"name": "x",}');
    const p = problems(() => loadScenario(path));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^: not valid JSON: .*position 13/);
  });
  it("CR-only line endings get a clear message", () => {
    const path = file("mac.yaml", "name: x\rdays: 3\r");
    expect(problems(() => loadScenario(path))).toEqual([
      ": the file has CR-only line endings (classic Mac): save it with LF or CRLF line endings",
    ]);
  });
});

describe("CSV through csv-parse", () => {
  it("reads quoted cells and skips blank lines", () => {
    expect(csvColumn('day,"jobs"\n0,"12"\n\n1,3.5e1\n', "jobs")).toEqual({ values: [12, 35] });
  });
  it("refuses hexadecimal, separators and Infinity, with the physical line (blank lines counted)", () => {
    for (const cell of ["0x10", "1_000", '"1,000"', "Infinity", "1e999"])
      expect(csvColumn(`a,b\n1,2\n\n1,${cell}\n`, "b")).toMatchObject({
        error: expect.stringMatching(/^line 4: /),
      });
  });
  it("refuses a ragged row with its line", () => {
    expect(csvColumn("a,b\n1,2\n3\n", "b")).toEqual({
      error: "line 3: the row has a different number of cells than the header",
    });
  });
  it("warns, for a CSV shorter than the run, how many days repeat the last value", () => {
    file("short.csv", "usd\n5\n7\n");
    const { warnings } = prepareScenario(
      tinyScenario({ days: 10, consumerSentiment: { csv: "short.csv", column: "usd" } }),
      { baseDir: work },
    );
    expect(warnings).toEqual([
      "consumerSentiment: 2 values in short.csv for a 10-day run; the last value (7) repeats on the last 8 days",
    ]);
  });
});

describe("messages", () => {
  it("a missing ops fund gives one error, not follow-on errors", () => {
    const p = prepared(
      tinyScenario({
        tokens: { allocation: { team: { fraction: 0.5 }, investors: { fraction: 0.5 } } },
      }),
    );
    expect(p).toEqual([
      "tokens.allocation.opsFund: the allocation table must have the ops fund (the token reserve)",
    ]);
  });
});

describe("prototype pollution", () => {
  it("refuses __proto__, prototype and constructor in --set paths, keys and values; Object.prototype untouched", () => {
    for (const set of [
      "__proto__.x=1",
      "consumers[0].constructor.prototype.x=1",
      "onchain={__proto__: {x: 1}}",
    ]) {
      const p = problems(() => applyOverrides(tinyScenario(), [set]));
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(/is not allowed in a path or key/);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
  it("refuses a __proto__ key inside a scenario file", () => {
    const path = file("proto.yaml", "name: x\nonchain:\n  __proto__: { x: 1 }\n");
    expect(problems(() => loadScenario(path))[0]).toMatch(/^onchain\.__proto__: .*not allowed/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
  it("refuses them in sweep axes", () => {
    expect(() => parseAxis("--grid", "__proto__.x=1,2")).toThrow(/"__proto__" is not allowed/);
    expect(() => parseAxis("--zip", "a.constructor=1,2")).toThrow(/"constructor" is not allowed/);
  });
});
