import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenario, parseScenarioText, prepareScenario } from "../../src/scenario/load.js";
import { tinyScenario } from "../helpers.js";

/** The issues a raw scenario produces, as "path: message" lines. */
function problems(raw: unknown, baseDir?: string): string[] {
  try {
    prepareScenario(raw, { baseDir });
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

/** The problems of the tiny scenario over `days` with E48's reference price for `training`. */
function referencePriceProblems(referencePrice: unknown, days: number): string[] {
  return problems({
    ...tinyScenario(),
    days,
    feedback: { consumers: { training: { referencePrice } } },
  });
}
const REFERENCE_PRICE = "feedback.consumers.training.referencePrice";

describe("bad input is refused with every problem listed by path", () => {
  it("accepts the tiny scenario (so the cases below fail for their one reason)", () => {
    expect(problems(tinyScenario())).toEqual([]);
  });
  it("unknown keys", () => {
    const p = problems({ ...tinyScenario(), colour: "red", onchain: { buyback: 1 } });
    expect(p).toContain("colour: unknown key");
    expect(p.find((l) => l.startsWith("onchain.buyback:"))).toContain("unknown key");
  });
  it("a mistyped key is answered with the allowed key it is closest to, at its own place", () => {
    const s = tinyScenario();
    const p = problems({
      ...s,
      dyas: 30, // swapped letters: one edit
      suppliers: [{ ...s.suppliers![0], nme: "x" }], // a letter missing, inside a list
      zzzz: 1, // nothing near: no suggestion
    });
    expect(p).toContain("dyas: unknown key (did you mean days?)");
    expect(p).toContain("suppliers[0].nme: unknown key (did you mean name?)");
    expect(p).toContain("zzzz: unknown key");
  });
  it("wrong types", () => {
    const s = tinyScenario();
    const p = problems({
      ...s,
      consumers: [{ ...s.consumers![0], jobsPerDay: { start: 10, slope: "fast" } }],
    });
    expect(p).toEqual(['consumers[0].jobsPerDay.slope: expected number, got "fast"']);
  });
  it("negative prices", () => {
    const s = tinyScenario();
    const p = problems({ ...s, consumers: [{ ...s.consumers![0], unitPrice: -3 }] });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^consumers\[0\]\.unitPrice: .*>=0.*-3/);
  });
  it("a price-matrix row not summing to 1, used or not", () => {
    const p = problems({
      ...tinyScenario(),
      priceMatrix: { unused: { modelTrainingProviders: 0.6, rawDataProviders: 0.3 } },
    });
    expect(p).toEqual([
      'priceMatrix.unused: row "unused" must sum to 1 (±1e-9), got 0.8999999999999999',
    ]);
  });
  it("a row paying a supplier class the scenario does not declare", () => {
    const s = tinyScenario();
    const p = problems({
      ...s,
      consumers: [{ ...s.consumers![0], row: "trainingToServingPipeline" }],
    });
    expect(p[0]).toContain("consumers[0].row");
    expect(p[0]).toContain("modelInferenceProviders");
  });
  it("a schedule naming an unknown variable", () => {
    const p = problems({ ...tinyScenario(), schedule: [{ day: 3, set: { buybackModulaton: 1 } }] });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      /^schedule\[0\]\.set\.buybackModulaton: unknown key \(on-chain variables: buybackModulation/,
    );
  });
  it("a scheduled value out of its range, and limits crossing after a vote", () => {
    const p = problems({
      ...tinyScenario(),
      schedule: [
        { day: 3, set: { fiatOperationsFraction: 1.5 } },
        { day: 4, set: { lowerTokenReserveLimit: 0.5 } },
      ],
    });
    expect(p.some((l) => l.startsWith("schedule[0].set.fiatOperationsFraction:"))).toBe(true);
  });
  it("crossing reserve limits after a vote", () => {
    const p = problems({
      ...tinyScenario(),
      schedule: [{ day: 4, set: { lowerTokenReserveLimit: 0.5 } }],
    });
    expect(p).toEqual([
      "schedule[0].set.lowerTokenReserveLimit: must be ≤ tokenReserveRestoreLevel (0.2), got 0.5",
    ]);
  });
  it("NaN", () => {
    expect(problems({ ...tinyScenario(), consumerSentiment: { start: Number.NaN } })).toEqual([
      "consumerSentiment.start: expected number, got NaN",
    ]);
  });
  it("a 10^9-day horizon", () => {
    const p = problems({ ...tinyScenario(), days: 1e9 });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^days: .*36500/);
  });
  it("a missing CSV file", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    const s = tinyScenario();
    const p = problems(
      { ...s, consumers: [{ ...s.consumers![0], jobsPerDay: { csv: "nope.csv", column: "a" } }] },
      dir,
    );
    expect(p).toEqual([`consumers[0].jobsPerDay.csv: no such CSV file: ${join(dir, "nope.csv")}`]);
  });
  it("a phase-2 mint of 0 without phase2Modulation", () => {
    expect(problems({ ...tinyScenario(), onchain: { phaseTwoMintAmount: 0 } })).toEqual([
      "onchain.phase2Modulation: must be given (> 0) when phaseTwoMintAmount is 0",
    ]);
  });
  it("allocation tables that do not sum to 1, lack the ops fund, or leave nothing circulating", () => {
    const t = (allocation: object) => problems({ ...tinyScenario(), tokens: { allocation } });
    expect(t({ opsFund: { fraction: 0.5 }, team: { fraction: 0.4 } })[0]).toContain(
      "tokens.allocation: fractions must sum to 1",
    );
    expect(t({ team: { fraction: 1 } })[0]).toContain("tokens.allocation.opsFund");
    expect(
      t({ opsFund: { fraction: 0.5 }, team: { fraction: 0.5, vesting: { linearDays: 10 } } })[0],
    ).toContain("nothing circulating");
  });
  it("duplicate names", () => {
    const s = tinyScenario();
    expect(problems({ ...s, consumers: [s.consumers![0], s.consumers![0]] })).toEqual([
      'consumers[1].name: duplicate name "training"',
    ]);
  });
  it("lists several problems at once", () => {
    expect(problems({ ...tinyScenario(), days: 0, colour: 1, consumerSentiment: -1 })).toHaveLength(
      3,
    );
  });
});

describe("the speculators' starting tokens (E44's book)", () => {
  // tiny: initialSupply 1000; a pool of 100 leaves 900 circulating on day 0
  const withBook = (startingTokens: unknown) =>
    problems({
      ...tinyScenario(),
      feedback: {
        amm: { poolTokens: 100, poolUsd: 100 },
        speculators: { sensitivity: 1, capitalUsd: 10, startingTokens },
      },
    });
  it("at most what circulates outside the pool on day 0, naming both numbers", () => {
    expect(withBook(900)).toEqual([]);
    expect(withBook(0)).toEqual([]);
    expect(withBook(900.5)).toEqual([
      "feedback.speculators.startingTokens: 900.5 is more than the tokens circulating on day 0 outside the pool, initialSupply 1000 − amm.poolTokens 100 = 900: the speculators' tokens are some of those (E44)",
    ]);
  });
  it("a number ≥ 0 and at most the largest amount", () => {
    expect(withBook(-1)).toEqual([
      "feedback.speculators.startingTokens: Too small: expected number to be >=0, got -1",
    ]);
    expect(withBook(1e16)[0]).toMatch(
      /^feedback\.speculators\.startingTokens: Too big: .*1000000000000000/,
    );
    expect(withBook("many")).toEqual([
      'feedback.speculators.startingTokens: expected number, got "many"',
    ]);
  });
});

describe("overrides (--set)", () => {
  it("sets nested fields, list elements by name or index, and validates the result", () => {
    const s = prepareScenario(tinyScenario(), {
      set: [
        "onchain.buybackModulation=0.5",
        "consumers.training.unitPrice=12",
        "suppliers[0].phaseOneTarget=7",
        "governanceValue.start=3",
      ],
    }).scenario;
    expect(s.onchain.buybackModulation).toBe(0.5);
    expect(s.consumers[0].unitPrice).toBe(12);
    expect(s.suppliers[0].phaseOneTarget).toBe(7);
    expect(s.governanceValue).toEqual({ start: 3, slope: 0, noise: 0, startDay: 0, min: 0 });
  });
  it("refuses an override the schema refuses, naming the field", () => {
    expect(() => prepareScenario(tinyScenario(), { set: ["onchain.buybackModulation=2"] })).toThrow(
      /onchain\.buybackModulation/,
    );
    expect(() =>
      prepareScenario(tinyScenario(), { set: ["consumers.nobody.unitPrice=1"] }),
    ).toThrow(/no element named "nobody"/);
    expect(() => prepareScenario(tinyScenario(), { set: ["novalue"] })).toThrow(/path=value/);
  });
  it("a CSV column where a value has no CSV form: one message saying so, not one per other form", () => {
    const at = REFERENCE_PRICE;
    expect(
      problems({
        ...tinyScenario(),
        feedback: { consumers: { training: { referencePrice: { csv: "p.csv", column: "p" } } } },
      }),
    ).toEqual([
      `${at}: a CSV column is not one of the forms this value takes (a CSV column is read for consumers' jobsPerDay, suppliers' count, consumerSentiment and governanceValue): write its values here as { values: [...] }, or see \`bme schema\` for its forms`,
    ]);
  });
  it("a number with a thousands separator in a flow mapping, in a file or a --set value", () => {
    // YAML: `{ poolTokens: 500,000, poolUsd: 20000 }` is poolTokens 500 and a key 000 (0), no value
    const message =
      "a key 0 with no value — a number written with a thousands separator, such as 500,000, inside { … } reads as 500 and a key 000: write 500000";
    const text = "feedback:\n  amm: { poolTokens: 500,000, poolUsd: 20000 }\n";
    expect(() => parseScenarioText(text, "s.yaml", false)).toThrow(`feedback.amm: ${message}`);
    expect(() =>
      prepareScenario(tinyScenario(), { set: ["feedback.amm={poolTokens: 500,000, poolUsd: 1}"] }),
    ).toThrow(`feedback.amm: ${message}`);
    // the number written whole is read
    expect(parseScenarioText("a: { b: 500000 }\n", "s.yaml", false)).toEqual({ a: { b: 500000 } });
  });
  it("null removes a field, as in an extending file", () => {
    const base = tinyScenario({ feedback: { amm: { poolTokens: 100, poolUsd: 100 } } });
    expect(prepareScenario(base).scenario.feedback?.amm).toBeDefined();
    const s = prepareScenario(base, { set: ["feedback.amm=null"] }).scenario;
    expect(s.feedback?.amm).toBeUndefined();
    // a removed required field is named as missing, not as null
    expect(() =>
      prepareScenario(tinyScenario(), { set: ["consumers.training.unitPrice=null"] }),
    ).toThrow("consumers[0].unitPrice: required (number)");
  });
  it("--deterministic sets every noise to 0", () => {
    const s = prepareScenario(tinyScenario({ consumerSentiment: { start: 5, noise: 2 } }), {
      deterministic: true,
    }).scenario;
    expect(s.consumerSentiment).toMatchObject({ start: 5, noise: 0 });
  });
});

describe("CSV series", () => {
  it("reads a named column relative to the scenario file, skipping blank lines", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    writeFileSync(join(dir, "d.csv"), "day,jobs\n0,5\n\n1,7\n2,9\n");
    const s = tinyScenario();
    writeFileSync(
      join(dir, "s.json"),
      JSON.stringify({
        ...s,
        consumers: [{ ...s.consumers![0], jobsPerDay: { csv: "d.csv", column: "jobs" } }],
      }),
    );
    const loaded = loadScenario(join(dir, "s.json")).scenario;
    expect(loaded.consumers[0].jobsPerDay).toEqual({ values: [5, 7, 9] });
  });
  it("refuses an empty cell or a missing column, naming the file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "bme-"));
    writeFileSync(join(dir, "d.csv"), "day,jobs\n0,5\n1,\n");
    const s = tinyScenario();
    const raw = (column: string) => ({
      ...s,
      consumers: [{ ...s.consumers![0], jobsPerDay: { csv: "d.csv", column } }],
    });
    expect(problems(raw("jobs"), dir)[0]).toContain('line 3: empty cell in column "jobs"');
    expect(problems(raw("nope"), dir)[0]).toContain('no column "nope" (columns: day, jobs)');
  });
});

describe("a field that would silently do nothing is refused, naming it", () => {
  const withFeedback = (feedback: unknown) => problems({ ...tinyScenario(), feedback });

  it("a reference price trend starting below 0, as a negative constant is", () => {
    // E48 reads a reference of 0 as "no alternative": a trend clamped to 0 would switch
    // elasticity off without a word; the constant −3 has always been refused
    const at = REFERENCE_PRICE;
    expect(withFeedback({ consumers: { training: { referencePrice: -3 } } })).toEqual([
      `${at}: Too small: expected number to be >=0, got -3`,
    ]);
    expect(withFeedback({ consumers: { training: { referencePrice: { start: -5 } } } })).toEqual([
      `${at}.start: Too small: expected number to be >=0, got -5`,
    ]);
    // a price of 0 on the start day is still "no alternative", as the constant 0 is
    expect(withFeedback({ consumers: { training: { referencePrice: { start: 0 } } } })).toEqual([]);
  });

  it("a dynamic class whose ceiling is below its start; a --set of its unused count series warns", () => {
    const k = "modelTrainingProviders";
    const dyn = (extra: object) => ({
      suppliers: { classes: { [k]: { costPerDay: 10, dynamic: { start: 5 }, ...extra } } },
    });
    expect(withFeedback(dyn({ maxCount: 2 }))).toEqual([
      `feedback.suppliers.classes.${k}.maxCount: below dynamic.start (5): the class would start above its own ceiling (E42); raise maxCount to at least 5 or lower dynamic.start`,
    ]);
    expect(withFeedback(dyn({ maxCount: 5 }))).toEqual([]);
    // E42 counts a dynamic class from dynamic.start: its own count series changes nothing
    const warned = (feedback: object, path = `suppliers.${k}.count`) =>
      prepareScenario({ ...tinyScenario(), feedback }, { set: [`${path}=100`] }).warnings;
    expect(warned(dyn({}))).toEqual([
      `--set suppliers.${k}.count: class ${k} is dynamic (E42), so its count series is not used; set feedback.suppliers.classes.${k}.dynamic.start for its day-0 count`,
    ]);
    // the class picked by index, as --set allows, and a field of the series
    expect(warned(dyn({}), "suppliers[0].count")[0]).toMatch(/^--set suppliers\[0\]\.count: class/);
    expect(warned(dyn({}), "suppliers.0.count.start")).toHaveLength(1);
    expect(warned({ suppliers: { classes: { [k]: { costPerDay: 10 } } } })).toEqual([]);
  });

  it("a dynamic class whose count series in the file is not 0 warns: the series is not used (decision 335)", () => {
    const k = "modelTrainingProviders";
    const feedback = {
      suppliers: { classes: { [k]: { costPerDay: 10, dynamic: { start: 5 } } } },
    };
    // tinyScenario's class has count 3, which E42 ignores for a dynamic class
    const warned = (count: unknown, set: string[] = []) => {
      const s = tinyScenario();
      const suppliers = [{ ...s.suppliers![0], count }];
      return prepareScenario({ ...s, suppliers, feedback }, { set }).warnings;
    };
    const WHY = `class ${k} is dynamic (E42), so its count series is not used; set feedback.suppliers.classes.${k}.dynamic.start for its day-0 count`;
    expect(warned(3)).toEqual([`suppliers[0].count: ${WHY} (or write count: 0)`]);
    expect(warned({ start: 2, slope: 1 })).toEqual([
      `suppliers[0].count: ${WHY} (or write count: 0)`,
    ]);
    // the placeholder the shipped scenarios write says nothing
    expect(warned(0)).toEqual([]);
    // a --set of the count is warned about once, as a --set
    expect(warned(3, [`suppliers.${k}.count=7`])).toEqual([`--set suppliers.${k}.count: ${WHY}`]);
    // an exogenous class's count is used: no warning
    const s = tinyScenario();
    const plain = { suppliers: { classes: { [k]: { costPerDay: 10 } } } };
    expect(prepareScenario({ ...s, feedback: plain }).warnings).toEqual([]);
  });

  it("a reference price trend that falls to 0 within the scenario's days", () => {
    // 120 − t reaches 0 on day 120 (E48: "no alternative" from then on, demand back to its level)
    const s = referencePriceProblems;
    const falling = { start: 120, slope: -1 };
    expect(s(falling, 180)).toEqual([
      "feedback.consumers.training.referencePrice: falls to 0 on day 120, which means no alternative (E48): from that day demand would ignore the job's price, however cheap the cloud had become; give a min above 0 or a slope that keeps it positive over the 180 days",
    ]);
    // from startDay 10: 0 ("no alternative") on days 0 … 9, and 120 − (t − 10) reaches 0 on day 130
    expect(s({ ...falling, startDay: 10 }, 180)).toEqual([
      "feedback.consumers.training.referencePrice: reads 0 before its startDay 10, which means no alternative (E48): on days 0 … 9 demand would ignore the job's price and then change at once on day 10; give startDay 0 (the start value is then day 0's) or a values list for every day",
      expect.stringContaining("falls to 0 on day 130,"),
    ]);
    // a rising trend from day 2 reads 0 on days 0 and 1 (a newcomer's case: demand 100, 100, then 50)
    expect(s({ start: 30, slope: 10, startDay: 2 }, 180)).toEqual([
      expect.stringContaining(
        "reads 0 before its startDay 2, which means no alternative (E48): on days 0 … 1 ",
      ),
    ]);
    expect(s({ start: 30, slope: 10 }, 180)).toEqual([]);
    // the last day, 119, still has 1 usd/job; a floor keeps it above 0 for good
    expect(s(falling, 120)).toEqual([]);
    expect(s({ ...falling, min: 5 }, 180)).toEqual([]);
  });

  it("a reference price trend that rises from 0 to a price within the run (decision 333)", () => {
    const s = referencePriceProblems;
    const at = REFERENCE_PRICE;
    // 0 + 1 · t: 0 ("no alternative") on day 0, 1 usd/job on day 1
    expect(s({ start: 0, slope: 1 }, 180)).toEqual([
      `${at}: reads 0 on day 0, which means no alternative (E48), and 1 on day 1: demand would ignore the job's price until then and change at once on day 1; give a start above 0 (or a min above 0) or a values list for every day`,
    ]);
    // from startDay 3: 0 before it and on it (max(0, 0 + 2 · 0)), 2 usd/job on day 4
    expect(s({ start: 0, slope: 2, startDay: 3 }, 180)).toEqual([
      expect.stringContaining(
        ": reads 0 on days 0 … 3, which means no alternative (E48), and 2 on day 4:",
      ),
    ]);
    // a one-day run never reaches the price; a min above 0 never reads 0; 0 every day is the
    // constant 0 (no alternative all run, no jump)
    expect(s({ start: 0, slope: 1 }, 1)).toEqual([]);
    expect(s({ start: 0, slope: 1, min: 0.5 }, 180)).toEqual([]);
    expect(s({ start: 0, slope: -1 }, 180)).toEqual([]);
  });

  it("a reference price trend that passes 1e15 usd/job within the run (decision 333)", () => {
    const s = referencePriceProblems;
    const at = REFERENCE_PRICE;
    // 1e14 + 1e13 · t is exactly 1e15 on day 90 and 1.01e15 on day 91
    expect(s({ start: 1e14, slope: 1e13 }, 180)).toEqual([
      `${at}: reaches 1.01e+15 on day 91, above 1e15 usd/job, the largest reference price (docs/limits.md); give a slope that keeps it at most 1e15 over the 180 days`,
    ]);
    expect(s({ start: 1e14, slope: 1e13 }, 91)).toEqual([]);
    // the newcomer's case: 10 on day 0, 10 + 1e15 on day 1
    expect(s({ start: 10, slope: 1e15 }, 180)).toEqual([
      expect.stringContaining(": reaches 1.00000000000001e+15 on day 1, above 1e15 usd/job"),
    ]);
  });

  it("an elasticity or multiplier cap without a reference price", () => {
    const at = "feedback.consumers.training";
    expect(withFeedback({ consumers: { training: { elasticity: 2 } } })).toEqual([
      `${at}.elasticity: needs referencePrice (E48): without a reference price demand does not respond to the job's price, so elasticity would do nothing; give ${at}.referencePrice or remove elasticity (null in an extending file)`,
    ]);
    expect(withFeedback({ consumers: { training: { maxMultiplier: 3 } } })[0]).toMatch(
      /^feedback\.consumers\.training\.maxMultiplier: needs referencePrice/,
    );
    expect(
      withFeedback({ consumers: { training: { referencePrice: 12, elasticity: 2 } } }),
    ).toEqual([]);
  });

  it("a churn parameter on a class that does not churn (no dynamic)", () => {
    const at = "feedback.suppliers.classes.modelTrainingProviders";
    const classes = (economics: unknown) =>
      withFeedback({ suppliers: { classes: { modelTrainingProviders: economics } } });
    expect(classes({ costPerDay: 1, exitElasticity: 0.5 })).toEqual([
      `${at}.exitElasticity: needs dynamic (E42): without it the class's count is its own series and does not churn, so exitElasticity would do nothing; give ${at}.dynamic: { start } or remove exitElasticity (null in an extending file)`,
    ]);
    for (const key of ["entryElasticity", "maxEntryRate", "maxExitRate", "maxCount"])
      expect(classes({ costPerDay: 1, [key]: 0.5 })[0]).toMatch(
        new RegExp(`^${at.replaceAll(".", "\\.")}\\.${key}: needs dynamic \\(E42\\)`),
      );
    // the margin alone (no churn) and churn with dynamic are fine
    expect(classes({ costPerDay: 1 })).toEqual([]);
    expect(classes({ costPerDay: 1, dynamic: { start: 3 }, exitElasticity: 0.5 })).toEqual([]);
  });

  it("a misspelt class or type name lists the names there are and the nearest", () => {
    const economics = { costPerDay: 1, dynamic: { start: 3 } };
    expect(withFeedback({ suppliers: { classes: { modelTrainingProvider: economics } } })).toEqual([
      'feedback.suppliers.classes.modelTrainingProvider: no supplier class named "modelTrainingProvider" (supplier classes: modelTrainingProviders; did you mean modelTrainingProviders?)',
    ]);
    // nothing near: the list alone
    expect(withFeedback({ consumers: { inference: { referencePrice: 1 } } })).toEqual([
      'feedback.consumers.inference: no consumer type named "inference" (consumer types: training)',
    ]);
    expect(
      problems({
        ...tinyScenario(),
        stochastic: { series: { trainng: { gbm: { drift: 0, volatility: 0.1 } } } },
      }),
    ).toEqual([
      'stochastic.series.trainng: unknown series "trainng" (series: training, modelTrainingProviders, consumerSentiment, governanceValue; did you mean training?)',
    ]);
  });
});

describe("an absurdly thin pool is named in a warning (E45)", () => {
  const warnings = (amm: { poolTokens: number; poolUsd: number }) =>
    prepareScenario({ ...tinyScenario(), feedback: { amm } }).warnings;
  it("a reserve below a millionth of what it trades against, with the ratio", () => {
    // tiny: initial supply 1000; the day's buys at most 100 usd of exchange demand plus 10 jobs
    // × $10 = 200 usd. 1e-12 tokens is 1e-15 of the supply, 1e-12 usd is 5e-15 of the buys.
    expect(warnings({ poolTokens: 1e-12, poolUsd: 1e-12 })).toEqual([
      "feedback.amm.poolTokens: 1e-12 is 1.0e-15 of the initial supply (1000); a pool this thin moves the price by orders of magnitude on every trade (E45)",
      "feedback.amm.poolUsd: 1e-12 is 5.0e-15 of the largest day's buys (about 200 usd: exchange demand, governance value and job income at their peaks); a pool this thin moves the price by orders of magnitude on every trade (E45)",
    ]);
    // exactly a millionth is not below it: 1e-3 tokens of 1000, 2e-4 usd of 200
    expect(warnings({ poolTokens: 1e-3, poolUsd: 2e-4 })).toEqual([]);
    expect(warnings({ poolTokens: 100, poolUsd: 1e-4 })).toHaveLength(1);
  });
});

describe("a priceFloor the user gives is named in a warning with a pool (E45)", () => {
  const WHY = "ignored with feedback.amm: the pool's price has no floor (E45)";
  const amm = { poolTokens: 100, poolUsd: 100 };
  const floors = {
    onchain: { priceFloor: 0.01 },
    schedule: [{ day: 3, set: { priceFloor: 0.02 } }],
    rules: [
      { name: "a", kind: "threshold", column: "demand", below: 60, set: { priceFloor: 0.5 } },
      {
        name: "b",
        kind: "pi",
        variable: "priceFloor",
        column: "demand",
        target: 100,
        kp: 1,
        ki: 0,
        min: 0.001,
        max: 1,
      },
    ],
  } as const;
  it("in onchain, a schedule vote, a threshold rule's set and as a PI rule's variable", () => {
    const w = prepareScenario({ ...tinyScenario(), ...floors, feedback: { amm } }).warnings;
    expect(w).toEqual([
      `onchain.priceFloor: ${WHY}`,
      `schedule[0].set.priceFloor: ${WHY}`,
      `rules[0].set.priceFloor: ${WHY}`,
      `rules[1].variable: ${WHY}`,
    ]);
  });
  it("not without a pool (E10 applies the floor), nor for the default floor with one", () => {
    expect(prepareScenario({ ...tinyScenario(), ...floors }).warnings).toEqual([]);
    expect(prepareScenario({ ...tinyScenario(), feedback: { amm } }).warnings).toEqual([]);
  });
  it("a --set of it warns too", () => {
    const w = prepareScenario(
      { ...tinyScenario(), feedback: { amm } },
      { set: ["onchain.priceFloor=0.5"] },
    ).warnings;
    expect(w).toEqual([`onchain.priceFloor: ${WHY}`]);
  });
});

describe("a trend clamped to its floor on every day is named in a warning", () => {
  const warnings = (jobsPerDay: unknown) => {
    const s = tinyScenario();
    return prepareScenario({ ...s, consumers: [{ ...s.consumers![0], jobsPerDay }] }).warnings;
  };
  it("a negative start that no slope lifts above min within the 10 days", () => {
    // −5 + 0.5 · 9 = −0.5 on the last day: still ≤ 0, so every day is max(0, …) = 0
    expect(warnings({ start: -5, slope: 0.5 })).toEqual([
      "consumers[0].jobsPerDay: start -5 (slope 0.5) stays at or below min (0) on every day of the run: the series is 0 every day",
    ]);
    // −5 + 1 · 9 = 4 > 0: a ramp that starts on day 6, no warning; nor with noise (a draw lifts it)
    expect(warnings({ start: -5, slope: 1 })).toEqual([]);
    expect(warnings({ start: -5, noise: 1 })).toEqual([]);
  });
});
