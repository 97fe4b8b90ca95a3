import { parse as parseYaml } from "yaml";
import { ScenarioError } from "./errors.js";
import { FORBIDDEN_KEYS, forbiddenKeyPath } from "./limits.js";
import { thousandsSplit } from "./thousands.js";

/**
 * Apply `path=value` overrides to a raw scenario object before validation. The value is read
 * as YAML (`0.5`, `true`, `[1, 2]`, `{start: 3}`); a path segment that is not a number picks
 * the element of a list by its `name` (`consumers.tpuTraining.unitPrice=20`); `null` removes a
 * field (`feedback.amm=null`), as in an extending file.
 */
export function applyOverrides(raw: unknown, sets: readonly string[]): Record<string, unknown> {
  const root = (
    raw && typeof raw === "object" && !Array.isArray(raw) ? structuredClone(raw) : {}
  ) as Record<string, unknown>;
  const issues: { path: string; message: string }[] = [];
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) {
      issues.push({
        path: set,
        message: "an override is path=value, e.g. onchain.buybackModulation=0.5",
      });
      continue;
    }
    const path = set.slice(0, eq).trim();
    let value: unknown;
    try {
      value = parseYaml(set.slice(eq + 1));
    } catch (e) {
      issues.push({ path, message: `cannot read the value: ${(e as Error).message}` });
      continue;
    }
    const split = thousandsSplit(value);
    if (split !== null) {
      issues.push({
        path: split.path === "" ? path : `${path}.${split.path}`,
        message: split.message,
      });
      continue;
    }
    const forbidden = forbiddenSegment(path) ?? forbiddenKeyPath(value);
    if (forbidden !== null) {
      issues.push({
        path,
        message: `"${forbidden}" is not allowed in a path or key (it would reach an object's prototype)`,
      });
      continue;
    }
    const problem = setPath(root, path, value);
    if (problem) issues.push({ path, message: problem });
  }
  if (issues.length > 0) throw new ScenarioError(issues, "--set");
  return root;
}

/** The first segment of `path` that is `__proto__`, `prototype` or `constructor`, or null. */
export function forbiddenSegment(path: string): string | null {
  return segments(path).find((s) => FORBIDDEN_KEYS.has(s)) ?? null;
}

/** The segments of an override's path: `suppliers[0].count` and `suppliers.0.count` alike. */
export function segments(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter((s) => s !== "");
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): string | null {
  const segs = segments(path);
  if (segs.length === 0) return "empty path";
  let node: unknown = root;
  for (let n = 0; n < segs.length; n++) {
    const seg = segs[n];
    const last = n === segs.length - 1;
    if (Array.isArray(node)) {
      const index = /^\d+$/.test(seg)
        ? Number(seg)
        : node.findIndex((e) => e && typeof e === "object" && e.name === seg);
      if (index < 0) return `no element named "${seg}" in ${segs.slice(0, n).join(".")}`;
      if (index > node.length)
        return `index ${index} is past the end of ${segs.slice(0, n).join(".")} (length ${node.length})`;
      if (last) node[index] = value;
      else {
        if (index === node.length) node.push({});
        if (node[index] === null || typeof node[index] !== "object") node[index] = {};
        node = node[index];
      }
      continue;
    }
    if (node === null || typeof node !== "object")
      return `${segs.slice(0, n).join(".")} is not an object`;
    const obj = node as Record<string, unknown>;
    // null removes the field, as it does in an extending file (src/scenario/extends.ts), so a
    // default or an inherited block can be taken away from the command line too
    if (last && value === null) delete obj[seg];
    else if (last) obj[seg] = value;
    else {
      if (obj[seg] === undefined || obj[seg] === null || typeof obj[seg] !== "object") {
        if (
          obj[seg] !== undefined &&
          obj[seg] !== null &&
          typeof obj[seg] !== "object" &&
          !/^\d+$/.test(segs[n + 1])
        ) {
          // a scalar series (e.g. governanceValue: 0) becomes a formula when a field of it is set
          obj[seg] =
            segs[n + 1] === "start" || segs[n + 1] === "slope" || segs[n + 1] === "noise"
              ? { start: obj[seg] }
              : {};
        } else obj[seg] = /^\d+$/.test(segs[n + 1]) ? [] : {};
      }
      node = obj[seg];
    }
  }
  return null;
}
