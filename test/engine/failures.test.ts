import { describe, expect, it } from "vitest";
import { COL } from "../../src/engine/columns.js";
import { type CompiledScenario, compileScenario } from "../../src/engine/compile.js";
import { runKernel } from "../../src/engine/kernel.js";
import { NonFiniteValueError, NoPriceError } from "../../src/engine/outcome.js";
import { runReference } from "../../src/engine/reference.js";
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

describe("the kernel's finite check", () => {
  it("an overflowing price (1e300 usd of demand over a supply of 1e-300) names priceOfToken on day 0", () => {
    const c = compiled();
    (c as { initialSupply: number }).initialSupply = 1e-300;
    c.seriesBase.fill(1e300, (c.nC + c.nK) * c.days, (c.nC + c.nK + 1) * c.days); // sentiment
    const out = new Float64Array(c.columns.length * c.days);
    const o = runKernel(c, 0, 0, out);
    expect(o.error).toBeInstanceOf(NonFiniteValueError);
    expect((o.error as NonFiniteValueError).day).toBe(0);
    expect((o.error as NonFiniteValueError).column).toBe("priceOfToken");
    expect(o.daysCompleted).toBe(0);
  });
});
