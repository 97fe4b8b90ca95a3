import { readFileSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { scenarioWarnings } from "./checks.js";
import { csvColumn } from "./csv.js";
import { ScenarioError, type ScenarioIssue } from "./errors.js";
import { deterministicScenario, mapSeries } from "./expected.js";
import { readExtended } from "./extends.js";
import { forbiddenKeyPath, LIMITS, nestingDepth, textNestingDepth } from "./limits.js";
import { applyOverrides, segments } from "./overrides.js";
import { parseScenario } from "./parse.js";
import type { Scenario } from "./schema.js";
import { isCsvSeries, isFormulaSeries, type Series } from "./series.js";
import { thousandsSplit } from "./thousands.js";

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

function fileProblem(message: string, source: string): ScenarioError {
  return new ScenarioError([{ path: "", message }], source);
}

/**
 * Read a regular file of at most `maxBytes` as UTF-8; throws ScenarioError naming the path
 * when it is missing, not a regular file (a directory, a device such as /dev/zero), too large
 * or unreadable. `what` names the file in messages ("scenario file", "CSV file").
 */
export function readRegularFile(path: string, maxBytes: number, what: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw fileProblem(`${path} is a directory, not a ${what}`, path);
    if (!st.isFile()) throw fileProblem(`${path} is not a regular file (a ${what} is)`, path);
    size = st.size;
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw fileProblem(`no such ${what === "scenario file" ? "file" : what}: ${path}`, path);
  }
  if (size > maxBytes)
    throw fileProblem(
      `${path} is ${(size / 1048576).toFixed(1)} MB; a ${what} is at most ${maxBytes / 1048576} MB`,
      path,
    );
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw fileProblem(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, path);
  }
}

/**
 * Parse scenario text: strict JSON for `.json` (a trailing comma is refused with its position),
 * YAML otherwise. Refused before parsing: CR-only line endings, nesting deeper than
 * LIMITS.maxDepth. Throws ScenarioError.
 */
export function parseScenarioText(text: string, source: string, json: boolean): unknown {
  if (text.includes("\r") && !text.includes("\n") && text.indexOf("\r") < text.length - 1)
    throw fileProblem(
      "the file has CR-only line endings (classic Mac): save it with LF or CRLF line endings",
      source,
    );
  if (textNestingDepth(text) > LIMITS.maxDepth)
    throw fileProblem(`nested deeper than ${LIMITS.maxDepth} levels`, source);
  if (json) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw fileProblem(`not valid JSON: ${(e as Error).message}`, source);
    }
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (e) {
    throw fileProblem(`not valid YAML or JSON: ${(e as Error).message}`, source);
  }
  const split = thousandsSplit(raw);
  if (split !== null) throw new ScenarioError([split], source);
  return raw;
}

/** Read the raw object of a YAML or JSON file (`.json` as strict JSON). */
export function readScenarioFile(path: string): unknown {
  const text = readRegularFile(path, LIMITS.maxScenarioBytes, "scenario file");
  return parseScenarioText(text, path, extname(path).toLowerCase() === ".json");
}

/**
 * Cheap checks of a raw scenario before the schema reads it, so that oversized lists and
 * hostile keys are refused at once: nesting depth, prototype keys, list lengths.
 */
export function precheckRaw(raw: unknown, source?: string): void {
  if (raw === null || raw === undefined || typeof raw !== "object" || Array.isArray(raw))
    throw new ScenarioError(
      [
        {
          path: "",
          message:
            raw === null || raw === undefined
              ? "the scenario is empty: it is a mapping of fields (name, days, consumers, suppliers, …)"
              : `expected a mapping of scenario fields (name, days, consumers, suppliers, …), got ${Array.isArray(raw) ? "a list" : `a ${typeof raw}`}`,
        },
      ],
      source,
    );
  if (nestingDepth(raw) > LIMITS.maxDepth)
    throw new ScenarioError(
      [{ path: "", message: `nested deeper than ${LIMITS.maxDepth} levels` }],
      source,
    );
  const bad = forbiddenKeyPath(raw);
  if (bad !== null)
    throw new ScenarioError(
      [{ path: bad, message: "this key is not allowed (it would reach an object's prototype)" }],
      source,
    );
  const r = raw as Record<string, unknown>;
  const lists: [string, number][] = [
    ["consumers", LIMITS.maxConsumerTypes],
    ["suppliers", LIMITS.maxSupplierClasses],
    ["schedule", LIMITS.maxScheduleEntries],
  ];
  for (const [key, max] of lists) {
    const v = r[key];
    if (Array.isArray(v) && v.length > max)
      throw new ScenarioError(
        [{ path: key, message: `${v.length} entries; at most ${max}` }],
        source,
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
  precheckRaw(raw, options.source);
  const withOverrides = sets.length > 0 ? applyOverrides(raw, sets) : raw;
  if (sets.length > 0) precheckRaw(withOverrides, options.source);
  let scenario = parseScenario(withOverrides, options.source);
  scenario = resolveCsvSeries(scenario, options.baseDir ?? process.cwd(), options.source);
  if (options.deterministic) scenario = deterministicScenario(scenario);
  if (scenario.mode === "marketplace") checkMarketplaceSize(scenario, options.source);
  return {
    scenario,
    warnings: [
      ...scenarioWarnings(scenario),
      ...shortSeriesWarnings(withOverrides, scenario),
      ...unusedSetWarnings(sets, scenario),
      ...unusedCountWarnings(raw, sets, scenario),
      ...thinPoolWarnings(scenario),
    ],
    path: options.source,
  };
}

/**
 * A warning per `--set` of a field the scenario then does not use: the `count` series of a
 * supplier class that is `dynamic` (E42 counts it from `dynamic.start`), which would otherwise
 * change nothing without a word.
 */
function unusedSetWarnings(sets: readonly string[], s: Scenario): string[] {
  const classes = s.feedback?.suppliers?.classes ?? {};
  return sets.flatMap((set) => {
    // the class as the override picks it: by name or by index (applyOverrides' segments)
    const [root, pick, field] = segments(set.split("=")[0]);
    if (root !== "suppliers" || field !== "count" || pick === undefined) return [];
    const name = /^\d+$/.test(pick) ? s.suppliers[Number(pick)]?.name : pick;
    if (name === undefined || classes[name]?.dynamic === undefined) return [];
    return [
      `--set ${set.split("=")[0]}: class ${name} is dynamic (E42), so its count series is not used; set feedback.suppliers.classes.${name}.dynamic.start for its day-0 count`,
    ];
  });
}

/**
 * A warning per supplier class that is `dynamic` (E42 counts it from `dynamic.start`) and whose
 * `count` series in the file is not the placeholder 0 the shipped scenarios write: the series
 * would otherwise be ignored without a word. A class whose count a `--set` changes is left to
 * unusedSetWarnings (one warning, not two). `raw` is the scenario before overrides.
 */
function unusedCountWarnings(raw: unknown, sets: readonly string[], s: Scenario): string[] {
  const classes = s.feedback?.suppliers?.classes ?? {};
  const rawSuppliers = (raw as { suppliers?: unknown } | null)?.suppliers;
  if (!Array.isArray(rawSuppliers)) return [];
  const setClasses = new Set(
    sets.flatMap((set) => {
      const [root, pick, field] = segments(set.split("=")[0]);
      if (root !== "suppliers" || field !== "count" || pick === undefined) return [];
      return [/^\d+$/.test(pick) ? s.suppliers[Number(pick)]?.name : pick];
    }),
  );
  return rawSuppliers.flatMap((k: unknown, i) => {
    const { name, count } = (k ?? {}) as { name?: unknown; count?: unknown };
    if (typeof name !== "string" || classes[name]?.dynamic === undefined) return [];
    if (count === 0 || setClasses.has(name)) return [];
    return [
      `suppliers[${i}].count: class ${name} is dynamic (E42), so its count series is not used; set feedback.suppliers.classes.${name}.dynamic.start for its day-0 count (or write count: 0)`,
    ];
  });
}

/** A reserve below this share of what it trades against is taken for a slip of the keyboard. */
const THIN_POOL_SHARE = 1e-6;

/**
 * A warning per reserve of the AMM pool (E45) below a millionth of what it trades against:
 * `poolTokens` against the initial supply, `poolUsd` against the largest day's USD buys that can
 * reach it (exchange demand, governance value and the income of every consumer type's jobs, each
 * at its series' peak: an upper estimate). A pool that thin moves the price by orders of
 * magnitude on every trade (a constant-product spot is `poolUsd / poolTokens`, and a day's buy of
 * B multiplies it by about `(1 + B / poolUsd)²`): it is a model of no market, almost always a
 * unit slip (1e-12 for 1e12), so the run goes ahead and the user is told the ratio.
 */
function thinPoolWarnings(s: Scenario): string[] {
  const amm = s.feedback?.amm;
  if (!amm) return [];
  const out: string[] = [];
  const supply = s.tokens.initialSupply;
  if (typeof supply === "number" && amm.poolTokens < THIN_POOL_SHARE * supply)
    out.push(
      `feedback.amm.poolTokens: ${amm.poolTokens} is ${(amm.poolTokens / supply).toPrecision(2)} of the initial supply (${supply}); a pool this thin moves the price by orders of magnitude on every trade (E45)`,
    );
  let buysUsd = seriesPeak(s.consumerSentiment, s.days) + seriesPeak(s.governanceValue, s.days);
  for (const c of s.consumers)
    buysUsd += seriesPeak(c.jobsPerDay, s.days) * c.unitPrice * c.unitsPerJob;
  if (amm.poolUsd < THIN_POOL_SHARE * buysUsd)
    out.push(
      `feedback.amm.poolUsd: ${amm.poolUsd} is ${(amm.poolUsd / buysUsd).toPrecision(2)} of the largest day's buys (about ${buysUsd.toPrecision(3)} usd: exchange demand, governance value and job income at their peaks); a pool this thin moves the price by orders of magnitude on every trade (E45)`,
    );
  return out;
}

/** The largest value a series can reach over `days` (noise at 6 standard deviations). */
export function seriesPeak(series: Series, days: number): number {
  if (typeof series === "number") return series;
  if ("values" in series) {
    let peak = 0;
    for (let t = 0; t < Math.min(days, series.values.length); t++)
      peak = Math.max(peak, series.values[t]);
    return peak;
  }
  if (!isFormulaSeries(series)) return 0;
  if (series.startDay >= days) return 0;
  const end = series.start + series.slope * (days - 1 - series.startDay);
  return Math.max(series.min, Math.max(series.start, end) + 6 * series.noise);
}

/**
 * Marketplace mode keeps every agent: refuse populations beyond LIMITS.maxMarketplaceAgents — a
 * supplier count or job rate series at its peak, and a dynamic class's `dynamic.start` or explicit
 * `maxCount` (E42; without one the class's ceiling is the limit itself: compileFeedback).
 */
function checkMarketplaceSize(s: Scenario, source?: string): void {
  const issues: ScenarioIssue[] = [];
  const max = LIMITS.maxMarketplaceAgents;
  const most = `marketplace mode simulates each one, at most ${max.toLocaleString("en-US")} (use aggregate mode for larger economies)`;
  mapSeries(s, (series, path) => {
    const isAgents = path.endsWith(".count") || path.endsWith(".jobsPerDay");
    const peak = isAgents ? seriesPeak(series, s.days) : 0;
    if (peak > max) issues.push({ path, message: `reaches ${peak.toPrecision(3)}; ${most}` });
    return series;
  });
  for (const [name, k] of Object.entries(s.feedback?.suppliers?.classes ?? {})) {
    const path = `feedback.suppliers.classes.${name}`;
    if (k.dynamic !== undefined && k.dynamic.start > max)
      issues.push({
        path: `${path}.dynamic.start`,
        message: `${k.dynamic.start.toPrecision(3)} suppliers on day 0; ${most}`,
      });
    if (k.dynamic !== undefined && k.maxCount !== undefined && k.maxCount > max)
      issues.push({
        path: `${path}.maxCount`,
        message: `lets the class grow to ${k.maxCount.toPrecision(3)} suppliers; ${most}; without maxCount a marketplace class stops at ${max.toLocaleString("en-US")}`,
      });
  }
  if (issues.length > 0) throw new ScenarioError(issues, source);
}

/**
 * A warning per explicit or CSV series shorter than the run: how many days repeat its last
 * value (docs/model.md §3). `raw` tells which series came from a CSV file.
 */
export function shortSeriesWarnings(raw: unknown, s: Scenario): string[] {
  const out: string[] = [];
  const r = (raw ?? {}) as Record<string, unknown>;
  const csvOf = (path: string): string | null => {
    let node: unknown = r;
    for (const seg of path.replace(/\[(\d+)\]/g, ".$1").split(".")) {
      if (node === null || typeof node !== "object") return null;
      node = (node as Record<string, unknown>)[seg];
    }
    const csv = (node as { csv?: unknown } | null)?.csv;
    return typeof csv === "string" ? csv : null;
  };
  mapSeries(s, (series, path) => {
    if (typeof series === "object" && "values" in series && series.values.length < s.days) {
      const n = series.values.length;
      const repeat = s.days - n;
      const csv = csvOf(path);
      out.push(
        `${path}: ${n} value${n === 1 ? "" : "s"}${csv ? ` in ${csv}` : ""} for a ${s.days}-day run; ` +
          `the last value (${series.values[n - 1]}) repeats on the last ${repeat} day${repeat === 1 ? "" : "s"}`,
      );
    }
    return series;
  });
  return out;
}

/** Replace every `{ csv, column }` series by its values, read relative to `baseDir`. */
export function resolveCsvSeries(s: Scenario, baseDir: string, source?: string): Scenario {
  const issues: ScenarioIssue[] = [];
  const out = mapSeries(s, (series, path) => {
    if (!isCsvSeries(series)) return series;
    const file = resolve(baseDir, series.csv);
    let text: string;
    try {
      text = readRegularFile(file, LIMITS.maxCsvBytes, "CSV file");
    } catch (e) {
      issues.push({ path: `${path}.csv`, message: (e as ScenarioError).issues[0].message });
      return series;
    }
    const r = csvColumn(text, series.column);
    if ("error" in r) {
      issues.push({ path: `${path}.csv`, message: `${series.csv}: ${r.error}` });
      return series;
    }
    return { values: r.values };
  });
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return out;
}

export { withoutNoise } from "./expected.js";
