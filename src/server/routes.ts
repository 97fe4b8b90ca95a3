import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join, normalize, sep } from "node:path";
import type { Context, Hono } from "hono";
import { scenarioWarnings } from "../scenario/checks.js";
import { ScenarioError } from "../scenario/errors.js";
import { parseScenarioText, precheckRaw } from "../scenario/load.js";
import { wholeNumberText } from "../scenario/numberText.js";
import { applyOverrides } from "../scenario/overrides.js";
import { parseScenario } from "../scenario/parse.js";
import {
  experimentOverview,
  plain,
  pointBands,
  type StoredExperiment,
  withStore,
} from "./experiments.js";
import { readValidateBody } from "./guard.js";
import {
  ExtendsRefused,
  listScenarioFiles,
  readScenarioText,
  readShipped,
  resolvePastedExtends,
} from "./scenarios.js";

function bad(message: string) {
  return { error: message };
}

/** The shipped scenarios, one by name, and the command line's file (`/api/file`). */
export function registerScenarioRoutes(
  app: Hono,
  options: { scenarioDir: string; scenarioFile?: string },
): void {
  app.get("/api/scenarios", (c) =>
    c.json(
      listScenarioFiles(options.scenarioDir).map((name) => {
        const s = readShipped(options.scenarioDir, name);
        return { name, title: s?.name ?? name, description: s?.description ?? "", days: s?.days };
      }),
    ),
  );
  const one = (c: Context, name: string) => {
    const s = readShipped(options.scenarioDir, name);
    if (!s)
      return c.json(
        bad(
          `no shipped scenario "${name.slice(0, 60)}" (shipped: ${listScenarioFiles(options.scenarioDir).join(", ")})`,
        ),
        404,
      );
    return c.json({ ...s, file: `${name.split("/").pop()}${extname(s.file)}` });
  };
  // `stress/jump-crash`: a scenario in a folder of the shipped scenarios (also as `stress%2Fjump-crash`)
  app.get("/api/scenarios/:name", (c) => one(c, c.req.param("name")));
  app.get("/api/scenarios/:folder/:name", (c) =>
    one(c, `${c.req.param("folder")}/${c.req.param("name")}`),
  );
  app.get("/api/file", (c) => {
    const file = options.scenarioFile;
    if (!file) return c.json(bad("no scenario file was given to bme serve"), 404);
    if (!existsSync(file)) return c.json(bad(`the scenario file ${basename(file)} is gone`), 404);
    return c.json(readScenarioText(file, "scenario"));
  });
}

/** Read a request's scenario text and follow a pasted `extends` (resolvePastedExtends). */
async function readPasted(
  c: Context,
  scenarioDir: string,
): Promise<
  { raw: unknown; set: string[]; problems: string[] } | { error: string; status: 400 | 415 }
> {
  const body = await readValidateBody(c);
  if ("error" in body) return body;
  let raw: unknown;
  try {
    raw = parseScenarioText(body.yaml, "scenario", false);
  } catch (e) {
    return { error: `the scenario is not valid YAML: ${(e as Error).message}`, status: 400 };
  }
  try {
    return { ...resolvePastedExtends(raw, scenarioDir), set: body.set };
  } catch (e) {
    if (e instanceof ExtendsRefused) return { error: e.message, status: 400 };
    if (e instanceof ScenarioError)
      return { error: e.issues.map((i) => `${i.path}: ${i.message}`).join("; "), status: 400 };
    throw e;
  }
}

/**
 * `POST /api/validate`: a scenario's text (and `path=value` changes) → its issues or the parsed
 * scenario; `POST /api/resolve`: a pasted scenario's raw object with its `extends` followed
 * (the dashboard's paste and open-file).
 */
export function registerValidateRoute(app: Hono, options: { scenarioDir: string }): void {
  app.post("/api/validate", async (c) => {
    const body = await readPasted(c, options.scenarioDir);
    if ("error" in body) return c.json(bad(body.error), body.status);
    try {
      precheckRaw(body.raw);
      const withSets = body.set.length > 0 ? applyOverrides(body.raw, body.set) : body.raw;
      const scenario = parseScenario(withSets);
      return c.json({ valid: true, issues: [], warnings: scenarioWarnings(scenario), scenario });
    } catch (e) {
      if (e instanceof ScenarioError) return c.json({ valid: false, issues: e.issues });
      throw e;
    }
  });
  app.post("/api/resolve", async (c) => {
    const body = await readPasted(c, options.scenarioDir);
    if ("error" in body) return c.json(bad(body.error), body.status);
    return c.json({ raw: body.raw, problems: body.problems });
  });
}

/** The results store's experiments, read-only; "in use" by a writer answers 503. */
export function registerExperimentRoutes(app: Hono, storePath: string | undefined): void {
  app.get("/api/experiments", async (c) => {
    const list = await withStore(storePath, (s) => s.listExperiments());
    return c.json(plain(list) as object);
  });
  const loadOne = (id: string) =>
    withStore(storePath, async (s) => (await s.loadExperiment(id)) as StoredExperiment | null);
  app.get("/api/experiments/:id", async (c) => {
    const id = c.req.param("id");
    const e = await loadOne(id);
    if (!e) return c.json(bad(`no experiment "${id.slice(0, 60)}" in the store`), 404);
    return c.json(experimentOverview(id, e) as object);
  });
  app.get("/api/experiments/:id/points/:index", async (c) => {
    const id = c.req.param("id");
    const index = wholeNumberText(c.req.param("index"));
    if (index === undefined) return c.json(bad("a point index is a whole number ≥ 0"), 400);
    const e = await loadOne(id);
    if (!e) return c.json(bad(`no experiment "${id.slice(0, 60)}" in the store`), 404);
    const bands = pointBands(e, index);
    if (!bands) return c.json(bad(`experiment "${id.slice(0, 60)}" has no point ${index}`), 404);
    return c.json(bands as object);
  });
}

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** The built web app: `/` is its page (index.html), other paths are files inside `webDir` only, or 404. */
export function registerStatic(app: Hono, webDir: string): void {
  const webRoot = normalize(webDir);
  app.get("*", (c) => {
    const index = join(webRoot, "index.html");
    if (!existsSync(index))
      return c.text(
        "The dashboard is not built. Run: npm run build\nThe API is at /api/scenarios.\n",
        503,
      );
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return c.text("bad path", 400);
    }
    const file = normalize(join(webRoot, rel));
    const inside = file === webRoot || file.startsWith(webRoot + sep);
    // the app has one route, `/` (its state is in the query string); any other path is a file
    // of the built app or 404
    const target =
      rel === "/" ? index : inside && existsSync(file) && statSync(file).isFile() ? file : null;
    if (!target)
      return c.text(
        `not found: ${rel.slice(0, 100)}\nThe dashboard is at / and its API under /api/.\n`,
        404,
      );
    c.header("Content-Type", MIME[extname(target)] ?? "application/octet-stream");
    c.header("X-Content-Type-Options", "nosniff");
    c.header(
      "Cache-Control",
      target.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache",
    );
    return c.body(readFileSync(target));
  });
}
