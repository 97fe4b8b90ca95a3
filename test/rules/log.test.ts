import { describe, expect, it } from "vitest";
import { governanceCsv, governancePath } from "../../src/rules/log.js";

describe("the governance log file", () => {
  it("sits next to the table as run.governance.csv whatever the table's format", () => {
    expect(governancePath("out/run.csv")).toBe("out/run.governance.csv");
    expect(governancePath("out/run.json")).toBe("out/run.governance.csv");
    // as run.meta.json and the marketplace's run.suppliers.csv: not run.parquet.governance.csv
    expect(governancePath("out/run.parquet")).toBe("out/run.governance.csv");
  });

  it("writes every field of a change", () => {
    expect(
      governanceCsv([
        { day: 3, rule: "defend", variable: "buybackModulation", old: 0.5, value: 1 },
      ]),
    ).toBe("day,rule,variable,old,value\n3,defend,buybackModulation,0.5,1\n");
  });
});
