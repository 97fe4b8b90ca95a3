import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { readShipped, resolvePastedExtends } from "../../src/server/scenarios.js";

/** A served scenarios folder: a base with a CSV series in data/, and a variant in a sub-folder. */
function served(): string {
  const d = mkdtempSync(join(tmpdir(), "bme-served-"));
  const files: Record<string, string> = {
    "data/d.csv": "jobs\n4\n5\n",
    "base.yaml": "name: base\ndays: 2\nconsumerSentiment: { csv: data/d.csv, column: jobs }\n",
    "sub/x.yaml": "extends: ../base.yaml\nname: x\n",
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

describe("the dashboard reads a base's CSV series from the base's folder", () => {
  it("a shipped variant in a sub-folder gets its parent base's series inlined", () => {
    const s = readShipped(served(), "sub/x");
    expect(s?.problems).toEqual([]);
    expect((s!.raw as { consumerSentiment: unknown }).consumerSentiment).toEqual({
      values: [4, 5],
    });
  });

  it("a pasted scenario extending that variant too", () => {
    const r = resolvePastedExtends({ extends: "sub/x.yaml", days: 2 }, served());
    expect(r.problems).toEqual([]);
    expect((r.raw as { consumerSentiment: unknown }).consumerSentiment).toEqual({
      values: [4, 5],
    });
  });
});
