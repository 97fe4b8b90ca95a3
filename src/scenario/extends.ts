import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { ScenarioError } from "./errors.js";

/**
 * `extends: ./whitepaper.yaml`: a scenario file as overrides over a base file (issue 12 item 5).
 * The base (itself possibly extending another) is read relative to the extending file, then the
 * file's own fields are deep-merged over it ({@link mergeScenario}). A relative path in a file
 * means relative to that file's folder, whichever file extends it: the base's CSV series are
 * rebased onto the extending file's folder before the merge ({@link rebaseCsvPaths}), so the
 * merged scenario's paths are all relative to the file that was loaded. A cycle or a missing
 * base is refused with the chain of paths.
 */
export function readExtended(
  path: string,
  read: (path: string) => unknown,
  chain: readonly string[] = [],
): unknown {
  const abs = resolve(path);
  if (chain.includes(abs))
    throw new ScenarioError(
      [{ path: "extends", message: `cycle: ${[...chain, abs].join(" → ")}` }],
      chain[chain.length - 1],
    );
  if (chain.length > 0 && !existsSync(abs))
    throw new ScenarioError(
      [{ path: "extends", message: `no such base scenario: ${abs}` }],
      chain[chain.length - 1],
    );
  const raw = read(chain.length === 0 ? path : abs);
  if (chain.length > 0 && !isObject(raw))
    throw new ScenarioError(
      [
        {
          path: "extends",
          message: `${abs} is not a scenario: expected a mapping of scenario fields, got ${Array.isArray(raw) ? "a list" : raw === null ? "nothing" : `a ${typeof raw}`}`,
        },
      ],
      chain[chain.length - 1],
    );
  if (!isObject(raw) || !("extends" in raw)) return raw;
  const { extends: base, ...own } = raw;
  if (typeof base !== "string" || base.length === 0)
    throw new ScenarioError(
      [{ path: "extends", message: "expected the path of a base scenario file" }],
      path,
    );
  const baseAbs = resolve(dirname(abs), base);
  const baseRaw = readExtended(baseAbs, read, [...chain, abs]);
  return mergeScenario(rebaseCsvPaths(baseRaw, dirname(baseAbs), dirname(abs)), own);
}

/**
 * `raw` with the relative `csv` path of every CSV series (a series-shaped object anywhere in
 * it, src/scenario/series.ts) read from folder `from` rewritten to name the same file from
 * folder `to` (absolute paths kept). The CSV series is the one path-valued field of a
 * scenario (plugins are `--plugin` options, read from the working directory).
 */
export function rebaseCsvPaths(raw: unknown, from: string, to: string): unknown {
  if (from === to) return raw;
  if (Array.isArray(raw)) return raw.map((e) => rebaseCsvPaths(e, from, to));
  if (!isObject(raw)) return raw;
  if (seriesForm(raw) === "csv" && typeof raw.csv === "string" && !isAbsolute(raw.csv))
    return { ...raw, csv: relative(to, resolve(from, raw.csv)) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = rebaseCsvPaths(v, from, to);
  return out;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isNamedList(x: unknown): x is Record<string, unknown>[] {
  return Array.isArray(x) && x.every((e) => isObject(e) && typeof e.name === "string");
}

/** The keys of a per-day series' forms (src/scenario/series.ts): trend, explicit values, CSV. */
const SERIES_KEYS = new Set([
  "start",
  "slope",
  "noise",
  "startDay",
  "min",
  "values",
  "csv",
  "column",
]);

/** The form of a series-shaped object (trend, values or csv), or null for any other object. */
function seriesForm(o: Record<string, unknown>): string | null {
  const keys = Object.keys(o);
  if (keys.length === 0 || !keys.every((k) => SERIES_KEYS.has(k))) return null;
  if ("values" in o) return "values";
  if ("csv" in o || "column" in o) return "csv";
  return "trend";
}

/**
 * Deep merge of an override over a base: objects merge key by key, except a series given in
 * another form than the base's (values or a CSV column over a trend, …), which replaces it
 * whole; lists whose items all have a `name` merge by name (base order kept, a matching item
 * merged, a new one appended; a name given twice in the override is kept twice, for the
 * schema to refuse); anything
 * else in the override replaces the base's value; `null` removes the key.
 */
export function mergeScenario(base: unknown, over: unknown): unknown {
  if (isObject(base) && isObject(over)) {
    const [a, b] = [seriesForm(base), seriesForm(over)];
    if (a !== null && b !== null && a !== b) return over;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k];
      else out[k] = k in base ? mergeScenario(base[k], v) : v;
    }
    return out;
  }
  if (isNamedList(base) && isNamedList(over) && over.length > 0) {
    const out = base.map((e) => ({ ...e }));
    const merged = new Set<unknown>();
    for (const item of over) {
      const i = out.findIndex((e) => e.name === item.name);
      // a name the override gives twice is kept twice, for the schema to refuse as it would
      // in a file of its own (merging both into the base's item would hide one silently)
      if (i >= 0 && !merged.has(item.name))
        out[i] = mergeScenario(out[i], item) as Record<string, unknown>;
      else out.push(item);
      merged.add(item.name);
    }
    return out;
  }
  return over;
}
