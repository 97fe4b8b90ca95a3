import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { column } from "../../src/engine/result.js";
import { mergeScenario } from "../../src/scenario/extends.js";
import { loadScenario } from "../../src/scenario/load.js";
import { simulate } from "../../src/simulate.js";
import { SCENARIOS_DIR, WHITEPAPER } from "../helpers.js";

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "bme-extends-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

/** A temporary folder with files at relative paths (sub-folders made as needed). */
function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "bme-extends-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe("extends", () => {
  it("merges objects key by key and lists by name, keeping the base's order", () => {
    const base = {
      a: { x: 1, y: 2 },
      consumers: [
        { name: "p", unitPrice: 1, jobsPerDay: { start: 5, noise: 1 } },
        { name: "q", unitPrice: 2 },
      ],
      values: [1, 2, 3],
      gone: 4,
    };
    const over = {
      a: { y: 3 },
      consumers: [
        { name: "q", unitPrice: 9 },
        { name: "r", unitPrice: 7 },
        { name: "p", jobsPerDay: { noise: 0 } },
      ],
      values: [9],
      gone: null,
    };
    expect(mergeScenario(base, over)).toEqual({
      a: { x: 1, y: 3 },
      consumers: [
        { name: "p", unitPrice: 1, jobsPerDay: { start: 5, noise: 0 } },
        { name: "q", unitPrice: 9 },
        { name: "r", unitPrice: 7 },
      ],
      values: [9],
    });
  });

  it("a file extending the whitepaper with one vote equals the whitepaper plus that vote", () => {
    const d = dir({
      "sec.yaml": `extends: ${WHITEPAPER}\nname: sec\nonchain: { buybackModulation: 0.5 }\nschedule: [{ day: 90, set: { buybackModulation: 1 } }]\n`,
    });
    const s = loadScenario(join(d, "sec.yaml")).scenario;
    const wp = loadScenario(WHITEPAPER).scenario;
    expect(s.onchain).toEqual({ ...wp.onchain, buybackModulation: 0.5 });
    expect(s.consumers).toEqual(wp.consumers);
    expect(s.schedule).toEqual([{ day: 90, set: { buybackModulation: 1 } }]);
    // the shipped SEC case (written out whole) gives the same table
    const shipped = loadScenario(
      WHITEPAPER.replace("whitepaper.yaml", "whitepaper-sec-case.yaml"),
    ).scenario;
    const a = simulate({ ...s, name: shipped.name, description: shipped.description }, { seed: 1 });
    const b = simulate(shipped, { seed: 1 });
    expect(column(a, "priceOfToken")).toEqual(column(b, "priceOfToken"));
  });

  it("replaces a series given in another form whole: a CSV column over a trend", () => {
    const d = dir({
      "data.csv": "jobs\n10\n20\n30\n",
      "csv.yaml": `extends: ${WHITEPAPER}\nname: csv\ndays: 3\nconsumers: [{ name: gpuTraining, jobsPerDay: { csv: data.csv, column: jobs } }]\n`,
    });
    const s = loadScenario(join(d, "csv.yaml")).scenario;
    const training = s.consumers.find((c) => c.name === "gpuTraining")!;
    expect(training.jobsPerDay).toEqual({ values: [10, 20, 30] });
    // the other way round too, and a partial trend still merges key by key
    expect(mergeScenario({ s: { values: [1, 2] } }, { s: { start: 5 } })).toEqual({
      s: { start: 5 },
    });
    expect(mergeScenario({ s: { start: 5, noise: 1 } }, { s: { noise: 0 } })).toEqual({
      s: { start: 5, noise: 0 },
    });
    expect(mergeScenario({ s: { csv: "a.csv", column: "x" } }, { s: { column: "y" } })).toEqual({
      s: { csv: "a.csv", column: "y" },
    });
  });

  it("refuses two items of one name in the extending file, as in a file of its own", () => {
    const d = dir({
      "dup.yaml": `extends: ${WHITEPAPER}\nname: dup\nconsumers: [${["4", "5"].map((p) => `{ name: x, row: inferenceSeekers, unitPrice: ${p}, unitsPerJob: 1, jobsPerDay: 3 }`).join(", ")}]\n`,
    });
    expect(() => loadScenario(join(d, "dup.yaml"))).toThrow(/duplicate name "x"/);
  });

  it("names a mix of two forms of one series as such, not as an unknown key", () => {
    const d = dir({
      "mix.yaml": `extends: ${WHITEPAPER}\nname: mix\nconsumers: [{ name: gpuTraining, jobsPerDay: { start: 5, values: [1] } }]\n`,
    });
    let message = "";
    try {
      loadScenario(join(d, "mix.yaml"));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/belongs to another of its forms/);
    expect(message).not.toMatch(/did you mean (values|start)\?/);
  });

  it("follows a chain of bases relative to each file", () => {
    const d = dir({
      "b.yaml": `extends: ${WHITEPAPER}\ndays: 60\n`,
      "c.yaml": "extends: ./b.yaml\nname: c\n",
    });
    const s = loadScenario(join(d, "c.yaml")).scenario;
    expect([s.name, s.days, s.consumers.length]).toEqual(["c", 60, 4]);
  });

  it("refuses a cycle, naming the chain", () => {
    const d = dir({ "x.yaml": "extends: ./y.yaml\n", "y.yaml": "extends: ./x.yaml\n" });
    expect(() => loadScenario(join(d, "x.yaml"))).toThrow(
      `cycle: ${join(d, "x.yaml")} → ${join(d, "y.yaml")} → ${join(d, "x.yaml")}`,
    );
  });

  it("refuses a missing base, naming its path", () => {
    const d = dir({ "x.yaml": "extends: ./nowhere.yaml\n" });
    expect(() => loadScenario(join(d, "x.yaml"))).toThrow(
      `no such base scenario: ${join(d, "nowhere.yaml")}`,
    );
  });

  it("reads each file's relative CSV paths from that file's folder, along a chain of three", () => {
    const d = tree({
      "base/data/a.csv": "jobs,s,s2\n10,1,7\n20,2,8\n30,3,9\n",
      "base/base.yaml": `extends: ${WHITEPAPER}\ndays: 3\nconsumers: [{ name: gpuTraining, jobsPerDay: { csv: data/a.csv, column: jobs } }]\nconsumerSentiment: { csv: data/a.csv, column: s }\n`,
      // the middle file's own series, from its own data folder (which has no a.csv)
      "mid/data/b.csv": "n\n4\n5\n6\n",
      "mid/mid.yaml":
        "extends: ../base/base.yaml\nconsumers: [{ name: inference, jobsPerDay: { csv: data/b.csv, column: n } }]\n",
      // the top file changes only the column of the base's sentiment series (same file)
      "top/top.yaml": "extends: ../mid/mid.yaml\nname: top\nconsumerSentiment: { column: s2 }\n",
    });
    const s = loadScenario(join(d, "top/top.yaml")).scenario;
    const jobs = (n: string) => s.consumers.find((c) => c.name === n)!.jobsPerDay;
    expect(jobs("gpuTraining")).toEqual({ values: [10, 20, 30] });
    expect(jobs("inference")).toEqual({ values: [4, 5, 6] });
    expect(s.consumerSentiment).toEqual({ values: [7, 8, 9] });
  });

  it("an extending file elsewhere than a shipped base with CSV series loads as the base does", () => {
    // the user's case: /tmp/x.yaml extending scenarios/feedback/death-spiral.yaml, whose
    // demand comes from scenarios/feedback/data/demand-crash.csv
    const base = join(SCENARIOS_DIR, "feedback/death-spiral.yaml");
    const d = tree({ "x.yaml": `extends: ${base}\nname: x\n` });
    const s = loadScenario(join(d, "x.yaml")).scenario;
    const b = loadScenario(base).scenario;
    expect(s.consumers).toEqual(b.consumers);
    expect(s.consumerSentiment).toEqual(b.consumerSentiment);
  });
});
