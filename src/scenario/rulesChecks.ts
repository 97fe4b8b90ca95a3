import { ONCHAIN_VARIABLES } from "./onchain.js";
import type { Rule } from "./rules.js";

type Fail = (path: (string | number)[], message: string) => void;

/** Cross-field rules of `rules` (E38, E39): one entry condition, a consistent band, ranges. */
export function checkRules(rules: readonly Rule[] | undefined, fail: Fail): void {
  const seen = new Set<string>();
  const controlled = new Set<string>();
  (rules ?? []).forEach((r, i) => {
    const at = (...p: (string | number)[]) => ["rules", i, ...p];
    if (seen.has(r.name)) fail(at("name"), `duplicate rule name "${r.name}"`);
    seen.add(r.name);
    if (r.kind === "threshold") {
      if ((r.below === undefined) === (r.above === undefined))
        fail(at(), "give exactly one entry condition: below or above");
      if (r.below !== undefined && r.exitBelow !== undefined)
        fail(at("exitBelow"), "a rule entered below a level reverts above one: use exitAbove");
      if (r.above !== undefined && r.exitAbove !== undefined)
        fail(at("exitAbove"), "a rule entered above a level reverts below one: use exitBelow");
      if (r.below !== undefined && r.exitAbove !== undefined && r.exitAbove < r.below)
        fail(at("exitAbove"), `must be ≥ below (${r.below}), got ${r.exitAbove}`);
      if (r.above !== undefined && r.exitBelow !== undefined && r.exitBelow > r.above)
        fail(at("exitBelow"), `must be ≤ above (${r.above}), got ${r.exitBelow}`);
      if (Object.values(r.set).every((v) => v === undefined))
        fail(at("set"), "set at least one on-chain variable");
      return;
    }
    const info = ONCHAIN_VARIABLES.find((v) => v.name === r.variable);
    if (!info) return;
    if (controlled.has(r.variable))
      fail(at("variable"), `${r.variable} is already moved by another controller`);
    controlled.add(r.variable);
    if (info.integer)
      fail(at("variable"), `${r.variable} takes whole values; a controller cannot move it`);
    if (r.min > r.max) fail(at("min"), `must be ≤ max (${r.max}), got ${r.min}`);
    for (const key of ["min", "max"] as const) {
      const v = r[key];
      const low = info.exclusiveMin ? v <= info.min : v < info.min;
      if (low || (info.max !== undefined && v > info.max))
        fail(
          at(key),
          `outside ${r.variable}'s range ${info.exclusiveMin ? "(" : "["}${info.min}, ${info.max ?? "∞"}${info.max !== undefined ? "]" : ")"}, got ${v}`,
        );
    }
  });
}
