import {
  type Dirent,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { csvColumn } from "../scenario/csv.js";
import { mergeScenario, readExtended } from "../scenario/extends.js";
import { LIMITS } from "../scenario/limits.js";
import { NAME_PATTERN } from "../scenario/schema.js";

/** A scenario file as the dashboard receives it: its text and its raw object (CSV series inlined). */
export interface ScenarioText {
  readonly name: string;
  /** The file's name (never its folder: the server does not disclose where files are). */
  readonly file: string;
  readonly description: string;
  readonly days: number | null;
  readonly yaml: string;
  /** The YAML read as an object, every `{ csv, column }` series replaced by `{ values }`. */
  readonly raw: unknown;
  /** Problems met while reading (bad YAML, missing CSV): shown by the dashboard. */
  readonly problems: readonly string[];
}

/** How deep the shipped scenarios' folders are walked (`stress/`, `feedback/`, one level today). */
const MAX_FOLDER_DEPTH = 3;
const SCENARIO_FILE = /\.(ya?ml|json)$/;

/**
 * The shipped scenarios: `<dir>/<name>.yaml` and those in its sub-folders (`stress/jump-crash`),
 * named by their path without extension, `/`-separated, sorted. Every path segment matches the
 * scenario name pattern; folders are walked without following symbolic links, at most
 * MAX_FOLDER_DEPTH deep.
 */
export function listScenarioFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, prefix: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH && NAME_PATTERN.test(e.name))
          walk(join(folder, e.name), `${prefix}${e.name}/`, depth + 1);
      } else if (e.isFile() && SCENARIO_FILE.test(e.name)) {
        const name = e.name.replace(SCENARIO_FILE, "");
        if (NAME_PATTERN.test(name)) out.push(prefix + name);
      }
    }
  };
  if (existsSync(dir)) walk(dir, "", 0);
  return [...new Set(out)].sort((a, b) => {
    // top-level scenarios first, then each folder's
    const da = a.includes("/") ? 1 : 0;
    const db = b.includes("/") ? 1 : 0;
    return da - db || (a < b ? -1 : a > b ? 1 : 0);
  });
}

/** Read one shipped scenario by name (`whitepaper`, `stress/jump-crash`); null when there is none (names never reach the file system unchecked: only a listed name is read). */
export function readShipped(dir: string, name: string): ScenarioText | null {
  if (!listScenarioFiles(dir).includes(name)) return null;
  for (const ext of [".yaml", ".yml", ".json"]) {
    const file = join(dir, ...name.split("/")) + ext;
    if (existsSync(file)) return readScenarioText(file, name, dir);
  }
  return null;
}

/**
 * Read a scenario file into its text, raw object and problems. Its CSV series (its base's too,
 * rebased by readExtended) must lie inside `root`: the served scenarios folder for a shipped
 * scenario, else the file's own folder.
 */
export function readScenarioText(
  file: string,
  fallbackName: string,
  root: string = dirname(resolve(file)),
): ScenarioText {
  const problems: string[] = [];
  const size = statSync(file).size;
  if (size > LIMITS.maxScenarioBytes)
    return {
      name: fallbackName,
      file: basename(file),
      description: "",
      days: null,
      yaml: "",
      raw: null,
      problems: [`the file is larger than ${LIMITS.maxScenarioBytes / 1048576} MB`],
    };
  let yaml = readFileSync(file, "utf8");
  let raw: unknown = null;
  try {
    let parsed = parseYaml(yaml) as unknown;
    // `extends: ./base.yaml` (a server-side file, shipped or given to bme serve): the dashboard
    // gets the merged scenario, as text it can edit and validate without the base file
    if (parsed && typeof parsed === "object" && "extends" in parsed) {
      parsed = readExtended(file, (p) => parseYaml(readFileSync(p, "utf8")));
      yaml = `# ${basename(file)} merged with the scenario it extends\n${stringifyYaml(parsed)}`;
    }
    raw = inlineCsvSeries(parsed, dirname(resolve(file)), problems, root);
  } catch (e) {
    problems.push(`not valid YAML or JSON: ${(e as Error).message}`);
  }
  const obj = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  return {
    name: typeof obj.name === "string" ? obj.name : fallbackName,
    file: basename(file),
    description: typeof obj.description === "string" ? obj.description : "",
    days: typeof obj.days === "number" ? obj.days : null,
    yaml,
    raw,
    problems,
  };
}

/** Is `file` inside `dir` once symbolic links are followed? */
function inside(dir: string, file: string): boolean {
  let real: string;
  let root: string;
  try {
    root = realpathSync(dir);
    real = existsSync(file) ? realpathSync(file) : resolve(file);
  } catch {
    return false;
  }
  const rel = relative(root, real);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep);
}

function inlineOne(
  series: unknown,
  baseDir: string,
  root: string,
  path: string,
  problems: string[],
): unknown {
  if (!series || typeof series !== "object" || Array.isArray(series)) return series;
  const s = series as Record<string, unknown>;
  if (typeof s.csv !== "string" || typeof s.column !== "string") return series;
  const file = resolve(baseDir, s.csv);
  // never outside the scenario's folder, never a file's contents in a message
  if (!inside(root, file)) {
    problems.push(`${path}.csv: the CSV file must be inside the scenario's folder`);
    return series;
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    problems.push(`${path}.csv: no such CSV file`);
    return series;
  }
  if (statSync(file).size > LIMITS.maxCsvBytes) {
    problems.push(`${path}.csv: larger than ${LIMITS.maxCsvBytes / 1048576} MB`);
    return series;
  }
  const r = csvColumn(readFileSync(file, "utf8"), s.column);
  if ("error" in r) {
    const line = /^line \d+/.exec(r.error)?.[0];
    problems.push(`${path}.csv: not a readable series column${line ? ` (${line})` : ""}`);
    return series;
  }
  return { values: r.values };
}

/**
 * The browser cannot read files next to a scenario: inline every CSV series as its values, each
 * read relative to `baseDir` and refused outside `root` (default `baseDir`).
 */
export function inlineCsvSeries(
  raw: unknown,
  baseDir: string,
  problems: string[],
  root: string = baseDir,
): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const r = { ...(raw as Record<string, unknown>) };
  const mapList = (key: string, field: string) => {
    if (!Array.isArray(r[key])) return;
    r[key] = (r[key] as unknown[]).map((e, i) =>
      e && typeof e === "object"
        ? {
            ...(e as object),
            [field]: inlineOne(
              (e as Record<string, unknown>)[field],
              baseDir,
              root,
              `${key}[${i}].${field}`,
              problems,
            ),
          }
        : e,
    );
  };
  mapList("consumers", "jobsPerDay");
  mapList("suppliers", "count");
  for (const key of ["consumerSentiment", "governanceValue"])
    if (key in r) r[key] = inlineOne(r[key], baseDir, root, key, problems);
  return r;
}

/** Why a pasted scenario's `extends` cannot be followed, or null when it can. */
class ExtendsRefused extends Error {}

/**
 * A pasted scenario's `extends: <path>`, followed on the server: the path is read relative to
 * the served scenarios folder (`whitepaper.yaml`, `stress/jump-crash.yaml`) and must name a
 * shipped scenario file inside it (no `..` out of it, no symbolic link out of it, no other
 * file). The base (and its own `extends` chain) is merged under the pasted fields as `bme run`
 * merges them (mergeScenario), and its CSV series are inlined. A scenario without `extends`
 * comes back as it is. Throws ExtendsRefused with a message saying why.
 */
export function resolvePastedExtends(
  raw: unknown,
  scenarioDir: string,
): { raw: unknown; problems: string[] } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw) || !("extends" in raw))
    return { raw, problems: [] };
  const { extends: target, ...own } = raw as Record<string, unknown>;
  const shipped = listScenarioFiles(scenarioDir);
  const hint = `a pasted scenario can extend only a shipped scenario, named relative to the served scenarios folder (${shipped
    .slice(0, 3)
    .map((n) => `${n}.yaml`)
    .join(", ")}, …)`;
  if (typeof target !== "string" || target === "")
    throw new ExtendsRefused(`extends: expected the file name of a shipped scenario; ${hint}`);
  const file = resolve(scenarioDir, target);
  const name = relative(resolve(scenarioDir), file)
    .split(sep)
    .join("/")
    .replace(/\.(ya?ml|json)$/, "");
  if (!inside(scenarioDir, file) || !shipped.includes(name) || !existsSync(file))
    throw new ExtendsRefused(
      `extends: "${target.slice(0, 80)}" is not a shipped scenario; ${hint}`,
    );
  const problems: string[] = [];
  const base = readExtended(file, (p) => parseYaml(readFileSync(p, "utf8")));
  const inlined = inlineCsvSeries(base, dirname(file), problems, scenarioDir);
  return { raw: mergeScenario(inlined, own), problems };
}

export { ExtendsRefused };
