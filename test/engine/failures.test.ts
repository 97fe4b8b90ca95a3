import { describe, expect, it } from "vitest";
import { COL } from "../../src/engine/columns.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { runKernel } from "../../src/engine/kernel.js";
import { NonFiniteValueError, NoPriceError } from "../../src/engine/outcome.js";
import { runReference } from "../../src/engine/reference.js";
import { InvariantViolation } from "../../src/mechanisms/invariants.js";
import { parseScenario } from "../../src/scenario/parse.js";
import { tinyScenario } from "../helpers.js";

/** A compiled tiny scenario, to corrupt in ways the schema would refuse. */
function compiled(): CompiledScenario {
  return compileScenario(parseScenario(tinyScenario()));
}

for (const [name, engine] of [
  ["kernel", runKernel],
  ["reference", runReference],
] as const) {
  describe(`a run that cannot go on stops, keeping its rows (${name})`, () => {
    if (name === "kernel")
      it("names the day and I1 when a day's arithmetic breaks conservation", () => {
        // the kernel's behaviour until it mirrors the day sequence's finite check (issue 9 item 2)
        const c = compiled();
        // a NaN series value on day 4 only: income, price and every balance after it are NaN
        c.seriesBase[0 * c.days + 4] = Number.NaN;
        const out = new Float64Array(c.columns.length * c.days);
        const o = engine(c, 0, 0, out);
        expect(o.error).toBeInstanceOf(InvariantViolation);
        expect((o.error as InvariantViolation).invariant).toBe("I1");
        expect((o.error as InvariantViolation).day).toBe(4);
        expect(o.error?.message).toMatch(/^day 4: invariant I1 violated: supply NaN/);
        expect(o.daysCompleted).toBe(5); // days 0–3 complete, and the failing day's row
        expect(out[COL.day * c.days + 3]).toBe(3);
        expect(Number.isFinite(out[COL.supply * c.days + 3])).toBe(true);
      });
    if (name === "reference")
      it("stops naming the day and the first non-finite column, keeping only whole rows", () => {
        const c = compiled();
        // a NaN series value on day 4 only: income (the first column in table order) is NaN
        c.seriesBase[0 * c.days + 4] = Number.NaN;
        const out = new Float64Array(c.columns.length * c.days);
        const o = engine(c, 0, 0, out);
        expect(o.error).toBeInstanceOf(NonFiniteValueError);
        expect(o.error?.message).toMatch(/^day 4: income would be NaN/);
        expect((o.error as NonFiniteValueError).column).toBe("income");
        expect(o.daysCompleted).toBe(4); // days 0–3; the failing day's row is not kept
        expect(out[COL.day * c.days + 3]).toBe(3);
      });
    it("stops with no price when demand meets a supply of 0 (E10)", () => {
      const c = compiled();
      (c as { initialSupply: number }).initialSupply = 0;
      const out = new Float64Array(c.columns.length * c.days);
      const o = engine(c, 0, 0, out);
      expect(o.error).toBeInstanceOf(NoPriceError);
      expect(o.error?.message).toContain("day 0");
      expect(o.daysCompleted).toBe(0);
    });
  });
}
