import type { z } from "zod";
import { checkScenario } from "./checks.js";
import { formatPath, ScenarioError, type ScenarioIssue } from "./errors.js";
import { ONCHAIN_NAMES } from "./onchain.js";
import { type Scenario, type ScenarioInput, ScenarioObjectSchema } from "./schema.js";
import { closestKey } from "./suggest.js";

/** The scenario schema: fields, then the cross-field rules of docs/model.md (checks.ts). */
export const ScenarioSchema = ScenarioObjectSchema.superRefine(checkScenario);

function showValue(value: unknown): string {
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}

/**
 * Whether a union refused a `{ csv, … }` object in every branch: the object ones named `csv` an
 * unknown key, the others refused an object at all (a series form the value does not have).
 */
function csvRefused(branches: readonly (readonly z.core.$ZodIssue[])[]): boolean {
  const unknownCsv = (i: z.core.$ZodIssue) =>
    i.path.length === 0 && i.code === "unrecognized_keys" && i.keys.includes("csv");
  const notThisType = (i: z.core.$ZodIssue) => i.path.length === 0 && i.code === "invalid_type";
  return (
    branches.some((b) => b.some(unknownCsv)) &&
    branches.every((b) => b.some(unknownCsv) || b.some(notThisType))
  );
}

/** Lower is likelier the branch the user meant. */
function branchScore(issues: readonly z.core.$ZodIssue[]): number {
  let score = issues.length;
  for (const i of issues) {
    if (i.path.length === 0 && i.code === "invalid_type") score += 100;
    if (i.path.length === 0 && i.code === "unrecognized_keys") score += 50;
  }
  return score;
}

function flatten(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
  out: ScenarioIssue[],
): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    if (csvRefused(issue.errors)) {
      out.push({
        path: formatPath(path),
        message:
          "a CSV column is not one of the forms this value takes (a CSV column is read for consumers' jobsPerDay, suppliers' count, consumerSentiment and governanceValue): write its values here as { values: [...] }, or see `bme schema` for its forms",
      });
      return;
    }
    const best = [...issue.errors].sort((a, b) => branchScore(a) - branchScore(b))[0];
    for (const i of best) flatten(i, path, out);
    return;
  }
  if (issue.code === "unrecognized_keys") {
    const inSchedule = path[0] === "schedule" && path[path.length - 1] === "set";
    const inOnchain = path.length === 1 && path[0] === "onchain";
    const hint =
      inSchedule || inOnchain ? ` (on-chain variables: ${ONCHAIN_NAMES.join(", ")})` : "";
    for (const key of issue.keys) {
      const near = hint === "" ? closestKey(ScenarioObjectSchema, path, key) : undefined;
      // a key allowed here, but by another form of this value than its other keys (a series
      // given both `start` and `csv`): name the mix, not a suggestion of the key itself
      const message =
        near === key
          ? `not allowed together with this value's other keys: "${key}" belongs to another of its forms (give one form whole)`
          : `unknown key${hint}${near === undefined ? "" : ` (did you mean ${near}?)`}`;
      out.push({ path: formatPath([...path, key]), message });
    }
    return;
  }
  let message = issue.message;
  if (issue.code === "invalid_type")
    message =
      issue.input === undefined
        ? `required (${issue.expected})`
        : `expected ${issue.expected}, got ${showValue(issue.input)}`;
  else if ("input" in issue && issue.input !== undefined && issue.code !== "custom")
    message += `, got ${showValue(issue.input)}`;
  out.push({ path: formatPath(path), message });
}

/** Turn zod issues into path-labelled scenario issues. */
export function scenarioIssues(error: z.ZodError): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const issue of error.issues) flatten(issue, [], out);
  return out;
}

/** Validate a scenario object; throws ScenarioError listing every problem. */
export function parseScenario(input: unknown, source?: string): Scenario {
  // jitless: zod would otherwise generate and compile (new Function) a fast path per object
  // schema on the first parse, for the one parse a command makes (docs/benchmarks.md, start-up)
  const result = ScenarioSchema.safeParse(input, { reportInput: true, jitless: true });
  if (!result.success) throw new ScenarioError(scenarioIssues(result.error), source);
  return result.data;
}

export type { Scenario, ScenarioInput };
