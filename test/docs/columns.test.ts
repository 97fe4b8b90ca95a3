import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { feedbackColumnNames, feedbackColumnUnit } from "../../src/feedback/plan.js";
import type { Scenario } from "../../src/scenario/schema.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** The rows of the Markdown table under `heading` in `file`: [column, unit, …] without backticks. */
function tableRows(file: string, heading: string): string[][] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const from = text.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const line of text.slice(from).split("\n").slice(2)) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("| `")) continue;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim().replace(/^`|`$/g, "")),
    );
  }
  return rows;
}

describe("docs/model.md §7 documents every feedback column with its unit", () => {
  it("the table lists the columns feedbackColumnNames makes, in order, with the code's units", () => {
    // every part on (not a runnable scenario: the column list reads only these fields)
    const s = {
      mode: "marketplace",
      suppliers: [{ name: "hosts" }],
      feedback: {
        suppliers: { classes: { hosts: { dynamic: { start: 1 }, jobsPerSupplierPerDay: 1 } } },
        amm: { poolTokens: 1, poolUsd: 1 },
        speculators: { sensitivity: 1, capitalUsd: 1 },
        consumers: { jobs: { queueLossSensitivity: 1 } },
      },
    } as unknown as Scenario;
    const made = feedbackColumnNames(s);
    expect(made).toHaveLength(14);
    const rows = tableRows("docs/model.md", "### Feedback columns");
    expect(rows.map((r) => r[0])).toEqual(made.map((c) => c.replace(".hosts", ".<class>")));
    for (const [i, c] of made.entries()) expect(rows[i][1], c).toBe(feedbackColumnUnit(c));
  });

  it("README's Output and docs/outputs.md name each of them", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const outputs = readFileSync(join(ROOT, "docs/outputs.md"), "utf8");
    for (const [name] of tableRows("docs/model.md", "### Feedback columns")) {
      expect(readme, name).toContain(`\`${name}\``);
      expect(outputs, name).toContain(`\`${name}\``);
    }
  });
});
