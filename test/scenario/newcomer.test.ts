import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/scenario/errors.js";
import { loadScenario } from "../../src/scenario/load.js";

const dir = mkdtempSync(join(tmpdir(), "bme-newcomer-"));

describe("found by a newcomer", () => {
  it("extends: a base that is not a mapping of scenario fields is refused, naming it", () => {
    writeFileSync(join(dir, "str.yaml"), "just a string\n");
    writeFileSync(join(dir, "ext.yaml"), "extends: ./str.yaml\nname: x\n");
    let error: unknown;
    try {
      loadScenario(join(dir, "ext.yaml"));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message).toContain("str.yaml is not a scenario");
  });
  it("an empty file, a list or a number is not a scenario, said in those words", () => {
    const cases: [string, string, string][] = [
      ["blank.yaml", "\n", "the scenario is empty: it is a mapping of fields"],
      ["comment.yaml", "# nothing yet\n", "the scenario is empty"],
      [
        "list.yaml",
        "- 1\n- 2\n",
        "expected a mapping of scenario fields (name, days, consumers, suppliers, …), got a list",
      ],
      ["number.yaml", "42\n", "got a number"],
    ];
    for (const [file, text, message] of cases) {
      writeFileSync(join(dir, file), text);
      expect(() => loadScenario(join(dir, file)), file).toThrow(ScenarioError);
      expect(() => loadScenario(join(dir, file)), file).toThrow(message);
    }
  });
  it("a scenario with no consumer types is valid but warned about", () => {
    writeFileSync(join(dir, "empty.yaml"), "{}\n");
    const { warnings } = loadScenario(join(dir, "empty.yaml"));
    expect(warnings.some((w) => w.startsWith("consumers: none declared"))).toBe(true);
  });
});
