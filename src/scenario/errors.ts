/** One problem with a scenario, located by its path (`consumers[2].jobsPerDay.slope`). */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

/** A scenario that cannot run; lists every problem found. The CLI exits with code 2. */
export class ScenarioError extends Error {
  constructor(
    readonly issues: readonly ScenarioIssue[],
    readonly source?: string,
  ) {
    super(
      issues.length === 1 && issues[0].path === ""
        ? `${source ? `${source}: ` : ""}${issues[0].message}`
        : `${source ? `${source}: ` : ""}invalid scenario (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
            issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`).join("\n"),
    );
    this.name = "ScenarioError";
  }
}

/** `["consumers", 2, "jobsPerDay"]` → `consumers[2].jobsPerDay`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}
