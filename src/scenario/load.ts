import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { scenarioWarnings } from "./checks.js";
import { csvColumn } from "./csv.js";
import { ScenarioError, type ScenarioIssue } from "./errors.js";
import { readExtended } from "./extends.js";
import { applyOverrides } from "./overrides.js";
import { parseScenario } from "./parse.js";
import type { Scenario } from "./schema.js";
import { isCsvSeries, isFormulaSeries, type Series } from "./series.js";

export interface LoadOptions {
  /** `path=value` overrides, applied before validation. */
  readonly set?: readonly string[];
  /** Override `days`. */
  readonly days?: number;
  /** Set every series' noise to 0: the expected path. */
  readonly deterministic?: boolean;
}

export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly warnings: readonly string[];
  readonly path?: string;
}

/** Read the raw object of a YAML or JSON file (YAML is a superset of JSON). */
export function readScenarioFile(path: string): unknown {
  if (!existsSync(path))
    throw new ScenarioError([{ path: "", message: `no such file: ${path}` }], path);
  const text = readFileSync(path, "utf8");
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ScenarioError(
      [{ path: "", message: `not valid YAML or JSON: ${(e as Error).message}` }],
      path,
    );
  }
}

/**
 * Load (following `extends`, see extends.ts), override, validate and resolve a scenario file.
 * Throws ScenarioError listing every problem.
 */
export function loadScenario(path: string, options: LoadOptions = {}): LoadedScenario {
  const raw = readExtended(path, readScenarioFile);
  return prepareScenario(raw, { ...options, baseDir: dirname(resolve(path)), source: path });
}

/** The same from an object already read (the dashboard's pasted YAML, a test). */
export function prepareScenario(
  raw: unknown,
  options: LoadOptions & { baseDir?: string; source?: string } = {},
): LoadedScenario {
  if (raw && typeof raw === "object" && "extends" in raw)
    throw new ScenarioError(
      [{ path: "extends", message: "only a scenario file read from disk can extend another" }],
      options.source,
    );
  const sets = [...(options.set ?? [])];
  if (options.days !== undefined) sets.push(`days=${options.days}`);
  const withOverrides = sets.length > 0 ? applyOverrides(raw, sets) : raw;
  let scenario = parseScenario(withOverrides, options.source);
  scenario = resolveCsvSeries(scenario, options.baseDir ?? process.cwd(), options.source);
  if (options.deterministic) scenario = withoutNoise(scenario);
  return { scenario, warnings: scenarioWarnings(scenario), path: options.source };
}

function mapSeries(s: Scenario, f: (series: Series, path: string) => Series): Scenario {
  return {
    ...s,
    consumers: s.consumers.map((c, i) => ({
      ...c,
      jobsPerDay: f(c.jobsPerDay, `consumers[${i}].jobsPerDay`),
    })),
    suppliers: s.suppliers.map((k, i) => ({ ...k, count: f(k.count, `suppliers[${i}].count`) })),
    consumerSentiment: f(s.consumerSentiment, "consumerSentiment"),
    governanceValue: f(s.governanceValue, "governanceValue"),
  };
}

/** Replace every `{ csv, column }` series by its values, read relative to `baseDir`. */
export function resolveCsvSeries(s: Scenario, baseDir: string, source?: string): Scenario {
  const issues: ScenarioIssue[] = [];
  const out = mapSeries(s, (series, path) => {
    if (!isCsvSeries(series)) return series;
    const file = resolve(baseDir, series.csv);
    if (!existsSync(file)) {
      issues.push({ path: `${path}.csv`, message: `no such CSV file: ${file}` });
      return series;
    }
    const r = csvColumn(readFileSync(file, "utf8"), series.column);
    if ("error" in r) {
      issues.push({ path: `${path}.csv`, message: `${series.csv}: ${r.error}` });
      return series;
    }
    return { values: r.values };
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return out;
}

/** `--deterministic`: every formula series' noise set to 0 (MODEL.md §3's expected path). */
export function withoutNoise(s: Scenario): Scenario {
  return mapSeries(s, (series) => (isFormulaSeries(series) ? { ...series, noise: 0 } : series));
}
