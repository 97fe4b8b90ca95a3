import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Fingerprint,
  fingerprint,
  GOLDEN_FILE,
  runShipped,
  shippedScenarios,
} from "./outputs.js";

// Fingerprints of every shipped scenario's outputs, generated from main before the day was
// rewritten as one step sequence (issue 15): every output must stay byte-identical.
const golden = JSON.parse(readFileSync(GOLDEN_FILE, "utf8")) as Record<string, Fingerprint>;

describe("shipped scenarios' outputs are byte-identical to the committed fixtures", () => {
  it("covers every shipped scenario", () => {
    expect(Object.keys(golden).sort()).toEqual(shippedScenarios());
  });
  for (const file of Object.keys(golden)) {
    it(`${file} (${golden[file].mode})`, () => {
      expect(fingerprint(runShipped(file))).toEqual(golden[file]);
    });
    if (golden[file].mode === "aggregate")
      it(`${file} with the step-sequence (reference) engine`, () => {
        expect(fingerprint(runShipped(file, true))).toEqual(golden[file]);
      });
  }
});
